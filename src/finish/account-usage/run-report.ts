import { ACTION, type TokenUsage } from '../beacon/event.js';
import { capString } from '../beacon/limits.js';
import { carriesUsage } from './normalize-tokens.js';

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
  /** Events that carry usage (a non-empty `gen_ai.usage`). */
  events: number;
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

export interface RunReport {
  /** False when there was no capture file at all. */
  captureFound: boolean;
  /** Lines read from the capture (blank lines excluded). */
  linesRead: number;
  /** Valid events written to the runtime log. */
  events: number;
  /** Lines skipped: not JSON, not a Beacon event, too long, or torn. */
  malformedLines: number;
  /** The first few skipped lines: line number and why. */
  malformedExamples: { line: number; reason: string }[];
  /** The capture ended in a line without its newline that could not be used (collector stopped mid-write). */
  lastLineTorn: boolean;
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
  /** Every tool decision is a request; `denied` counts those that were refused. */
  approvals: { requested: number; denied: number };
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
  };
  /** `token.usage` events seen, and their data points per token type. */
  tokenEvents: number;
  tokenPoints: Record<string, number>;
  /** Token events whose raw value was unusable (they got no usage). */
  unusableTokenEvents: number;
  /** Export requests too large to buffer whole: their input/cached pairing may be incomplete. */
  oversizedExports: number;
}

export const REPORT_LIMITS = {
  commands: 200,
  commandChars: 500,
  tools: 200,
  groupKeys: 200,
  sessions: 10_000,
  names: 50,
  nameChars: 200,
  malformedExamples: 5,
} as const;

/** Group key for values past a map's cap. */
export const OTHER_KEY = '(other)';
/** Group key when an event has no value for the group (no model, no repository). */
export const NONE_KEY = '(none)';

export function emptyUsageTotals(): UsageTotals {
  return { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, reasoning_output_tokens: 0, events: 0 };
}

/** The disjoint total: input (uncached) + cache read + output. Reasoning is inside output. */
export function totalTokens(totals: UsageTotals): number {
  return totals.input_tokens + totals.cache_read_input_tokens + totals.output_tokens;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function nonNegativeInteger(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 0;
}

function parseDuration(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) && n >= 0 ? Math.round(n) : undefined;
}

