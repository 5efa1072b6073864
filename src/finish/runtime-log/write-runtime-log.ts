import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { isUtf8 } from 'node:buffer';
import { ACTION } from '../../beacon/event.js';
import { leaveOutUnwritableIntegers } from '../../beacon/integers.js';
import { captureCompanions } from '../../handoff/workspace.js';
import { copyPrefix, openIfPresent, restoreLinkedCapture, type LinkRecord } from './capture-link.js';
import { isObject } from '../../beacon/json-object.js';
import { eventProblem } from './event-check.js';
import { LogReadCounter, type LogReadStats } from './log-stats.js';
import { LogSink } from './log-sink.js';
import { MetricExportTally, type MetricExportUsage } from './metric-exports.js';
import { CumulativeSeries, normalizeExport, tokenPointOf, type TokenPoint } from './normalize-tokens.js';
import { CLEAN, MASKED, SecretScanner, SUSPECT } from './secret-scan.js';
import { CHECK_EVERY_LINE, readSuspectLines, type SuspectLines } from './suspect-lines.js';

/**
 * The runtime log, made from what the collector wrote: its capture (every event but the token
 * events) and its token file. Two stages, so that what comes between them (reading the harness's
 * session files, pairing them with the metric) can decide what the token events say:
 *
 * 1. `writeCapture`: the capture becomes the runtime log, itself (a hard link, nothing copied)
 *    when every line of it is fine, else a copy of its valid lines. The token events are
 *    normalized per export request and put aside (a private spool file), and each export's usage
 *    per model is summed for the pairing.
 * 2. `appendTokenEvents`: the token events follow the capture, each with its session when the
 *    caller knows it, then the caller's own token events (usage recovered from session files).
 *
 * Memory stays bounded whatever the log size: files are read in fixed chunks and only the current
 * export request's token lines are held. Every event written is handed to `onEvent` in order.
 *
 * The capture's events are scanned for secrets the collector's rules missed (./secret-scan.ts): a
 * line with one is rewritten with it redacted, so the log is then a copy from that line on. Only
 * the lines the collector noted as suspect are scanned, when its notes are there (./suspect-lines.ts).
 */

export interface RuntimeLogOptions {
  capturePath: string;
  logPath: string;
  /** The collector's token events; by default beside the capture (`captureCompanions`). */
  tokenPath?: string;
  /**
   * False when the collector may still be writing (it could not be stopped): the log is then a
   * copy of what was read, never the capture file itself. Default true.
   */
  linkCapture?: boolean;
  /** Read size; also the longest line accepted (events are at most 64 KiB by contract). */
  chunkBytes?: number;
  /** Lines of one export request held for pairing before they are written regardless. */
  maxExportLines?: number;
  /** Every event written to the log, in order (token events with their normalized usage). */
  onEvent?: (event: Record<string, any>) => void;
  /** Each token event as written (normalized usage set), e.g. for forwarding. */
  onTokenEvent?: (event: Record<string, any>) => void;
  /** The second net for secrets in the capture's events; by default the full rule set without exact values. */
  secretScan?: SecretScanner;
}

/** How the runtime log was made: the capture itself (hard link) plus the token events, or a copy. */
export type LogMaking = 'linked' | 'copied' | 'empty';

export interface TokenTail {
  /** The session of an export request's token events, when the caller paired it with one. */
  sessionOfExport?: (exportSeq: number) => string | undefined;
  /** More token events, already normalized (usage recovered from elsewhere), written last. */
  extraEvents?: Iterable<Record<string, any>>;
}

const DEFAULT_CHUNK_BYTES = 1 << 20;
const DEFAULT_MAX_EXPORT_LINES = 10_000;
const MAX_EXPORT_BYTES = 16 << 20;
const NEWLINE = 0x0a;
const FLUSH_EVERY_EVENTS = 512;

type Json = Record<string, any>;

/** One line held with its export request until the request's token points can be normalized. */
interface HeldLine {
  tokenEvent: Json;
  point?: TokenPoint;
}

/** Stage one and two of one runtime log (see the file comment). */
export class RuntimeLogWriter {
  private readonly capturePath: string;
  private readonly logPath: string;
  private readonly tokenPath: string;
  private readonly linkRecordPath: string;
  private readonly suspectLinesPath: string;
  private readonly spoolPath: string;
  private readonly chunkBytes: number;
  private readonly maxExportLines: number;
  private readonly counter = new LogReadCounter();
  private readonly series = new CumulativeSeries();
  private readonly exports = new MetricExportTally();
  private readonly scanner: SecretScanner;
  /** A line held for the full scan (async), parsed: see `checkLine` and `copyLine`. */
  private suspect: Json | undefined;
  /** Which lines of the file being read get the secret check: the capture's suspect lines, or all. */
  private suspectLines: SuspectLines = CHECK_EVERY_LINE;
  /** The file offset of the read buffer's first byte (readLines). */
  private bufferOffset = 0;

