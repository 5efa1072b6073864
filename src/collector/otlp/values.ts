/**
 * Readers for the values of the in-memory OTLP shape (`./types.ts`). Both decoders feed the
 * mapping code through these, so each accepts every form either decoder can produce: 64-bit
 * integers as decimal strings (protobuf, most JSON senders) or numbers (some JSON senders), enums
 * as numbers or names. The JSON decoder checks only the structure, so these also tolerate values of
 * the wrong type (they return `undefined` rather than throw).
 */
import { isoUtc } from '../../beacon/utc-time.js';
import type { AggregationTemporality, AnyValue, Int64, KeyValue } from './types.js';

/** Deeper AnyValue arrays/kvlists are cut off: protects recursion from hostile input. */
export const MAX_ANY_VALUE_DEPTH = 64;
/** Stands in for a value nested deeper than MAX_ANY_VALUE_DEPTH. */
export const DEPTH_LIMIT_MARKER = '[nested too deep]';

const INTEGER_STRING = /^-?\d+$/;

/** The canonical decimal string of an Int64, or undefined when `v` is absent or not an integer. */
export function toInt64String(v: Int64 | null | undefined): string | undefined {
  if (typeof v === 'string') {
    if (!INTEGER_STRING.test(v)) return undefined;
    // Fast path: already canonical (no leading zeros, no "-0").
    if (v.length === 1 || (v.charCodeAt(0) !== 48 && !(v.charCodeAt(0) === 45 && v.charCodeAt(1) === 48))) return v;
    return BigInt(v).toString();
  }
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return undefined;
    // An integer double above 2^53 still names one exact integer: BigInt spells all its digits
    // (String() would write 1.152921504606847e+21 or round the last digits).
    return Number.isSafeInteger(v) ? String(v === 0 ? 0 : v) : BigInt(v).toString();
  }
  return undefined;
}

/** An Int64 as a JS number (beyond 2^53 it is rounded), or undefined when absent or not an integer. */
export function toNumber(v: Int64 | null | undefined): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && INTEGER_STRING.test(v)) return Number(v);
  return undefined;
}

function bytesBase64ToJs(v: unknown): unknown {
  return typeof v === 'string' ? v : undefined;
}

function intToJs(v: unknown): number | string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && INTEGER_STRING.test(v)) {
    const n = Number(v);
    // Keep the exact digits when a double cannot hold them.
    return Number.isSafeInteger(n) ? n : toInt64String(v);
  }
  return undefined;
}

function doubleToJs(v: unknown): number | string | undefined {
  if (typeof v === 'number') return v;
  // Proto3 JSON spells non-finite doubles "NaN", "Infinity", "-Infinity"; keep them readable.
  if (typeof v === 'string') return v;
  return undefined;
}

/**
 * An AnyValue as a plain JS value: string, boolean, number (an int that fits a double exactly,
 * else its decimal string), base64 string for bytes, array, object for a kvlist. An empty AnyValue
 * is undefined. Nesting deeper than MAX_ANY_VALUE_DEPTH becomes DEPTH_LIMIT_MARKER.
 */
export function anyValueToJs(v: AnyValue | null | undefined, depth = 0): unknown {
  if (v === null || typeof v !== 'object') return undefined;
  if (v.stringValue !== undefined) return typeof v.stringValue === 'string' ? v.stringValue : undefined;
  if (v.boolValue !== undefined) return typeof v.boolValue === 'boolean' ? v.boolValue : undefined;
  if (v.intValue !== undefined) return intToJs(v.intValue);
  if (v.doubleValue !== undefined) return doubleToJs(v.doubleValue);
  if (v.bytesValue !== undefined) return bytesBase64ToJs(v.bytesValue);
  if (v.arrayValue !== undefined) {
    if (depth >= MAX_ANY_VALUE_DEPTH) return DEPTH_LIMIT_MARKER;
    const values = v.arrayValue?.values;
    if (!Array.isArray(values)) return [];
    const out = new Array<unknown>(values.length);
    for (let i = 0; i < values.length; i++) out[i] = anyValueToJs(values[i], depth + 1);
    return out;
  }
  if (v.kvlistValue !== undefined) {
    if (depth >= MAX_ANY_VALUE_DEPTH) return DEPTH_LIMIT_MARKER;
    return keyValuesToObject(v.kvlistValue?.values, depth + 1);
  }
  return undefined;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // A plain assignment of "__proto__" would replace the prototype instead of adding a key.
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function keyValuesToObject(kvs: readonly KeyValue[] | null | undefined, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(kvs)) return out;
  for (const kv of kvs) {
    if (kv === null || typeof kv !== 'object' || typeof kv.key !== 'string') continue;
    setOwn(out, kv.key, anyValueToJs(kv.value, depth));
  }
  return out;
}

/** Attributes as an object (a repeated key: the last one wins, as OTLP receivers commonly do). */
export function attributesToObject(kvs: readonly KeyValue[] | null | undefined): Record<string, unknown> {
  return keyValuesToObject(kvs, 0);
}

/** The JS value of the attribute `key` (the last one if repeated), or undefined. */
export function getAttribute(kvs: readonly KeyValue[] | null | undefined, key: string): unknown {
  if (!Array.isArray(kvs)) return undefined;
  for (let i = kvs.length - 1; i >= 0; i--) {
    const kv = kvs[i];
    if (kv !== null && typeof kv === 'object' && kv.key === key) return anyValueToJs(kv.value);
  }
  return undefined;
}

/** 9999-12-31T23:59:59Z: later instants have no RFC 3339 spelling. */
const MAX_RFC3339_SECONDS = 253402300799;

/**
 * Unix nanoseconds as RFC 3339 UTC in milliseconds, the one form every event's timestamp has
 * (Codex's own `event.timestamp` is in milliseconds): `2026-06-13T18:00:05.123Z`; the rest of the
 * fraction is cut. 0, absent, negative or past year 9999: undefined.
 */
export function nanosToIso(v: Int64 | null | undefined): string | undefined {
  const digits = toInt64String(v);
  if (digits === undefined || digits === '0' || digits.charCodeAt(0) === 45) return undefined;
  const seconds = digits.length > 9 ? Number(digits.slice(0, -9)) : 0;
  if (seconds > MAX_RFC3339_SECONDS) return undefined;
  const fraction = digits.length > 9 ? digits.slice(-9) : digits.padStart(9, '0');
  const whole = isoUtc(seconds * 1000).slice(0, 19); // YYYY-MM-DDTHH:MM:SS
  return `${whole}.${fraction.slice(0, 3)}Z`;
}

/** The Beacon name of an OTLP aggregation temporality (number, numeric string or enum name). */
export function temporalityName(t: AggregationTemporality | null | undefined): 'Delta' | 'Cumulative' | 'Unspecified' {
  switch (t) {
    case 1:
    case '1':
    case 'AGGREGATION_TEMPORALITY_DELTA':
      return 'Delta';
    case 2:
    case '2':
    case 'AGGREGATION_TEMPORALITY_CUMULATIVE':
      return 'Cumulative';
    default:
      return 'Unspecified';
  }
}
