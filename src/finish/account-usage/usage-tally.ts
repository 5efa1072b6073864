import type { TokenUsage } from '../../beacon/event.js';
import { MAX_COUNT, addCount, isCount } from '../../beacon/integers.js';
import { CappedCounter, CappedMap } from './capped.js';
import { NONE_KEY, REPORT_LIMITS, emptySessionTotals, emptyUsageTotals, type RunReport, type UsageTotals } from './run-report.js';
import { RECOVERED_SOURCE } from './sessions/recovered-events.js';
import { isObject } from '../../beacon/json-object.js';

/**
 * Token usage of the `token.usage` events, summed the way `beacon token-usage` groups them: in
 * total, by model, session, run, repository and harness; also by source (the metric, or usage
 * recovered from session files). Like that reader, an event counts when one of its usage fields is
 * not zero.
 */

type Json = Record<string, any>;


/** A usage field as a count (a whole number from 0 to 2^53-1), else 0. */
function countOf(value: unknown): number {
  return isCount(value) ? value : 0;
}

/** `github_actions/<run_id>` (or `<provider>/<run_id>`), else `local`. */
function runKeyOf(event: Json): string {
  const run = isObject(event.run) ? event.run : undefined;
  return typeof run?.run_id === 'string' && run.run_id ? `${String(run.provider ?? 'ci')}/${run.run_id}` : 'local';
}

function keyOr(value: unknown): string {
  return typeof value === 'string' && value ? value : NONE_KEY;
}

export type UsageSource = 'metric' | 'session_file';

function sourceOf(event: Json): UsageSource {
  return isObject(event.raw) && event.raw.source === RECOVERED_SOURCE ? RECOVERED_SOURCE : 'metric';
}

/** Beacon's reader counts an event whose usage holds a field that is not zero. */
function countsUsage(usage: TokenUsage): boolean {
  return [usage.input_tokens, usage.output_tokens, usage.cache_read?.input_tokens, usage.cache_creation?.input_tokens, usage.reasoning?.output_tokens].some((n) => typeof n === 'number' && n !== 0);
}

/** Adds one event's usage to a group; whether a total (the disjoint total too) reached 2^53-1 and was held there. */
function addUsage(totals: UsageTotals, usage: TokenUsage): boolean {
  totals.input_tokens = addCount(totals.input_tokens, countOf(usage.input_tokens));
  totals.output_tokens = addCount(totals.output_tokens, countOf(usage.output_tokens));
  totals.cache_read_input_tokens = addCount(totals.cache_read_input_tokens, countOf(usage.cache_read?.input_tokens));
  totals.cache_creation_input_tokens = addCount(totals.cache_creation_input_tokens, countOf(usage.cache_creation?.input_tokens));
  totals.reasoning_output_tokens = addCount(totals.reasoning_output_tokens, countOf(usage.reasoning?.output_tokens));
  totals.events += 1;
  return totals.input_tokens + totals.cache_read_input_tokens + totals.output_tokens >= MAX_COUNT || totals.cache_creation_input_tokens === MAX_COUNT || totals.reasoning_output_tokens === MAX_COUNT;
}

export class UsageTally {
  private tokenEvents = 0;
  private readonly tokenPoints = new CappedCounter(REPORT_LIMITS.groupKeys);
  private readonly total = emptyUsageTotals();
  private readonly byModel = new CappedMap(REPORT_LIMITS.groupKeys, emptyUsageTotals);
  private readonly byRun = new CappedMap(REPORT_LIMITS.groupKeys, emptyUsageTotals);
  private readonly byRepository = new CappedMap(REPORT_LIMITS.groupKeys, emptyUsageTotals);
  private readonly byHarness = new CappedMap(REPORT_LIMITS.groupKeys, emptyUsageTotals);
  private readonly bySession = new CappedMap(REPORT_LIMITS.groupKeys, emptySessionTotals);
  private readonly bySource = new CappedMap(2, emptyUsageTotals);
  /** A total reached 2^53-1 and was held there (its true figure is larger). */
  private saturated = false;

  add(event: Json): void {
    this.tokenEvents += 1;
    const source = sourceOf(event);
    this.tokenPoints.add(typeof event.gen_ai?.token?.type === 'string' ? event.gen_ai.token.type : 'unknown');
    const usage: TokenUsage | undefined = isObject(event.gen_ai?.usage) ? event.gen_ai.usage : undefined;
    if (!usage || !countsUsage(usage)) return;
    const session = this.bySession.get(keyOr(event.session?.id));
    if (typeof event.model === 'string' && event.model && !session.models.includes(event.model) && session.models.length < REPORT_LIMITS.names) session.models.push(event.model);
    if (!session.sources.includes(source)) session.sources.push(source);
    const groups = [this.total, this.byModel.get(keyOr(event.model)), session, this.byRun.get(runKeyOf(event)), this.byRepository.get(keyOr(event.repository)), this.byHarness.get(event.harness.name), this.bySource.get(source)];
    for (const totals of groups) if (addUsage(totals, usage)) this.saturated = true;
  }

  finish(): Pick<RunReport, 'usage' | 'tokenEvents' | 'tokenPoints'> & { saturated: boolean } {
    return {
      saturated: this.saturated,
      usage: {
        total: { ...this.total },
        byModel: this.byModel.toObject(),
        byRun: this.byRun.toObject(),
        byRepository: this.byRepository.toObject(),
        byHarness: this.byHarness.toObject(),
        bySession: Object.fromEntries(Object.entries(this.bySession.toObject()).map(([id, totals]) => [id, { ...totals, models: [...totals.models], sources: [...totals.sources] }])),
        bySource: this.bySource.toObject(),
      },
      tokenEvents: this.tokenEvents,
      tokenPoints: this.tokenPoints.toObject(),
    };
  }
}
