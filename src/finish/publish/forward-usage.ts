/**
 * The post step's part of forwarding: the normalized token usage of the runtime log, sent as OTLP
 * metrics, and the report of what reached the organization's pipeline (the collector's counters
 * for the events, ours for the metrics).
 *
 * Metric (GenAI semantic conventions, `gen_ai.client.token.usage`: a histogram of `{token}` with
 * the recommended bucket boundaries, delta temporality over the capture): one data point per
 * model and kind of token, built from the token events of the log, one measurement per event.
 * The conventions name only `gen_ai.token.type` = `input` | `output`, and count cached tokens
 * inside input; so cached input is a part of `input`, told apart by `gen_ai.token.cache` =
 * `read` | `creation` | `uncached` (the breakdown proposed for the metric, which keeps points
 * disjoint: the `input` points add up to all input, as the conventions count it). `output`
 * includes reasoning; reasoning goes to its own histogram, `beacon.gen_ai.client.token.reasoning`,
 * so that no point is counted twice. Attributes: `gen_ai.operation.name` = `chat`,
 * `gen_ai.provider.name` = `openai` (Codex speaks the OpenAI Responses API), `gen_ai.request.model`
 * (the model Codex asked for; Codex reports no response model).
 */
import { ACTION, type Attribution } from '../../beacon/event.js';
import { addCount, isCount } from '../../beacon/integers.js';
import type { CollectorStats, ForwardConfig, ForwardError, ForwardStats } from '../../handoff/collector-config.js';
import { errorText, OtlpHttpExporter, type DropReason } from '../../forward/exporter.js';
import { COLLECTOR_FLUSH_SHARE, FORWARDER_DEFAULTS } from '../../forward/settings.js';
import { msToUnixNanos, pushAttribute, resourceAttributes, SCOPE, type JsonKeyValue } from '../../forward/otlp-json.js';
import { RECOVERED_SOURCE } from '../account-usage/sessions/recovered-events.js';
import { isObject } from '../../beacon/json-object.js';

export const TOKEN_USAGE_METRIC = 'gen_ai.client.token.usage';
export const REASONING_METRIC = 'beacon.gen_ai.client.token.reasoning';
/** The bucket boundaries the conventions recommend for `gen_ai.client.token.usage`. */
export const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
const DELTA = 1;

export type TokenKind = 'input.uncached' | 'input.read' | 'input.creation' | 'output' | 'reasoning';

export interface Histogram {
  count: number;
  sum: number;
  min: number;
  max: number;
  bucketCounts: number[];
}

/** One series: harness (the resource's service.name), model, kind, and whether it was recovered. */
export interface UsageSeries {
  harness: string;
  model?: string;
  kind: TokenKind;
  /** Usage recovered from session files (the harness sent no metric for it): `beacon.usage.source=session_file`. */
  recovered?: boolean;
  histogram: Histogram;
}

function emptyHistogram(): Histogram {
  return { count: 0, sum: 0, min: Infinity, max: -Infinity, bucketCounts: new Array<number>(TOKEN_BUCKETS.length + 1).fill(0) };
}

export function record(histogram: Histogram, value: number): void {
  histogram.count += 1;
  histogram.sum = addCount(histogram.sum, value);
  histogram.min = Math.min(histogram.min, value);
  histogram.max = Math.max(histogram.max, value);
  // Bucket i holds (bounds[i-1], bounds[i]]; the last one everything above.
  let i = 0;
  while (i < TOKEN_BUCKETS.length && value > TOKEN_BUCKETS[i]!) i++;
  histogram.bucketCounts[i]! += 1;
}


/** The measurements of one normalized token event: kind and value of each usage field it carries. */
export function measurementsOf(usage: unknown): [TokenKind, number][] {
  if (!isObject(usage)) return [];
  const found: [TokenKind, number][] = [];
  if (isCount(usage.input_tokens)) found.push(['input.uncached', usage.input_tokens]);
  if (isObject(usage.cache_read) && isCount(usage.cache_read.input_tokens)) found.push(['input.read', usage.cache_read.input_tokens]);
  if (isObject(usage.cache_creation) && isCount(usage.cache_creation.input_tokens)) found.push(['input.creation', usage.cache_creation.input_tokens]);
  if (isCount(usage.output_tokens)) found.push(['output', usage.output_tokens]);
  if (isObject(usage.reasoning) && isCount(usage.reasoning.output_tokens)) found.push(['reasoning', usage.reasoning.output_tokens]);
  return found;
}

/**
 * Sums normalized token events into series. The post step feeds it each token event as it
 * writes it, so forwarding never reads the runtime log again (1.8 GB at a million events).
 */
