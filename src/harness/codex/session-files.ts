import { constants } from 'node:fs';
import { lstat, open, readdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { SessionFileReader, SessionScan, SessionUsage } from '../sessions.js';
import { CODEX_HARNESS_NAME, CODEX_TOKEN_METRIC } from './name.js';
import { scanLines } from './session-files/lines.js';
import { CodexSessionFile, MAX_RECORD_BYTES } from './session-files/records.js';

/**
 * Codex's session files, `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<local time>-<id>.jsonl`: the
 * token usage of each model response, written as soon as it completes, so it is there even when
 * Codex was killed before it sent its token metric (codex-session-files.md).
 *
 * Files are streamed in fixed chunks; only the few record types that matter are parsed
 * (./session-files/lines.ts, ./session-files/records.ts). Their content (the whole conversation)
 * never leaves this module: only counts, ids, times and file names do.
 *
 * A large file is read as a 'summary': its head up to the session_meta line, then its tail, whose
 * last token_usage_record holds the session's running total (`thread_token_usage`). A file whose
 * tail holds none within TAIL_BYTES, and every small one, is read in full. `readFull` reads one
 * session's file in full when its turns are needed.
 */

const CHUNK_BYTES = 1024 * 1024;
/** A file smaller than this is read in full: its head and tail would be most of it. */
const FULL_READ_BELOW = 1024 * 1024;
/** How much of a large file's end is read for its last token_usage_record, widened in turn while none is found; then the whole file. */
export const TAIL_BYTES = [64 * 1024, 512 * 1024, 4 * 1024 * 1024] as const;
/** Smaller chunks for a file's head and tail, where only a little is read. */
const SMALL_CHUNK_BYTES = 16 * 1024;
/** No following a link swapped in after the walk; no blocking on a FIFO. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

export const codexSessionFiles: SessionFileReader = {
  harnessName: CODEX_HARNESS_NAME,
  usageMetricName: CODEX_TOKEN_METRIC,
  readSessions,
  readFull,
};

/** The buffers a read uses: two chunks for the whole file, two small ones for a head and a tail. */
interface Buffers {
  chunks: readonly [Buffer, Buffer];
  small: readonly [Buffer, Buffer];
}

/**
 * One set of buffers, lent to one read at a time and kept for the next (the scan, then each
 * `readFull`): a post step reads files in turn, so it holds one set, not one a read.
 */
let spareBuffers: Buffers | undefined;

async function withBuffers<T>(use: (buffers: Buffers) => Promise<T>): Promise<T> {
  const buffers = spareBuffers ?? {
    // Two of each, for reading the next chunk of a file while one is scanned (./session-files/lines.ts).
    chunks: [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)],
    small: [Buffer.allocUnsafe(SMALL_CHUNK_BYTES), Buffer.allocUnsafe(SMALL_CHUNK_BYTES)],
  };
  spareBuffers = undefined;
  try {
    return await use(buffers);
  } finally {
    spareBuffers = buffers;
  }
}

interface FoundFile {
  /** Path under the sessions folder, with `/`. */
  relative: string;
  mtimeMs: number;
}

async function readSessions({ home, since }: { home: string; since: Date }): Promise<SessionScan> {
  const root = path.join(home, 'sessions');
  const scan: SessionScan = { sessions: [], olderFilesSkipped: 0, unreadable: [] };
  const files = await findSessionFiles(root, scan.unreadable);
  const sinceMs = since.getTime();
  await withBuffers(async (buffers) => {
    for (const file of files) {
      if (file.mtimeMs < sinceMs) {
        scan.olderFilesSkipped++; // not opened
        continue;
      }
      const outcome = await readSessionFile(root, file.relative, sinceMs, buffers, 'summary');
      if ('session' in outcome) scan.sessions.push(outcome.session);
      else if ('older' in outcome) scan.olderFilesSkipped++;
      else scan.unreadable.push({ file: file.relative, reason: outcome.unreadable });
    }
  });
  scan.sessions.sort((a, b) => compareText(a.startedAt, b.startedAt) || compareText(a.file, b.file));
  return scan;
}

async function readFull(home: string, session: SessionUsage): Promise<SessionUsage> {
  if (session.detail === 'full') return session;
  const outcome = await withBuffers((buffers) => readSessionFile(path.join(home, 'sessions'), session.relativePath, -Infinity, buffers, 'full')).catch((error: unknown) => ({ unreadable: `cannot be read (${errorCode(error)})` }));
  if ('session' in outcome) return outcome.session;
  const reason = 'unreadable' in outcome ? outcome.unreadable : 'it began before the start step';
  return { ...session, problems: [...session.problems, `could not be read again in full: ${reason}`] };
}

