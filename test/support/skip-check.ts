import { afterAll, beforeAll, expect, vi } from 'vitest';
import type { Attribution } from '../../src/beacon/event.js';
import { toJsonLine } from '../../src/beacon/sanitize.js';
import { harnessSkipFilter, keepAndMap, type MapSettings } from '../../src/collector/keep-map.js';
import { decodeExportRequest } from '../../src/collector/otlp/decode.js';
import { CODEX_TOKEN_METRIC as TOKEN_METRIC } from '../../src/harness/codex/name.js';
import type { MapOptions } from '../../src/harness/index.js';
import type { Prng } from './otlp/prng.js';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { randomAttributes, randomLogRecords, randomResourceMetrics } from './otlp/sdk-requests.js';
import type { Encoding, ExportLogsServiceRequest, ExportMetricsServiceRequest, ExportRequestBySignal, Signal } from '../../src/collector/otlp/types.js';

/**
 * What the skip-filter tests of both decoders share: the Codex names kept and dropped, and the
 * check that decoding with the filter maps to exactly what full decoding maps to.
 */

export const LOG_NOT_KEPT = 'codex_log_not_kept';
export const METRIC_NOT_KEPT = 'codex_metric_not_kept';
export const KEPT_EVENTS = ['codex.conversation_starts', 'codex.user_prompt', 'codex.tool_decision', 'codex.tool_result'];
/** Names Codex rules drop, including ones an object lookup could mistake for kept. */
export const DROPPED_EVENTS = ['codex.sse_event', 'codex.api_request', 'codex.turn_ttft', 'toString', '__proto__', 'hasOwnProperty', ''];

/** Two services sending in one batch: Codex (its records go through the rules) and another one. */
export const TWO_SERVICES = {
  codex: resourceFromAttributes({ 'service.name': 'codex_exec', 'service.version': '0.169.0' }),
  other: resourceFromAttributes({ 'service.name': 'checkout-api' }),
};

export const ATTRIBUTION: Attribution = { endpoint: { hostname: 'runner-1', os: 'linux' }, repository: 'https://github.com/acme/app', branch: 'main' };
const SETTINGS: MapSettings = { attribution: ATTRIBUTION, options: { logUserPrompt: true, includeSpans: true } };
/** The filter of a collector that keeps spans: it skips dropped log records and metrics. */
export const SKIP_FILTER = harnessSkipFilter(SETTINGS.options);
/** The start step's default: spans are not asked for, so the filter skips them too. */
export const WITHOUT_SPANS: MapOptions = { logUserPrompt: true, includeSpans: false };

/** keepAndMap stamps each request with the time it was received: frozen, so both paths agree. */
export function freezeReceiveTime(): void {
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-23T12:00:00.000Z'));
  });
  afterAll(() => vi.useRealTimers());
}

export interface SameOutcome<S extends Signal> {
  full: ExportRequestBySignal[S];
  skipping: ExportRequestBySignal[S];
  events: number;
  received: number;
  dropped: Record<string, number>;
}

/**
 * Decodes `body` without and with the filter of a collector mapping with `options`, maps both,
 * and expects the same written lines and counts.
 */
export function expectSameOutcome<S extends Signal>(signal: S, encoding: Encoding, body: Uint8Array, options: MapOptions = SETTINGS.options): SameOutcome<S> {
  const settings: MapSettings = { ...SETTINGS, options };
  const full = decodeExportRequest(signal, encoding, body);
  const skipping = decodeExportRequest(signal, encoding, body, harnessSkipFilter(options));
  const fromFull = keepAndMap(signal, full, settings, 3);
  const fromSkipping = keepAndMap(signal, skipping, settings, 3);
  // As written lines: the exact bytes of the capture, key order included.
  expect(fromSkipping.events.map(toJsonLine)).toEqual(fromFull.events.map(toJsonLine));
  expect({ received: fromSkipping.received, rejected: fromSkipping.rejected, dropped: fromSkipping.dropped }).toEqual({
    received: fromFull.received,
    rejected: fromFull.rejected,
    dropped: fromFull.dropped,
  });
  return { full, skipping, events: fromFull.events.length, received: fromFull.received, dropped: fromFull.dropped };
}

