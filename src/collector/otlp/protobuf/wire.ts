/**
 * The protobuf wire reader: a cursor over one request body (varints, tags, length-delimited
 * fields, fixed-width values, strings, ids as hex, bytes as base64), the checks that make any
 * malformed input throw MalformedRequestError (see ./index.ts for the rules), the skipping of
 * unknown or scanned fields, and packed repeated numeric fields. It knows no OTLP message.
 */
import { MalformedRequestError, type Int64 } from '../types.js';
import { int64ToString, uint64ToString } from './decimal.js';

// Wire types.
export const VARINT = 0;
export const I64 = 1;
export const LEN = 2;
export const I32 = 5;

/**
 * Buffer's native slicers: `utf8Slice`/`base64Slice`/`hexSlice` have backed `toString` since early
 * Node and skip its argument checks (about 25% faster on short strings); `toString` stands in where
 * absent.
 */
interface NativeSlicers {
  utf8Slice(start: number, end: number): string;
  base64Slice(start: number, end: number): string;
  hexSlice(start: number, end: number): string;
}
const bufferProto = Buffer.prototype as unknown as Partial<NativeSlicers>;
const HAS_NATIVE_SLICERS =
  typeof bufferProto.utf8Slice === 'function' && typeof bufferProto.base64Slice === 'function' && typeof bufferProto.hexSlice === 'function';

function slicersOf(buf: Buffer): NativeSlicers {
  if (HAS_NATIVE_SLICERS) return buf as unknown as NativeSlicers;
  return {
    utf8Slice: (start, end) => buf.toString('utf8', start, end),
    base64Slice: (start, end) => buf.toString('base64', start, end),
    hexSlice: (start, end) => buf.toString('hex', start, end),
  };
}

export function malformed(message: string): MalformedRequestError {
  return new MalformedRequestError(`protobuf: ${message}`);
}

/**
 * A small table of recently decoded short strings, shared by all requests (bounded: at most
 * INTERN_SLOTS strings of INTERN_MAX_BYTES bytes are kept alive). A hit skips the UTF-8 decoder
 * and the allocation: OTLP repeats the same keys and values in every data point.
 */
const INTERN_MAX_BYTES = 32;
const INTERN_SLOTS = 2048;
const internBytes = new Uint8Array(INTERN_SLOTS * INTERN_MAX_BYTES);
const internLengths = new Uint8Array(INTERN_SLOTS);
const internStrings: string[] = new Array<string>(INTERN_SLOTS).fill('');

