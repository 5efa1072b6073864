import type { RawTokenCounts, SessionTurnUsage, SessionUsage } from '../../sessions.js';
import { SOMETHING_ELSE, type LineHead } from './line-head.js';
import type { ScannedLine } from './lines.js';
import { isObject } from '../../../beacon/json-object.js';
import { addCounts, emptyCounts } from '../../token-counts.js';
import { isCount } from '../../../beacon/integers.js';

/**
 * What the lines of one Codex session file mean for its token usage (codex-session-files.md).
 * Each line is `{"timestamp": ..., "type": ..., "payload": {...}}`; only `session_meta`,
 * `turn_context`, `token_usage_record` and `event_msg` `token_count` lines are parsed.
 */

/** A wanted line longer than this is a problem, not read. */
export const MAX_RECORD_BYTES = 4 * 1024 * 1024;
const KEPT_RESPONSE_IDS = 20;

const PARSED_TYPES = new Set(['session_meta', 'turn_context', 'token_usage_record']);

const TORN_LAST_LINE = 'torn last line';
const NOT_AN_OBJECT = 'a line that is not a JSON object';
const BAD_RECORD_USAGE = 'a token_usage_record line whose usage is not a set of whole numbers';
const BAD_TOKEN_COUNT = 'a token_count event whose usage is not a set of whole numbers';

/** Which lines are parsed, from what the line scanner read of their start (undefined: read on). */
function wantCodexLine(head: LineHead): boolean | undefined {
  if (head.notObject) return false;
  if (head.type === undefined) return undefined;
  if (PARSED_TYPES.has(head.type)) return true;
  if (head.type !== 'event_msg') return false;
  if (head.payloadType !== undefined) return head.payloadType === 'token_count';
  return head.payloadEnded ? false : undefined;
}

/** The session id in a `rollout-<local time>-<session id>.jsonl` name. */
function sessionIdFromFileName(name: string): string | undefined {
  return /-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/i.exec(name)?.[1];
}

type Json = Record<string, unknown>;

interface SessionMeta {
  id: string;
  startedAt: string;
  cliVersion?: string;
  originator?: string;
}

/**
 * The lines of one file, taken in order; `take` says when the session began before `since`.
 * A file's tail is taken by a second one, made by `forTail()`: it starts with the head's session
 * and keeps what a 'summary' needs, the last record's running total (`thread_token_usage`).
 */
export class CodexSessionFile {
  private meta?: SessionMeta;
  /** The last token_usage_record's `thread_token_usage`, when whole numbers. */
  private lastThread?: RawTokenCounts;
  /** Why a session_meta line could not be used, when none could. */
  private metaTrouble?: string;
  /** The latest valid line time, as written (made ISO once, in result()). */
  private lastRecordAt = '';
  private readonly modelByTurn = new Map<string, string>();
  private latestTurn = { turnId: '', model: '' };
  private usageRecords = 0;
  private tokenCounts = 0;
  private previousTotal?: string;
  private readonly fromRecords = new TurnTable();
  private readonly fromTokenCounts = new TurnTable();
  private readonly problems = new ProblemTally();
  private readonly tokenCountProblems = new ProblemTally();

  constructor(
    private readonly fileName: string,
    private readonly relativePath: string,
    private readonly sinceMs: number,
    private readonly tail?: { meta: SessionMeta },
  ) {
    this.meta = tail?.meta;
  }

  get hasSessionMeta(): boolean {
    return this.meta !== undefined;
  }

  /** For the file's tail, once this one has taken the head up to the session_meta line. */
  forTail(): CodexSessionFile {
    if (!this.meta) throw new Error('no session_meta yet');
    return new CodexSessionFile(this.fileName, this.relativePath, this.sinceMs, { meta: this.meta });
  }

  /** A tail's: whether it held a token_usage_record with a usable running total. */
  get hasThreadTotal(): boolean {
    return this.lastThread !== undefined;
  }

  /**
   * Which lines to parse, from what the line scanner read of their start (undefined: read on).
   * Once the file has had a token_usage_record, result() takes its usage from the records and
   * nothing from token_count events, so `event_msg` lines need no parsing any more: they are passed
   * over like other lines not parsed, once the head holds the line's timestamp (the only thing
   * of theirs still used, for lastRecordAt). Before the first record they are parsed as ever: the
   * file may have none. (So a malformed token_count line after a record goes unnamed, like any
   * line not parsed.)
   */
  want(head: LineHead): boolean | undefined {
    if (this.usageRecords > 0 && head.type === 'event_msg' && head.timestamp !== undefined && head.timestamp !== SOMETHING_ELSE) return false;
    return wantCodexLine(head);
  }

