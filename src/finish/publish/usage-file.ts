import fs from 'node:fs';
import type { Baseline } from './compare-record.js';
import { totalTokens, type RunReport, type UsageTotals } from './report.js';

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
 *     "events": 4,                           // events that carry usage (non-empty gen_ai.usage)
 *     "total_tokens": 2680                   // input + cache read + output (disjoint)
 *   },
 *   "by_model":      { "<model>": {...} },
 *   "by_run":        { "github_actions/<run_id>" | "local": {...} },
 *   "by_repository": { "<server>/<owner>/<repo>" | "(none)": {...} },
 *   "by_harness":    { "codex_cli": {...} },
 *   "token_data_points": { "<token_type>": <points seen> },
 *   "notes": ["no cost: ...", "no per-session split: ..."],
 *   "baseline": {...}                       // the previous run's usage record the summary compared
 *                                            // with (compare-record.ts), with its cache_key; absent
 *                                            // when there was no comparison
 * }
 * Breakdowns are objects keyed by group, keys sorted; past 200 keys the rest is summed in "(other)".
 */

export interface UsageEntry {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  reasoning_output_tokens: number;
  cost_usd: null;
  events: number;
  total_tokens: number;
}

export interface UsageFile {
  source: 'beacon-action';
  log?: string;
  totals: UsageEntry;
  by_model: Record<string, UsageEntry>;
  by_run: Record<string, UsageEntry>;
  by_repository: Record<string, UsageEntry>;
  by_harness: Record<string, UsageEntry>;
  token_data_points: Record<string, number>;
  notes: string[];
  baseline?: Baseline;
}

export const USAGE_NOTES = {
  noCost: 'no cost: Codex emits none',
  noSessionSplit: 'no per-session split: the Codex token metric carries no conversation id',
} as const;

export function usageEntry(totals: UsageTotals): UsageEntry {
  return {
    input_tokens: totals.input_tokens,
    output_tokens: totals.output_tokens,
    cache_read_input_tokens: totals.cache_read_input_tokens,
    cache_creation_input_tokens: totals.cache_creation_input_tokens,
    reasoning_output_tokens: totals.reasoning_output_tokens,
    cost_usd: null,
    events: totals.events,
    total_tokens: totalTokens(totals),
  };
}

function breakdown(groups: Record<string, UsageTotals>): Record<string, UsageEntry> {
  return Object.fromEntries(
    Object.keys(groups)
      .sort()
      .map((key) => [key, usageEntry(groups[key]!)]),
  );
}

export function buildUsageFile(report: RunReport, options: { logName?: string; baseline?: Baseline } = {}): UsageFile {
  return {
    source: 'beacon-action',
    ...(options.logName ? { log: options.logName } : {}),
    totals: usageEntry(report.usage.total),
    by_model: breakdown(report.usage.byModel),
    by_run: breakdown(report.usage.byRun),
    by_repository: breakdown(report.usage.byRepository),
    by_harness: breakdown(report.usage.byHarness),
    token_data_points: Object.fromEntries(Object.keys(report.tokenPoints).sort().map((key) => [key, report.tokenPoints[key]!])),
    notes: [USAGE_NOTES.noCost, USAGE_NOTES.noSessionSplit],
    ...(options.baseline ? { baseline: options.baseline } : {}),
  };
}

export function writeUsageFile(filePath: string, usage: UsageFile): void {
  fs.writeFileSync(filePath, JSON.stringify(usage, null, 2) + '\n', { mode: 0o644 });
}
