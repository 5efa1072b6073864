import fs from 'node:fs';
import { ACTION, type BeaconEvent } from '../beacon/event.js';
import { toJsonLine } from '../beacon/sanitize.js';
import { captureCompanions } from '../handoff/workspace.js';

/** One append-only file and the size of its last whole line. Opened on first use. */
class LineFile {
  private fd: number | undefined;
  private size = 0;

  constructor(
    readonly path: string,
    open: boolean,
  ) {
    if (open) this.open();
  }

  private open(): number {
    if (this.fd === undefined) {
      const fd = fs.openSync(this.path, 'a', 0o600);
      this.size = fs.fstatSync(fd).size;
      this.fd = fd;
    }
    return this.fd;
  }

  /** Writes all of `buffer[start, end)`; on failure undoes what was written of it and throws. */
  write(buffer: Buffer, start: number, end: number): void {
    const fd = this.open();
    let offset = start;
    try {
      while (offset < end) offset += fs.writeSync(fd, buffer, offset, end - offset);
    } catch (error) {
      if (offset > start) this.truncate();
      throw error;
    }
    this.size += end - start;
  }

  /** Takes back the last `bytes` written (a whole request's part of this file). */
  undo(bytes: number): void {
    this.size -= bytes;
    this.truncate();
  }

  /** Back to the last whole line. */
  private truncate(): void {
    if (this.fd === undefined) return;
    try {
      fs.ftruncateSync(this.fd, this.size);
    } catch {
      // The file may be gone or read-only: nothing more to undo.
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      fs.fsyncSync(this.fd);
    } catch {
      // fsync is best effort (not supported everywhere).
    }
    fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/** The smallest scratch buffer allocated (a request's lines are encoded into it, reused). */
const MIN_SCRATCH_BYTES = 64 << 10;
/** Larger scratch buffers are used once and let go, so that one huge request does not pin memory. */
const MAX_KEPT_SCRATCH_BYTES = 8 << 20;
/** UTF-8 bytes per UTF-16 code unit, at most (a surrogate pair: 4 bytes for 2 units). */
const MAX_UTF8_PER_UNIT = 3;

/**
 * Appends the events of one request synchronously, so that the request is acknowledged only once
 * its events are on disk. `token.usage` events go to a file of their own beside the capture (see
 * `captureCompanions`), every other event to the capture. A request is all or nothing across both
 * files: a failed or short write rolls both back to their last whole line, so neither ever holds a
 * torn line or part of a request that we did not acknowledge.
 */
export class CaptureWriter {
  private readonly capture: LineFile;
  private readonly tokens: LineFile;
  private scratch = Buffer.alloc(0);
  eventsWritten = 0;

  constructor(
    readonly path: string,
    readonly tokenPath = captureCompanions(path).tokenPoints,
  ) {
    this.capture = new LineFile(path, true);
    // Opened with the first token event: a run without one leaves no empty file behind.
    this.tokens = new LineFile(tokenPath, false);
  }

  /** Throws when the events could not be written; nothing of them stays in either file then. */
  append(events: BeaconEvent[]): void {
    if (events.length === 0) return;
    // Encode every line straight into one reused buffer: no Buffer per line, no concat, and no
    // fresh pages to fault in (the lines' strings are serialized once, then written once).
    const lines = new Array<string>(events.length);
    let units = 0;
    let tokenLines = 0;
    for (let i = 0; i < events.length; i++) {
      const line = toJsonLine(events[i]!);
      lines[i] = line;
      units += line.length;
      if (events[i]!.event.action === ACTION.tokenUsage) tokenLines += 1;
    }
    const buffer = this.bufferFor(units * MAX_UTF8_PER_UNIT);
    // Capture lines from the front, token lines after them, each in request order.
    let captureEnd = 0;
    if (tokenLines < events.length) {
      for (let i = 0; i < events.length; i++) if (events[i]!.event.action !== ACTION.tokenUsage) captureEnd += buffer.write(lines[i]!, captureEnd);
    }
    let tokenEnd = captureEnd;
    if (tokenLines > 0) {
      for (let i = 0; i < events.length; i++) if (events[i]!.event.action === ACTION.tokenUsage) tokenEnd += buffer.write(lines[i]!, tokenEnd);
    }

    if (captureEnd > 0) this.capture.write(buffer, 0, captureEnd);
    if (tokenEnd > captureEnd) {
      try {
        this.tokens.write(buffer, captureEnd, tokenEnd);
      } catch (error) {
        // The capture's part of this request was written: take it back too.
        this.capture.undo(captureEnd);
        throw error;
      }
    }
    this.eventsWritten += events.length;
  }

  private bufferFor(bytes: number): Buffer {
    if (bytes <= this.scratch.length) return this.scratch;
    const buffer = Buffer.allocUnsafe(Math.max(bytes, MIN_SCRATCH_BYTES, 2 * this.scratch.length));
    if (bytes <= MAX_KEPT_SCRATCH_BYTES) this.scratch = buffer;
    return buffer;
  }

  close(): void {
    this.capture.close();
    this.tokens.close();
  }
}
