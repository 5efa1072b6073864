import { ACTION, type BeaconEvent, type TokenRaw } from '../beacon/event.js';
import { newEvent } from '../beacon/envelope.js';
import type { ExponentialHistogramDataPoint, HistogramDataPoint, LogRecord, Metric, NumberDataPoint, Span, SummaryDataPoint } from '../collector/otlp/types.js';
import { attributesToObject, nanosToIso, temporalityName, toNumber } from '../collector/otlp/values.js';
import { isoUtc } from '../beacon/utc-time.js';
import type { RecordContext } from './harness.js';

/** Shared by the harness rules: timestamps, `raw`, and the generic shapes of each signal. */

export function logTimestamp(record: LogRecord, attributes: Record<string, unknown>, ctx: RecordContext): string {
  // Codex leaves timeUnixNano at 0 and puts the time in observedTimeUnixNano and event.timestamp.
  const fromAttribute = attributes['event.timestamp'];
  if (typeof fromAttribute === 'string') {
    if (isCanonicalIsoTime(fromAttribute)) return fromAttribute;
    // Parsed once (new Date(string) parses as Date.parse does).
    const ms = Date.parse(fromAttribute);
    if (!Number.isNaN(ms)) return isoUtc(ms);
  }
  return nanosToIso(record.timeUnixNano) ?? nanosToIso(record.observedTimeUnixNano) ?? ctx.receivedAt;
}

const DIGIT_POSITIONS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether `s` is what `new Date(s).toISOString()` would give back unchanged:
 * `YYYY-MM-DDTHH:MM:SS.sssZ` with every field in range (Date.parse rolls a 31 April or a 24:00 over
 * to the next day, so those are not). Codex's `event.timestamp` always is: no parsing needed.
 */
function isCanonicalIsoTime(s: string): boolean {
  if (s.length !== 24) return false;
  if (s.charCodeAt(4) !== 0x2d || s.charCodeAt(7) !== 0x2d || s.charCodeAt(10) !== 0x54 || s.charCodeAt(13) !== 0x3a) return false;
  if (s.charCodeAt(16) !== 0x3a || s.charCodeAt(19) !== 0x2e || s.charCodeAt(23) !== 0x5a) return false;
  for (const at of DIGIT_POSITIONS) {
    const c = s.charCodeAt(at);
    if (c < 0x30 || c > 0x39) return false;
  }
  const year = twoDigits(s, 0) * 100 + twoDigits(s, 2);
  const month = twoDigits(s, 5);
  if (month < 1 || month > 12) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const day = twoDigits(s, 8);
  if (day < 1 || day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1])) return false;
  return twoDigits(s, 11) <= 23 && twoDigits(s, 14) <= 59 && twoDigits(s, 17) <= 59;
}

function twoDigits(s: string, at: number): number {
  return (s.charCodeAt(at) - 0x30) * 10 + (s.charCodeAt(at + 1) - 0x30);
}

export function logRaw(record: LogRecord, attributes: Record<string, unknown>): Record<string, unknown> {
  const raw: Record<string, unknown> = { otel_signal: 'logs', severity: record.severityText ?? '', attributes };
  return raw;
}

export function spanEvent(span: Span, ctx: RecordContext, harness: string): BeaconEvent {
  const attributes = attributesToObject(span.attributes);
  if (!ctx.options.logUserPrompt) stripPromptAttributes(attributes);
  const start = nanosToIso(span.startTimeUnixNano);
  const startNs = toNumber(span.startTimeUnixNano);
  const endNs = toNumber(span.endTimeUnixNano);
  const event = newEvent(ctx.attribution, {
    timestamp: start ?? ctx.receivedAt,
    action: ACTION.span,
    category: 'trace',
    harness,
  });
  event.message = span.name ?? '';
  event.trace = {};
  if (span.traceId) event.trace.id = span.traceId;
  if (span.spanId) event.trace.span_id = span.spanId;
  if (span.parentSpanId) event.trace.parent_span_id = span.parentSpanId;
  event.raw = {
    otel_signal: 'traces',
    name: span.name ?? '',
    kind: span.kind ?? 0,
    duration_ms: startNs && endNs && endNs >= startNs ? Math.round((endNs - startNs) / 1e6) : 0,
    status: span.status ?? {},
    attributes,
  };
  return event;
}

