import fs from 'node:fs';
import type { RawTokenCounts } from '../../harness/sessions.js';
import type { RunReport } from '../account-usage/run-report.js';
import { disagreementsOf, type SessionReconciliation } from '../account-usage/sessions/reconcile.js';
import { usageBreakdown, usageEntry, type UsageEntry } from '../account-usage/usage-entry.js';
import type { Baseline } from '../compare/record.js';

/**
 * `beacon-usage.json`: the run's token usage in the shape of `beacon token-usage --json`, so the
 * numbers can be compared with what that command computes from the runtime log.
 *
 * Layout (every group entry has the same fields as `totals`):
 * {
 *   "source": "beacon-action",
 *   "log": "beacon-runtime.jsonl",          // the runtime log these numbers come from (if given)
 *   "totals": {
 *     "input_tokens": 450,                   // uncached input (input minus cached input)
 *     "output_tokens": 80,                   // includes reasoning
 *     "cache_read_input_tokens": 2150,
 *     "cache_creation_input_tokens": 0,
 *     "reasoning_output_tokens": 30,         // part of output_tokens, never added again
 *     "cost_usd": null,                      // Codex emits no cost and no price table is used
 *     "events": 4,                           // token events that count (a usage field not zero):
 *                                            // not the runtime log's event count
 *     "total_tokens": 2680                   // input + cache read + output (disjoint)
 *   },
 *   "by_model":      { "<model>": {...} },
 *   "by_run":        { "github_actions/<run_id>" | "local": {...} },
 *   "by_repository": { "<server>/<owner>/<repo>" | "(none)": {...} },
 *   "by_harness":    { "codex_cli": {...} },
 *   "by_session":    { "<session.id>" | "(none)": {..., "models": [...], "source": "metric" | "session_file"} },
 *   "by_source":     { "metric": {...}, "session_file": {...} },   // counted from the metric, recovered
 *   "token_data_points": { "<token_type>": <points seen> },
 *   "reconciliation": {                     // the token metric against the session files (absent
 *                                            // when no session files could be looked for)
 *     "session_files": { "read", "older_left_out", "unreadable": [{file, reason}], "problems": [...] },
 *     "metric_exports": [{ "export_seq", "at", "session_ids", "agreement": "exact" | "disagree" | "no-session" | "no-usage" }],
 *     "recovered_sessions": [{ "session_id", "file", "models" }],
 *     "sessions_without_usage": [{ "session_id", "file" }],
 *     "disagreements": [{ "session_ids", "model", "metric": {tokens}, "session_file": {tokens}, "counted": "metric" }],
 *     "recovery_skipped": "why"              // only when nothing could be recovered safely
 *   },
 *   "notes": ["no cost: ...", "per-session usage: ...", "saturated: ..." (only when a total reached 2^53-1)],
 *   "baseline": {...}                       // the previous run's usage record the summary compared
 *                                            // with (compare/record.ts), with its cache_key; absent
 *                                            // when there was no comparison
 * }
 * Breakdowns are objects keyed by group, keys sorted; past 200 keys the rest is summed in "(other)".
 */

export interface UsageFile {
  source: 'beacon-action';
  log?: string;
  totals: UsageEntry;
  by_model: Record<string, UsageEntry>;
  by_run: Record<string, UsageEntry>;
  by_repository: Record<string, UsageEntry>;
  by_harness: Record<string, UsageEntry>;
  by_session: Record<string, SessionEntry>;
  by_source: Record<string, UsageEntry>;
  token_data_points: Record<string, number>;
  reconciliation?: ReconciliationBlock;
  notes: string[];
  baseline?: Baseline;
}

export interface SessionEntry extends UsageEntry {
  models: string[];
  /** `metric` (Codex's token metric, paired with the session) or `session_file` (recovered). */
  source: string;
}

/** Token counts in the harness's own terms: input includes cached input, output includes reasoning. */
interface TokenFigures {
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_output_tokens: number;
}

