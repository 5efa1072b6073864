/**
 * A Beacon event as an OTLP log record: body = the event's message; attributes = the event's
 * fields flattened under their Beacon names (`event.action`, `tool.name`, `command.command`,
 * `session.id`, ...), so a consumer filters by action or tool without parsing anything; `raw` as one
 * JSON string attribute, `beacon.raw`. What is the same for the whole run (endpoint, CI run,
 * repository, branch, harness) is on the resource instead (`resourceAttributes`).
 */
import { ACTION, type BeaconEvent, type Severity } from '../beacon/event.js';
import { isoToUnixNanos, pushAttribute, type JsonKeyValue } from './otlp-json.js';

/** Per-run fields (on the resource) and fields placed elsewhere in the record. */
const NOT_ATTRIBUTES = new Set(['timestamp', 'vendor', 'product', 'schema_version', 'severity', 'endpoint', 'origin', 'run', 'repository', 'branch', 'harness', 'message', 'raw']);

/** OTLP SeverityNumber of each Beacon severity (INFO, INFO2, WARN, ERROR, FATAL). */
const SEVERITY_NUMBER: Record<Severity, number> = { info: 9, low: 10, medium: 13, high: 17, critical: 21 };

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const MAX_DEPTH = 8;

/**
 * Whether an event is forwarded as a log record. Token events are not: their usage is normalized
 * only by the post step, which sends it as the `gen_ai.client.token.usage` metric.
 */
export function isForwardedAsLog(event: BeaconEvent): boolean {
  return event.event.action !== ACTION.tokenUsage;
}

function flatten(list: JsonKeyValue[], prefix: string, value: unknown, depth: number): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    if (depth >= MAX_DEPTH) {
      pushAttribute(list, prefix, JSON.stringify(value));
      return;
    }
    for (const [key, inner] of Object.entries(value)) flatten(list, `${prefix}.${key}`, inner, depth + 1);
    return;
  }
  // Empty strings are kept: an empty tool name is still what the event says.
  if (value === '') list.push({ key: prefix, value: { stringValue: '' } });
  else pushAttribute(list, prefix, value);
}

export interface JsonLogRecord {
  timeUnixNano?: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: string;
  body: { stringValue: string };
  attributes: JsonKeyValue[];
  traceId?: string;
  spanId?: string;
}

export function logRecordOf(event: BeaconEvent, observedTimeUnixNano: string): JsonLogRecord {
  const attributes: JsonKeyValue[] = [];
  for (const [key, value] of Object.entries(event)) {
    if (!NOT_ATTRIBUTES.has(key)) flatten(attributes, key, value, 0);
  }
  if (event.raw !== undefined) attributes.push({ key: 'beacon.raw', value: { stringValue: JSON.stringify(event.raw) } });
  const record: JsonLogRecord = {
    observedTimeUnixNano,
    severityNumber: SEVERITY_NUMBER[event.severity] ?? 9,
    severityText: event.severity,
    body: { stringValue: event.message ?? event.event.action },
    attributes,
  };
  const time = isoToUnixNanos(event.timestamp);
  if (time) record.timeUnixNano = time;
  if (event.trace?.id && TRACE_ID.test(event.trace.id)) record.traceId = event.trace.id;
  if (event.trace?.span_id && SPAN_ID.test(event.trace.span_id)) record.spanId = event.trace.span_id;
  return record;
}
