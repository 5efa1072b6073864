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
 */

const CHUNK_BYTES = 1024 * 1024;
/** No following a link swapped in after the walk; no blocking on a FIFO. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

export const codexSessionFiles: SessionFileReader = {
  harnessName: CODEX_HARNESS_NAME,
  usageMetricName: CODEX_TOKEN_METRIC,
  readSessions,
};

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
  // Two, for reading the next chunk of a file while one is scanned (./session-files/lines.ts).
  const chunks = [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)] as const;
  for (const file of files) {
    if (file.mtimeMs < sinceMs) {
      scan.olderFilesSkipped++; // not opened
      continue;
    }
    const outcome = await readSessionFile(path.join(root, file.relative), path.posix.basename(file.relative), sinceMs, chunks);
    if ('session' in outcome) scan.sessions.push(outcome.session);
    else if ('older' in outcome) scan.olderFilesSkipped++;
    else scan.unreadable.push({ file: file.relative, reason: outcome.unreadable });
  }
  scan.sessions.sort((a, b) => compareText(a.startedAt, b.startedAt) || compareText(a.file, b.file));
  return scan;
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

async function readSessionFile(fullPath: string, fileName: string, sinceMs: number, chunks: readonly [Buffer, Buffer]): Promise<FileOutcome> {
  let handle: FileHandle;
  try {
    handle = await open(fullPath, OPEN_FLAGS);
  } catch (error) {
    return { unreadable: `cannot be opened (${errorCode(error)})` };
  }
  try {
    if (!(await handle.stat()).isFile()) return { unreadable: 'not a regular file' };
    const session = new CodexSessionFile(fileName, sinceMs);
    try {
      for await (const lines of scanLines(handle, { chunks, maxLineBytes: MAX_RECORD_BYTES, want: (head) => session.want(head) })) {
        for (const line of lines) if (session.take(line) === 'older') return { older: true };
      }
    } catch (error) {
      if (!session.hasSessionMeta) return { unreadable: `cannot be read (${errorCode(error)})` };
      session.readFailed(errorCode(error));
    }
    return session.result();
  } finally {
    await handle.close();
  }
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
