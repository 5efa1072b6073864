/**
 * An independent reading of a runtime log the way Beacon's `beacon token-usage` counts it, written
 * from the rules of the schema page (beacon-runtime-schema.md, "How its reader counts"), not from
 * the action's own code, so that what the action reports can be held against what Beacon's tools
 * will compute from the same log:
 *
 * 1. An event counts when one of its `gen_ai.usage` fields is not zero, whatever its action; an
 *    event whose fields are all zero (or absent) is skipped; identical lines count twice.
 * 2. Events with `raw.metric_name` are the metric channel, the others the log channel. Within one
 *    scope (`harness.name`, `session.id`), a usage field that a log-channel event reports is zeroed
 *    on that scope's metric-channel events (a metric event left with nothing no longer counts).
 * 3. Events with `raw.metric_temporality` "cumulative" (any case) are differenced per (harness,
 *    session, model, metric name, the one usage field set) in time order (log order for equal
 *    times); the first point counts whole, and a drop is a reset (the new value counts whole).
 * 4. Groups: `model`, `session.id`, `harness.name`, `repository` and `run.provider/run.run_id`;
 *    an event without a key still counts in the totals.
 * 5. Numbers are Go int64/float64: a token count or an exit code written as `4444.0`, `10.5` or
 *    `1e+300` fails to parse, and the whole line is dropped as malformed, as is a known key of the
 *    wrong type.
 */

export interface BeaconUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  reasoning_output_tokens: number;
  cost_usd: number;
  /** Events that carry usage (after step 2). */
  events: number;
}

export interface BeaconUsageReport {
  totals: BeaconUsage;
  by_model: Record<string, BeaconUsage>;
  by_session: Record<string, BeaconUsage>;
  by_harness: Record<string, BeaconUsage>;
  by_repository: Record<string, BeaconUsage>;
  by_run: Record<string, BeaconUsage>;
  /** Lines that did not parse or had a known key of the wrong type. */
  malformed: number;
}

/** The usage fields, in the order step 3 looks for "the one usage field set". */
const FIELDS = ['cost_usd', 'input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens', 'reasoning_output_tokens'] as const;
type Field = (typeof FIELDS)[number];

/** Where each field sits in `gen_ai.usage`, and whether Go reads it as an int64 (else a float64). */
const USAGE_PATHS: Record<Field, { path: string[]; int: boolean }> = {
  input_tokens: { path: ['input_tokens'], int: true },
  output_tokens: { path: ['output_tokens'], int: true },
  cache_read_input_tokens: { path: ['cache_read', 'input_tokens'], int: true },
  cache_creation_input_tokens: { path: ['cache_creation', 'input_tokens'], int: true },
  reasoning_output_tokens: { path: ['reasoning', 'output_tokens'], int: true },
  cost_usd: { path: ['cost_usd'], int: false },
};

type Json = Record<string, unknown>;