/**
 * Every `*.jsonl` below the sessions folder, in name order, without following links. Entries so
 * named that are not regular files, and folders that cannot be listed, go to `unreadable`.
 */
async function findSessionFiles(root: string, unreadable: SessionScan['unreadable']): Promise<FoundFile[]> {
  const found: FoundFile[] = [];
  const rootStat = await lstat(root).catch((error: unknown) => error as Error);
  if (rootStat instanceof Error) {
    // No sessions folder: Codex never ran with this home.
    if (!isMissing(rootStat)) unreadable.push({ file: '.', reason: `the sessions folder cannot be examined (${errorCode(rootStat)})` });
    return found;
  }
  if (rootStat.isSymbolicLink()) {
    unreadable.push({ file: '.', reason: 'the sessions folder is a symbolic link, not followed' });
    return found;
  }
  const walk = async (relative: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(path.join(root, relative));
    } catch (error) {
      unreadable.push({ file: relative || '.', reason: `the folder cannot be listed (${errorCode(error)})` });
      return;
    }
    for (const name of names.sort(compareText)) {
      const child = relative ? `${relative}/${name}` : name;
      const isSessionFile = name.endsWith('.jsonl');
      let stat;
      try {
        stat = await lstat(path.join(root, child));
      } catch (error) {
        if (isSessionFile) unreadable.push({ file: child, reason: `cannot be examined (${errorCode(error)})` });
        continue;
      }
      if (stat.isDirectory() && !isSessionFile) await walk(child);
      else if (!isSessionFile) continue;
      else if (stat.isFile()) found.push({ relative: child, mtimeMs: stat.mtimeMs });
      else unreadable.push({ file: child, reason: `not a regular file (${stat.isDirectory() ? 'a folder' : stat.isSymbolicLink() ? 'a symbolic link, not followed' : 'a device, FIFO or socket'})` });
    }
  };
  await walk('');
  return found;
}

type FileOutcome = { session: SessionUsage } | { older: true } | { unreadable: string };

async function readSessionFile(root: string, relative: string, sinceMs: number, buffers: Buffers, detail: 'summary' | 'full'): Promise<FileOutcome> {
  let handle: FileHandle;
  try {
    handle = await open(path.join(root, relative), OPEN_FLAGS);
  } catch (error) {
    return { unreadable: `cannot be opened (${errorCode(error)})` };
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return { unreadable: 'not a regular file' };
    const fileName = path.posix.basename(relative);
    if (detail === 'summary' && stat.size >= FULL_READ_BELOW) {
      const outcome = await readSummary(handle, stat.size, new CodexSessionFile(fileName, relative, sinceMs), buffers.small);
      if (outcome) return outcome;
    }
    return await readLines(handle, new CodexSessionFile(fileName, relative, sinceMs), buffers.chunks);
  } finally {
    await handle.close();
  }
}

/** The whole file, line by line. */
async function readLines(handle: FileHandle, session: CodexSessionFile, chunks: readonly [Buffer, Buffer]): Promise<FileOutcome> {
  try {
    for await (const lines of scanLines(handle, { chunks, maxLineBytes: MAX_RECORD_BYTES, want: (head) => session.want(head) })) {
      for (const line of lines) if (session.take(line) === 'older') return { older: true };
    }
  } catch (error) {
    if (!session.hasSessionMeta) return { unreadable: `cannot be read (${errorCode(error)})` };
    session.readFailed(errorCode(error));
  }
  return session.result();
}

/**
 * The head up to the session_meta line, then the tail (widened in turn) up to the end: the
 * session as a 'summary', or undefined when the whole file must be read instead (no session_meta
 * at the head, no token_usage_record with a running total in the widest tail, a read error).
 */
async function readSummary(handle: FileHandle, size: number, head: CodexSessionFile, chunks: readonly [Buffer, Buffer]): Promise<FileOutcome | undefined> {
  try {
    scan: for await (const lines of scanLines(handle, { chunks, maxLineBytes: MAX_RECORD_BYTES, want: (line) => head.want(line) })) {
      for (const line of lines) {
        if (head.take(line) === 'older') return { older: true };
        if (head.hasSessionMeta) break scan;
      }
    }
    if (!head.hasSessionMeta) return undefined;
    for (const tailBytes of TAIL_BYTES) {
      if (tailBytes >= size) break;
      const tail = head.forTail();
      for await (const lines of scanLines(handle, { chunks, maxLineBytes: MAX_RECORD_BYTES, want: (line) => tail.want(line), start: size - tailBytes })) {
        for (const line of lines) tail.take(line);
      }
      if (tail.hasThreadTotal) return tail.result();
    }
  } catch {
    // The full read names the error.
  }
  return undefined;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