/** What a decoder skipped, summed by reason: log records, or metrics' data points. */
export function skippedOf(request: ExportLogsServiceRequest | ExportMetricsServiceRequest): Record<string, number> {
  const total: Record<string, number> = {};
  const counts: (Record<string, number> | undefined)[] =
    'resourceLogs' in request
      ? (request.resourceLogs ?? []).flatMap((r) => (r.scopeLogs ?? []).map((s) => s.skippedRecords))
      : ((request as ExportMetricsServiceRequest).resourceMetrics ?? []).flatMap((r) => (r.scopeMetrics ?? []).map((s) => s.skippedDataPoints));
  for (const scope of counts) for (const [reason, n] of Object.entries(scope ?? {})) total[reason] = (total[reason] ?? 0) + n;
  return total;
}

export function decodedLogRecords(request: ExportLogsServiceRequest): number {
  return (request.resourceLogs ?? []).reduce((n, rl) => n + (rl.scopeLogs ?? []).reduce((m, sl) => m + (sl.logRecords?.length ?? 0), 0), 0);
}

/** The names of the metrics a decoder returned, as decoded (a JSON body may hold a non-string). */
export function metricNames(request: ExportMetricsServiceRequest): unknown[] {
  return (request.resourceMetrics ?? []).flatMap((rm) => (rm.scopeMetrics ?? []).flatMap((sm) => (sm.metrics ?? []).map((m) => m.name)));
}

/**
 * Gives each metric of a random SDK batch a name the Codex rules keep or drop, and returns what a
 * skipping decoder must count: data points of dropped metrics (when the batch is Codex's).
 */
export function nameMetricsForSkipping(rng: Prng, batch: ResourceMetrics, codex: boolean): { droppedMetrics: number; droppedPoints: number; tokenMetrics: number } {
  const counts = { droppedMetrics: 0, droppedPoints: 0, tokenMetrics: 0 };
  for (const sm of batch.scopeMetrics) {
    sm.metrics = sm.metrics.map((metric) => {
      const name = rng.pick([TOKEN_METRIC, 'codex.api_request.duration', 'toString', metric.descriptor.name]);
      if (codex && name !== TOKEN_METRIC) {
        counts.droppedPoints += metric.dataPoints.length;
        counts.droppedMetrics++;
      }
      if (name === TOKEN_METRIC) counts.tokenMetrics++;
      return { ...metric, descriptor: { ...metric.descriptor, name } } as typeof metric;
    });
  }
  return counts;
}

/**
 * One random SDK metrics batch, named by nameMetricsForSkipping and sent from Codex (80%) or
 * `resources.other`, checked in every body `serialize` makes of it: the dropped metrics' points
 * are counted unread, and of Codex's metrics only the token metric is decoded.
 */
export function expectMetricsBatchSkipped(
  rng: Prng,
  encoding: Encoding,
  resources: { codex: Resource; other: Resource },
  serialize: (batch: ResourceMetrics) => Uint8Array[],
): { droppedPoints: number; tokenMetrics: number } {
  const batch = randomResourceMetrics(rng);
  const codex = rng.bool(0.8);
  const { droppedMetrics, droppedPoints, tokenMetrics } = nameMetricsForSkipping(rng, batch, codex);
  for (const body of serialize({ ...batch, resource: codex ? resources.codex : resources.other })) {
    const outcome = expectSameOutcome('metrics', encoding, body);
    const skipping = outcome.skipping as ExportMetricsServiceRequest;
    expect(skippedOf(skipping)).toEqual(droppedMetrics === 0 ? {} : { [METRIC_NOT_KEPT]: droppedPoints });
    expect(metricNames(skipping)).toEqual(metricNames(outcome.full as ExportMetricsServiceRequest).filter((name) => !codex || name === TOKEN_METRIC));
  }
  return { droppedPoints, tokenMetrics };
}

