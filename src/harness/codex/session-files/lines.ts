import type { FileHandle } from 'node:fs/promises';
import { LineHeadScanner, NEWLINE, type LineHead } from './line-head.js';

/**
 * Reads a JSON-lines file in fixed chunks and says, for each line, what kind of record it is
 * without turning the line into a string: a byte scanner reads the top-level `"type"` (and
 * `"payload"."type"`, and `"timestamp"`) from the line's start, wherever in the object those keys
 * stand. Only the lines the caller wants are kept (up to `maxLineBytes`) and returned as text; the
 * rest are passed over up to their newline (a native search), whatever their length, so memory
 * stays at one chunk plus one wanted line.
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
  /** Reused for every read; its length is the chunk size. */
  chunk: Buffer;
  maxLineBytes: number;
  /** Asked each time the head learns more: true keeps the line, false passes it over, undefined: not yet known. */
  want(head: LineHead): boolean | undefined;
}

/** The lines of an open file, in order; breaking out of the loop stops reading. */
export async function* scanLines(handle: FileHandle, options: LineScanOptions): AsyncGenerator<ScannedLine> {
  const { chunk, maxLineBytes, want } = options;
  let position = 0;
  let lineStart = 0;
  let scanner = new LineHeadScanner();
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

  for (;;) {
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
    if (bytesRead === 0) break;
    const data = chunk.subarray(0, bytesRead);
    let at = 0;
    let pieceStart = 0;
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
      if (scanner.sawContent) yield { head: scanner.head, wanted: decision === true, text, tooLong: decision === true && tooLong, terminated: true, complete: true };
      at = pieceStart = newline + 1;
      lineStart = position + at;
      scanner = new LineHeadScanner();
      decision = undefined;
      parts = [];
      size = 0;
      tooLong = false;
    }
    // The rest of the chunk belongs to a line that goes on: copied, since the chunk is reused.
    if (pieceStart < bytesRead && decision !== false && !tooLong) keep(Buffer.from(data.subarray(pieceStart, bytesRead)));
    position += bytesRead;
  }

  if (lineStart >= position) return;
  // A last line with no newline: whole, or torn by a writer that stopped mid-line.
  const complete = await isWholeObject(handle, chunk, lineStart, position);
  if (!complete && !scanner.sawContent) return; // white space only
  decision ??= want(scanner.head) ?? false;
  const wanted = decision === true;
  const text = wanted && !tooLong ? Buffer.concat(parts).toString('utf8') : undefined;
  yield { head: scanner.head, wanted, text, tooLong: wanted && tooLong, terminated: false, complete };
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