/** A cursor over one request body. */
export class Reader {
  readonly buf: Uint8Array;
  readonly len: number;
  pos = 0;
  readonly view: DataView;
  private readonly nodeBuf: NativeSlicers;
  /** The halves of the last 64-bit value read (avoids allocating a pair). */
  lo = 0;
  hi = 0;

  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.len = buf.length;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.nodeBuf = slicersOf(Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));
  }

  /** A varint whose low 32 bits are the value (tags, lengths, int32/uint32/enum/bool fields). */
  varint32(): number {
    const buf = this.buf;
    const len = this.len;
    let pos = this.pos;
    if (pos >= len) throw malformed('truncated varint');
    let b = buf[pos++];
    if (b < 0x80) {
      this.pos = pos;
      return b;
    }
    let value = b & 0x7f;
    for (let shift = 7; shift < 70; shift += 7) {
      if (pos >= len) throw malformed('truncated varint');
      b = buf[pos++];
      if (shift < 32) value |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    throw malformed('varint longer than 10 bytes');
  }

  /** A full 64-bit varint into lo/hi. */
  varint64(): void {
    const buf = this.buf;
    const len = this.len;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    let b = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= len) throw malformed('truncated varint');
      b = buf[pos++];
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        this.lo = lo >>> 0;
        this.hi = 0;
        return;
      }
    }
    if (pos >= len) throw malformed('truncated varint');
    b = buf[pos++];
    lo |= (b & 0x7f) << 28; // the 5th byte straddles the halves: 4 bits low, 3 bits high
    hi = (b & 0x7f) >>> 4;
    if (b >= 0x80) {
      for (let shift = 3; ; shift += 7) {
        if (shift > 31) throw malformed('varint longer than 10 bytes');
        if (pos >= len) throw malformed('truncated varint');
        b = buf[pos++];
        hi |= (b & 0x7f) << shift;
        if (b < 0x80) break;
      }
    }
    this.pos = pos;
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  /** Reads a length prefix and returns where the value ends, checked against the buffer. */
  lengthEnd(): number {
    const buf = this.buf;
    let pos = this.pos;
    let length: number;
    if (pos < this.len && buf[pos] < 0x80) {
      length = buf[pos];
      this.pos = ++pos;
    } else {
      // Kept as a double so a hostile 10-byte length compares as huge instead of wrapping.
      length = 0;
      let scale = 1;
      for (let i = 0; ; i++) {
        if (i === 10) throw malformed('varint longer than 10 bytes');
        if (pos >= this.len) throw malformed('truncated varint');
        const b = buf[pos++];
        length += (b & 0x7f) * scale;
        scale *= 128;
        if (b < 0x80) break;
      }
      this.pos = pos;
    }
    if (length > this.len - pos) throw malformed(`length ${length} at offset ${pos} runs past the end (${this.len - pos} bytes left)`);
    return pos + length;
  }

  bool(): boolean {
    this.varint64();
    return (this.lo | this.hi) !== 0;
  }

  int32(): number {
    return this.varint32() | 0;
  }

  sint32(): number {
    const n = this.varint32();
    return (n >>> 1) ^ -(n & 1);
  }

  /** int64 varint as a signed decimal string. */
  int64(): string {
    this.varint64();
    return int64ToString(this.lo, this.hi);
  }

  /** uint64 varint as a decimal string. */
  uint64(): string {
    this.varint64();
    return uint64ToString(this.lo, this.hi);
  }

  private need(n: number): number {
    const pos = this.pos;
    if (n > this.len - pos) throw malformed('truncated fixed-width value');
    this.pos = pos + n;
    return pos;
  }

  fixed32(): number {
    return this.view.getUint32(this.need(4), true);
  }

  /** fixed64 into lo/hi. */
  fixed64(): void {
    const at = this.need(8);
    this.lo = this.view.getUint32(at, true);
    this.hi = this.view.getUint32(at + 4, true);
  }

  /** fixed64 as a decimal string, or undefined for 0 (the proto3 default). */
  fixed64OrUndefined(): string | undefined {
    this.fixed64();
    return this.lo === 0 && this.hi === 0 ? undefined : uint64ToString(this.lo, this.hi);
  }

  fixed64String(): string {
    this.fixed64();
    return uint64ToString(this.lo, this.hi);
  }

  sfixed64String(): string {
    this.fixed64();
    return int64ToString(this.lo, this.hi);
  }

  double(): number {
    return this.view.getFloat64(this.need(8), true);
  }

  string(): string {
    const end = this.lengthEnd();
    const start = this.pos;
    this.pos = end;
    const n = end - start;
    if (n === 0) return '';
    if (n > INTERN_MAX_BYTES) return this.nodeBuf.utf8Slice(start, end);
    // Short strings repeat (attribute keys, model names, "true"): look them up by their bytes.
    const buf = this.buf;
    let h = n;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
    const slot = (h >>> 0) % INTERN_SLOTS;
    const at = slot * INTERN_MAX_BYTES;
    if (internLengths[slot] === n) {
      let i = 0;
      while (i < n && internBytes[at + i] === buf[start + i]) i++;
      if (i === n) return internStrings[slot];
    }
    // Invalid sequences become U+FFFD (see ./index.ts).
    const s = this.nodeBuf.utf8Slice(start, end);
    // A plain loop: a subarray for `set` would allocate a view per miss.
    for (let i = 0; i < n; i++) internBytes[at + i] = buf[start + i];
    internLengths[slot] = n;
    internStrings[slot] = s;
    return s;
  }

  /** bytes as lowercase hex (trace and span ids). */
  hex(): string {
    const end = this.lengthEnd();
    const start = this.pos;
    this.pos = end;
    if (start === end) return '';
    return this.nodeBuf.hexSlice(start, end);
  }

  base64(): string {
    const end = this.lengthEnd();
    const start = this.pos;
    this.pos = end;
    return start === end ? '' : this.nodeBuf.base64Slice(start, end);
  }

  /** Skips a field this decoder does not know; `known` has bit n set for each known field n. */
  skip(tag: number, known: number, message: string): void {
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 0) throw malformed(`field number 0 in ${message}`);
    if (field < 32 && ((known >>> field) & 1) !== 0) throw malformed(`wrong wire type ${wire} for field ${field} of ${message}`);
    this.skipWire(wire, message);
  }

  /**
   * Skips any field of a message that is scanned rather than decoded (SkipFilter): a known field
   * must have its wire type, `wires[n]` for field n (-1: unknown), as the decoder would demand.
   */
  skipScanned(tag: number, wires: Int8Array, message: string): void {
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 0) throw malformed(`field number 0 in ${message}`);
    if (field < wires.length && wires[field] !== -1 && wires[field] !== wire) throw malformed(`wrong wire type ${wire} for field ${field} of ${message}`);
    this.skipWire(wire, message);
  }

  private skipWire(wire: number, message: string): void {
    switch (wire) {
      case VARINT:
        this.varint64();
        return;
      case I64:
        this.need(8);
        return;
      case LEN:
        this.pos = this.lengthEnd();
        return;
      case I32:
        this.need(4);
        return;
      case 3:
      case 4:
        throw malformed(`group (wire type ${wire}) in ${message}`);
      default:
        throw malformed(`invalid wire type ${wire} in ${message}`);
    }
  }

  /** A message's fields must end exactly where its length said. */
  expectEnd(end: number, message: string): void {
    if (this.pos !== end) throw malformed(`a field of ${message} runs past the end of the message`);
  }
}