  /** Takes one line; 'older' when it was a session_meta from before `since` (read no further). */
  take(line: ScannedLine): 'older' | undefined {
    const { head } = line;
    if (!line.terminated && !line.complete) return this.problems.add(TORN_LAST_LINE);
    if (head.notObject) return this.problems.add(NOT_AN_OBJECT);
    if (!line.wanted) return this.noteTime(head.timestamp);
    if (line.text === undefined) {
      if (head.type === 'session_meta') this.metaTrouble = 'its session_meta line is longer than 4 MiB';
      this.problems.add(`a line of type ${kindOf(head)} over 4 MiB, left unread`);
      return this.noteTime(head.timestamp);
    }
    let record: unknown;
    try {
      record = JSON.parse(line.text);
    } catch {
      return this.problems.add(line.terminated ? `a line of type ${kindOf(head)} that is not valid JSON` : TORN_LAST_LINE);
    }
    if (!isObject(record)) return this.problems.add(NOT_AN_OBJECT);
    const at = validTime(record.timestamp);
    if (at) this.lastRecordAt = at;
    const payload = isObject(record.payload) ? record.payload : {};
    switch (record.type) {
      case 'session_meta':
        return this.sessionMeta(payload, isoTime(at));
      case 'turn_context':
        return this.turnContext(payload);
      case 'token_usage_record':
        return this.usageRecord(payload, at);
      case 'event_msg':
        return this.tokenCount(payload, at);
    }
    return undefined;
  }

  /** Reading stopped on an error after the session_meta line. */
  readFailed(code: string): void {
    this.problems.add(`reading stopped early (${code})`);
  }

  /** The session, or why the file is not one. */
  result(): { session: SessionUsage } | { unreadable: string } {
    if (!this.meta) return { unreadable: this.metaTrouble ?? 'no session_meta line' };
    const usageSource = this.usageRecords > 0 ? 'token_usage_record' : this.tokenCounts > 0 ? 'token_count' : 'none';
    const turns = usageSource === 'token_usage_record' ? this.fromRecords.list() : usageSource === 'token_count' ? this.fromTokenCounts.list() : [];
    const problems = [...this.problems.list(), ...(usageSource === 'token_count' ? this.tokenCountProblems.list() : [])];
    const summary = this.tail !== undefined && this.lastThread !== undefined;
    const session: SessionUsage = {
      sessionId: this.meta.id,
      file: this.fileName,
      relativePath: this.relativePath,
      startedAt: this.meta.startedAt,
      lastRecordAt: isoTime(this.lastRecordAt),
      usageSource,
      detail: summary ? 'summary' : 'full',
      thread: summary ? { ...this.lastThread! } : sumOfTurns(turns),
      turns: summary ? [] : turns,
      problems,
    };
    if (summary && this.latestTurn.model) session.model = this.latestTurn.model;
    if (this.meta.cliVersion !== undefined) session.harnessVersion = this.meta.cliVersion;
    if (this.meta.originator !== undefined) session.originator = this.meta.originator;
    return { session };
  }

  /** A line not parsed: its time, if valid, is the latest (most lines repeat the one before: no need to check it again). */
  private noteTime(timestamp: string | undefined): undefined {
    if (timestamp !== undefined && timestamp !== this.lastRecordAt && validTime(timestamp)) this.lastRecordAt = timestamp;
    return undefined;
  }

  private sessionMeta(payload: Json, lineTime: string): 'older' | undefined {
    if (this.meta) return undefined; // the first one is the session's
    const startedAt = isoTime(payload.timestamp) || lineTime;
    if (!startedAt) {
      this.metaTrouble = 'its session_meta line has no valid timestamp';
      return undefined;
    }
    this.meta = {
      id: stringOf(payload.id) ?? sessionIdFromFileName(this.fileName) ?? '',
      startedAt,
      cliVersion: stringOf(payload.cli_version),
      originator: stringOf(payload.originator),
    };
    return Date.parse(startedAt) < this.sinceMs ? 'older' : undefined;
  }

  private turnContext(payload: Json): undefined {
    const turnId = stringOf(payload.turn_id) ?? '';
    const model = stringOf(payload.model) ?? '';
    if (turnId) this.modelByTurn.set(turnId, model);
    this.latestTurn = { turnId, model };
    return undefined;
  }