  private input: fs.promises.FileHandle | undefined;
  private tokenInput: fs.promises.FileHandle | undefined;
  private output: fs.promises.FileHandle | undefined;
  private sink: LogSink | undefined;
  private spool: fs.promises.FileHandle | undefined;
  private spoolSink: LogSink | undefined;
  private making: LogMaking = 'copied';
  /** While linking, lines are only checked and counted: nothing is written until a line needs the copy. */
  private linking = false;

  private held: HeldLine[] = [];
  private heldBytes = 0;
  private heldSeq: unknown;
  /** The export already counted as oversized: one count per export, however many releases. */
  private oversizedSeq: unknown = Symbol('none');

  private tokenEventsAppended = 0;
  private lineNumber = 0;
  /** Said of a malformed line of the token file, after its reason (its line numbers are its own). */
  private whichFile = '';
  /**
   * Whether the current chunk's whole lines are valid UTF-8 (checked once per chunk: a newline
   * never falls inside a multi-byte sequence, so the lines of a valid chunk are valid too).
   */
  private chunkIsUtf8 = true;
  /** Two read buffers in turn: one is parsed while the other's output may still be being written. */
  private readonly buffers: Buffer[];

  constructor(private readonly options: RuntimeLogOptions) {
    this.capturePath = options.capturePath;
    this.logPath = options.logPath;
    if (path.resolve(this.capturePath) === path.resolve(this.logPath)) throw new Error('the runtime log must not overwrite the capture it is made from');
    const companions = captureCompanions(this.capturePath);
    this.tokenPath = options.tokenPath ?? companions.tokenPoints;
    this.linkRecordPath = companions.captureLink;
    this.suspectLinesPath = companions.suspectLines;
    this.spoolPath = `${this.logPath}.tokens-pending`;
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    this.maxExportLines = options.maxExportLines ?? DEFAULT_MAX_EXPORT_LINES;
    this.scanner = options.secretScan ?? new SecretScanner();
    // Each has room for a carried partial line (< chunkBytes) plus one full read.
    this.buffers = [Buffer.allocUnsafe(this.chunkBytes * 2), Buffer.allocUnsafe(this.chunkBytes * 2)];
  }

  /** What writing saw of the lines so far. */
  get stats(): LogReadStats {
    return this.counter.snapshot();
  }

  get log(): LogMaking {
    return this.making;
  }

  /** The usage per model of each metric export request whose token events were put aside. */
  get metricExports(): MetricExportUsage[] {
    return this.exports.list();
  }

  /** True when some token points could not be told apart by export request. */
  get metricExportsIncomplete(): boolean {
    return this.exports.overflowed;
  }

  /** Stage one: the capture becomes the runtime log; the token events are normalized and put aside. */
  async writeCapture(): Promise<void> {
    this.prepareOutput();
    await this.openInputs();
    try {
      if (!this.input && !this.tokenInput) return this.writeEmptyLog();
      this.linking = this.input !== undefined && this.options.linkCapture !== false;
      if (!this.linking) await this.startOutput('w');
      await this.startSpool();
      if (this.input) {
        const captureBytes = await this.readLines(this.input);
        await this.settleCapture(captureBytes);
      }
      this.releaseHeld();
      if (this.tokenInput) await this.readTokenFile(this.tokenInput);
      this.releaseHeld();
      await this.sink!.drain();
      await this.spoolSink!.drain();
    } catch (error) {
      await this.close();
      throw error;
    } finally {
      await this.input?.close();
      await this.tokenInput?.close();
      this.input = this.tokenInput = undefined;
    }
  }

  /** Stage two: the token events put aside (with their sessions), then the caller's own. */
  async appendTokenEvents(tail: TokenTail = {}): Promise<void> {
    try {
      // After an empty log (no capture, no token file) there may still be events to append.
      if (!this.sink) await this.startOutput('a');
      if (this.spool) {
        await this.spool.close();
        this.spool = undefined;
        for await (const line of readline.createInterface({ input: fs.createReadStream(this.spoolPath, 'utf8'), crlfDelay: Infinity })) {
          if (line === '') continue;
          const event = JSON.parse(line) as Json;
          const exportSeq = isObject(event.raw) ? event.raw.export_seq : undefined;
          const sessionId = typeof exportSeq === 'number' ? tail.sessionOfExport?.(exportSeq) : undefined;
          await this.writeTokenEvent(sessionId ? { ...event, session: { id: sessionId } } : event);
        }
      }
      for (const event of tail.extraEvents ?? []) await this.writeTokenEvent(event);
      await this.sink?.drain();
    } finally {
      await this.close();
    }
  }

