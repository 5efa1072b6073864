import { addCount, isCount } from '../../beacon/integers.js';
import { toolCallCount, type RunReport } from '../account-usage/run-report.js';
import { usageBreakdown, usageEntry, type UsageEntry } from '../account-usage/usage-entry.js';
import { isObject } from '../../beacon/json-object.js';

/**
 * The usage record one run leaves in the Actions cache for the next run of the same job to compare
 * with: totals, per-model tokens, events, tool calls, Codex version and where the run came from.
 * Small on purpose (a few KiB at most: models are capped, names cut), so the cache cost is nil.
 *
 * A restored record is data from outside this run (any earlier run of the branch wrote it), so
 * `parseUsageRecord` checks every field before anything is shown or linked.
 */

export const RECORD_SCHEMA = 'beacon-usage-record/1';

export const RECORD_LIMITS = {
  /** Models kept by name (largest total first); the rest are summed under OTHER_MODELS. A CI job uses one to three. */
  models: 12,
  modelChars: 64,
  codexVersions: 3,
  versionChars: 40,
  refChars: 255,
  /** A restored file larger than this is not read. */
  fileBytes: 64 * 1024,
} as const;

export const OTHER_MODELS = '(other models)';

export const RECORD_TOKEN_FIELDS = ['input_tokens', 'cache_read_input_tokens', 'output_tokens', 'reasoning_output_tokens', 'total_tokens'] as const;
export type RecordTokenField = (typeof RECORD_TOKEN_FIELDS)[number];
export type RecordTokens = Record<RecordTokenField, number>;

export interface UsageRecord {
  schema: typeof RECORD_SCHEMA;
  /** GITHUB_RUN_ID and GITHUB_RUN_ATTEMPT of the run that wrote it. */
  run_id: string;
  run_attempt: string;
  /** GITHUB_SHA. */
  commit: string;
  /** GITHUB_REF of the run (`refs/heads/main`). */
  ref: string;
  /** When the record was written (ISO 8601). */
  created_at: string;
  codex_versions: string[];
  /** Events in the runtime log, and those of harness codex_cli. */
  events: number;
  codex_events: number;
  tool_calls: number;
  totals: RecordTokens;
  by_model: Record<string, RecordTokens>;
}

/** A record as restored, with the cache key it was found under (what beacon-usage.json carries). */
export type Baseline = UsageRecord & { cache_key: string };

/** Run variables the record is stamped with. */
export interface RecordOrigin {
  runId: string;
  runAttempt: string;
  commit: string;
  ref: string;
}


function recordTokens(entry: UsageEntry): RecordTokens {
  return {
    input_tokens: entry.input_tokens,
    cache_read_input_tokens: entry.cache_read_input_tokens,
    output_tokens: entry.output_tokens,
    reasoning_output_tokens: entry.reasoning_output_tokens,
    total_tokens: entry.total_tokens,
  };
}

function addTokens(into: RecordTokens, more: RecordTokens): void {
  for (const field of RECORD_TOKEN_FIELDS) into[field] = addCount(into[field], more[field]);
}

function zeroTokens(): RecordTokens {
  return { input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0, reasoning_output_tokens: 0, total_tokens: 0 };
}

/** Keeps the largest `RECORD_LIMITS.models` models by name and sums the rest, so the record stays small. */
function cappedModels(byModel: Record<string, UsageEntry>): Record<string, RecordTokens> {
  const sorted = Object.entries(byModel).sort((a, b) => b[1].total_tokens - a[1].total_tokens || (a[0] < b[0] ? -1 : 1));
  // A Map, then Object.fromEntries: a model may be called "__proto__".
  const kept = new Map<string, RecordTokens>();
  let other: RecordTokens | undefined;
  for (const [index, [model, entry]] of sorted.entries()) {
    const name = model.slice(0, RECORD_LIMITS.modelChars);
    if (index < RECORD_LIMITS.models && !kept.has(name)) {
      kept.set(name, recordTokens(entry));
    } else {
      other ??= zeroTokens();
      addTokens(other, recordTokens(entry));
    }
  }
  if (other) {
    const existing = kept.get(OTHER_MODELS);
    if (existing) addTokens(existing, other);
    else kept.set(OTHER_MODELS, other);
  }
  return Object.fromEntries(kept);
}

