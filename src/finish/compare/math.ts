import { RECORD_TOKEN_FIELDS, type RecordTokenField, type UsageRecord } from './record.js';

/**
 * This run against the previous one: the change of each total, each model's tokens, events and
 * tool calls, and the changes large enough to say in words. Pure functions, no I/O.
 */

export interface Change {
  previous: number;
  current: number;
  /** current - previous. */
  delta: number;
  /** delta / previous × 100; null when previous is 0 (no percentage of nothing). */
  percent: number | null;
}

export interface ModelChange {
  model: string;
  /** `new`: not in the previous run; `gone`: only in the previous run. */
  presence: 'both' | 'new' | 'gone';
  total: Change;
}

/** A change large enough to be said in a sentence. */
export type Finding =
  | { kind: 'input-up'; change: Change }
  | { kind: 'new-model'; model: string }
  | { kind: 'tool-calls-up'; change: Change };

export interface UsageComparison {
  totals: Record<RecordTokenField, Change>;
  events: Change;
  toolCalls: Change;
  /** Models of either run, largest total of this run first, then largest of the previous. */
  models: ModelChange[];
  findings: Finding[];
}

/** When a change is large: input tokens up by half or more, tool calls at least doubled. */
export const LARGE_CHANGE = {
  inputRatio: 1.5,
  toolCallsRatio: 2,
} as const;

export function change(previous: number, current: number): Change {
  const delta = current - previous;
  return { previous, current, delta, percent: previous === 0 ? null : (delta / previous) * 100 };
}

/**
 * `current` reached `ratio` × `previous` and grew. From zero any growth counts: ratio × 0 is 0.
 * Compared in integers where possible so 1.5 × 1000 is exactly 1500.
 */
export function reachedRatio(c: Change, ratio: number): boolean {
  return c.current > c.previous && c.current * 10 >= Math.round(ratio * 10) * c.previous;
}

export function compareRecords(previous: UsageRecord, current: UsageRecord): UsageComparison {
  const totals = Object.fromEntries(RECORD_TOKEN_FIELDS.map((field) => [field, change(previous.totals[field], current.totals[field])])) as Record<RecordTokenField, Change>;
  const events = change(previous.events, current.events);
  const toolCalls = change(previous.tool_calls, current.tool_calls);

  const names = new Set([...Object.keys(current.by_model), ...Object.keys(previous.by_model)]);
  const models: ModelChange[] = [...names].map((model) => {
    const before = Object.hasOwn(previous.by_model, model) ? previous.by_model[model] : undefined;
    const now = Object.hasOwn(current.by_model, model) ? current.by_model[model] : undefined;
    return {
      model,
      presence: before && now ? 'both' : now ? 'new' : 'gone',
      total: change(before?.total_tokens ?? 0, now?.total_tokens ?? 0),
    };
  });
  models.sort((a, b) => b.total.current - a.total.current || b.total.previous - a.total.previous || (a.model < b.model ? -1 : 1));

  const findings: Finding[] = [];
  if (reachedRatio(totals.input_tokens, LARGE_CHANGE.inputRatio)) findings.push({ kind: 'input-up', change: totals.input_tokens });
  for (const m of models) if (m.presence === 'new') findings.push({ kind: 'new-model', model: m.model });
  if (reachedRatio(toolCalls, LARGE_CHANGE.toolCallsRatio)) findings.push({ kind: 'tool-calls-up', change: toolCalls });

  return { totals, events, toolCalls, models, findings };
}