export class UsageSeriesBuilder {
  private readonly byKey = new Map<string, UsageSeries>();

  add(event: Record<string, any>): void {
    if (event.event?.action !== ACTION.tokenUsage) return;
    const harness = typeof event.harness?.name === 'string' ? event.harness.name : 'unknown';
    const model = typeof event.model === 'string' && event.model ? event.model : undefined;
    const recovered = event.raw?.source === RECOVERED_SOURCE;
    for (const [kind, value] of measurementsOf(event.gen_ai?.usage)) {
      const key = JSON.stringify([harness, model ?? null, kind, recovered]);
      let entry = this.byKey.get(key);
      if (!entry) this.byKey.set(key, (entry = { harness, ...(model ? { model } : {}), kind, ...(recovered ? { recovered } : {}), histogram: emptyHistogram() }));
      record(entry.histogram, value);
    }
  }

  build(): UsageSeries[] {
    return [...this.byKey.values()];
  }
}

function pointAttributes(series: UsageSeries): JsonKeyValue[] {
  const list: JsonKeyValue[] = [];
  pushAttribute(list, 'gen_ai.operation.name', 'chat');
  pushAttribute(list, 'gen_ai.provider.name', 'openai');
  pushAttribute(list, 'gen_ai.request.model', series.model);
  if (series.kind !== 'reasoning') {
    const [type, cache] = series.kind.split('.') as [string, string | undefined];
    pushAttribute(list, 'gen_ai.token.type', type);
    pushAttribute(list, 'gen_ai.token.cache', cache);
  }
  if (series.recovered) pushAttribute(list, 'beacon.usage.source', RECOVERED_SOURCE);
  return list;
}

/** The ExportMetricsServiceRequest (OTLP/JSON) of the series, one resource per harness. */
export function usageMetricsBody(all: readonly UsageSeries[], attribution: Attribution, startNanos: string, endNanos: string): string {
  const harnesses = [...new Set(all.map((s) => s.harness))];
  const resourceMetrics = harnesses.map((harness) => {
    const metric = (name: string, description: string, series: UsageSeries[]) => ({
      name,
      description,
      unit: '{token}',
      histogram: {
        aggregationTemporality: DELTA,
        dataPoints: series.map((s) => ({
          attributes: pointAttributes(s),
          startTimeUnixNano: startNanos,
          timeUnixNano: endNanos,
          count: String(s.histogram.count),
          sum: s.histogram.sum,
          bucketCounts: s.histogram.bucketCounts.map(String),
          explicitBounds: TOKEN_BUCKETS,
          min: s.histogram.min,
          max: s.histogram.max,
        })),
      },
    });
    const mine = all.filter((s) => s.harness === harness);
    const usage = mine.filter((s) => s.kind !== 'reasoning');
    const reasoning = mine.filter((s) => s.kind === 'reasoning');
    const metrics = [];
    if (usage.length) metrics.push(metric(TOKEN_USAGE_METRIC, 'Number of input and output tokens used.', usage));
    if (reasoning.length) metrics.push(metric(REASONING_METRIC, `Reasoning tokens: a part of the output tokens of ${TOKEN_USAGE_METRIC}, never to be added to them.`, reasoning));
    return { resource: { attributes: resourceAttributes(attribution, harness) }, scopeMetrics: [{ scope: SCOPE, metrics }] };
  });
  return JSON.stringify({ resourceMetrics });
}

export interface UsageForwardResult {
  status: 'sent' | 'nothing-to-send' | 'failed';
  /** Histogram data points in the request. */
  dataPoints: number;
  /** Data points the receiver accepted the request but rejected (partial success). */
  rejectedPoints: number;
  /** Tokens in `gen_ai.client.token.usage` (input, cached input and output). */
  tokens: number;
  retries: number;
  reason?: DropReason;
  error?: ForwardError;
  durationMs: number;
}

/** One loss: in our words, and why (the receiver's or the network's own text kept apart, for the summary). */
export interface ForwardProblem {
  text: string;
  error?: ForwardError;
  /** The error is the last of several attempts (`; last error: ...`), not the receiver's account of the loss. */
  lastError?: boolean;
}

/** A problem as one line of the step log. */
export function problemText(problem: ForwardProblem): string {
  return problem.error ? `${problem.text}; ${problem.lastError ? 'last error: ' : ''}${errorText(problem.error)}` : problem.text;
}