interface UsageEvent {
  order: number;
  time: number;
  harness: string;
  session: string;
  model: string;
  repository: string;
  run: string;
  metricName: string;
  cumulative: boolean;
  usage: Record<Field, number>;
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Whether JSON.parse hands a reviver each number's source text (Node 22 and later), so that
 * `4444.0` can be told from `4444`. Without it, only values that are not whole numbers are seen.
 */
export const NUMBER_SOURCE_TEXT: boolean = (() => {
  let seen: string | undefined;
  JSON.parse('[1.0]', (_key, value, context?: { source?: string }) => {
    if (typeof value === 'number') seen = context?.source;
    return value;
  });
  return seen === '1.0';
})();

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The source text of the numbers of one parsed line, by the object holding them. */
type NumberSources = WeakMap<object, Map<string, string>>;

function parseLine(text: string): { value: unknown; sources: NumberSources } {
  const sources: NumberSources = new WeakMap();
  const value = JSON.parse(text, function (this: object, key: string, value: unknown, context?: { source?: string }) {
    if (typeof value === 'number' && context?.source !== undefined) {
      let held = sources.get(this);
      if (!held) sources.set(this, (held = new Map()));
      held.set(key, context.source);
    }
    return value;
  });
  return { value, sources };
}

/** Go's int64 decoding: an integer literal in range; `4444.0`, `10.5`, `1e+300` are refused. */
function isInt64(holder: Json, key: string, sources: NumberSources): boolean {
  const value = holder[key];
  if (typeof value !== 'number') return false;
  const source = sources.get(holder)?.get(key);
  if (source === undefined) return Number.isSafeInteger(value);
  if (!/^-?\d+$/.test(source)) return false;
  const big = BigInt(source);
  return big >= INT64_MIN && big <= INT64_MAX;
}

/** null or absent is fine for any known key (Go leaves the zero value). */
const absent = (value: unknown) => value === undefined || value === null;

const STRING_KEYS = ['timestamp', 'vendor', 'product', 'schema_version', 'severity', 'model', 'repository', 'branch', 'origin', 'message'];

/** The known keys this reader looks at, with Go's types; a wrong type makes the line malformed. */
function wellTyped(event: Json, sources: NumberSources): boolean {
  for (const key of STRING_KEYS) if (!absent(event[key]) && typeof event[key] !== 'string') return false;
  for (const key of ['event', 'harness', 'session', 'run', 'gen_ai', 'raw', 'command', 'endpoint', 'user', 'tool', 'approval', 'prompt']) {
    if (!absent(event[key]) && !isObject(event[key])) return false;
  }
  const strings = (object: unknown, keys: string[]) => !isObject(object) || keys.every((key) => absent(object[key]) || typeof object[key] === 'string');
  if (!strings(event.event, ['kind', 'action', 'category']) || !strings(event.harness, ['name']) || !strings(event.session, ['id'])) return false;
  if (!strings(event.run, ['provider', 'run_id', 'run_attempt', 'workflow', 'job', 'event_name', 'commit', 'repository', 'branch', 'actor', 'pr', 'pr_number'])) return false;
  if (isObject(event.command)) {
    for (const key of ['exit_code', 'duration_ms']) if (!absent(event.command[key]) && !isInt64(event.command, key, sources)) return false;
  }
  const genAi = event.gen_ai;
  if (isObject(genAi) && !absent(genAi.usage)) {
    if (!isObject(genAi.usage)) return false;
    for (const { path, int } of Object.values(USAGE_PATHS)) {
      let holder: unknown = genAi.usage;
      for (const step of path.slice(0, -1)) {
        holder = isObject(holder) ? holder[step] : undefined;
        if (!absent(holder) && !isObject(holder)) return false;
      }
      const key = path.at(-1)!;
      if (!isObject(holder) || absent(holder[key])) continue;
      if (int ? !isInt64(holder, key, sources) : typeof holder[key] !== 'number') return false;
    }
  }
  return true;
}

function usageOf(event: Json): Record<Field, number> {
  const usage = isObject(event.gen_ai) && isObject(event.gen_ai.usage) ? event.gen_ai.usage : {};
  const out = {} as Record<Field, number>;
  for (const field of FIELDS) {
    let value: unknown = usage;
    for (const step of USAGE_PATHS[field].path) value = isObject(value) ? value[step] : undefined;
    out[field] = typeof value === 'number' ? value : 0;
  }
  return out;
}

const hasUsage = (usage: Record<Field, number>) => FIELDS.some((field) => usage[field] !== 0);
const str = (value: unknown) => (typeof value === 'string' ? value : '');

/** `provider/run_id`, or whichever of the two is set. */
function runKey(run: unknown): string {
  if (!isObject(run)) return '';
  const provider = str(run.provider).trim();
  const id = str(run.run_id).trim();
  return provider && id ? `${provider}/${id}` : provider || id;
}

function emptyUsage(): BeaconUsage {
  return { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, reasoning_output_tokens: 0, cost_usd: 0, events: 0 };
}

function add(into: BeaconUsage, usage: Record<Field, number>): void {
  for (const field of FIELDS) into[field] += usage[field];
  into.events += 1;
}

function addGroup(groups: Record<string, BeaconUsage>, key: string, usage: Record<Field, number>): void {
  const trimmed = key.trim();
  if (trimmed) add((groups[trimmed] ??= emptyUsage()), usage);
}

/**
 * Reads a runtime log: its lines as text (so numbers are seen as written), or already parsed.
 * Empty lines are passed over.
 */
export function readBeaconUsage(lines: Iterable<string | Json>): BeaconUsageReport {
  const events: UsageEvent[] = [];
  let malformed = 0;
  let order = 0;
  // Step 1 (and 5): parse, and keep the events that carry usage.
  for (const line of lines) {
    if (typeof line === 'string' && line.trim() === '') continue;
    let event: unknown;
    let sources: NumberSources = new WeakMap();
    try {
      ({ value: event, sources } = typeof line === 'string' ? parseLine(line) : { value: line, sources });
    } catch {
      malformed += 1;
      continue;
    }
    if (!isObject(event) || !wellTyped(event, sources)) {
      malformed += 1;
      continue;
    }
    const usage = usageOf(event);
    if (!hasUsage(usage)) continue;
    const raw = isObject(event.raw) ? event.raw : {};
    const time = Date.parse(str(event.timestamp));
    events.push({
      order: order++,
      time: Number.isFinite(time) ? time : 0,
      harness: isObject(event.harness) ? str(event.harness.name) : '',
      session: isObject(event.session) ? str(event.session.id) : '',
      model: str(event.model),
      repository: str(event.repository),
      run: runKey(event.run),
      metricName: str(raw.metric_name),
      cumulative: str(raw.metric_temporality).toLowerCase() === 'cumulative',
      usage,
    });
  }

  // Step 2: the log channel's fields win over the metric channel's, scope by scope.
  const scope = (e: UsageEvent) => JSON.stringify([e.harness, e.session]);
  const logFields = new Map<string, Set<Field>>();
  for (const e of events) {
    if (e.metricName) continue;
    const fields = logFields.get(scope(e)) ?? new Set<Field>();
    for (const field of FIELDS) if (e.usage[field] !== 0) fields.add(field);
    logFields.set(scope(e), fields);
  }
  const counted = events.filter((e) => {
    const fields = e.metricName ? logFields.get(scope(e)) : undefined;
    if (!fields) return true;
    for (const field of fields) e.usage[field] = 0;
    return hasUsage(e.usage);
  });

  // Step 3: cumulative series become differences.
  const series = new Map<string, { event: UsageEvent; field: Field }[]>();
  for (const e of counted) {
    if (!e.cumulative) continue;
    const field = FIELDS.find((f) => e.usage[f] !== 0)!;
    const key = JSON.stringify([e.harness, e.session, e.model, e.metricName, field]);
    series.set(key, [...(series.get(key) ?? []), { event: e, field }]);
  }
  for (const points of series.values()) {
    points.sort((a, b) => a.event.time - b.event.time || a.event.order - b.event.order);
    let previous = 0;
    for (const { event, field } of points) {
      const value = event.usage[field];
      event.usage[field] = value < previous ? value : value - previous;
      previous = value;
    }
  }

  // Step 4: totals and groups.
  const report: BeaconUsageReport = { totals: emptyUsage(), by_model: {}, by_session: {}, by_harness: {}, by_repository: {}, by_run: {}, malformed };
  for (const e of counted) {
    add(report.totals, e.usage);
    addGroup(report.by_model, e.model, e.usage);
    addGroup(report.by_session, e.session, e.usage);
    addGroup(report.by_harness, e.harness, e.usage);
    addGroup(report.by_repository, e.repository, e.usage);
    addGroup(report.by_run, e.run, e.usage);
  }
  return report;
}

/** The runtime log's text as lines for `readBeaconUsage`. */
export function logLines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}