/** Attributes the kept Codex events read, so their mapping runs its real branches. */
function keptEventAttributes(rng: Prng, name: string): Record<string, unknown> {
  switch (name) {
    case 'codex.tool_result':
      return {
        tool_name: rng.pick(['exec_command', 'shell', 'apply_patch']),
        arguments: rng.pick(['{"cmd":"echo hi"}', '{"command":["ls","-la"]}', 'not json', '{"cmd":"curl -H \'Authorization: Bearer abcdefgh12345678\'"}']),
        output: rng.pick(['Process exited with code 0\nhi', 'Process exited with code 2', 'password=hunter2hunter2']),
        success: rng.pick(['true', 'false', true]),
        duration_ms: rng.pick(['12', 34, '']),
      };
    case 'codex.tool_decision':
      return { tool_name: 'exec_command', decision: rng.pick(['approved', 'denied', 'Abort']), source: rng.pick(['config', 'user']) };
    case 'codex.user_prompt':
      return { prompt: rng.pick(['fix the build', '[REDACTED]', 'use token ghp_abcdefghijklmnopqrstuvwxyz0123456789']), prompt_length: '13' };
    default:
      return { 'conversation.id': `conv-${rng.int(0, 9)}`, model: 'gpt-5.5' };
  }
}

/**
 * One random SDK log batch, 80% of its records from Codex: kept and dropped event names, names
 * that are not strings and records without one, `event.name` anywhere among the attributes.
 * Checked in every body `serialize` makes of it: Codex's dropped records are counted unread, the
 * rest decoded. Returns the records skipped and the events written per body, summed.
 */
export function expectLogBatchSkipped(
  rng: Prng,
  encoding: Encoding,
  resources: { codex: Resource; other: Resource },
  serialize: (records: ReadableLogRecord[]) => Uint8Array[],
): { skipped: number; kept: number } {
  let expectedSkipped = 0;
  const records = randomLogRecords(rng, false).map((record) => {
    const codex = rng.bool(0.8);
    const attributes: Record<string, unknown> = {};
    const extra = randomAttributes(rng, 5);
    const kind = rng.int(0, 9);
    let eventName: unknown;
    if (kind <= 3) eventName = rng.pick(KEPT_EVENTS);
    else if (kind <= 7) eventName = rng.pick(DROPPED_EVENTS);
    else if (kind === 8) eventName = rng.pick([42, true, 1.5, ['codex.sse_event']]);
    // kind 9: no event.name at all
    if (codex && typeof eventName === 'string' && !KEPT_EVENTS.includes(eventName)) expectedSkipped++;
    const entries = Object.entries({ ...extra, ...(typeof eventName === 'string' && KEPT_EVENTS.includes(eventName) ? keptEventAttributes(rng, eventName) : {}) });
    const at = rng.int(0, entries.length);
    if (eventName !== undefined) entries.splice(at, 0, ['event.name', eventName]);
    for (const [k, v] of entries) attributes[k] = v;
    attributes['event.timestamp'] = rng.bool(0.5) ? '2026-11-23T20:33:55.610Z' : 'not a time';
    return { ...record, resource: codex ? resources.codex : resources.other, attributes } as unknown as ReadableLogRecord;
  });
  let kept = 0;
  for (const body of serialize(records)) {
    const outcome = expectSameOutcome('logs', encoding, body);
    expect(skippedOf(outcome.skipping)).toEqual(expectedSkipped === 0 ? {} : { [LOG_NOT_KEPT]: expectedSkipped });
    expect(decodedLogRecords(outcome.skipping)).toBe(records.length - expectedSkipped);
    kept += outcome.events;
  }
  return { skipped: expectedSkipped, kept };
}
