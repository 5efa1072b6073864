import fs from 'node:fs';
import { ACTION, SCHEMA_VERSION, type BeaconEvent } from '../beacon/event.js';
import { maskedValuesPattern } from '../beacon/redact.js';
import { toJsonLine } from '../beacon/sanitize.js';
import { checkRecordStrings, CLEAN } from '../beacon/secret-keywords.js';
import { captureCompanions } from '../handoff/workspace.js';

/** The file calls the writer makes: node:fs by default; a test may fail any of them. */
export interface WriterIo {
  openSync(path: string, flags: string, mode: number): number;
  fstatSync(fd: number): { size: number };
  writeSync(fd: number, buffer: Buffer, offset: number, length: number): number;
  ftruncateSync(fd: number, length: number): void;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
}

export const nodeWriterIo: WriterIo = {
  openSync: (path, flags, mode) => fs.openSync(path, flags, mode),
  fstatSync: (fd) => fs.fstatSync(fd),
  writeSync: (fd, buffer, offset, length) => fs.writeSync(fd, buffer, offset, length),
  ftruncateSync: (fd, length) => fs.ftruncateSync(fd, length),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  closeSync: (fd) => fs.closeSync(fd),
};

/**
 * A file holds bytes past its last whole line that could not be taken back (a failed write, then a
 * failed truncate). Nothing is appended to it until a later truncate succeeds.
 */
export class CaptureDamagedError extends Error {
  constructor(file: string, cause: unknown, failedWrite?: unknown) {
    const why = failedWrite === undefined ? `truncate: ${messageOf(cause)}` : `write: ${messageOf(failedWrite)}; truncate: ${messageOf(cause)}`;
    super(`the capture could not be made whole: ${file} holds bytes past its last whole line that could not be taken back (${why}); nothing is written until it is whole again`, { cause });
    this.name = 'CaptureDamagedError';
  }
}