/** Removes attributes that hold prompt text when the user did not opt in to prompt logging. */
export function stripPromptAttributes(attributes: Record<string, unknown>): void {
  for (const key of Object.keys(attributes)) {
    if (/prompt/i.test(key) && !/prompt_length$/i.test(key)) delete attributes[key];
  }
}

export type DataPoint = NumberDataPoint | HistogramDataPoint;
export type MetricType = TokenRaw['metric_type'] | 'ExponentialHistogram' | 'Summary';
type AnyDataPoint = DataPoint | ExponentialHistogramDataPoint | SummaryDataPoint;

/**
 * A metric's type, temporality and data points: of the first kind whose `dataPoints` is present,
 * in OTLP's field order (gauge, sum, histogram, exponential histogram, summary), the order in which
 * the collector counts a metric's data points (keep-map, and the decoders' skipped points).
 */
export function metricDataOf(metric: Metric): { type: MetricType; temporality: 'Delta' | 'Cumulative' | 'Unspecified'; points: readonly AnyDataPoint[] } {
  if (metric.gauge?.dataPoints) return { type: 'Gauge', temporality: 'Unspecified', points: metric.gauge.dataPoints };
  if (metric.sum?.dataPoints) return { type: 'Sum', temporality: temporalityName(metric.sum.aggregationTemporality), points: metric.sum.dataPoints };
  if (metric.histogram?.dataPoints) return { type: 'Histogram', temporality: temporalityName(metric.histogram.aggregationTemporality), points: metric.histogram.dataPoints };
  const exponential = metric.exponentialHistogram;
  if (exponential?.dataPoints) return { type: 'ExponentialHistogram', temporality: temporalityName(exponential.aggregationTemporality), points: exponential.dataPoints };
  if (metric.summary?.dataPoints) return { type: 'Summary', temporality: 'Unspecified', points: metric.summary.dataPoints };
  return { type: 'Gauge', temporality: 'Unspecified', points: [] };
}

/**
 * Every data point of a metric with its type, temporality, its value (a number data point's
 * value, else the point's `sum`; undefined when absent or not a double) and its count.
 */
export function dataPointsOf(metric: Metric): { type: MetricType; temporality: string; points: { point: AnyDataPoint; value: number | undefined; count: number }[] } {
  const { type, temporality, points } = metricDataOf(metric);
  const numbers = type === 'Gauge' || type === 'Sum';
  return {
    type,
    temporality,
    points: points.map((p) =>
      numbers
        ? { point: p, value: numberPointValue(p as NumberDataPoint), count: 1 }
        : { point: p, value: jsonDouble((p as HistogramDataPoint).sum), count: toNumber((p as HistogramDataPoint).count) ?? 0 },
    ),
  };
}

/**
 * A double as OTLP/JSON writes it: a number, or one of the strings "NaN", "Infinity", "-Infinity"
 * (the protobuf decoder gives numbers only). Anything else (absent, a boolean, "0x10", "1e3") is
 * not one: undefined.
 */
function jsonDouble(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return undefined;
}

function numberPointValue(p: NumberDataPoint): number | undefined {
  if (p.asDouble !== undefined) return jsonDouble(p.asDouble);
  return toNumber(p.asInt);
}

/**
 * A short stable name of a resource (16 hex digits): a hash of its attributes, in key order, so
 * that the points of one process (one resource) can be told from another's.
 */
export function resourceIdOf(resource: Record<string, unknown>): string {
  const text = JSON.stringify(Object.keys(resource).sort().map((key) => [key, resource[key]]));
  // Two 32-bit FNV-1a lanes (other offset, the second also folded): 64 bits, without loading node:crypto in the collector.
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** A value as an error message quotes it: JSON (a string in quotes), cut to 64 characters. */
export function describeValue(value: unknown): string {
  // An integer double past 2^53 is one exact integer: spelled in full (String writes 9223372036854776000).
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < 1e21) return BigInt(value).toString();
  const text = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  return text.length <= 64 ? text : `${text.slice(0, 61)}...`;
}
