import { totalTokens, type UsageTotals } from './run-report.js';

/** One group's token usage as `beacon-usage.json` and the usage record write it. */
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

/** A breakdown's groups as entries, keys sorted. */
export function usageBreakdown(groups: Record<string, UsageTotals>): Record<string, UsageEntry> {
  return Object.fromEntries(
    Object.keys(groups)
      .sort()
      .map((key) => [key, usageEntry(groups[key]!)]),
  );
}