export function buildUsageRecord(report: RunReport, origin: RecordOrigin, now: Date = new Date()): UsageRecord {
  return {
    schema: RECORD_SCHEMA,
    run_id: origin.runId,
    run_attempt: origin.runAttempt,
    commit: origin.commit,
    ref: origin.ref.slice(0, RECORD_LIMITS.refChars),
    created_at: now.toISOString(),
    codex_versions: report.codexVersions.slice(0, RECORD_LIMITS.codexVersions).map((v) => v.slice(0, RECORD_LIMITS.versionChars)),
    events: report.events,
    codex_events: report.codexEvents,
    tool_calls: toolCallCount(report),
    totals: recordTokens(usageEntry(report.usage.total)),
    by_model: cappedModels(usageBreakdown(report.usage.byModel)),
  };
}

export function serializeUsageRecord(record: UsageRecord): string {
  return JSON.stringify(record) + '\n';
}

// What links and key checks rely on: a run id is digits, a commit is a hex object id.
const RUN_ID = /^\d{1,20}$/;
const ATTEMPT = /^\d{1,6}$/;
const COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;



function parseTokens(value: unknown, where: string): RecordTokens | string {
  if (!isObject(value)) return `${where} is not an object`;
  const tokens = zeroTokens();
  for (const field of RECORD_TOKEN_FIELDS) {
    const n = value[field];
    if (!isCount(n)) return `${where}.${field} is not a whole number of tokens`;
    tokens[field] = n;
  }
  return tokens;
}

function boundedString(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= max && !/[\u0000-\u001f\u007f]/.test(value);
}

/** A record read back from the cache, or why it cannot be used. */
export function parseUsageRecord(text: string): UsageRecord | { error: string } {
  if (Buffer.byteLength(text) > RECORD_LIMITS.fileBytes) return { error: `the record is larger than ${RECORD_LIMITS.fileBytes} bytes` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'the record is not JSON' };
  }
  if (!isObject(value)) return { error: 'the record is not a JSON object' };
  if (value.schema !== RECORD_SCHEMA) return { error: `the record's schema is ${JSON.stringify(value.schema)}, not "${RECORD_SCHEMA}"` };
  if (typeof value.run_id !== 'string' || !RUN_ID.test(value.run_id)) return { error: 'run_id is not a run id' };
  if (typeof value.run_attempt !== 'string' || !ATTEMPT.test(value.run_attempt)) return { error: 'run_attempt is not a number' };
  if (typeof value.commit !== 'string' || !COMMIT.test(value.commit)) return { error: 'commit is not a commit id' };
  if (!boundedString(value.ref, RECORD_LIMITS.refChars)) return { error: 'ref is not a ref name' };
  if (typeof value.created_at !== 'string' || Number.isNaN(Date.parse(value.created_at))) return { error: 'created_at is not a time' };
  if (!Array.isArray(value.codex_versions) || value.codex_versions.length > RECORD_LIMITS.codexVersions || !value.codex_versions.every((v) => boundedString(v, RECORD_LIMITS.versionChars))) {
    return { error: 'codex_versions is not a short list of versions' };
  }
  for (const field of ['events', 'codex_events', 'tool_calls'] as const) {
    if (!isCount(value[field])) return { error: `${field} is not a whole number` };
  }
  const totals = parseTokens(value.totals, 'totals');
  if (typeof totals === 'string') return { error: totals };
  if (!isObject(value.by_model)) return { error: 'by_model is not an object' };
  const models = Object.entries(value.by_model);
  // One more than the cap: the summed OTHER_MODELS entry.
  if (models.length > RECORD_LIMITS.models + 1) return { error: `by_model has more than ${RECORD_LIMITS.models + 1} models` };
  const byModel: [string, RecordTokens][] = [];
  for (const [model, entry] of models) {
    if (!boundedString(model, RECORD_LIMITS.modelChars)) return { error: 'a model name in by_model is empty, too long or has control characters' };
    const tokens = parseTokens(entry, `by_model[${JSON.stringify(model)}]`);
    if (typeof tokens === 'string') return { error: tokens };
    byModel.push([model, tokens]);
  }
  return {
    schema: RECORD_SCHEMA,
    run_id: value.run_id,
    run_attempt: value.run_attempt,
    commit: value.commit,
    ref: value.ref as string,
    created_at: value.created_at,
    codex_versions: value.codex_versions as string[],
    events: value.events as number,
    codex_events: value.codex_events as number,
    tool_calls: value.tool_calls as number,
    totals,
    by_model: Object.fromEntries(byModel),
  };
}
