import type { FileHandle } from 'node:fs/promises';
import { CAPTURE_LIMIT, LineHeadScanner, NEWLINE, type LineHead } from './line-head.js';

/**
 * Reads a JSON-lines file in fixed chunks and says, for each line, what kind of record it is
 * without turning the line into a string: a byte scanner reads the top-level `"type"` (and
 * `"payload"."type"`, and `"timestamp"`) from the line's start, wherever in the object those keys
 * stand. Only the lines the caller wants are kept (up to `maxLineBytes`) and returned as text; the
 * rest are passed over up to their newline (a native search), whatever their length, so memory
 * stays at two chunks (the one scanned and the next, read meanwhile) plus one wanted line.
 */

export interface ScannedLine {
  head: LineHead;
  /** Whether the caller wanted the line (`want` said true). */
  wanted: boolean;
  /** A wanted line's text, when it is at most `maxLineBytes` long. */
  text?: string;
  /** A wanted line longer than `maxLineBytes`: passed over unread. */
  tooLong: boolean;
  /** False for a last line with no newline after it. */
  terminated: boolean;
  /** For a line that is not terminated: whether it is still one whole JSON object (else torn). */
  complete: boolean;
}

export interface LineScanOptions {
  /** Two buffers of one length (the chunk size), reused for every read in turns: one is scanned while the next chunk is read into the other. */
  chunks: readonly [Buffer, Buffer];
  maxLineBytes: number;
  /** Asked each time the head learns more: true keeps the line, false passes it over, undefined: not yet known. */
  want(head: LineHead): boolean | undefined;
  /** Read from this byte on (default 0): the lines that begin at or after it; the end of a line it falls in is passed over. */
  start?: number;
}

/**
 * The lines of an open file, in order, in batches: the lines that end in one chunk, so that the
 * caller's loop awaits once a chunk, not once a line. `want` is asked while a chunk is scanned,
 * before the caller sees that chunk's lines. Breaking out of the loop stops reading.
 */
export async function* scanLines(handle: FileHandle, options: LineScanOptions): AsyncGenerator<ScannedLine[]> {
  const { chunks, maxLineBytes, want } = options;
  // From a byte within the file, the line that byte `start - 1` belongs to is passed over (up to its newline).
  let position = Math.max(0, (options.start ?? 0) - 1);
  let lineStart = position;
  let skipping = position > 0;
  const captured = Buffer.alloc(CAPTURE_LIMIT); // one for the scanners of all the lines
  let scanner = new LineHeadScanner(captured);
  let decision: boolean | undefined;
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;

  const decide = () => {
    if (decision !== undefined || !scanner.changed) return;
    scanner.changed = false;
    decision = want(scanner.head) ?? (scanner.ended ? false : undefined);
    if (decision === false) parts = [];
  };
  /** Keeps a piece of a line that may be wanted, up to the limit. */
  const keep = (piece: Buffer) => {
    if (decision === false || tooLong) return;
    size += piece.length;
    if (size > maxLineBytes) {
      tooLong = true;
      parts = [];
    } else parts.push(piece);
  };
  const readInto = (buffer: Buffer, from: number) => {
    const read = handle.read(buffer, 0, buffer.length, from);
    read.catch(() => undefined); // not an unhandled rejection while it waits: its error is thrown where it is awaited
    return read;
  };

  let current = 0;
  let reading = readInto(chunks[0], position);
  try {
    for (;;) {
      const { bytesRead } = await reading;
      if (bytesRead === 0) break;
      const data = chunks[current]!.subarray(0, bytesRead);
      // The next chunk is read into the other buffer (on libuv's threads) while this one is scanned.
      current ^= 1;
      reading = readInto(chunks[current]!, position + bytesRead);
      const lines: ScannedLine[] = [];
      let at = 0;
      let pieceStart = 0;
      if (skipping) {
        const newline = data.indexOf(NEWLINE);
        if (newline < 0) {
          position += bytesRead;
          lineStart = position;
          continue;
        }
        skipping = false;
        at = pieceStart = newline + 1;
        lineStart = position + at;
      }
      while (at < bytesRead) {
        let newline: number;
        if (decision === undefined) {
          at = scanner.feed(data, at, bytesRead);
          decide();
          if (at >= bytesRead || data[at] !== NEWLINE) continue;
          newline = at;
        } else {
          newline = data.indexOf(NEWLINE, at);
          if (newline < 0) break;
        }
        let text: string | undefined;
        if (decision === true) {
          keep(data.subarray(pieceStart, newline));
          if (!tooLong) text = parts.length === 1 ? parts[0]!.toString('utf8') : Buffer.concat(parts).toString('utf8');
        }
        if (scanner.sawContent) lines.push({ head: scanner.head, wanted: decision === true, text, tooLong: decision === true && tooLong, terminated: true, complete: true });
        at = pieceStart = newline + 1;
        lineStart = position + at;
        scanner = new LineHeadScanner(captured);
        decision = undefined;
        parts = [];
        size = 0;
        tooLong = false;
      }
      // The rest of the chunk belongs to a line that goes on: copied, since the chunk is reused.
      if (pieceStart < bytesRead && decision !== false && !tooLong) keep(Buffer.from(data.subarray(pieceStart, bytesRead)));
      position += bytesRead;
      if (lines.length > 0) yield lines;
    }
  } finally {
    // Left early, or stopped on an error: the read ahead must end before the caller closes the handle.
    await reading.catch(() => undefined);
  }

  if (lineStart >= position) return;
  // A last line with no newline: whole, or torn by a writer that stopped mid-line.
  const complete = await isWholeObject(handle, chunks[0], lineStart, position);
  if (!complete && !scanner.sawContent) return; // white space only
  decision ??= want(scanner.head) ?? false;
  const wanted = decision === true;
  const text = wanted && !tooLong ? Buffer.concat(parts).toString('utf8') : undefined;
  yield [{ head: scanner.head, wanted, text, tooLong: wanted && tooLong, terminated: false, complete }];
}

/** Whether the bytes [start, end) of the file hold exactly one whole JSON object (structurally), read again in chunks. */
async function isWholeObject(handle: FileHandle, chunk: Buffer, start: number, end: number): Promise<boolean> {
  const scanner = new LineHeadScanner();
  for (let position = start; position < end; ) {
    const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, end - position), position);
    if (bytesRead === 0) break;
    for (let at = 0; at < bytesRead; ) {
      at = scanner.feed(chunk, at, bytesRead);
      if (chunk[at] === NEWLINE && at < bytesRead) return false; // the file changed under us
    }
    position += bytesRead;
  }
  return scanner.ended && !scanner.head.notObject && !scanner.trailing;
}