  private usageRecord(payload: Json, at: string): undefined {
    this.usageRecords++;
    if (this.tail) this.lastThread = tokenCountsOf(payload.thread_token_usage);
    const usage = tokenCountsOf(payload.usage);
    if (!usage) return this.problems.add(BAD_RECORD_USAGE);
    const turnId = stringOf(payload.turn_id) ?? '';
    const model = turnId && this.modelByTurn.has(turnId) ? this.modelByTurn.get(turnId)! : this.latestTurn.model;
    this.fromRecords.add(turnId, model, usage, stringOf(payload.response_id), at);
    return undefined;
  }

  /** An `event_msg`: only `token_count` ones with usage matter (used when the file has no token_usage_record). */
  private tokenCount(payload: Json, at: string): undefined {
    if (payload.type !== 'token_count' || !isObject(payload.info)) return undefined;
    this.tokenCounts++;
    const total = tokenCountsOf(payload.info.total_token_usage);
    const last = tokenCountsOf(payload.info.last_token_usage);
    if (!total || !last) return this.tokenCountProblems.add(BAD_TOKEN_COUNT);
    // token_count repeats itself (e.g. at a turn's end): a response counts once, when the total moves.
    const totalKey = `${total.input}/${total.cachedInput}/${total.output}/${total.reasoningOutput}`;
    if (totalKey === this.previousTotal) return undefined;
    this.previousTotal = totalKey;
    this.fromTokenCounts.add(this.latestTurn.turnId, this.latestTurn.model, last, undefined, at);
    return undefined;
  }
}

/** Usage summed per (turn id, model), in the order first seen; times as written (valid ones), made ISO by list(). */
class TurnTable {
  private readonly turns: SessionTurnUsage[] = [];
  private readonly byTurnAndModel = new Map<string, Map<string, SessionTurnUsage>>();

  add(turnId: string, model: string, usage: RawTokenCounts, responseId: string | undefined, at: string): void {
    let byModel = this.byTurnAndModel.get(turnId);
    if (!byModel) this.byTurnAndModel.set(turnId, (byModel = new Map()));
    let turn = byModel.get(model);
    if (!turn) {
      turn = { turnId, model, usage: emptyCounts(), responses: 0, responseIds: [], firstAt: at, lastAt: at };
      byModel.set(model, turn);
      this.turns.push(turn);
    }
    addCounts(turn.usage, usage);
    turn.responses++;
    if (responseId !== undefined && turn.responseIds.length < KEPT_RESPONSE_IDS) turn.responseIds.push(responseId);
    if (at) {
      turn.firstAt ||= at;
      turn.lastAt = at;
    }
  }

  list(): SessionTurnUsage[] {
    return this.turns.map((turn) => ({ ...turn, firstAt: isoTime(turn.firstAt), lastAt: isoTime(turn.lastAt) }));
  }
}

function sumOfTurns(turns: SessionTurnUsage[]): RawTokenCounts {
  return turns.reduce((sum, turn) => addCounts(sum, turn.usage), emptyCounts());
}

/** Problems by kind, each listed once with its count. */
class ProblemTally {
  private readonly counts = new Map<string, number>();

  add(kind: string): undefined {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    return undefined;
  }

  list(): string[] {
    return [...this.counts].map(([kind, count]) => `${kind} (${count})`);
  }
}

/** A line's record type for a problem's name: `event_msg token_count`, `session_meta`, ... */
function kindOf(head: LineHead): string {
  return head.type === 'event_msg' ? `event_msg ${head.payloadType}` : String(head.type);
}

/** Codex's usage object (`input_tokens`, ...) when its four counts are whole non-negative safe integers. */
function tokenCountsOf(value: unknown): RawTokenCounts | undefined {
  if (!isObject(value)) return undefined;
  const counts = { input: value.input_tokens, cachedInput: value.cached_input_tokens, output: value.output_tokens, reasoningOutput: value.reasoning_output_tokens };
  return Object.values(counts).every(isCount) ? (counts as RawTokenCounts) : undefined;
}


function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A timestamp as written when it is a valid one, else ''. */
function validTime(value: unknown): string {
  return typeof value === 'string' && Number.isFinite(Date.parse(value)) ? value : '';
}

/** A timestamp as ISO UTC, or '' when it is not one. */
function isoTime(value: unknown): string {
  if (typeof value !== 'string') return '';
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '';
}