  private async writeTokenEvent(event: Json): Promise<void> {
    this.options.onEvent?.(event);
    this.options.onTokenEvent?.(event);
    this.sink!.text(JSON.stringify(event) + '\n');
    // Bounded memory: the text written so far goes out every so many events.
    if (++this.tokenEventsAppended % FLUSH_EVERY_EVENTS === 0) await this.sink!.flush();
  }

  private async close(): Promise<void> {
    await this.spool?.close();
    await this.output?.close();
    this.spool = this.output = undefined;
    fs.rmSync(this.spoolPath, { force: true });
  }

  // ---- stage one, step by step ----

  /** A previous pass may have linked the capture and appended to it: undo that, start afresh. */
  private prepareOutput(): void {
    fs.mkdirSync(path.dirname(path.resolve(this.logPath)), { recursive: true });
    restoreLinkedCapture(this.capturePath, this.linkRecordPath);
    // The log of a previous pass may be a link to the capture: writing through it would change the capture.
    fs.rmSync(this.logPath, { force: true });
    fs.rmSync(this.spoolPath, { force: true });
  }

  private async openInputs(): Promise<void> {
    this.input = await openIfPresent(this.capturePath);
    try {
      if (this.input) this.suspectLines = await readSuspectLines(this.input, this.suspectLinesPath);
      this.tokenInput = await openIfPresent(this.tokenPath);
    } catch (error) {
      await this.input?.close();
      throw error;
    }
  }

  /** No capture: the collector never ran or never wrote. An empty log still documents the run. */
  private async writeEmptyLog(): Promise<void> {
    fs.writeFileSync(this.logPath, '', { mode: 0o644 });
    this.counter.captureMissing();
    this.making = 'empty';
  }

  private async startOutput(flags: 'w' | 'a'): Promise<void> {
    // Explicit mode: never writable by other users, whatever the umask.
    this.output = await fs.promises.open(this.logPath, flags, 0o644);
    this.sink = new LogSink(this.output);
  }

  private async startSpool(): Promise<void> {
    this.spool = await fs.promises.open(this.spoolPath, 'w', 0o600);
    this.spoolSink = new LogSink(this.spool);
  }

  /** From here on the log is a copy: what was checked so far (the first `bytes`) is copied as it is. */
  private async beginCopy(bytes: number): Promise<void> {
    this.linking = false;
    await this.startOutput('w');
    if (bytes > 0) await copyPrefix(this.input!, this.output!, bytes, this.chunkBytes);
  }

  /**
   * The capture was read to its end while linking: link it as the runtime log. Had the collector
   * written on meanwhile, the link would publish unread lines, so that (and a file system without
   * hard links) makes a copy instead.
   */
  private async settleCapture(captureBytes: number): Promise<void> {
    if (!this.linking) return;
    const stat = await this.input!.stat();
    if (stat.size !== captureBytes) return this.beginCopy(captureBytes);
    const record: LinkRecord = { captureBytes, ino: stat.ino };
    fs.writeFileSync(this.linkRecordPath, JSON.stringify(record), { mode: 0o600 });
    try {
      fs.linkSync(this.capturePath, this.logPath);
      // The capture is private (0600); as the runtime log it gets the log's mode.
      fs.chmodSync(this.logPath, 0o644);
      this.making = 'linked';
      this.linking = false;
      await this.startOutput('a');
    } catch {
      // Another file system (EXDEV), or one without hard links: copy instead.
      fs.rmSync(this.logPath, { force: true });
      fs.rmSync(this.linkRecordPath, { force: true });
      await this.beginCopy(captureBytes);
    }
  }

  private async readTokenFile(file: fs.promises.FileHandle): Promise<void> {
    // The read buffers are reused: what the sink still holds of them is written first.
    await this.sink!.drain();
    this.lineNumber = 0;
    this.whichFile = ` (in ${path.basename(this.tokenPath)})`;
    this.suspectLines = CHECK_EVERY_LINE;
    await this.readLines(file);
  }

  // ---- lines ----