function parseSuccess(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

/** A Map with at most `cap` keys; later keys fall into OTHER_KEY. */
class CappedMap<V extends object> {
  readonly map = new Map<string, V>();
  constructor(
    private readonly cap: number,
    private readonly create: () => V,
  ) {}

  get(key: string): V {
    let value = this.map.get(key);
    if (value === undefined) {
      if (this.map.size >= this.cap) key = OTHER_KEY;
      value = this.map.get(key);
      if (value === undefined) {
        value = this.create();
        this.map.set(key, value);
      }
    }
    return value;
  }

  /** Own-property object (Object.fromEntries), so a key such as `__proto__` stays a plain key. */
  toObject(): Record<string, V> {
    return Object.fromEntries([...this.map].map(([key, value]) => [key, { ...value }]));
  }
}

class CappedCounter {
  private readonly counts: CappedMap<{ n: number }>;
  constructor(cap: number) {
    this.counts = new CappedMap(cap, () => ({ n: 0 }));
  }
  add(key: string, by = 1): void {
    this.counts.get(key).n += by;
  }
  toObject(): Record<string, number> {
    return Object.fromEntries([...this.counts.map].map(([k, v]) => [k, v.n]));
  }
}

/** Distinct short strings, first `cap` kept in arrival order. */
class DistinctList {
  readonly values = new Set<string>();
  constructor(private readonly cap: number) {}
  add(value: unknown): void {
    if (typeof value !== 'string' || value === '' || this.values.size >= this.cap) return;
    this.values.add(capString(value, REPORT_LIMITS.nameChars));
  }
}

/**
 * Accumulates a RunReport one parsed event at a time. Token events must be added after their
 * `gen_ai.usage` was normalized (process-log does that per export request).
 */
export class RunReportBuilder {
  private captureFound = true;
  private linesRead = 0;
  private events = 0;
  private malformedLines = 0;
  private readonly malformedExamples: { line: number; reason: string }[] = [];
  private lastLineTorn = false;
  private readonly byAction = new CappedCounter(REPORT_LIMITS.groupKeys);
  private readonly byHarness = new CappedCounter(REPORT_LIMITS.groupKeys);
  private codexEvents = 0;
  private readonly sessionIds = new Set<string>();
  private sessionsCapped = false;
  private prompts = 0;
  private readonly tools = new Map<string, ToolStats>();
  private otherToolCalls = 0;
  private commandTotal = 0;
  private readonly commands: CommandRecord[] = [];
  private approvalsRequested = 0;
  private approvalsDenied = 0;
  private readonly models = new DistinctList(REPORT_LIMITS.names);
  private readonly codexVersions = new DistinctList(REPORT_LIMITS.names);
  private readonly usageTotal = emptyUsageTotals();
  private readonly byModel = new CappedMap(REPORT_LIMITS.groupKeys, emptyUsageTotals);
  private readonly byRun = new CappedMap(REPORT_LIMITS.groupKeys, emptyUsageTotals);
  private readonly byRepository = new CappedMap(REPORT_LIMITS.groupKeys, emptyUsageTotals);
  private readonly byHarnessUsage = new CappedMap(REPORT_LIMITS.groupKeys, emptyUsageTotals);
  private tokenEvents = 0;
  private readonly tokenPoints = new CappedCounter(REPORT_LIMITS.groupKeys);
  private unusableTokenEvents = 0;
  private oversizedExports = 0;

  captureMissing(): void {
    this.captureFound = false;
  }

  lineRead(): void {
    this.linesRead += 1;
  }

  malformed(lineNumber: number, reason: string, torn = false): void {
    this.malformedLines += 1;
    if (torn) this.lastLineTorn = true;
    if (this.malformedExamples.length < REPORT_LIMITS.malformedExamples) this.malformedExamples.push({ line: lineNumber, reason });
  }

  unusableTokenEvent(): void {
    this.unusableTokenEvents += 1;
  }

  oversizedExport(): void {
    this.oversizedExports += 1;
  }

  /** One valid event (already checked by process-log's envelope check). */
  add(event: Record<string, any>): void {
    this.events += 1;
    const action: string = event.event.action;
    const harness: string = event.harness.name;
    this.byAction.add(action);
    this.byHarness.add(harness);
    const isCodex = harness === CODEX_HARNESS;
    if (isCodex) this.codexEvents += 1;
    const raw = isObject(event.raw) ? event.raw : undefined;
    const attributes = raw && isObject(raw.attributes) ? raw.attributes : undefined;
    if (isCodex && attributes) this.codexVersions.add(attributes['app.version']);
    this.models.add(event.model);

    const sessionId = event.session?.id;
    if (typeof sessionId === 'string' && sessionId && !this.sessionIds.has(sessionId)) {
      if (this.sessionIds.size < REPORT_LIMITS.sessions) this.sessionIds.add(sessionId);
      else this.sessionsCapped = true;
    }

    switch (action) {
      case ACTION.promptSubmitted:
        this.prompts += 1;
        break;
      case ACTION.approvalRequested:
        this.approvalsRequested += 1;
        break;
      case ACTION.approvalDenied:
        this.approvalsRequested += 1;
        this.approvalsDenied += 1;
        break;
      case ACTION.commandExecuted:
      case ACTION.toolInvoked:
        this.addToolCall(event, attributes);
        break;
      case ACTION.tokenUsage:
        this.addTokenEvent(event);
        break;
    }
  }

  private addToolCall(event: Record<string, any>, attributes: Record<string, unknown> | undefined): void {
    const command = isObject(event.command) ? event.command : undefined;
    const toolName = typeof event.tool?.name === 'string' && event.tool.name ? event.tool.name : '(unnamed)';
    const success = parseSuccess(command?.success) ?? parseSuccess(attributes?.success);
    const duration = parseDuration(command?.duration_ms) ?? parseDuration(attributes?.duration_ms);

    let stats = this.tools.get(toolName);
    if (!stats && this.tools.size < REPORT_LIMITS.tools) {
      stats = { calls: 0, succeeded: 0, failed: 0, totalDurationMs: 0, maxDurationMs: 0 };
      this.tools.set(toolName, stats);
    }
    if (stats) {
      stats.calls += 1;
      if (success === true) stats.succeeded += 1;
      if (success === false) stats.failed += 1;
      if (duration !== undefined) {
        stats.totalDurationMs += duration;
        stats.maxDurationMs = Math.max(stats.maxDurationMs, duration);
      }
    } else {
      this.otherToolCalls += 1;
    }

    if (event.event.action === ACTION.commandExecuted && command && typeof command.command === 'string') {
      this.commandTotal += 1;
      if (this.commands.length < REPORT_LIMITS.commands) {
        const record: CommandRecord = { command: capString(command.command, REPORT_LIMITS.commandChars) };
        if (typeof command.exit_code === 'number') record.exitCode = command.exit_code;
        if (duration !== undefined) record.durationMs = duration;
        if (success !== undefined) record.success = success;
        this.commands.push(record);
      }
    }
  }

  private addTokenEvent(event: Record<string, any>): void {
    this.tokenEvents += 1;
    const tokenType = typeof event.gen_ai?.token?.type === 'string' ? event.gen_ai.token.type : 'unknown';
    this.tokenPoints.add(tokenType);
    const usage: TokenUsage | undefined = isObject(event.gen_ai?.usage) ? event.gen_ai.usage : undefined;
    if (!carriesUsage(usage)) return;
    const run = isObject(event.run) ? event.run : undefined;
    const runKey = typeof run?.run_id === 'string' && run.run_id ? `${String(run.provider ?? 'ci')}/${run.run_id}` : 'local';
    const groups = [
      this.usageTotal,
      this.byModel.get(typeof event.model === 'string' && event.model ? event.model : NONE_KEY),
      this.byRun.get(runKey),
      this.byRepository.get(typeof event.repository === 'string' && event.repository ? event.repository : NONE_KEY),
      this.byHarnessUsage.get(event.harness.name),
    ];
    const input = nonNegativeInteger(usage!.input_tokens);
    const output = nonNegativeInteger(usage!.output_tokens);
    const cacheRead = nonNegativeInteger(usage!.cache_read?.input_tokens);
    const cacheCreation = nonNegativeInteger(usage!.cache_creation?.input_tokens);
    const reasoning = nonNegativeInteger(usage!.reasoning?.output_tokens);
    for (const totals of groups) {
      totals.input_tokens += input;
      totals.output_tokens += output;
      totals.cache_read_input_tokens += cacheRead;
      totals.cache_creation_input_tokens += cacheCreation;
      totals.reasoning_output_tokens += reasoning;
      totals.events += 1;
    }
  }

  finish(): RunReport {
    return {
      captureFound: this.captureFound,
      linesRead: this.linesRead,
      events: this.events,
      malformedLines: this.malformedLines,
      malformedExamples: this.malformedExamples.slice(),
      lastLineTorn: this.lastLineTorn,
      byAction: this.byAction.toObject(),
      byHarness: this.byHarness.toObject(),
      codexEvents: this.codexEvents,
      sessions: this.sessionIds.size,
      sessionsCapped: this.sessionsCapped,
      prompts: this.prompts,
      tools: Object.fromEntries([...this.tools].map(([name, stats]) => [name, { ...stats }])),
      otherToolCalls: this.otherToolCalls,
      commands: { total: this.commandTotal, listed: this.commands.map((c) => ({ ...c })) },
      approvals: { requested: this.approvalsRequested, denied: this.approvalsDenied },
      models: [...this.models.values],
      codexVersions: [...this.codexVersions.values],
      usage: {
        total: { ...this.usageTotal },
        byModel: this.byModel.toObject(),
        byRun: this.byRun.toObject(),
        byRepository: this.byRepository.toObject(),
        byHarness: this.byHarnessUsage.toObject(),
      },
      tokenEvents: this.tokenEvents,
      tokenPoints: this.tokenPoints.toObject(),
      unusableTokenEvents: this.unusableTokenEvents,
      oversizedExports: this.oversizedExports,
    };
  }
}