export interface ReconciliationBlock {
  session_files: { read: number; older_left_out: number; unreadable: { file: string; reason: string }[]; problems: string[] };
  metric_exports: { export_seq: number; at: string; session_ids: string[]; agreement: string }[];
  recovered_sessions: { session_id: string; file: string; models: string[] }[];
  sessions_without_usage: { session_id: string; file: string }[];
  disagreements: { session_ids: string[]; model: string; metric: TokenFigures; session_file: TokenFigures; counted: 'metric' }[];
  recovery_skipped?: string;
}

export const USAGE_NOTES = {
  noCost: 'no cost: Codex emits none',
  perSession:
    'per-session usage: the token metric carries no conversation id, so each metric export is paired with the session its process ran (by model, totals and time); usage of a session whose process sent no metric is recovered from its session file',
  saturated: 'saturated: some totals reached 9007199254740991 (2^53-1), the largest number held exactly, and were held there: the true figures are larger',
} as const;

function figures(counts: RawTokenCounts | undefined): TokenFigures {
  return { input_tokens: counts?.input ?? 0, cached_input_tokens: counts?.cachedInput ?? 0, output_tokens: counts?.output ?? 0, reasoning_output_tokens: counts?.reasoningOutput ?? 0 };
}

function reconciliationBlock(sessions: SessionReconciliation): ReconciliationBlock {
  return {
    session_files: { read: sessions.sessionFiles.read, older_left_out: sessions.sessionFiles.olderLeftOut, unreadable: sessions.sessionFiles.unreadable, problems: sessions.sessionFiles.problems },
    metric_exports: sessions.exports.map((e) => ({ export_seq: e.exportSeq, at: e.at, session_ids: e.sessionIds, agreement: e.agreement })),
    recovered_sessions: sessions.recovered.map((s) => ({ session_id: s.sessionId, file: s.file, models: s.models })),
    sessions_without_usage: sessions.withoutUsage.map((s) => ({ session_id: s.sessionId, file: s.file })),
    disagreements: disagreementsOf(sessions).map((d) => ({ session_ids: d.sessionIds, model: d.model, metric: figures(d.metric), session_file: figures(d.sessionFile), counted: 'metric' as const })),
    ...(sessions.recoverySkipped ? { recovery_skipped: sessions.recoverySkipped } : {}),
  };
}

function sessionBreakdown(report: RunReport): Record<string, SessionEntry> {
  const bySession = report.usage.bySession;
  return Object.fromEntries(
    Object.keys(bySession)
      .sort()
      .map((id) => [id, { ...usageEntry(bySession[id]!), models: bySession[id]!.models, source: bySession[id]!.sources.join('+') }]),
  );
}

export function buildUsageFile(report: RunReport, options: { logName?: string; baseline?: Baseline; sessions?: SessionReconciliation } = {}): UsageFile {
  return {
    source: 'beacon-action',
    ...(options.logName ? { log: options.logName } : {}),
    totals: usageEntry(report.usage.total),
    by_model: usageBreakdown(report.usage.byModel),
    by_run: usageBreakdown(report.usage.byRun),
    by_repository: usageBreakdown(report.usage.byRepository),
    by_harness: usageBreakdown(report.usage.byHarness),
    by_session: sessionBreakdown(report),
    by_source: usageBreakdown(report.usage.bySource),
    token_data_points: Object.fromEntries(Object.keys(report.tokenPoints).sort().map((key) => [key, report.tokenPoints[key]!])),
    ...(options.sessions ? { reconciliation: reconciliationBlock(options.sessions) } : {}),
    notes: [USAGE_NOTES.noCost, USAGE_NOTES.perSession, ...(report.totalsSaturated ? [USAGE_NOTES.saturated] : [])],
    ...(options.baseline ? { baseline: options.baseline } : {}),
  };
}

export function writeUsageFile(filePath: string, usage: UsageFile): void {
  fs.writeFileSync(filePath, JSON.stringify(usage, null, 2) + '\n', { mode: 0o644 });
}
