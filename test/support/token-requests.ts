import type { HrTime } from '@opentelemetry/api';
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { CODEX_TOKEN_METRIC as TOKEN_METRIC } from '../../src/harness/codex/name.js';
import { readStatus } from './otlp/rpc-status.js';

/**
 * Metrics requests carrying Codex's token metric, `codex.turn.token_usage`, serialized by the
 * OpenTelemetry JS SDK's own OTLP serializers (@opentelemetry/otlp-transformer) as a real exporter
 * sends them: histograms (or, to be refused, a Gauge or a Sum of that name) with the sums a test
 * gives, from one Codex process (resource) each. JSON values no double can hold (`true`, "0x10")
 * are written into the serialized JSON in place of a marker sum.
 */

/** Codex 0.169.0's series start and point time (fixtures/codex-0.169.0/tool-call-json). */
export const START: HrTime = [1795466036, 104316245];
export const TIME: HrTime = [1795466036, 241843863];
const MARKER_SUM = 4_242_424_242;

export interface TokenPointSpec {
  tokenType: string;
  /** The histogram's sum (a Gauge or Sum point's value); undefined: none. */
  sum?: number;
  model?: string;
  time?: HrTime;
}

export interface TokenMetricSpec {
  kind?: 'histogram' | 'gauge' | 'sum';
  cumulative?: boolean;
  points: TokenPointSpec[];
}

export interface TokenRequestSpec {
  metrics: TokenMetricSpec[];
  /** Resource attributes beside `service.name` (codex_exec), e.g. a `service.instance.id`. */
  resource?: Record<string, string>;
}

function metricData(spec: TokenMetricSpec): MetricData {
  const descriptor = { name: TOKEN_METRIC, description: '', unit: '', valueType: 1 };
  const aggregationTemporality = spec.cumulative ? AggregationTemporality.CUMULATIVE : AggregationTemporality.DELTA;
  const point = <T>(p: TokenPointSpec, value: T) => ({ startTime: START, endTime: p.time ?? TIME, attributes: { 'app.version': '0.169.0', model: p.model ?? 'gpt-5.5', token_type: p.tokenType }, value });
  if (spec.kind === 'gauge') return { descriptor, aggregationTemporality, dataPointType: DataPointType.GAUGE, dataPoints: spec.points.map((p) => point(p, p.sum ?? 0)) };
  if (spec.kind === 'sum') return { descriptor, aggregationTemporality, dataPointType: DataPointType.SUM, isMonotonic: true, dataPoints: spec.points.map((p) => point(p, p.sum ?? 0)) };
  return {
    descriptor,
    aggregationTemporality,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: spec.points.map((p) => point(p, { buckets: { boundaries: [], counts: [] }, count: 1, ...(p.sum !== undefined ? { sum: p.sum } : {}) })),
  };
}

function resourceMetrics(spec: TokenRequestSpec): ResourceMetrics {
  return {
    resource: resourceFromAttributes({ 'service.name': 'codex_exec', 'service.version': '0.169.0', ...spec.resource }),
    scopeMetrics: [{ scope: { name: 'codex' }, metrics: spec.metrics.map(metricData) }],
  };
}

export type Encoding = 'protobuf' | 'json';

export const CONTENT_TYPE: Record<Encoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

export function tokenRequestBody(spec: TokenRequestSpec, encoding: Encoding): Buffer {
  const metrics = resourceMetrics(spec);
  return Buffer.from(encoding === 'json' ? JsonMetricsSerializer.serializeRequest(metrics)! : ProtobufMetricsSerializer.serializeRequest(metrics)!);
}

/** OTLP/JSON whose one histogram point of `tokenType` has the sum `rawJson`, written as it is. */
export function jsonTokenRequestWithRawSum(rawJson: string, more: TokenPointSpec[] = []): Buffer {
  const text = tokenRequestBody({ metrics: [{ points: [{ tokenType: 'output', sum: MARKER_SUM }, ...more] }] }, 'json').toString('utf8');
  const marker = `"sum":${MARKER_SUM}`;
  if (text.split(marker).length !== 2) throw new Error('the marker sum must appear once');
  return Buffer.from(text.replace(marker, () => `"sum":${rawJson}`));
}

/** The partial success of an ExportMetricsServiceResponse, read as the SDK's exporter reads it. */
export function partialSuccessOf(body: Buffer, encoding: Encoding): unknown {
  const bytes = new Uint8Array(body.buffer, body.byteOffset, body.length);
  return (encoding === 'json' ? JsonMetricsSerializer : ProtobufMetricsSerializer).deserializeResponse(bytes);
}

/** A google.rpc.Status body's code and message, in either encoding (protobuf read field by field). */
export function statusOf(body: Buffer, encoding: Encoding): { code?: number; message?: string } {
  if (encoding === 'json') return JSON.parse(body.toString('utf8')) as { code?: number; message?: string };
  return readStatus(body);
}
