import { ACTION } from '../../beacon/event.js';
import type { LogReadStats } from '../runtime-log/log-stats.js';
import { CappedCounter, DistinctList } from './capped.js';
import { CODEX_HARNESS, REPORT_LIMITS, type RunReport } from './run-report.js';
import { ToolTally } from './tool-tally.js';
import { UsageTally } from './usage-tally.js';
import { isObject } from '../../beacon/json-object.js';

/**
 * Accumulates a RunReport one event of the runtime log at a time, as the log is written. Token
 * events must be added with their `gen_ai.usage` already normalized.
 */

type Json = Record<string, any>;


/**
 * Who made a tool decision, from Codex's `source` attribute (the event's `approval.reason`): its
 * configuration (an approval policy such as `never`, or a rule), a person asked, or a reviewer.
 */
export function deciderOf(source: unknown): 'configuration' | 'person' | 'reviewer' | 'other' {
  const text = typeof source === 'string' ? source.toLowerCase() : '';
  if (text === 'config' || text === 'configuration') return 'configuration';
  if (text === 'user') return 'person';
  if (text.includes('review') || text.includes('guardian')) return 'reviewer';
  return 'other';
}

class DecisionTally {
  private total = 0;
  private denied = 0;
  private readonly byDecider: Record<string, number> = {};

  add(denied: boolean, source: unknown): void {
    this.total += 1;
    if (denied) this.denied += 1;
    const decider = deciderOf(source);
    this.byDecider[decider] = (this.byDecider[decider] ?? 0) + 1;
  }

  finish(): RunReport['toolDecisions'] {
    return { total: this.total, denied: this.denied, byDecider: { ...this.byDecider } };
  }
}

export class RunReportBuilder {
  private events = 0;
  private readonly byAction = new CappedCounter(REPORT_LIMITS.groupKeys);
  private readonly byHarness = new CappedCounter(REPORT_LIMITS.groupKeys);
  private codexEvents = 0;
  private readonly sessionIds = new Set<string>();
  private sessionsCapped = false;
  private prompts = 0;
  private readonly decisions = new DecisionTally();
  private readonly models = new DistinctList(REPORT_LIMITS.names, REPORT_LIMITS.nameChars);
  private readonly codexVersions = new DistinctList(REPORT_LIMITS.names, REPORT_LIMITS.nameChars);
  private readonly toolCalls = new ToolTally();
  private readonly usage = new UsageTally();

  /** One valid event (checked by the runtime log's envelope check). */
  add(event: Json): void {
    this.events += 1;
    const action: string = event.event.action;
    const attributes = isObject(event.raw) && isObject(event.raw.attributes) ? event.raw.attributes : undefined;
    this.countSource(event, action, attributes);
    this.countSession(event.session?.id);
    switch (action) {
      case ACTION.promptSubmitted:
        this.prompts += 1;
        break;
      case ACTION.approvalRequested:
      case ACTION.approvalDenied:
        this.decisions.add(action === ACTION.approvalDenied, event.approval?.reason);
        break;
      case ACTION.commandExecuted:
      case ACTION.toolInvoked:
        this.toolCalls.add(event, attributes);
        break;
      case ACTION.tokenUsage:
        this.usage.add(event);
        break;
    }
  }

  /** Action, harness, model and Codex version of one event. */
  private countSource(event: Json, action: string, attributes: Json | undefined): void {
    const harness: string = event.harness.name;
    this.byAction.add(action);
    this.byHarness.add(harness);
    const isCodex = harness === CODEX_HARNESS;
    if (isCodex) this.codexEvents += 1;
    if (isCodex && attributes) this.codexVersions.add(attributes['app.version']);
    this.models.add(event.model);
  }

  private countSession(sessionId: unknown): void {
    if (typeof sessionId !== 'string' || !sessionId || this.sessionIds.has(sessionId)) return;
    if (this.sessionIds.size < REPORT_LIMITS.sessions) this.sessionIds.add(sessionId);
    else this.sessionsCapped = true;
  }

  /** The report, with what writing the log saw of its lines. */
  finish(log: LogReadStats): RunReport {
    const { saturated: toolsSaturated, ...tools } = this.toolCalls.finish();
    const { saturated: usageSaturated, ...usage } = this.usage.finish();
    return {
      ...log,
      events: this.events,
      byAction: this.byAction.toObject(),
      byHarness: this.byHarness.toObject(),
      codexEvents: this.codexEvents,
      sessions: this.sessionIds.size,
      sessionsCapped: this.sessionsCapped,
      prompts: this.prompts,
      ...tools,
      toolDecisions: this.decisions.finish(),
      models: [...this.models.values],
      codexVersions: [...this.codexVersions.values],
      ...usage,
      totalsSaturated: toolsSaturated || usageSaturated,
    };
  }
}
