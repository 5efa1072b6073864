/**
 * 64-bit integers as decimal strings without BigInt: the protobuf decoder reads a 64-bit value as
 * two uint32 halves (see Reader.lo/hi in ./wire.ts) and spells it with these.
 */

/** Decimal strings of small counts: most histogram buckets hold 0 or a few. */
const SMALL_DECIMALS: string[] = [];
for (let i = 0; i < 1024; i++) SMALL_DECIMALS.push(String(i));

/** Decimal string of the unsigned 64-bit integer hi:lo (two uint32 halves). */
export function uint64ToString(lo: number, hi: number): string {
  if (hi === 0 && lo < 1024) return SMALL_DECIMALS[lo];
  if (hi <= 0x1fffff) return String(hi * 4294967296 + lo); // below 2^53: exact as a double
  // Split into 24-bit pieces and reassemble in base 1e7 (each partial sum stays below 2^53):
  // 2^24 = 1·1e7 + 6777216, 2^48 = 28147497·1e7 + 6710656 = (2·1e7 + 8147497)·1e7 + 6710656.
  const low = lo & 0xffffff;
  const mid = ((lo >>> 24) | (hi << 8)) & 0xffffff;
  const high = (hi >>> 16) & 0xffff;
  let a = low + mid * 6777216 + high * 6710656;
  let b = mid + high * 8147497;
  let c = high * 2;
  if (a >= 1e7) {
    b += Math.floor(a / 1e7);
    a %= 1e7;
  }
  if (b >= 1e7) {
    c += Math.floor(b / 1e7);
    b %= 1e7;
  }
  // hi > 0x1fffff means high >= 0x20, so c is never 0.
  return String(c) + String(b).padStart(7, '0') + String(a).padStart(7, '0');
}

/** Decimal string of the two's-complement signed 64-bit integer hi:lo. */
export function int64ToString(lo: number, hi: number): string {
  if ((hi & 0x80000000) === 0) return uint64ToString(lo, hi);
  const negLo = (~lo + 1) >>> 0;
  const negHi = (~hi + (negLo === 0 ? 1 : 0)) >>> 0;
  return '-' + uint64ToString(negLo, negHi);
}
