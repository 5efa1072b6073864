/**
 * The in-memory shape of OTLP export requests: the OTLP/JSON mapping of the protobuf messages
 * (camelCase keys, as https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding defines it).
 * Both decoders produce it, so one keep/map step serves both encodings.
 *
 * Conventions of the protobuf decoder (the JSON decoder passes through what the sender wrote,
 * so readers must accept both forms where noted):
 * - 64-bit integers (fixed64 times, int64/uint64 values, counts): decimal strings.
 *   JSON senders may write numbers: read them with `toInt64` / `toNumber` from `./values.js`.
 * - trace and span ids: lowercase hex strings. `bytesValue`: base64.
 * - enums: numbers. Fields at their proto3 default are omitted.
 */

export type Int64 = string | number;

export interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: Int64;
  doubleValue?: number;
  bytesValue?: string;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
}

export interface KeyValue {
  key: string;
  value?: AnyValue;
}

export interface Resource {
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
}

export interface InstrumentationScope {
  name?: string;
  version?: string;
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
}

// ---- logs ----
export interface LogRecord {
  timeUnixNano?: Int64;
  observedTimeUnixNano?: Int64;
  severityNumber?: number;
  severityText?: string;
  body?: AnyValue;
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
  traceId?: string;
  spanId?: string;
  eventName?: string;
}
export interface ScopeLogs {
  scope?: InstrumentationScope;
  logRecords?: LogRecord[];
  schemaUrl?: string;
  /** Not OTLP: records a decoder skipped unread (see SkipFilter), counted by drop reason. */
  skippedRecords?: Record<string, number>;
}
export interface ResourceLogs {
  resource?: Resource;
  scopeLogs?: ScopeLogs[];
  schemaUrl?: string;
}
export interface ExportLogsServiceRequest {
  resourceLogs?: ResourceLogs[];
}

// ---- metrics ----
export interface Exemplar {
  filteredAttributes?: KeyValue[];
  timeUnixNano?: Int64;
  asDouble?: number;
  asInt?: Int64;
  spanId?: string;
  traceId?: string;
}
export interface NumberDataPoint {
  attributes?: KeyValue[];
  startTimeUnixNano?: Int64;
  timeUnixNano?: Int64;
  asDouble?: number;
  asInt?: Int64;
  exemplars?: Exemplar[];
  flags?: number;
}
export interface HistogramDataPoint {
  attributes?: KeyValue[];
  startTimeUnixNano?: Int64;
  timeUnixNano?: Int64;
  count?: Int64;
  sum?: number;
  bucketCounts?: Int64[];
  explicitBounds?: number[];
  exemplars?: Exemplar[];
  flags?: number;
  min?: number;
  max?: number;
}
export interface ExponentialHistogramBuckets {
  offset?: number;
  bucketCounts?: Int64[];
}
export interface ExponentialHistogramDataPoint {
  attributes?: KeyValue[];
  startTimeUnixNano?: Int64;
  timeUnixNano?: Int64;
  count?: Int64;
  sum?: number;
  scale?: number;
  zeroCount?: Int64;
  positive?: ExponentialHistogramBuckets;
  negative?: ExponentialHistogramBuckets;
  flags?: number;
  exemplars?: Exemplar[];
  min?: number;
  max?: number;
  zeroThreshold?: number;
}
export interface SummaryDataPoint {
  attributes?: KeyValue[];
  startTimeUnixNano?: Int64;
  timeUnixNano?: Int64;
  count?: Int64;
  sum?: number;
  quantileValues?: { quantile?: number; value?: number }[];
  flags?: number;
}
/** 1 = DELTA, 2 = CUMULATIVE (0 = unspecified). JSON senders may write the enum name. */
export type AggregationTemporality = number | string;
export interface Metric {
  name?: string;
  description?: string;
  unit?: string;
  metadata?: KeyValue[];
  gauge?: { dataPoints?: NumberDataPoint[] };
  sum?: { dataPoints?: NumberDataPoint[]; aggregationTemporality?: AggregationTemporality; isMonotonic?: boolean };
  histogram?: { dataPoints?: HistogramDataPoint[]; aggregationTemporality?: AggregationTemporality };
  exponentialHistogram?: {
    dataPoints?: ExponentialHistogramDataPoint[];
    aggregationTemporality?: AggregationTemporality;
  };
  summary?: { dataPoints?: SummaryDataPoint[] };
}
export interface ScopeMetrics {
  scope?: InstrumentationScope;
  metrics?: Metric[];
  schemaUrl?: string;
  /** Not OTLP: data points of metrics a decoder skipped unread (see SkipFilter), by drop reason. */
  skippedDataPoints?: Record<string, number>;
}
export interface ResourceMetrics {
  resource?: Resource;
  scopeMetrics?: ScopeMetrics[];
  schemaUrl?: string;
}
export interface ExportMetricsServiceRequest {
  resourceMetrics?: ResourceMetrics[];
}

// ---- traces ----
export interface SpanEvent {
  timeUnixNano?: Int64;
  name?: string;
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
}
export interface SpanLink {
  traceId?: string;
  spanId?: string;
  traceState?: string;
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
}
export interface Span {
  traceId?: string;
  spanId?: string;
  traceState?: string;
  parentSpanId?: string;
  flags?: number;
  name?: string;
  kind?: number | string;
  startTimeUnixNano?: Int64;
  endTimeUnixNano?: Int64;
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
  events?: SpanEvent[];
  droppedEventsCount?: number;
  links?: SpanLink[];
  droppedLinksCount?: number;
  status?: { message?: string; code?: number | string };
}
export interface ScopeSpans {
  scope?: InstrumentationScope;
  spans?: Span[];
  schemaUrl?: string;
  /** Not OTLP: spans a decoder skipped unread (see SkipFilter), counted by drop reason. */
  skippedSpans?: Record<string, number>;
}
export interface ResourceSpans {
  resource?: Resource;
  scopeSpans?: ScopeSpans[];
  schemaUrl?: string;
}
export interface ExportTraceServiceRequest {
  resourceSpans?: ResourceSpans[];
}

/**
 * Lets a decoder skip the contents of records the harness rules would drop anyway (most of
 * Codex's log records and metrics, and its spans unless they were asked for). Given a resource
 * (decoded first), the skipper for its records, or undefined to decode all of them. A skipped
 * record must still be well framed; it is counted in ScopeLogs.skippedRecords,
 * ScopeMetrics.skippedDataPoints or ScopeSpans.skippedSpans under the reason given.
 */
export interface SkipFilter {
  forResource(resource: Resource | undefined): RecordSkipper | undefined;
}
export interface RecordSkipper {
  /** The drop reason for a log record whose `event.name` attribute is this string value (the last one when the key repeats, as getAttribute reads it), or undefined to decode it. */
  logDropReason?(eventName: string): string | undefined;
  /** The drop reason for a metric of this name, or undefined to decode it. */
  metricDropReason?(metricName: string): string | undefined;
  /** The drop reason for every span of the resource, or undefined to decode them. */
  spanDropReason?(): string | undefined;
}

export type Signal = 'logs' | 'metrics' | 'traces';
export type Encoding = 'protobuf' | 'json';

export interface ExportRequestBySignal {
  logs: ExportLogsServiceRequest;
  metrics: ExportMetricsServiceRequest;
  traces: ExportTraceServiceRequest;
}

/** A body that cannot be decoded: answered 400 with this message. */
export class MalformedRequestError extends Error {
  override name = 'MalformedRequestError';
}