export interface ForwardingReport {
  endpoint: string;
  required: boolean;
  /** The collector's counters for the events; undefined when it left none (it did not stop cleanly). */
  logs?: ForwardStats;
  metrics: UsageForwardResult;
  /** What was lost and why, one each; empty when everything arrived. */
  problems: ForwardProblem[];
}

export const DROP_REASONS: Record<string, string> = {
  queue_full: 'the queue was full',
  rejected: 'refused by the receiver',
  retries_exhausted: 'still failing after retries',
  shutdown_limit: 'not sent within the shutdown time limit',
};

export function describeDrops(dropped: Record<string, number>): string {
  return Object.entries(dropped)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${n} ${DROP_REASONS[reason] ?? reason}`)
    .join(', ');
}

export interface ForwardRunOptions {
  config: ForwardConfig;
  attribution: Attribution;
  /** The run's token usage, from UsageSeriesBuilder. */
  usage: UsageSeries[];
  collectorStats?: CollectorStats;
}

/**
 * Sends the token metrics within what is left of the shutdown limit (at least the collector's
 * unused share), and sums up what was forwarded. Never throws.
 */
export async function forwardRun(options: ForwardRunOptions): Promise<ForwardingReport> {
  const { config, collectorStats } = options;
  const logs = collectorStats?.forward;
  const flushMs = logs?.flushMs ?? 0;
  const timeLimitMs = Math.max(config.shutdownLimitMs * (1 - COLLECTOR_FLUSH_SHARE), config.shutdownLimitMs - flushMs);
  const metrics = await sendUsage(options, timeLimitMs);

  const problems: ForwardProblem[] = [];
  if (!logs) {
    problems.push({ text: 'the collector left no forwarding counters (it did not stop cleanly), so whether the events arrived is unknown' });
  } else {
    const lost = Object.values(logs.recordsDropped).reduce((a, b) => a + b, 0);
    const text = `${lost} of ${logs.recordsQueued + (logs.recordsDropped.queue_full ?? 0)} events were not forwarded (${describeDrops(logs.recordsDropped)})`;
    if (lost > 0) problems.push({ text, ...(logs.lastError ? { error: logs.lastError, lastError: true } : {}) });
  }
  if (metrics.rejectedPoints > 0) {
    problems.push({ text: `${metrics.rejectedPoints} of ${metrics.dataPoints} token usage data points were not forwarded (${DROP_REASONS.rejected})`, ...(metrics.error ? { error: metrics.error } : {}) });
  }
  if (metrics.status === 'failed') {
    const text = `the token usage metrics (${metrics.dataPoints} data points) were not forwarded (${DROP_REASONS[metrics.reason ?? 'rejected'] ?? metrics.reason})`;
    problems.push({ text, ...(metrics.error ? { error: metrics.error, lastError: true } : {}) });
  }
  return { endpoint: config.endpoint, required: config.required, ...(logs ? { logs } : {}), metrics, problems };
}

async function sendUsage(options: ForwardRunOptions, timeLimitMs: number): Promise<UsageForwardResult> {
  const started = Date.now();
  const series = options.usage;
  const dataPoints = series.length;
  const tokens = series.filter((s) => s.kind !== 'reasoning').reduce((n, s) => n + s.histogram.sum, 0);
  if (dataPoints === 0) return { status: 'nothing-to-send', dataPoints, rejectedPoints: 0, tokens, retries: 0, durationMs: Date.now() - started };

  const startMs = Date.parse(options.collectorStats?.startedAt ?? '');
  // Delta over the capture: from the collector's start (else from now) to now.
  const body = usageMetricsBody(series, options.attribution, msToUnixNanos(Number.isFinite(startMs) ? startMs : started), msToUnixNanos(Date.now()));
  const exporter = new OtlpHttpExporter(options.config.endpoint, options.config.headers, FORWARDER_DEFAULTS);
  const abort = new AbortController();
  const limit = setTimeout(() => abort.abort(), timeLimitMs);
  try {
    const outcome = await exporter.export('metrics', body, { deadline: () => started + timeLimitMs, deadlineReason: () => 'shutdown_limit', abort: abort.signal });
    const retries = Math.max(0, outcome.attempts - 1);
    const durationMs = Date.now() - started;
    if (outcome.ok) return { status: 'sent', dataPoints, rejectedPoints: Math.min(dataPoints, outcome.rejectedRecords), tokens, retries, ...(outcome.error ? { error: outcome.error } : {}), durationMs };
    return { status: 'failed', dataPoints, rejectedPoints: 0, tokens, retries, reason: outcome.reason, error: outcome.error, durationMs };
  } finally {
    clearTimeout(limit);
    exporter.close();
  }
}
