/**
 * Random OpenTelemetry SDK export batches (ReadableLogRecord[], ResourceMetrics, ReadableSpan[]),
 * built as the plain objects the SDK interfaces describe, for the OTLP serializers of
 * @opentelemetry/otlp-transformer to encode. Everything comes from a seeded Prng.
 *
 * Left out on purpose, because the two serializers themselves disagree there (no decoder could
 * match both): lone UTF-16 surrogates (protobuf writes U+FFFD, JSON keeps the surrogate), integer
 * attribute values of magnitude >= 2^63, doubles like 1e300 included (JSON writes intValue,
 * protobuf doubleValue), NaN and infinities (JSON.stringify writes null), a scope's
 * droppedAttributesCount without attributes (JSON leaves it out, protobuf writes it).
 */
import type { HrTime, Link, SpanContext } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import type { Prng } from './prng.js';

const VALUE_TYPE_INT = 0; // @opentelemetry/api ValueType.INT
const VALUE_TYPE_DOUBLE = 1; // ValueType.DOUBLE

const UNICODE_SAMPLES = ['é', 'ß', '中文', 'Ω≈ç√', '😀', '🧑‍💻', '𝔘𝔫𝔦', '\u0000', '\n\t"\\', 'e\u0301', '\u202e', 'ｆｕｌｌ'];

export function randomString(rng: Prng, maxLength = 24): string {
  const kind = rng.int(0, 9);
  if (kind === 0) return '';
  let s = '';
  const n = rng.int(1, maxLength);
  for (let i = 0; i < n; i++) {
    s += kind <= 4 ? String.fromCharCode(rng.int(0x20, 0x7e)) : rng.bool(0.6) ? String.fromCharCode(rng.int(0x61, 0x7a)) : rng.pick(UNICODE_SAMPLES);
  }
  return s;
}

/** ~100 KB of mixed ASCII and astral text. */
export function hugeString(rng: Prng): string {
  const unit = `${randomString(rng, 40)}😀中文`;
  const s = unit.repeat(Math.ceil(100_000 / Math.max(unit.length, 1))).slice(0, 100_000);
  // Never end on half of a surrogate pair (a lone surrogate is one of the exclusions above).
  return /[\uD800-\uDBFF]$/.test(s) ? s.slice(0, -1) : s;
}

function randomInteger(rng: Prng): number {
  switch (rng.int(0, 6)) {
    case 0:
      return rng.int(-1000, 1000);
    case 1:
      return rng.int(0, 2 ** 31);
    case 2:
      return -rng.int(0, 2 ** 31);
    case 3: // beyond 2^53: an integer double, exactly representable, up to 2^62
      return Math.floor(rng.next() * 2 ** rng.int(43, 52)) * 1024;
    case 4:
      return rng.pick([2 ** 53, 2 ** 53 + 2, -(2 ** 53), 2 ** 60, -(2 ** 62), -(2 ** 63), 2 ** 63 - 1024, Number.MAX_SAFE_INTEGER, 0]);
    case 5:
      return -Math.floor(rng.next() * 2 ** 62);
    default:
      return rng.int(-(2 ** 40), 2 ** 40);
  }
}

function randomDouble(rng: Prng): number {
  switch (rng.int(0, 5)) {
    case 0:
      return rng.next() * 1000 - 500;
    case 1:
      return -rng.next();
    case 2:
      return rng.pick([5e-324, -1e-300, 0.1, 2.5, -0.5, 2 ** 62 + 2048, -(2 ** 60)]);
    case 3:
      return (rng.next() - 0.5) * 2 ** rng.int(-60, 60);
    default:
      return rng.int(-1e6, 1e6) + 0.25;
  }
}

/** A value for an AnyValue: every kind, nested arrays and maps up to `depth`. */
export function randomAnyValue(rng: Prng, depth = 0, allowHuge = false): unknown {
  const kinds = depth >= 3 ? 6 : 9;
  switch (rng.int(0, kinds - 1)) {
    case 0:
      return allowHuge && rng.bool(0.02) ? hugeString(rng) : randomString(rng);
    case 1:
      return rng.bool();
    case 2:
    case 3:
      return randomInteger(rng);
    case 4:
      return randomDouble(rng);
    case 5:
      return rng.bytes(rng.int(0, 20));
    case 6: {
      const n = rng.int(0, 4);
      // null elements serialize as an empty AnyValue in both encodings
      return Array.from({ length: n }, () => (rng.bool(0.1) ? null : randomAnyValue(rng, depth + 1)));
    }
    default: {
      const out: Record<string, unknown> = {};
      const n = rng.int(0, 4);
      for (let i = 0; i < n; i++) out[`${randomString(rng, 8)}#${i}`] = randomAnyValue(rng, depth + 1);
      return out;
    }
  }
}