/** A write after close: refused, never appended. */
export class WriterClosedError extends Error {
  constructor(file: string) {
    super(`the capture writer for ${file} is closed: nothing more is written`);
    this.name = 'WriterClosedError';
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** One append-only file and the size of its last whole line. Opened on first use. */
class LineFile {
  private fd: number | undefined;
  private size = 0;
  /** Set when the file could not be rolled back to `size`, until a truncate succeeds. */
  private hasDamage = false;

  constructor(
    readonly path: string,
    open: boolean,
    private readonly io: WriterIo,
  ) {
    if (open) this.open();
  }

  get damaged(): boolean {
    return this.hasDamage;
  }

  /** Bytes up to its last whole line. */
  get bytes(): number {
    this.open();
    return this.size;
  }

  private open(): number {
    if (this.fd === undefined) {
      const fd = this.io.openSync(this.path, 'a', 0o600);
      try {
        this.size = this.io.fstatSync(fd).size;
      } catch (error) {
        this.io.closeSync(fd);
        throw error;
      }
      this.fd = fd;
    }
    return this.fd;
  }

  /**
   * Tries again to take the file back to its last whole line. Returns when the file is whole;
   * throws a CaptureDamagedError when it still is not.
   */
  repair(): void {
    if (!this.hasDamage) return;
    this.truncate();
  }

  /** Writes all of `buffer[start, end)`; on failure undoes what was written of it and throws. */
  write(buffer: Buffer, start: number, end: number): void {
    // No repair here: the writer's append repairs both files before anything is written.
    const fd = this.open();
    let offset = start;
    try {
      while (offset < end) offset += this.io.writeSync(fd, buffer, offset, end - offset);
    } catch (error) {
      // A failed rollback is the error to report: the file is not whole (see truncate).
      if (offset > start) this.truncate(error);
      throw error;
    }
    this.size += end - start;
  }

  /** Takes back the last `bytes` written (a whole request's part of this file). */
  undo(bytes: number, failedWrite?: unknown): void {
    this.size -= bytes;
    this.truncate(failedWrite);
  }

  /** Back to the last whole line; throws a CaptureDamagedError (and stays damaged) when that fails. */
  private truncate(failedWrite?: unknown): void {
    if (this.fd === undefined) return;
    try {
      this.io.ftruncateSync(this.fd, this.size);
    } catch (error) {
      this.hasDamage = true;
      throw new CaptureDamagedError(this.path, error, failedWrite);
    }
    this.hasDamage = false;
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    try {
      // A last attempt to leave the file whole; if it fails, the damage was already answered 503.
      if (this.hasDamage) {
        try {
          this.truncate();
        } catch {
          // Reported by every request since the damage (503) and in the collector's writeErrors.
        }
      }
      try {
        this.io.fsyncSync(fd);
      } catch {
        // fsync is best effort (not supported everywhere).
      }
    } finally {
      this.fd = undefined;
      this.io.closeSync(fd);
    }
  }
}

/**
 * Whether a capture line is noted as suspect: one of its strings holds a keyword of secretlint's
 * preset or one of the run's secret values (`masks`). `event` as toJsonLine left it, as written.
 */
export function isSuspectLine(event: BeaconEvent, masks: RegExp | undefined): boolean {
  return checkRecordStrings(event, masks, false) !== CLEAN;
}

/** Made-up values in every shape the patterns look for (none of them a real secret). */
const WARM_UP_TEXT = [
  'curl -H "Authorization: Bearer warmup0000000000" https://warm:up000000@example.invalid/ token=warmup00000000',
  'password: "warm up 0000" --api-key warmup0000000000 export AWS_SECRET_ACCESS_KEY=warmup0000000000000000',
  'ghp_warmup00000000000000000000000000000 sk_live_warmup0000000000000 xoxb-warmup-0000000000',
  '-----BEGIN PRIVATE KEY-----\nwarmup\n-----END PRIVATE KEY-----',
].join('\n');

function warmUpEvent(round: number): BeaconEvent {
  const text = `${WARM_UP_TEXT} ${round}`;
  return {
    timestamp: '2026-01-01T00:00:00.000Z',
    vendor: 'beacon',
    product: 'endpoint-agent',
    schema_version: SCHEMA_VERSION,
    event: { kind: 'agent_runtime', action: ACTION.commandExecuted, category: 'command' },
    severity: 'info',
    endpoint: { hostname: 'warm-up', os: 'linux' },
    harness: { name: 'warm-up' },
    tool: { name: 'exec_command', command: JSON.stringify({ cmd: text }) },
    command: { command: text },
    message: text,
    raw: { attributes: { output: text, apiKey: text } },
  } as BeaconEvent;
}

export interface CaptureWriterOptions {
  /** Where the token events go: captureCompanions' `tokenPoints` by default. */
  tokenPath?: string;
  /** Where the suspect lines are noted: captureCompanions' `suspectLines` by default. */
  suspectPath?: string;
  /** The run's own secret values: a line that holds one is noted as suspect. */
  maskValues?: readonly string[];
  io?: WriterIo;
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
 * torn line or part of a request that we did not acknowledge. The capture lines that may hold a
 * secret (beacon/secret-keywords.ts) are noted in a third file, before the lines themselves, so
 * that the post step runs its full scan on those lines only.
 */
export class CaptureWriter {
  private readonly capture: LineFile;
  private readonly tokens: LineFile;
  /** Undefined when the capture held lines before this writer: they were never checked. */
  private readonly suspects: LineFile | undefined;
  private readonly masks: RegExp | undefined;
  private scratch = Buffer.alloc(0);
  private closed = false;
  eventsWritten = 0;
  suspectLines = 0;

  constructor(
    readonly path: string,
    options: CaptureWriterOptions = {},
  ) {
    const companions = captureCompanions(path);
    const io = options.io ?? nodeWriterIo;
    this.tokenPath = options.tokenPath ?? companions.tokenPoints;
    this.masks = maskedValuesPattern(options.maskValues ?? []);
    this.capture = new LineFile(path, true, io);
    // Opened with the first token event: a run without one leaves no empty file behind.
    this.tokens = new LineFile(this.tokenPath, false, io);
    // The notes cover the capture from its first line, or there are none (the post step then checks every line).
    const suspectPath = options.suspectPath ?? companions.suspectLines;
    fs.rmSync(suspectPath, { force: true });
    this.suspects = this.capture.bytes === 0 ? new LineFile(suspectPath, true, io) : undefined;
  }

  readonly tokenPath: string;

  /** True while a file holds bytes of a failed request that could not be taken back. */
  get damaged(): boolean {
    return this.capture.damaged || this.tokens.damaged || (this.suspects?.damaged ?? false);
  }

  /**
   * Throws when the events could not be written; nothing of them stays in either file then, or,
   * when taking them back failed too, a CaptureDamagedError: from then on every call throws one
   * (even with no events), appending nothing, until a retried truncate makes the files whole.
   * After close, every call throws a WriterClosedError.
   */
  append(events: BeaconEvent[]): void {
    if (this.closed) throw new WriterClosedError(this.path);
    // Damaged: try again to take the files back to their last whole line; refuse while that fails.
    this.capture.repair();
    this.tokens.repair();
    this.suspects?.repair();
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
    const suspectStarts: number[] = [];
    if (tokenLines < events.length) {
      for (let i = 0; i < events.length; i++) {
        const event = events[i]!;
        if (event.event.action === ACTION.tokenUsage) continue;
        // toJsonLine left the event as it wrote it: checked as the post step would read it.
        if (this.suspects && isSuspectLine(event, this.masks)) suspectStarts.push(captureEnd);
        captureEnd += buffer.write(lines[i]!, captureEnd);
      }
    }
    let tokenEnd = captureEnd;
    if (tokenLines > 0) {
      for (let i = 0; i < events.length; i++) if (events[i]!.event.action === ACTION.tokenUsage) tokenEnd += buffer.write(lines[i]!, tokenEnd);
    }

    // The notes first: a line on disk that needs a look is always noted (a note whose line never
    // made it only costs the post step a look at whatever line later starts there).
    const noted = this.noteSuspects(suspectStarts);
    try {
      if (captureEnd > 0) this.capture.write(buffer, 0, captureEnd);
    } catch (error) {
      if (noted > 0) this.suspects!.undo(noted, error);
      throw error;
    }
    if (tokenEnd > captureEnd) {
      try {
        this.tokens.write(buffer, captureEnd, tokenEnd);
      } catch (error) {
        // The capture's part of this request was written: take it back too.
        this.capture.undo(captureEnd, error);
        if (noted > 0) this.suspects!.undo(noted, error);
        throw error;
      }
    }
    this.eventsWritten += events.length;
    this.suspectLines += suspectStarts.length;
  }

  /** Appends the capture offsets of this request's suspect lines, one decimal a line; returns the bytes written. */
  private noteSuspects(startsInRequest: number[]): number {
    if (startsInRequest.length === 0) return 0;
    const base = this.capture.bytes;
    const note = Buffer.from(startsInRequest.map((start) => `${base + start}\n`).join(''), 'latin1');
    this.suspects!.write(note, 0, note.length);
    return note.length;
  }

  /**
   * Serializes and checks a made-up event that trips every redaction and keyword pattern, writing
   * nothing: V8 compiles a pattern when it first runs, a few milliseconds for the larger ones, which
   * the first requests would otherwise wait for. Called once the collector listens.
   */
  warmUp(): void {
    for (let round = 0; round < 2; round++) {
      const event = warmUpEvent(round);
      toJsonLine(event);
      isSuspectLine(event, this.masks);
    }
  }

  private bufferFor(bytes: number): Buffer {
    if (bytes <= this.scratch.length) return this.scratch;
    const buffer = Buffer.allocUnsafe(Math.max(bytes, MIN_SCRATCH_BYTES, 2 * this.scratch.length));
    if (bytes <= MAX_KEPT_SCRATCH_BYTES) this.scratch = buffer;
    return buffer;
  }

  /** Flushes and closes both files (a last try to make a damaged one whole); later appends are refused. */
  close(): void {
    this.closed = true;
    try {
      this.capture.close();
    } finally {
      try {
        this.tokens.close();
      } finally {
        this.suspects?.close();
      }
    }
  }
}
