/**
 * A test-side protobuf encoder, independent of the decoder under test: bytes are built from
 * BigInt arithmetic and a field table transcribed from opentelemetry-proto v1 (common, resource,
 * logs, metrics, trace protos). Used for what the OpenTelemetry JS serializers never write
 * (exemplars, summaries, metric metadata, data point flags, unpacked repeated fields, fields in any
 * order) and to craft malformed bodies.
 */
import type { Prng } from './prng.js';

// ---------------------------------------------------------------- raw wire pieces

export function varint(value: number | bigint): number[] {
  // Negative values are sign-extended to 64 bits: always 10 bytes, as protobuf writes int32/int64.
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

export function tag(field: number, wireType: number): number[] {
  return varint(field * 8 + wireType);
}

export function bytesOf(...parts: (number[] | Uint8Array)[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function fixed32(value: number): number[] {
  const v = value >>> 0;
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
}

export function fixed64(value: number | bigint | string): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  for (let i = 0; i < 8; i++) {
    out.push(Number(v & 0xffn));
    v >>= 8n;
  }
  return out;
}

export function double(value: number): number[] {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, value, true);
  return [...b];
}

export const field = {
  varint: (no: number, v: number | bigint) => bytesOf(tag(no, 0), varint(v)),
  fixed64: (no: number, v: number | bigint | string) => bytesOf(tag(no, 1), fixed64(v)),
  double: (no: number, v: number) => bytesOf(tag(no, 1), double(v)),
  fixed32: (no: number, v: number) => bytesOf(tag(no, 5), fixed32(v)),
  len: (no: number, payload: Uint8Array | number[]) => bytesOf(tag(no, 2), varint(payload.length), payload),
  string: (no: number, s: string) => field.len(no, new TextEncoder().encode(s)),
};

// ---------------------------------------------------------------- schema-driven encoding

type Scalar = 'string' | 'bool' | 'int32' | 'uint32' | 'sint32' | 'int64' | 'uint64' | 'fixed32' | 'fixed64' | 'sfixed64' | 'double' | 'hexbytes' | 'b64bytes';
type FieldDef = [json: string, no: number, type: Scalar | string, repeated?: true];
const R = true as const;
const KV = 'KeyValue';

/** opentelemetry-proto v1 field numbers, in the OTLP/JSON names of ./types.ts. */
const SCHEMA: Record<string, FieldDef[]> = {
  AnyValue: [['stringValue', 1, 'string'], ['boolValue', 2, 'bool'], ['intValue', 3, 'int64'], ['doubleValue', 4, 'double'], ['arrayValue', 5, 'ArrayValue'], ['kvlistValue', 6, 'KeyValueList'], ['bytesValue', 7, 'b64bytes']],
  ArrayValue: [['values', 1, 'AnyValue', R]],
  KeyValueList: [['values', 1, KV, R]],
  KeyValue: [['key', 1, 'string'], ['value', 2, 'AnyValue']],
  Resource: [['attributes', 1, KV, R], ['droppedAttributesCount', 2, 'uint32']],
  InstrumentationScope: [['name', 1, 'string'], ['version', 2, 'string'], ['attributes', 3, KV, R], ['droppedAttributesCount', 4, 'uint32']],

  ExportLogsServiceRequest: [['resourceLogs', 1, 'ResourceLogs', R]],
  ResourceLogs: [['resource', 1, 'Resource'], ['scopeLogs', 2, 'ScopeLogs', R], ['schemaUrl', 3, 'string']],
  ScopeLogs: [['scope', 1, 'InstrumentationScope'], ['logRecords', 2, 'LogRecord', R], ['schemaUrl', 3, 'string']],
  LogRecord: [
    ['timeUnixNano', 1, 'fixed64'], ['observedTimeUnixNano', 11, 'fixed64'], ['severityNumber', 2, 'int32'], ['severityText', 3, 'string'],
    ['body', 5, 'AnyValue'], ['attributes', 6, KV, R], ['droppedAttributesCount', 7, 'uint32'], ['flags', 8, 'fixed32'],
    ['traceId', 9, 'hexbytes'], ['spanId', 10, 'hexbytes'], ['eventName', 12, 'string'],
  ],

  ExportMetricsServiceRequest: [['resourceMetrics', 1, 'ResourceMetrics', R]],
  ResourceMetrics: [['resource', 1, 'Resource'], ['scopeMetrics', 2, 'ScopeMetrics', R], ['schemaUrl', 3, 'string']],
  ScopeMetrics: [['scope', 1, 'InstrumentationScope'], ['metrics', 2, 'Metric', R], ['schemaUrl', 3, 'string']],
  Metric: [
    ['name', 1, 'string'], ['description', 2, 'string'], ['unit', 3, 'string'], ['gauge', 5, 'Gauge'], ['sum', 7, 'Sum'], ['histogram', 9, 'Histogram'],
    ['exponentialHistogram', 10, 'ExponentialHistogram'], ['summary', 11, 'Summary'], ['metadata', 12, KV, R],
  ],
  Gauge: [['dataPoints', 1, 'NumberDataPoint', R]],
  Sum: [['dataPoints', 1, 'NumberDataPoint', R], ['aggregationTemporality', 2, 'int32'], ['isMonotonic', 3, 'bool']],
  Histogram: [['dataPoints', 1, 'HistogramDataPoint', R], ['aggregationTemporality', 2, 'int32']],
  ExponentialHistogram: [['dataPoints', 1, 'ExponentialHistogramDataPoint', R], ['aggregationTemporality', 2, 'int32']],
  Summary: [['dataPoints', 1, 'SummaryDataPoint', R]],
  NumberDataPoint: [
    ['attributes', 7, KV, R], ['startTimeUnixNano', 2, 'fixed64'], ['timeUnixNano', 3, 'fixed64'], ['asDouble', 4, 'double'], ['asInt', 6, 'sfixed64'],
    ['exemplars', 5, 'Exemplar', R], ['flags', 8, 'uint32'],
  ],
  HistogramDataPoint: [
    ['attributes', 9, KV, R], ['startTimeUnixNano', 2, 'fixed64'], ['timeUnixNano', 3, 'fixed64'], ['count', 4, 'fixed64'], ['sum', 5, 'double'],
    ['bucketCounts', 6, 'fixed64', R], ['explicitBounds', 7, 'double', R], ['exemplars', 8, 'Exemplar', R], ['flags', 10, 'uint32'], ['min', 11, 'double'], ['max', 12, 'double'],
  ],
  ExponentialHistogramDataPoint: [
    ['attributes', 1, KV, R], ['startTimeUnixNano', 2, 'fixed64'], ['timeUnixNano', 3, 'fixed64'], ['count', 4, 'fixed64'], ['sum', 5, 'double'], ['scale', 6, 'sint32'],
    ['zeroCount', 7, 'fixed64'], ['positive', 8, 'Buckets'], ['negative', 9, 'Buckets'], ['flags', 10, 'uint32'], ['exemplars', 11, 'Exemplar', R],
    ['min', 12, 'double'], ['max', 13, 'double'], ['zeroThreshold', 14, 'double'],
  ],
  Buckets: [['offset', 1, 'sint32'], ['bucketCounts', 2, 'uint64', R]],
  SummaryDataPoint: [
    ['attributes', 7, KV, R], ['startTimeUnixNano', 2, 'fixed64'], ['timeUnixNano', 3, 'fixed64'], ['count', 4, 'fixed64'], ['sum', 5, 'double'],
    ['quantileValues', 6, 'ValueAtQuantile', R], ['flags', 8, 'uint32'],
  ],
  ValueAtQuantile: [['quantile', 1, 'double'], ['value', 2, 'double']],
  Exemplar: [['filteredAttributes', 7, KV, R], ['timeUnixNano', 2, 'fixed64'], ['asDouble', 3, 'double'], ['asInt', 6, 'sfixed64'], ['spanId', 4, 'hexbytes'], ['traceId', 5, 'hexbytes']],

  ExportTraceServiceRequest: [['resourceSpans', 1, 'ResourceSpans', R]],
  ResourceSpans: [['resource', 1, 'Resource'], ['scopeSpans', 2, 'ScopeSpans', R], ['schemaUrl', 3, 'string']],
  ScopeSpans: [['scope', 1, 'InstrumentationScope'], ['spans', 2, 'Span', R], ['schemaUrl', 3, 'string']],
  Span: [
    ['traceId', 1, 'hexbytes'], ['spanId', 2, 'hexbytes'], ['traceState', 3, 'string'], ['parentSpanId', 4, 'hexbytes'], ['flags', 16, 'fixed32'], ['name', 5, 'string'],
    ['kind', 6, 'int32'], ['startTimeUnixNano', 7, 'fixed64'], ['endTimeUnixNano', 8, 'fixed64'], ['attributes', 9, KV, R], ['droppedAttributesCount', 10, 'uint32'],
    ['events', 11, 'SpanEvent', R], ['droppedEventsCount', 12, 'uint32'], ['links', 13, 'SpanLink', R], ['droppedLinksCount', 14, 'uint32'], ['status', 15, 'Status'],
  ],
  SpanEvent: [['timeUnixNano', 1, 'fixed64'], ['name', 2, 'string'], ['attributes', 3, KV, R], ['droppedAttributesCount', 4, 'uint32']],
  SpanLink: [['traceId', 1, 'hexbytes'], ['spanId', 2, 'hexbytes'], ['traceState', 3, 'string'], ['attributes', 4, KV, R], ['droppedAttributesCount', 5, 'uint32'], ['flags', 6, 'fixed32']],
  Status: [['message', 2, 'string'], ['code', 3, 'int32']],
};

const WIRE: Record<Scalar, number> = {
  string: 2, hexbytes: 2, b64bytes: 2, bool: 0, int32: 0, uint32: 0, sint32: 0, int64: 0, uint64: 0, fixed32: 5, fixed64: 1, sfixed64: 1, double: 1,
};

function scalarPayload(type: Scalar, v: unknown): number[] | Uint8Array {
  switch (type) {
    case 'string':
      return new TextEncoder().encode(v as string);
    case 'hexbytes':
      return Buffer.from(v as string, 'hex');
    case 'b64bytes':
      return Buffer.from(v as string, 'base64');
    case 'bool':
      return varint(v ? 1 : 0);
    case 'int32':
    case 'uint32':
    case 'int64':
    case 'uint64':
      return varint(BigInt(v as number | string));
    case 'sint32': {
      const n = v as number;
      return varint(((n << 1) ^ (n >> 31)) >>> 0);
    }
    case 'fixed32':
      return fixed32(v as number);
    case 'fixed64':
    case 'sfixed64':
      return fixed64(v as number | string);
    case 'double':
      return double(v as number);
  }
}

export interface EncodeOptions {
  /** Repeated numbers packed in one LEN field (the proto3 default) or one field per element. */
  packed?: boolean;
  /** Writes the fields of each message in a random order (protobuf allows any order). */
  shuffle?: Prng;
}

/** Encodes an OTLP/JSON-shaped object (int64 as strings or numbers, ids hex, bytes base64) as `type`. */
export function encodeMessage(type: string, obj: Record<string, unknown>, options: EncodeOptions = {}): Uint8Array {
  const defs = SCHEMA[type];
  if (!defs) throw new Error(`no schema for ${type}`);
  const parts: Uint8Array[][] = [];
  for (const [json, no, fieldType, repeated] of defs) {
    const v = obj[json];
    if (v === undefined || v === null) continue;
    const values = repeated ? (v as unknown[]) : [v];
    const fieldParts: Uint8Array[] = [];
    if (fieldType in WIRE) {
      const scalar = fieldType as Scalar;
      const wire = WIRE[scalar];
      if (repeated && wire !== 2 && options.packed !== false) {
        if (values.length > 0) fieldParts.push(field.len(no, bytesOf(...values.map((x) => scalarPayload(scalar, x)))));
      } else {
        for (const x of values) {
          const payload = scalarPayload(scalar, x);
          fieldParts.push(wire === 2 ? field.len(no, payload) : bytesOf(tag(no, wire), payload));
        }
      }
    } else {
      for (const x of values) fieldParts.push(field.len(no, encodeMessage(fieldType, x as Record<string, unknown>, options)));
    }
    parts.push(fieldParts);
  }
  if (options.shuffle) {
    const rng = options.shuffle;
    for (let i = parts.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [parts[i], parts[j]] = [parts[j], parts[i]];
    }
  }
  return bytesOf(...parts.flat());
}