export function randomAttributes(rng: Prng, max = 6, allowHuge = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const n = rng.int(0, max);
  for (let i = 0; i < n; i++) out[`${randomString(rng, 12)}.${i}`] = randomAnyValue(rng, 0, allowHuge);
  return out;
}

function randomHrTime(rng: Prng): HrTime {
  if (rng.bool(0.05)) return [0, 0];
  return [rng.int(0, 2_000_000_000), rng.int(0, 999_999_999)];
}

function randomResources(rng: Prng): Resource[] {
  return Array.from({ length: rng.int(1, 3) }, () =>
    resourceFromAttributes(randomAttributes(rng) as never, rng.bool(0.3) ? { schemaUrl: `https://example.com/${randomString(rng, 8)}` } : undefined),
  );
}

interface Scope {
  name: string;
  version?: string;
  schemaUrl?: string;
  attributes?: Record<string, unknown>;
  droppedAttributesCount?: number;
}

/** Scopes with distinct names: the JSON trace serializer groups spans by name@version:schemaUrl. */
function randomScopes(rng: Prng, withAttributes: boolean): Scope[] {
  return Array.from({ length: rng.int(1, 3) }, (_, i) => {
    const scope: Scope = { name: `${randomString(rng, 10)}/${i}` };
    if (rng.bool()) scope.version = `${rng.int(0, 9)}.${rng.int(0, 99)}`;
    if (rng.bool(0.3)) scope.schemaUrl = `https://example.com/s/${i}`;
    if (withAttributes && rng.bool(0.5)) {
      scope.attributes = randomAttributes(rng, 3);
      if (Object.keys(scope.attributes).length > 0) scope.droppedAttributesCount = rng.int(0, 3);
    }
    return scope;
  });
}

function randomSpanContext(rng: Prng): SpanContext {
  const ctx: SpanContext = { traceId: rng.hex(16), spanId: rng.hex(8), traceFlags: rng.int(0, 1) };
  if (rng.bool(0.3)) ctx.isRemote = rng.bool();
  if (rng.bool(0.3)) ctx.traceState = new TraceState(`vendor${rng.int(0, 9)}=${rng.hex(4)},other=x${rng.int(0, 99)}`);
  return ctx;
}

export function randomLogRecords(rng: Prng, allowHuge: boolean): ReadableLogRecord[] {
  const resources = randomResources(rng);
  const scopes = randomScopes(rng, true);
  return Array.from({ length: rng.int(1, 12) }, () => {
    const record: Record<string, unknown> = {
      hrTime: randomHrTime(rng),
      hrTimeObserved: randomHrTime(rng),
      resource: rng.pick(resources),
      instrumentationScope: rng.pick(scopes),
      attributes: randomAttributes(rng, 8, allowHuge),
      droppedAttributesCount: rng.int(0, 2) === 0 ? rng.int(1, 50) : 0,
    };
    if (rng.bool(0.6)) record.spanContext = randomSpanContext(rng);
    if (rng.bool(0.7)) record.severityNumber = rng.int(0, 24);
    if (rng.bool(0.7)) record.severityText = rng.pick(['INFO', 'DEBUG', 'WARN', 'ERROR', '', randomString(rng)]);
    if (rng.bool(0.7)) record.body = randomAnyValue(rng, 0, allowHuge);
    if (rng.bool(0.5)) record.eventName = rng.pick(['codex.tool_result', 'event otel/src/events/session_telemetry.rs:1200', randomString(rng)]);
    return record as unknown as ReadableLogRecord;
  }).map((record, i) => (allowHuge && i === 0 ? { ...record, body: hugeString(rng) } : record));
}

function randomTemporality(rng: Prng): AggregationTemporality {
  return rng.bool() ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE;
}

