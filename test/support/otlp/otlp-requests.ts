/**
 * Random export requests written directly in the OTLP/JSON shape of src/collector/otlp/types.ts,
 * covering what the OpenTelemetry JS serializers never produce: exemplars, summaries, metric
 * metadata, data point flags, zero thresholds, 64-bit values across the whole int64/uint64 range,
 * empty AnyValues, fields at their defaults. Encoded by ./proto-encode.ts or JSON.stringify.
 */
import type {
  AnyValue,
  Exemplar,
  ExportLogsServiceRequest,
  ExportMetricsServiceRequest,
  ExportTraceServiceRequest,
  KeyValue,
  Metric,
  Resource,
  InstrumentationScope,
} from '../../../src/collector/otlp/types.js';
import type { Prng } from './prng.js';
import { randomString } from './sdk-requests.js';

function int64(rng: Prng): string {
  switch (rng.int(0, 3)) {
    case 0:
      return String(rng.int(-1000, 1000));
    case 1:
      return BigInt.asIntN(64, BigInt(`0x${rng.hex(8)}`)).toString();
    case 2:
      return rng.pick(['9223372036854775807', '-9223372036854775808', '9007199254740993', '-1', '0']);
    default:
      return String(rng.int(-(2 ** 31), 2 ** 31));
  }
}

function uint64(rng: Prng): string {
  return rng.bool(0.3) ? BigInt(`0x${rng.hex(8)}`).toString() : rng.pick(['0', '1', '18446744073709551615', String(rng.int(0, 1e9))]);
}

function nanos(rng: Prng): string {
  return rng.bool(0.1) ? '0' : (BigInt(rng.int(0, 4_000_000_000)) * 1_000_000_000n + BigInt(rng.int(0, 999_999_999))).toString();
}

function double(rng: Prng): number {
  return rng.pick([0, -0.5, 1.5, 1e-300, -1e300, rng.next() * 1e6 - 5e5]);
}

export function randomOtlpAnyValue(rng: Prng, depth = 0): AnyValue {
  switch (rng.int(0, depth >= 4 ? 6 : 8)) {
    case 0:
      return { stringValue: randomString(rng) };
    case 1:
      return { boolValue: rng.bool() };
    case 2:
      return { intValue: int64(rng) };
    case 3:
      return { doubleValue: double(rng) };
    case 4:
      return { bytesValue: Buffer.from(rng.bytes(rng.int(0, 12))).toString('base64') };
    case 5:
      return {}; // an AnyValue with no member set
    case 6:
      return { stringValue: '' };
    case 7:
      return { arrayValue: { values: Array.from({ length: rng.int(0, 3) }, () => randomOtlpAnyValue(rng, depth + 1)) } };
    default:
      return { kvlistValue: { values: randomKeyValues(rng, 3, depth + 1) } };
  }
}

export function randomKeyValues(rng: Prng, max = 5, depth = 0): KeyValue[] {
  return Array.from({ length: rng.int(0, max) }, () => (rng.bool(0.05) ? { key: randomString(rng) } : { key: randomString(rng), value: randomOtlpAnyValue(rng, depth) }));
}

function resource(rng: Prng): Resource {
  return { attributes: randomKeyValues(rng), droppedAttributesCount: rng.pick([0, 0, 3]) };
}

function scope(rng: Prng): InstrumentationScope {
  return { name: randomString(rng), version: rng.pick(['', '1.0']), attributes: randomKeyValues(rng, 2), droppedAttributesCount: rng.pick([0, 1]) };
}

function hexId(rng: Prng, bytes: number): string | undefined {
  return rng.pick([undefined, '', rng.hex(bytes)]);
}

function exemplar(rng: Prng): Exemplar {
  const e: Exemplar = { filteredAttributes: randomKeyValues(rng, 2), timeUnixNano: nanos(rng), spanId: hexId(rng, 8), traceId: hexId(rng, 16) };
  if (rng.bool()) e.asInt = int64(rng);
  else e.asDouble = double(rng);
  return e;
}

function pointBase(rng: Prng) {
  return { attributes: randomKeyValues(rng, 3), startTimeUnixNano: nanos(rng), timeUnixNano: nanos(rng), flags: rng.pick([0, 1]) };
}

