import { addCount } from '../../beacon/integers.js';
import type { LogReadStats } from '../runtime-log/log-stats.js';

/**
 * What one pass over the runtime log learned: the input of the usage file, the validation and
 * the job summary. Plain data (JSON-serializable). Every list and map is capped so that its size
 * does not grow with the log: what does not fit is counted, not kept.
 */

export const CODEX_HARNESS = 'codex_cli';

/** Token sums of one group; field names as `beacon token-usage --json` prints them. */
export interface UsageTotals {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  reasoning_output_tokens: number;
  /** Events that carry usage (a `gen_ai.usage` field that is not zero). */
  events: number;
}

/** One session's sums, with its models and where its usage came from. */
export interface SessionTotals extends UsageTotals {
  models: string[];
  /** `metric`: Codex's token metric; `session_file`: recovered from the session's file. */
  sources: ('metric' | 'session_file')[];
}

export interface ToolStats {
  calls: number;
  succeeded: number;
  failed: number;
  /** Sum and maximum of the `duration_ms` of the calls that reported one. */
  totalDurationMs: number;
  maxDurationMs: number;
}

export interface CommandRecord {
  /** Cut to REPORT_LIMITS.commandChars for display. */
  command: string;
  exitCode?: number;
  durationMs?: number;
  success?: boolean;
}

/** What the runtime log's writing saw (lines, malformed lines) and what its events add up to. */
export interface RunReport extends LogReadStats {
  /** Valid events written to the runtime log. */
  events: number;
  byAction: Record<string, number>;
  byHarness: Record<string, number>;
  /** Events with harness `codex_cli`. */
  codexEvents: number;
  /** Distinct `session.id` values (counted up to REPORT_LIMITS.sessions). */
  sessions: number;
  sessionsCapped: boolean;
  prompts: number;
  tools: Record<string, ToolStats>;
  /** Calls of tools beyond REPORT_LIMITS.tools distinct names. */
  otherToolCalls: number;
  commands: { total: number; listed: CommandRecord[] };
  /**
   * Codex logs a tool decision for every tool call, also when no one was asked: `byDecider` says
   * who decided (`configuration`, `person`, `reviewer`, else `other`); `denied` counts refusals.
   */
  toolDecisions: { total: number; denied: number; byDecider: Record<string, number> };
  models: string[];
  /** `raw.attributes['app.version']` of Codex events. */
  codexVersions: string[];
  usage: {
    total: UsageTotals;
    byModel: Record<string, UsageTotals>;
    /** `github_actions/<run_id>` (or `<provider>/<run_id>`), else `local`. */
    byRun: Record<string, UsageTotals>;
    byRepository: Record<string, UsageTotals>;
    byHarness: Record<string, UsageTotals>;
    /** By `session.id` (NONE_KEY: usage no session could be given, e.g. a metric export of several sessions). */
    bySession: Record<string, SessionTotals>;
    /** `metric` and `session_file` (recovered). */
    bySource: Record<string, UsageTotals>;
  };
  /** `token.usage` events seen, and their data points per token type. */
  tokenEvents: number;
  tokenPoints: Record<string, number>;
  /**
   * A total (tokens, or a tool's duration) reached 2^53-1, the largest count held exactly, and was
   * held there: the true figure is larger.
   */
  totalsSaturated: boolean;
}

export const REPORT_LIMITS = {
  commands: 200,
  commandChars: 500,
  tools: 200,
  groupKeys: 200,
  sessions: 10_000,
  names: 50,
  nameChars: 200,
} as const;

/** Group key when an event has no value for the group (no model, no repository). */
export const NONE_KEY = '(none)';

export function emptyUsageTotals(): UsageTotals {
  return { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, reasoning_output_tokens: 0, events: 0 };
}

export function emptySessionTotals(): SessionTotals {
  return { ...emptyUsageTotals(), models: [], sources: [] };
}

/** The disjoint total: input (uncached) + cache read + output, held at 2^53-1. Reasoning is inside output. */
/** Tool calls of every tool, the ones not listed by name included. */
export function toolCallCount(report: RunReport): number {
  return Object.values(report.tools).reduce((n, t) => n + t.calls, 0) + report.otherToolCalls;
}

export function totalTokens(totals: UsageTotals): number {
  return addCount(addCount(totals.input_tokens, totals.cache_read_input_tokens), totals.output_tokens);
}