function randomMetric(rng: Prng, index: number): MetricData {
  const descriptor = {
    name: `${randomString(rng, 16)}.${index}`,
    description: rng.bool() ? randomString(rng, 30) : '',
    unit: rng.pick(['', 'ms', '{token}', 'By', randomString(rng, 5)]),
    valueType: rng.bool() ? VALUE_TYPE_INT : VALUE_TYPE_DOUBLE,
  };
  const points = <T>(value: () => T) =>
    Array.from({ length: rng.int(0, 5) }, () => ({ startTime: randomHrTime(rng), endTime: randomHrTime(rng), attributes: randomAttributes(rng, 4) as never, value: value() }));
  const numberValue = () => (descriptor.valueType === VALUE_TYPE_INT ? randomInteger(rng) : randomDouble(rng));
  const maybe = (v: number) => (rng.bool(0.8) ? v : undefined);
  switch (rng.int(0, 3)) {
    case 0:
      return { descriptor, aggregationTemporality: randomTemporality(rng), dataPointType: DataPointType.GAUGE, dataPoints: points(numberValue) };
    case 1:
      return { descriptor, aggregationTemporality: randomTemporality(rng), dataPointType: DataPointType.SUM, isMonotonic: rng.bool(), dataPoints: points(numberValue) };
    case 2:
      return {
        descriptor,
        aggregationTemporality: randomTemporality(rng),
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints: points(() => {
          const boundaries = Array.from({ length: rng.int(0, 8) }, () => randomDouble(rng)).sort((a, b) => a - b);
          const counts = boundaries.length === 0 && rng.bool() ? [] : Array.from({ length: boundaries.length + 1 }, () => rng.int(0, 2 ** 40));
          return { buckets: { boundaries, counts }, count: rng.int(0, 2 ** 52), sum: maybe(randomDouble(rng)), min: maybe(randomDouble(rng)), max: maybe(randomDouble(rng)) };
        }),
      };
    default:
      return {
        descriptor,
        aggregationTemporality: randomTemporality(rng),
        dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
        dataPoints: points(() => ({
          count: rng.int(0, 2 ** 52),
          sum: maybe(randomDouble(rng)),
          scale: rng.int(-10, 20),
          zeroCount: rng.int(0, 2) === 0 ? 0 : rng.int(0, 2 ** 45),
          positive: { offset: rng.int(-50, 50), bucketCounts: Array.from({ length: rng.int(0, 6) }, () => (rng.bool(0.2) ? 2 ** 50 + rng.int(0, 99) : rng.int(0, 1000))) },
          negative: { offset: rng.int(-50, 50), bucketCounts: Array.from({ length: rng.int(0, 6) }, () => rng.int(0, 1000)) },
          min: maybe(randomDouble(rng)),
          max: maybe(randomDouble(rng)),
        })),
      };
  }
}

export function randomResourceMetrics(rng: Prng): ResourceMetrics {
  const scopes = randomScopes(rng, false);
  let index = 0;
  return {
    resource: rng.pick(randomResources(rng)),
    scopeMetrics: scopes.map((scope) => ({ scope, metrics: Array.from({ length: rng.int(0, 6) }, () => randomMetric(rng, index++)) })),
  };
}

export function randomSpans(rng: Prng, allowHuge: boolean): ReadableSpan[] {
  const resources = randomResources(rng);
  const scopes = randomScopes(rng, true);
  return Array.from({ length: rng.int(1, 10) }, () => {
    const ctx = randomSpanContext(rng);
    const events: TimedEvent[] = Array.from({ length: rng.int(0, 3) }, () => {
      const event: TimedEvent = { name: randomString(rng), time: randomHrTime(rng) };
      if (rng.bool()) event.attributes = randomAttributes(rng, 3, allowHuge) as never;
      if (rng.bool(0.3)) event.droppedAttributesCount = rng.int(1, 9);
      return event;
    });
    const links: Link[] = Array.from({ length: rng.int(0, 3) }, () => {
      const link: Link = { context: randomSpanContext(rng) };
      if (rng.bool()) link.attributes = randomAttributes(rng, 3) as never;
      if (rng.bool(0.3)) link.droppedAttributesCount = rng.int(1, 9);
      return link;
    });
    const status: { code: number; message?: string } = { code: rng.int(0, 2) };
    if (rng.bool(0.4)) status.message = randomString(rng);
    const span = {
      name: randomString(rng),
      kind: rng.int(0, 4),
      spanContext: () => ctx,
      parentSpanContext: rng.bool(0.6) ? randomSpanContext(rng) : undefined,
      startTime: randomHrTime(rng),
      endTime: randomHrTime(rng),
      status,
      attributes: randomAttributes(rng, 8, allowHuge),
      links,
      events,
      duration: [0, 0],
      ended: true,
      resource: rng.pick(resources),
      instrumentationScope: rng.pick(scopes),
      droppedAttributesCount: rng.int(0, 2) === 0 ? rng.int(1, 9) : 0,
      droppedEventsCount: rng.int(0, 2) === 0 ? rng.int(1, 9) : 0,
      droppedLinksCount: rng.int(0, 2) === 0 ? rng.int(1, 9) : 0,
    };
    if (allowHuge) span.attributes['huge.attribute'] = hugeString(rng);
    return span as unknown as ReadableSpan;
  });
}