function metric(rng: Prng, i: number): Metric {
  const m: Metric = { name: `${randomString(rng)}#${i}`, description: randomString(rng), unit: rng.pick(['', '1', 'ms']), metadata: randomKeyValues(rng, 2) };
  const n = () => rng.int(0, 3);
  const temporality = () => rng.pick([0, 1, 2]);
  const exemplars = () => Array.from({ length: rng.int(0, 2) }, () => exemplar(rng));
  const numberPoint = () => (rng.bool() ? { ...pointBase(rng), asInt: int64(rng), exemplars: exemplars() } : { ...pointBase(rng), asDouble: double(rng), exemplars: exemplars() });
  switch (rng.int(0, 4)) {
    case 0:
      m.gauge = { dataPoints: Array.from({ length: n() }, numberPoint) };
      break;
    case 1:
      m.sum = { dataPoints: Array.from({ length: n() }, numberPoint), aggregationTemporality: temporality(), isMonotonic: rng.bool() };
      break;
    case 2:
      m.histogram = {
        aggregationTemporality: temporality(),
        dataPoints: Array.from({ length: n() }, () => {
          const bounds = Array.from({ length: rng.int(0, 4) }, () => double(rng));
          return {
            ...pointBase(rng),
            count: uint64(rng),
            ...(rng.bool(0.8) ? { sum: double(rng) } : {}),
            bucketCounts: bounds.length ? [...bounds, 0].map(() => uint64(rng)) : [],
            explicitBounds: bounds,
            exemplars: exemplars(),
            ...(rng.bool() ? { min: double(rng), max: double(rng) } : {}),
          };
        }),
      };
      break;
    case 3:
      m.exponentialHistogram = {
        aggregationTemporality: temporality(),
        dataPoints: Array.from({ length: n() }, () => ({
          ...pointBase(rng),
          count: uint64(rng),
          ...(rng.bool(0.8) ? { sum: double(rng) } : {}),
          scale: rng.int(-10, 20),
          zeroCount: uint64(rng),
          positive: { offset: rng.int(-100, 100), bucketCounts: Array.from({ length: rng.int(0, 4) }, () => uint64(rng)) },
          ...(rng.bool() ? { negative: { offset: rng.int(-5, 5), bucketCounts: [] } } : {}),
          exemplars: exemplars(),
          ...(rng.bool() ? { min: double(rng), max: double(rng) } : {}),
          zeroThreshold: rng.pick([0, 1e-9, 0.5]),
        })),
      };
      break;
    default:
      m.summary = {
        dataPoints: Array.from({ length: n() }, () => ({
          ...pointBase(rng),
          count: uint64(rng),
          sum: double(rng),
          quantileValues: Array.from({ length: rng.int(0, 4) }, () => ({ quantile: rng.pick([0, 0.5, 0.99, 1]), value: double(rng) })),
        })),
      };
  }
  return m;
}

export function randomOtlpMetricsRequest(rng: Prng): ExportMetricsServiceRequest {
  let i = 0;
  return {
    resourceMetrics: Array.from({ length: rng.int(1, 2) }, () => ({
      resource: resource(rng),
      schemaUrl: rng.pick(['', 'https://opentelemetry.io/schemas/1.21.0']),
      scopeMetrics: Array.from({ length: rng.int(1, 2) }, () => ({ scope: scope(rng), metrics: Array.from({ length: rng.int(0, 6) }, () => metric(rng, i++)) })),
    })),
  };
}

export function randomOtlpLogsRequest(rng: Prng): ExportLogsServiceRequest {
  return {
    resourceLogs: Array.from({ length: rng.int(1, 2) }, () => ({
      resource: resource(rng),
      scopeLogs: Array.from({ length: rng.int(1, 2) }, () => ({
        scope: scope(rng),
        schemaUrl: rng.pick(['', 'https://example.com/s']),
        logRecords: Array.from({ length: rng.int(0, 5) }, () => ({
          timeUnixNano: nanos(rng),
          observedTimeUnixNano: nanos(rng),
          severityNumber: rng.int(0, 24),
          severityText: rng.pick(['', 'INFO']),
          ...(rng.bool(0.7) ? { body: randomOtlpAnyValue(rng) } : {}),
          attributes: randomKeyValues(rng),
          droppedAttributesCount: rng.pick([0, 2]),
          flags: rng.pick([0, 1, 0xffffffff]),
          traceId: hexId(rng, 16),
          spanId: hexId(rng, 8),
          eventName: rng.pick(['', 'codex.sse_event']),
        })),
      })),
    })),
  };
}

export function randomOtlpTraceRequest(rng: Prng): ExportTraceServiceRequest {
  return {
    resourceSpans: [
      {
        resource: resource(rng),
        scopeSpans: [
          {
            scope: scope(rng),
            spans: Array.from({ length: rng.int(0, 4) }, () => ({
              traceId: rng.hex(16),
              spanId: rng.hex(8),
              traceState: rng.pick(['', 'a=b']),
              parentSpanId: hexId(rng, 8),
              flags: rng.pick([0, 257, 769]),
              name: randomString(rng),
              kind: rng.int(0, 5),
              startTimeUnixNano: nanos(rng),
              endTimeUnixNano: nanos(rng),
              attributes: randomKeyValues(rng),
              droppedAttributesCount: rng.pick([0, 1]),
              events: Array.from({ length: rng.int(0, 2) }, () => ({ timeUnixNano: nanos(rng), name: randomString(rng), attributes: randomKeyValues(rng, 2), droppedAttributesCount: rng.pick([0, 4]) })),
              droppedEventsCount: rng.pick([0, 7]),
              links: Array.from({ length: rng.int(0, 2) }, () => ({
                traceId: rng.hex(16),
                spanId: rng.hex(8),
                traceState: rng.pick(['', 'k=v']),
                attributes: randomKeyValues(rng, 2),
                droppedAttributesCount: rng.pick([0, 1]),
                flags: rng.pick([0, 256, 0xffffffff]),
              })),
              droppedLinksCount: rng.pick([0, 2]),
              status: rng.pick([{}, { code: 2, message: 'boom' }, { code: 1 }, { message: 'only a message' }]),
            })),
          },
        ],
      },
    ],
  };
}
