import { codexSessionFiles } from './codex/session-files.js';

/**
 * What a harness wrote to its own session files, read back after the run: the token usage of
 * every model response, which survives a cancelled or killed run that never sent its token metric
 * (codex-session-files.md). Kept apart from `./harness.ts` and `./index.ts`, which are bundled into
 * the collector: only the post step reads session files.
 *
 * Session files hold the whole conversation, unredacted: a reader returns numbers, ids and file
 * names, never their content.
 */

/** Token counts of the harness's own kind: input includes cached input, output includes reasoning (like Codex's metric). */
export interface RawTokenCounts {
  input: number;
  cachedInput: number;
  output: number;
  reasoningOutput: number;
}

export interface SessionTurnUsage {
  /** '' when the record names none. */
  turnId: string;
  /** The turn's model from turn_context; '' when unknown. */
  model: string;
  /** Summed over the turn's responses. */
  usage: RawTokenCounts;
  /** Responses counted. */
  responses: number;
  /** At most 20 kept (the rest only counted in `responses`); none when the usage came from token_count events. */
  responseIds: string[];
  /** ISO UTC timestamps of the turn's first and last usage record. */
  firstAt: string;
  lastAt: string;
}

export interface SessionUsage {
  /** session_meta payload.id; else the id in the file name. */
  sessionId: string;
  /** The file's base name (never print or upload its content). */
  file: string;
  /** Its path under the harness's sessions folder, with `/` (for reading it again). */
  relativePath: string;
  /** session_meta's timestamp (ISO UTC). */
  startedAt: string;
  /** Timestamp of the last line read (ISO UTC; '' when no line had one). */
  lastRecordAt: string;
  /** session_meta cli_version. */
  harnessVersion?: string;
  /** session_meta originator. */
  originator?: string;
  /** Where the usage came from: per-response records, token_count events (older versions), or nothing usable. */
  usageSource: 'token_usage_record' | 'token_count' | 'none';
  /**
   * 'full': every line was read, `turns` holds the usage turn by turn. 'summary': only the file's
   * head and tail were read (a large file): `turns` is empty and `thread` is the session's total
   * as its last usage record states it; `readFull` gives the turns.
   */
  detail: 'summary' | 'full';
  /** The session's usage in all (for 'full', the sum of `turns`). */
  thread: RawTokenCounts;
  /** 'summary' only: the model of the latest turn found in the tail, when one was (a session may have used others before). */
  model?: string;
  /** In file order, one per (turn id, model); empty for a 'summary'. */
  turns: SessionTurnUsage[];
  /** E.g. 'torn last line (1)': each kind once, with a count. */
  problems: string[];
}

export interface SessionScan {
  /** Sorted by startedAt. */
  sessions: SessionUsage[];
  /** Session files that began before `since` (earlier jobs on a reused CODEX_HOME): left out, never read past their first line. */
  olderFilesSkipped: number;
  /** Files that could not be read at all, or held no session_meta: named (by their path under the sessions folder), never guessed. */
  unreadable: { file: string; reason: string }[];
}

export interface SessionFileReader {
  /** `harness.name`, e.g. 'codex_cli'. */
  readonly harnessName: string;
  /** The harness's own token metric, whose usage the session files hold too (e.g. 'codex.turn.token_usage'). */
  readonly usageMetricName: string;
  /** Every session, a large file read as a 'summary' (its head and tail) when it allows. */
  readSessions(options: { home: string; since: Date }): Promise<SessionScan>;
  /** One session read again in full (`detail: 'full'`, turns filled); when it cannot be, the session as given with a problem added. */
  readFull(home: string, session: SessionUsage): Promise<SessionUsage>;
}

/** The harnesses whose session files we can read. A second harness is one more entry. */
const READERS: SessionFileReader[] = [codexSessionFiles];

export function sessionReaderFor(harnessName: string): SessionFileReader | undefined {
  return READERS.find((reader) => reader.harnessName === harnessName);
}