  /**
   * While linking: checks one line and counts its event, or returns false, having changed
   * nothing, when the line could not stay as it is (it would be skipped or rewritten). A line that
   * may hold a secret is held in `suspect` for the full scan (`lineEndingLink`).
   */
  private checkLine(buffer: Buffer, start: number, end: number, hasNewline: boolean): boolean {
    if (!hasNewline) return false;
    const text = buffer.toString('utf8', start, end);
    if (text === '' || text === '\r') return false;
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch {
      return false;
    }
    if (eventProblem(event) !== undefined) return false;
    const e = event as Json;
    if (e.event.action === ACTION.tokenUsage) return false;
    if (!this.chunkIsUtf8 && !isUtf8(buffer.subarray(start, end))) return false;
    const verdict = this.secretVerdict(e, start);
    if (verdict & MASKED) return false;
    if (verdict & SUSPECT) {
      this.suspect = e;
      return false;
    }
    this.acceptLine(e);
    return true;
  }

  /** The scanner's cheap check (masks in place), on the lines that need it; `start`: in the read buffer. */
  private secretVerdict(e: Json, start: number): number {
    return this.suspectLines.mustCheck(this.bufferOffset + start) ? this.scanner.check(e) : CLEAN;
  }

  /** A line that stays as it is (linking), counted and reported. */
  private acceptLine(e: Json): void {
    this.lineNumber += 1;
    this.counter.lineRead();
    this.options.onEvent?.(e);
  }

  /**
   * One line of a copy: skipped and counted when bad, written as it is or rewritten otherwise.
   * Returns true when the line may hold a secret: it is then held in `suspect`, for `writeSuspect`.
   */
  private copyLine(buffer: Buffer, start: number, end: number, hasNewline: boolean): boolean {
    this.lineNumber += 1;
    let text = buffer.toString('utf8', start, end);
    if (text === '' || text === '\r') return false; // blank lines carry nothing
    this.counter.lineRead();
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch {
      this.counter.malformed(this.lineNumber, (hasNewline ? 'not valid JSON' : 'torn last line (no newline, not valid JSON)') + this.whichFile, !hasNewline);
      return false;
    }
    const problem = eventProblem(event);
    if (problem) {
      this.counter.malformed(this.lineNumber, problem + this.whichFile, false);
      return false;
    }
    const e = event as Json;
    if (e.event.action === ACTION.tokenUsage) {
      this.holdTokenEvent(e, end - start);
      return false;
    }
    // Invalid UTF-8 became U+FFFD in the parsed copy: write that copy, never the bad bytes.
    // (An integer written as `1.0` is not looked for: the collector serializes with JSON.stringify,
    // which never prints one, and scanning every line's text would cost a sixth of the pass.)
    const verdict = this.secretVerdict(e, start);
    if (verdict & SUSPECT) {
      this.suspect = e;
      return true;
    }
    const rewrite = verdict & MASKED || (!this.chunkIsUtf8 && !isUtf8(buffer.subarray(start, end)));
    this.options.onEvent?.(e);
    if (rewrite) text = JSON.stringify(e);
    if (rewrite) this.sink!.text(text + '\n');
    else {
      this.sink!.copy(buffer, start, hasNewline ? end + 1 : end);
      if (!hasNewline) this.sink!.text('\n');
    }
    return false;
  }

  /** The held line of a copy, after the full scan: written as JSON, its secrets redacted. */
  private async writeSuspect(scanned = false): Promise<void> {
    const e = this.suspect!;
    this.suspect = undefined;
    if (!scanned) await this.scanner.redact(e);
    this.options.onEvent?.(e);
    this.sink!.text(JSON.stringify(e) + '\n');
  }

  // ---- token events, held per export request ----

  private holdTokenEvent(event: Json, bytes: number): void {
    const seq = isObject(event.raw) ? event.raw.export_seq : undefined;
    if (this.held.length > 0 && seq !== this.heldSeq) this.releaseHeld();
    if (this.held.length === 0) this.heldSeq = seq;
    const point = tokenPointOf(event);
    if (!point) this.counter.unusableTokenEvent();
    this.held.push({ tokenEvent: event, point });
    this.heldBytes += bytes;
    if (this.held.length >= this.maxExportLines || this.heldBytes >= MAX_EXPORT_BYTES) {
      // An absurdly large export: put aside what we hold (pairing across the cut may be lost).
      if (this.oversizedSeq !== this.heldSeq) this.counter.oversizedExport();
      this.oversizedSeq = this.heldSeq;
      this.releaseHeld();
    }
  }

