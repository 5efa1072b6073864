/**
 * Puts two decodings of the same OTLP request into one canonical form so that they can be compared
 * field by field, and lists where they differ. The protobuf decoder and the OTLP/JSON serializers
 * legitimately differ in spelling, never in content; each rule below names the difference it removes.
 */

/** OTLP 64-bit integer fields: protobuf decodes them to decimal strings, JSON senders may write numbers. */
const INT64_KEYS = new Set(['timeUnixNano', 'observedTimeUnixNano', 'startTimeUnixNano', 'endTimeUnixNano', 'intValue', 'asInt', 'count', 'zeroCount']);
/** Lists of 64-bit integers (histogram bucket counts). */
const INT64_LIST_KEYS = new Set(['bucketCounts']);
/**
 * Fields whose presence carries meaning (AnyValue and data point value oneof members, the proto3
 * `optional` sum/min/max of histograms): kept even at their default value.
 */
const PRESENCE_KEYS = new Set(['stringValue', 'boolValue', 'intValue', 'doubleValue', 'bytesValue', 'arrayValue', 'kvlistValue', 'asInt', 'asDouble']);
const OPTIONAL_DOUBLE_KEYS = new Set(['sum', 'min', 'max']);

/** BigInt spells every digit of a number, also above 2^53 (JSON numbers there are exact integers too). */
function int64(v: unknown): unknown {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v).toString();
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v).toString();
  return v; // not an integer: left as is, so the comparison reports it
}

function isDefault(key: string, v: unknown): boolean {
  if (v === 0 || v === '' || v === false || (Array.isArray(v) && v.length === 0)) return true;
  return v === '0' && INT64_KEYS.has(key); // a 64-bit zero, after int64()
}

export function normalize(value: unknown, path = '$'): unknown {
  if (Array.isArray(value)) return value.map((item, i) => normalize(item, `${path}[${i}]`));
  // JSON cannot write -0 (JSON.stringify(-0) is "0"): compare doubles with -0 as 0.
  if (typeof value === 'number') return Object.is(value, -0) ? 0 : value;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    const at = `${path}.${key}`;
    let v = raw;
    if (INT64_KEYS.has(key)) v = int64(v);
    else if (INT64_LIST_KEYS.has(key) && Array.isArray(v)) v = v.map(int64);
    // proto3 omits fields at their default (0, "", false, empty list) and the protobuf decoder
    // leaves them out; the JSON serializers write many of them (droppedAttributesCount: 0,
    // traceState: undefined, isMonotonic: false, offset: 0, bucketCounts: [] ...). Drop them on both
    // sides, except where presence is meaningful: oneof members and histogram `optional` doubles
    // (a Summary's `sum` is a plain double, so it is dropped at 0 like other defaults).
    const keepsPresence = PRESENCE_KEYS.has(key) || (OPTIONAL_DOUBLE_KEYS.has(key) && typeof v === 'number' && !at.includes('.summary.'));
    if (v === undefined || v === null) continue;
    if (!keepsPresence && isDefault(key, v)) continue;
    // The JSON serializers copy the SDK resource's schemaUrl into `resource` too, a key OTLP's
    // Resource message does not have (the real field, ResourceX.schemaUrl, is compared).
    if (key === 'schemaUrl' && path.endsWith('.resource')) continue;
    // The JSON log serializer writes `body: {}` for a record without a body; protobuf omits it.
    if (key === 'body' && typeof v === 'object' && Object.keys(v as object).length === 0) continue;
    out[key] = normalize(v, at);
  }
  return out;
}

function show(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : v === undefined ? 'undefined' : JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Paths where `actual` and `expected` differ (empty when equal), at most `limit` of them. */
export function diff(actual: unknown, expected: unknown, path = '$', out: string[] = [], limit = 20): string[] {
  if (out.length >= limit) return out;
  if (Array.isArray(actual) && Array.isArray(expected)) {
    if (actual.length !== expected.length) out.push(`${path}: length ${actual.length} != ${expected.length}`);
    const n = Math.min(actual.length, expected.length);
    for (let i = 0; i < n; i++) diff(actual[i], expected[i], `${path}[${i}]`, out, limit);
    return out;
  }
  const bothObjects =
    actual !== null && expected !== null && typeof actual === 'object' && typeof expected === 'object' && !Array.isArray(actual) && !Array.isArray(expected);
  if (bothObjects) {
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    for (const key of new Set([...Object.keys(a), ...Object.keys(e)])) {
      if (!(key in a)) out.push(`${path}.${key}: missing (expected ${show(e[key])})`);
      else if (!(key in e)) out.push(`${path}.${key}: unexpected ${show(a[key])}`);
      else diff(a[key], e[key], `${path}.${key}`, out, limit);
      if (out.length >= limit) break;
    }
    return out;
  }
  if (typeof actual === 'string' && typeof expected === 'string' && actual !== expected && (actual.length > 60 || expected.length > 60)) {
    let i = 0;
    while (i < actual.length && actual[i] === expected[i]) i++;
    out.push(`${path}: strings of length ${actual.length} and ${expected.length} differ at index ${i}: ${show(actual.slice(i, i + 20))} != ${show(expected.slice(i, i + 20))}`);
  } else if (!Object.is(actual, expected)) out.push(`${path}: ${show(actual)} != ${show(expected)}`);
  return out;
}