/** Bit mask of known field numbers, for `Reader.skip`. */
export function fields(...numbers: number[]): number {
  let mask = 0;
  for (const n of numbers) mask |= 1 << n;
  return mask;
}

/** Wire type of each known field number (-1: unknown), for `Reader.skipScanned`. */
export function wireTable(wires: Record<number, number>): Int8Array {
  const numbers = Object.keys(wires).map(Number);
  const table = new Int8Array(Math.max(...numbers) + 1).fill(-1);
  for (const n of numbers) table[n] = wires[n];
  return table;
}

// ---------------------------------------------------------------- packed repeated fields

/** Appends packed (LEN) or one unpacked (I64) fixed64 element as decimal strings. */
export function readFixed64List(r: Reader, tag: number, list: Int64[] | undefined): Int64[] {
  if ((tag & 7) === I64) {
    const out = list ?? [];
    out.push(r.fixed64String());
    return out;
  }
  const end = r.lengthEnd();
  const start = r.pos;
  if ((end - start) % 8 !== 0) throw malformed('packed fixed64 field length is not a multiple of 8');
  // Bounds were checked once for the whole list: read the elements straight from the view.
  const count = (end - start) / 8;
  const out = list ?? new Array<Int64>(count);
  const base = list === undefined ? 0 : list.length;
  const view = r.view;
  for (let i = 0, at = start; i < count; i++, at += 8) out[base + i] = uint64ToString(view.getUint32(at, true), view.getUint32(at + 4, true));
  r.pos = end;
  return out;
}

/** Appends packed (LEN) or one unpacked (I64) double element. */
export function readDoubleList(r: Reader, tag: number, list: number[] | undefined): number[] {
  if ((tag & 7) === I64) {
    const out = list ?? [];
    out.push(r.double());
    return out;
  }
  const end = r.lengthEnd();
  const start = r.pos;
  if ((end - start) % 8 !== 0) throw malformed('packed double field length is not a multiple of 8');
  const count = (end - start) / 8;
  const out = list ?? new Array<number>(count);
  const base = list === undefined ? 0 : list.length;
  const view = r.view;
  for (let i = 0, at = start; i < count; i++, at += 8) out[base + i] = view.getFloat64(at, true);
  r.pos = end;
  return out;
}

/** Appends packed (LEN) or one unpacked (VARINT) uint64 element as decimal strings. */
export function readUint64List(r: Reader, tag: number, list: Int64[] | undefined): Int64[] {
  const out = list ?? [];
  if ((tag & 7) === VARINT) {
    out.push(r.uint64());
    return out;
  }
  const end = r.lengthEnd();
  while (r.pos < end) out.push(r.uint64());
  r.expectEnd(end, 'packed uint64 list');
  return out;
}