  /** Normalizes the held export request's token points and puts its events aside. */
  private releaseHeld(): void {
    if (this.held.length === 0) return;
    const points = this.held.filter((h) => h.point !== undefined).map((h) => h.point!);
    const normalized = normalizeExport(points, this.series);
    let next = 0;
    for (const line of this.held) {
      const event = line.tokenEvent;
      const i = line.point ? next++ : -1;
      const usage = i >= 0 ? normalized.usages[i]! : {};
      if (isObject(event.gen_ai)) event.gen_ai.usage = usage;
      else event.gen_ai = { token: { type: line.point?.tokenType ?? 'unknown' }, usage };
      if (i >= 0) this.exports.add(event, line.point!, normalized.amounts[i]!);
      // The usage now holds a difference: marked Cumulative, Beacon's reader would difference it again.
      if (line.point?.temporality === 'Cumulative' && isObject(event.raw)) {
        event.raw.metric_temporality = 'Delta';
        event.raw.differenced_from = 'Cumulative';
      }
      // A number in raw that could not be written exactly (a capture not of our making) is left out.
      if (isObject(event.raw)) leaveOutUnwritableIntegers(event);
      this.spoolSink!.text(JSON.stringify(event) + '\n');
    }
    this.held = [];
    this.heldBytes = 0;
  }

  // ---- reading ----

  /**
   * While linking, the line that ends the linking: the log becomes a copy from this line on;
   * unless it was only suspect and the full scan finds nothing in it.
   */
  private async lineEndingLink(view: Buffer, start: number, end: number, hasNewline: boolean, checked: boolean): Promise<void> {
    if (this.linking) {
      // `checked`: the caller ran checkLine on this line already (and it held any suspect).
      if (!checked && this.checkLine(view, start, end, hasNewline)) return;
      const suspect = this.suspect;
      if (suspect) {
        this.suspect = undefined;
        if (!(await this.scanner.redact(suspect))) return this.acceptLine(suspect);
        // Found something: the log is a copy from here, this line rewritten.
        await this.beginCopy(this.bufferOffset + start);
        this.lineNumber += 1;
        this.counter.lineRead();
        this.suspect = suspect;
        return this.writeSuspect(true);
      }
      await this.beginCopy(this.bufferOffset + start);
    }
    if (this.copyLine(view, start, end, hasNewline)) await this.writeSuspect();
  }

  /** Reads one file to its end, line by line; returns the bytes read. The sink must be drained before. */
  private async readLines(file: fs.promises.FileHandle): Promise<number> {
    let turn = 0;
    let buffer = this.buffers[0]!;
    let filled = 0;
    // this.bufferOffset: the file offset of buffer[0].
    this.bufferOffset = 0;
    let skippingLongLine = false;
    for (;;) {
      // A synchronous read: the page cache answers it at once, and a write in flight goes on meanwhile.
      const bytesRead = fs.readSync(file.fd, buffer, filled, buffer.length - filled, null);
      const end = filled + bytesRead;
      const view = buffer.subarray(0, end);
      const wholeLinesEnd = bytesRead === 0 ? end : view.lastIndexOf(NEWLINE) + 1;
      this.chunkIsUtf8 = isUtf8(view.subarray(0, wholeLinesEnd));
      let start = 0;
      for (;;) {
        const newline = view.indexOf(NEWLINE, start);
        if (newline === -1) break;
        if (skippingLongLine) skippingLongLine = false;
        else if (!this.linking) {
          if (this.copyLine(view, start, newline, true)) await this.writeSuspect();
        }
        // Awaited only for the line that ends the linking: a promise per line would cost.
        else if (!this.checkLine(view, start, newline, true)) await this.lineEndingLink(view, start, newline, true, true);
        start = newline + 1;
      }
      if (bytesRead === 0) {
        if (start < end && !skippingLongLine) await this.lineEndingLink(view, start, end, false, false);
        return this.bufferOffset + end;
      }
      // Also waits for the write of the other buffer's output: it is free to be read into next.
      await this.sink?.flush();
      await this.spoolSink?.flush();
      const next = this.buffers[(turn = 1 - turn)]!;
      const rest = end - start;
      if (rest >= this.chunkBytes) {
        // No event is this long: drop it up to its newline rather than let memory grow.
        if (this.linking) await this.beginCopy(this.bufferOffset + start);
        if (!skippingLongLine) {
          this.lineNumber += 1;
          this.counter.lineRead();
          this.counter.malformed(this.lineNumber, `line longer than ${this.chunkBytes} bytes${this.whichFile}`, false);
        }
        skippingLongLine = true;
        filled = 0;
        this.bufferOffset += end;
      } else {
        buffer.copy(next, 0, start, end);
        filled = rest;
        this.bufferOffset += start;
      }
      buffer = next;
    }
  }
}
