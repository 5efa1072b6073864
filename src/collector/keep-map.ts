import type { Attribution, BeaconEvent } from '../beacon/event.js';
import { rulesFor, type HarnessRules, type MapOptions, type RecordContext } from '../harness/index.js';
import type { Mapped } from '../harness/harness.js';
import { metricDataOf } from '../harness/common.js';
import type { ExportRequestBySignal, Metric, RecordSkipper, Resource, Signal, SkipFilter } from './otlp/types.js';
import { isoUtc } from '../beacon/utc-time.js';
import { attributesToObject, getAttribute } from './otlp/values.js';

/** What one export request turned into: the events to write and the record counts. */
export interface MappedRequest {
  events: BeaconEvent[];
  received: number;
  /** Records that could not be used (refused by a rule, or a rule threw on them): reported as OTLP partial success. */
  rejected: number;
  /** Why the first refused record was refused, when its rule said. */
  error?: string;
  dropped: Record<string, number>;
}

export interface MapSettings {
  attribution: Attribution;
  options: MapOptions;
}

function contextFor(resource: Resource | undefined, settings: MapSettings, exportSeq: number, receivedAt: string): { ctx: RecordContext; rules: ReturnType<typeof rulesFor> } {
  const resourceAttributes = attributesToObject(resource?.attributes);
  const serviceName = typeof resourceAttributes['service.name'] === 'string' ? (resourceAttributes['service.name'] as string) : '';
  return {
    rules: rulesFor(serviceName),
    ctx: { attribution: settings.attribution, options: settings.options, serviceName, resource: resourceAttributes, exportSeq, receivedAt },
  };
}

/** Walks an export request and applies the harness rules of each resource to each record. */
export function keepAndMap<S extends Signal>(signal: S, request: ExportRequestBySignal[S], settings: MapSettings, exportSeq: number): MappedRequest {
  const result: MappedRequest = { events: [], received: 0, rejected: 0, dropped: {} };
  const receivedAt = isoUtc(Date.now());

  if (signal === 'logs') {
    for (const resourceLogs of (request as ExportRequestBySignal['logs']).resourceLogs ?? []) {
      const { ctx, rules } = contextFor(resourceLogs.resource, settings, exportSeq, receivedAt);
      for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
        for (const record of scopeLogs.logRecords ?? []) applyRule(result, rules, rules.mapLogRecord, record, ctx, 1);
        countSkipped(result, scopeLogs.skippedRecords);
      }
    }
  } else if (signal === 'metrics') {
    for (const resourceMetrics of (request as ExportRequestBySignal['metrics']).resourceMetrics ?? []) {
      const { ctx, rules } = contextFor(resourceMetrics.resource, settings, exportSeq, receivedAt);
      for (const scopeMetrics of resourceMetrics.scopeMetrics ?? []) {
        for (const metric of scopeMetrics.metrics ?? []) applyRule(result, rules, rules.mapMetric, metric, ctx, dataPointCount(metric));
        countSkipped(result, scopeMetrics.skippedDataPoints);
      }
    }
  } else {
    for (const resourceSpans of (request as ExportRequestBySignal['traces']).resourceSpans ?? []) {
      const { ctx, rules } = contextFor(resourceSpans.resource, settings, exportSeq, receivedAt);
      for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
        for (const span of scopeSpans.spans ?? []) applyRule(result, rules, rules.mapSpan, span, ctx, 1);
        countSkipped(result, scopeSpans.skippedSpans);
      }
    }
  }
  return result;
}

/** Maps one record (`records` of them in OTLP's counting) with `rule` and adds the outcome to `result`. */
function applyRule<T>(result: MappedRequest, rules: HarnessRules, rule: (item: T, ctx: RecordContext) => Mapped, item: T, ctx: RecordContext, records: number): void {
  result.received += records;
  try {
    const outcome = rule.call(rules, item, ctx);
    if (outcome.events) {
      for (const event of outcome.events) result.events.push(event);
      if (outcome.rejected) {
        result.rejected += outcome.rejected;
        result.error ??= outcome.error;
      }
    } else if (outcome.dropped) {
      result.dropped[outcome.dropped] = (result.dropped[outcome.dropped] ?? 0) + records;
    }
  } catch {
    // A record of a shape no rule expected: refuse it alone, keep the rest of the request.
    result.rejected += records;
  }
}

/** Records the decoder skipped unread (SkipFilter) were received and dropped, like mapped ones. */
function countSkipped(result: MappedRequest, skipped: Record<string, number> | undefined): void {
  if (skipped === undefined) return;
  for (const [reason, count] of Object.entries(skipped)) {
    result.received += count;
    result.dropped[reason] = (result.dropped[reason] ?? 0) + count;
  }
}

/**
 * The decoders' SkipFilter for a collector mapping with these options: the harness rules of each
 * resource say what they would drop.
 */
export function harnessSkipFilter(options: MapOptions): SkipFilter {
  // Weak: rulesFor makes new rules for each unknown service.name.
  const skippers = new WeakMap<HarnessRules, RecordSkipper | null>();
  return {
    forResource(resource) {
      const serviceName = getAttribute(resource?.attributes, 'service.name');
      const rules = rulesFor(typeof serviceName === 'string' ? serviceName : '');
      let skipper = skippers.get(rules);
      if (skipper === undefined) skippers.set(rules, (skipper = skipperOf(rules, options)));
      return skipper ?? undefined;
    },
  };
}

function skipperOf(rules: HarnessRules, options: MapOptions): RecordSkipper | null {
  const spanReason = rules.spanDropReason?.(options);
  if (!rules.logDropReason && !rules.metricDropReason && spanReason === undefined) return null;
  return {
    logDropReason: rules.logDropReason?.bind(rules),
    metricDropReason: rules.metricDropReason?.bind(rules),
    spanDropReason: spanReason === undefined ? undefined : () => spanReason,
  };
}

/** OTLP counts metrics in data points (`rejected_data_points`). */
function dataPointCount(metric: Metric): number {
  return metricDataOf(metric).points.length;
}
