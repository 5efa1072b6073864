import fs from 'node:fs';
import path from 'node:path';
import { isUtf8 } from 'node:buffer';
import { ACTION, SCHEMA_VERSION } from '../beacon/event.js';
import { CumulativeSeries, tokenPointOf, usageForExport, type TokenPoint } from './normalize-tokens.js';
import { captureCompanions } from '../handoff/workspace.js';
import { RunReportBuilder, type RunReport } from './report.js';

/**
 * The post step's one pass over what the collector wrote: its capture (every event but the token
 * events) and its token file. The runtime log is the capture itself when every line of it is
 * fine, else a copy of its valid lines; the token events follow, rewritten with their normalized
 * `gen_ai.usage`. A RunReport is accumulated. Memory stays bounded whatever the log size: files
 * are read in fixed chunks, only the current export request's token lines are held, every report
 * list is capped.
 */

export interface ProcessLogOptions {
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
  /** Called with each token event as written (normalized usage set), e.g. for forwarding. */
  onTokenEvent?: (event: Record<string, any>) => void;
}

const DEFAULT_CHUNK_BYTES = 1 << 20;
const DEFAULT_MAX_EXPORT_LINES = 10_000;
const MAX_EXPORT_BYTES = 16 << 20;
const NEWLINE = 0x0a;
/** Size of the buffers new text is encoded into. */
const TEXT_BUFFER_BYTES = 256 << 10;
/** UTF-8 bytes per UTF-16 code unit, at most (a surrogate pair: 4 bytes for 2 units). */
const MAX_UTF8_PER_UNIT = 3;

const SEVERITIES = new Set(['info', 'low', 'medium', 'high', 'critical']);
const OSES = new Set(['linux', 'darwin', 'windows']);
const ORIGINS = new Set(['local', 'cloud', 'ci']);
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;
type Json = Record<string, any>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const optionalString = (value: unknown) => value === undefined || typeof value === 'string';
const optionalInteger = (value: unknown) => value === undefined || (typeof value === 'number' && Number.isInteger(value));
const countOk = (value: unknown) => value === undefined || (typeof value === 'number' && Number.isInteger(value) && value >= 0);

/**
 * Why a parsed line is not a Beacon 1.0 event the readers accept, or undefined. Required fields
 * and exact values, and the types of the known optional keys (a known key of the wrong type makes
 * the readers reject the whole line, so such a line must not reach the runtime log).
 */
export function eventProblem(e: unknown): string | undefined {
  if (!isObject(e)) return 'not a JSON object';
  if (e.vendor !== 'beacon') return 'vendor is not "beacon"';
  if (e.product !== 'endpoint-agent') return 'product is not "endpoint-agent"';
  if (e.schema_version !== SCHEMA_VERSION) return `schema_version is not "${SCHEMA_VERSION}"`;
  if (typeof e.timestamp !== 'string' || !TIMESTAMP.test(e.timestamp)) return 'timestamp is not RFC 3339 UTC';
  const ev = e.event;
  if (!isObject(ev) || ev.kind !== 'agent_runtime' || typeof ev.action !== 'string' || ev.action === '' || typeof ev.category !== 'string') {
    return 'event is not {kind: "agent_runtime", action, category}';
  }
  if (!SEVERITIES.has(e.severity)) return 'severity is not one of info, low, medium, high, critical';
  if (!isObject(e.endpoint) || typeof e.endpoint.hostname !== 'string' || !OSES.has(e.endpoint.os)) return 'endpoint is not {hostname, os}';
  if (!isObject(e.harness) || typeof e.harness.name !== 'string') return 'harness.name is not a string';

  if (e.origin !== undefined && !ORIGINS.has(e.origin)) return 'origin is not local, cloud or ci';
  if (e.user !== undefined && (!isObject(e.user) || !optionalString(e.user.name))) return 'user is not an object';
  if (e.run !== undefined) {
    if (!isObject(e.run)) return 'run is not an object';
    for (const key in e.run) {
      const value = e.run[key];
      const ok = key === 'ephemeral' ? typeof value === 'boolean' : typeof value === 'string';
      if (!ok) return `run.${key} has the wrong type`;
    }
  }
  if (e.session !== undefined && (!isObject(e.session) || typeof e.session.id !== 'string')) return 'session.id is not a string';
  if (e.tool !== undefined && (!isObject(e.tool) || !optionalString(e.tool.name) || !optionalString(e.tool.command))) return 'tool is not {name, command}';
  if (e.command !== undefined) {
    const c = e.command;
    if (!isObject(c) || !optionalString(c.command) || !optionalInteger(c.exit_code) || !optionalInteger(c.duration_ms)) return 'command is not {command, exit_code (int), duration_ms (int)}';
  }
  if (e.approval !== undefined) {
    const a = e.approval;
    if (!isObject(a) || (a.required !== undefined && typeof a.required !== 'boolean') || !optionalString(a.decision) || !optionalString(a.reason)) return 'approval is not {required (bool), decision, reason}';
  }
  if (e.prompt !== undefined && (!isObject(e.prompt) || typeof e.prompt.text !== 'string')) return 'prompt.text is not a string';
  if (e.gen_ai !== undefined) {
    if (!isObject(e.gen_ai)) return 'gen_ai is not an object';
    // Token events get a new usage anyway; any other event's usage must already be right.
    if (e.event.action !== ACTION.tokenUsage && e.gen_ai.usage !== undefined && !usageOk(e.gen_ai.usage)) return 'gen_ai.usage holds a value that is not a non-negative integer';
  }
  if (!optionalString(e.model)) return 'model is not a string';
  if (!optionalString(e.repository)) return 'repository is not a string';
  if (!optionalString(e.branch)) return 'branch is not a string';
  if (!optionalString(e.message)) return 'message is not a string';
  if (e.raw !== undefined && !isObject(e.raw)) return 'raw is not an object';
  if (e.field_truncated !== undefined && typeof e.field_truncated !== 'boolean') return 'field_truncated is not a boolean';
  return undefined;
}

function usageOk(usage: unknown): boolean {
  if (!isObject(usage)) return false;
  if (!countOk(usage.input_tokens) || !countOk(usage.output_tokens)) return false;
  for (const [nested, field] of [['cache_read', 'input_tokens'], ['cache_creation', 'input_tokens'], ['reasoning', 'output_tokens']] as const) {
    const value = usage[nested];
    if (value !== undefined && (!isObject(value) || !countOk(value[field]))) return false;
  }
  return usage.cost_usd === undefined || (typeof usage.cost_usd === 'number' && usage.cost_usd >= 0);
}

/**
 * Buffered output: byte ranges of the read buffers (merged when contiguous) and new text. Each
 * flush starts writing in the background and first waits for the previous write, so writing
 * one chunk's output overlaps parsing the next; a read buffer is reused only after its write ended.
 * New text is encoded into buffers that are reused once their write has ended: a Buffer per
 * piece would outlive the write it waits for, get promoted, and pile up until a full GC (tens of
 * MB over the token events of a large log).
 */
class LogSink {
  private parts: Buffer[] = [];
  private range: { buffer: Buffer; start: number; end: number } | undefined;
  /** The buffer new text goes to, and its part not yet in `parts`. */
  private textBuffer: Buffer | undefined;
  private textStart = 0;
  private textEnd = 0;
  /** Text buffers of the parts collected since the last flush, and those free again. */
  private textBuffersInUse: Buffer[] = [];
  private readonly spareTextBuffers: Buffer[] = [];
  private inFlight: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(private readonly output: fs.promises.FileHandle) {}

  copy(buffer: Buffer, start: number, end: number): void {
    if (this.range && this.range.buffer === buffer && this.range.end === start) {
      this.range.end = end;
      return;
    }
    this.closePart();
    this.range = { buffer, start, end };
  }

  text(text: string): void {
    if (this.range) this.closePart();
    const room = text.length * MAX_UTF8_PER_UNIT;
    if (!this.textBuffer || this.textBuffer.length - this.textEnd < room) {
      this.closePart();
      this.textBuffer = undefined;
      if (room > TEXT_BUFFER_BYTES) {
        this.parts.push(Buffer.from(text, 'utf8'));
        return;
      }
      this.textBuffer = this.spareTextBuffers.pop() ?? Buffer.allocUnsafe(TEXT_BUFFER_BYTES);
      this.textBuffersInUse.push(this.textBuffer);
      this.textStart = this.textEnd = 0;
    }
    this.textEnd += this.textBuffer.write(text, this.textEnd);
  }

  private closePart(): void {
    if (this.textBuffer && this.textEnd > this.textStart) {
      this.parts.push(this.textBuffer.subarray(this.textStart, this.textEnd));
      this.textStart = this.textEnd;
    }
    if (this.range) {
      this.parts.push(this.range.buffer.subarray(this.range.start, this.range.end));
      this.range = undefined;
    }
  }

  /** Waits for the previous write, then starts writing everything collected since. */
  async flush(): Promise<void> {
    await this.inFlight;
    if (this.failure) throw this.failure;
    this.closePart();
    if (this.parts.length === 0) return;
    const parts = this.parts;
    this.parts = [];
    // The text buffers of these parts are free again once they are written; new text starts a new one.
    const textBuffers = this.textBuffersInUse;
    this.textBuffersInUse = [];
    this.textBuffer = undefined;
    // Caught here so a failure cannot surface as an unhandled rejection; rethrown by the next flush.
    this.inFlight = this.writeAll(parts).then(
      () => void this.spareTextBuffers.push(...textBuffers),
      (error: unknown) => {
        this.failure = error;
      },
    );
  }

  /** Flushes and waits until everything is written. */
  async drain(): Promise<void> {
    await this.flush();
    await this.inFlight;
    if (this.failure) throw this.failure;
  }

  private async writeAll(parts: Buffer[]): Promise<void> {
    let pending = parts;
    while (pending.length > 0) {
      const { bytesWritten } = await this.output.writev(pending);
      // A short write: keep what was not written yet.
      let skip = bytesWritten;
      const rest: Buffer[] = [];
      for (const part of pending) {
        if (skip >= part.length) {
          skip -= part.length;
          continue;
        }
        rest.push(skip > 0 ? part.subarray(skip) : part);
        skip = 0;
      }
      pending = rest;
    }
  }
}

/** One line held with its export request until the request's token points can be normalized. */
interface HeldLine {
  /** The line to write as is (non-token lines). */
  text?: string;
  /** A token event, written re-serialized with its new usage. */
  tokenEvent?: Json;
  point?: TokenPoint;
}

/** How the runtime log was made: the capture itself (hard link) plus the token events, or a copy. */
export type LogMaking = 'linked' | 'copied' | 'empty';

export interface ProcessedLog {
  report: RunReport;
  log: LogMaking;
}

/** Written before the capture is linked as the runtime log: where the capture's own bytes end. */
interface LinkRecord {
  captureBytes: number;
  ino: number;
}

/**
 * A previous pass linked the capture as the runtime log and appended token events to it (a
 * finish step that failed later, then the post step): cut them off, so the capture is the
 * collector's again. Then the record goes: it is written anew only when this pass links.
 */
function restoreLinkedCapture(capturePath: string, recordPath: string): void {
  let record: LinkRecord;
  try {
    record = JSON.parse(fs.readFileSync(recordPath, 'utf8')) as LinkRecord;
  } catch {
    return;
  }
  try {
    const stat = fs.statSync(capturePath);
    if (stat.ino === record.ino && stat.size > record.captureBytes) fs.truncateSync(capturePath, record.captureBytes);
  } catch {
    // No capture (any more): nothing to restore.
  }
  fs.rmSync(recordPath, { force: true });
}

async function openIfPresent(file: string): Promise<fs.promises.FileHandle | undefined> {
  try {
    return await fs.promises.open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Copies the first `bytes` of `input` to `output`, whatever the read position of `input`. */
async function copyPrefix(input: fs.promises.FileHandle, output: fs.promises.FileHandle, bytes: number, chunkBytes: number): Promise<void> {
  const buffer = Buffer.allocUnsafe(Math.min(chunkBytes, Math.max(bytes, 1)));
  for (let at = 0; at < bytes; ) {
    const { bytesRead } = await input.read(buffer, 0, Math.min(buffer.length, bytes - at), at);
    if (bytesRead === 0) throw new Error(`the capture is shorter than the ${bytes} bytes already read from it`);
    for (let done = 0; done < bytesRead; ) done += (await output.write(buffer, done, bytesRead - done)).bytesWritten;
    at += bytesRead;
  }
}

export async function processCaptureLog(options: ProcessLogOptions): Promise<RunReport> {
  return (await writeRuntimeLog(options)).report;
}

/**
 * The post step's one pass. The capture is read and every line checked. When every line is a
 * valid event that can be written as it is (the usual case), the capture itself becomes the
 * runtime log: a hard link, nothing copied, and the capture's name stays. Otherwise (a torn or
 * malformed line, invalid UTF-8, a token event in the capture, a link refused by the file system)
 * the log is a copy, made from the first line that needs it on: the lines before it are copied as
 * they are, and from there bad lines are skipped and counted. Then the token events of the
 * collector's token file are normalized and appended. Lines keep the collector's order within
 * each file; the token events come last (the schema page sets no order between lines).
 */
export async function writeRuntimeLog(options: ProcessLogOptions): Promise<ProcessedLog> {
  const { capturePath, logPath } = options;
  if (path.resolve(capturePath) === path.resolve(logPath)) throw new Error('the runtime log must not overwrite the capture it is made from');
  const companions = captureCompanions(capturePath);
  const tokenPath = options.tokenPath ?? companions.tokenPoints;
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const maxExportLines = options.maxExportLines ?? DEFAULT_MAX_EXPORT_LINES;
  const report = new RunReportBuilder();
  const series = new CumulativeSeries();

  fs.mkdirSync(path.dirname(path.resolve(logPath)), { recursive: true });
  restoreLinkedCapture(capturePath, companions.captureLink);
  // The log of a previous pass may be a link to the capture: writing through it would change the capture.
  fs.rmSync(logPath, { force: true });

  const input = await openIfPresent(capturePath);
  let tokenInput: fs.promises.FileHandle | undefined;
  try {
    tokenInput = await openIfPresent(tokenPath);
  } catch (error) {
    await input?.close();
    throw error;
  }
  if (!input && !tokenInput) {
    // No capture: the collector never ran or never wrote. An empty log still documents the run.
    fs.writeFileSync(logPath, '', { mode: 0o644 });
    report.captureMissing();
    return { report: report.finish(), log: 'empty' };
  }

  // While `linking`, lines are only checked and counted: nothing is written until a line needs
  // the copy or the capture has been read to its end.
  let linking = input !== undefined && options.linkCapture !== false;
  let making: LogMaking = 'copied';
  let output: fs.promises.FileHandle | undefined;
  let sink: LogSink | undefined;
  const startOutput = async (flags: 'w' | 'a') => {
    // Explicit mode: never writable by other users, whatever the umask.
    output = await fs.promises.open(logPath, flags, 0o644);
    sink = new LogSink(output);
  };
  /** From here on the log is a copy: what was checked so far (the first `bytes`) is copied as it is. */
  const beginCopy = async (bytes: number) => {
    linking = false;
    await startOutput('w');
    if (bytes > 0) await copyPrefix(input!, output!, bytes, chunkBytes);
  };

  let held: HeldLine[] = [];
  let heldBytes = 0;
  let heldSeq: unknown;
  // The export already counted as oversized: one count per export, however many releases.
  let oversizedSeq: unknown = Symbol('none');

  const releaseHeld = () => {
    if (held.length === 0) return;
    const tokenLines = held.filter((h) => h.point !== undefined);
    const usages = usageForExport(
      tokenLines.map((h) => h.point!),
      series,
    );
    let next = 0;
    for (const line of held) {
      if (line.text !== undefined) {
        sink!.text(line.text + '\n');
        continue;
      }
      const event = line.tokenEvent!;
      const usage = line.point ? usages[next++]! : {};
      if (isObject(event.gen_ai)) event.gen_ai.usage = usage;
      else event.gen_ai = { token: { type: line.point?.tokenType ?? 'unknown' }, usage };
      report.add(event);
      options.onTokenEvent?.(event);
      sink!.text(JSON.stringify(event) + '\n');
    }
    held = [];
    heldBytes = 0;
  };

  const hold = (line: HeldLine, bytes: number) => {
    held.push(line);
    heldBytes += bytes;
    if (held.length >= maxExportLines || heldBytes >= MAX_EXPORT_BYTES) {
      // An absurdly large export: write what we hold (pairing across the cut may be lost).
      if (oversizedSeq !== heldSeq) report.oversizedExport();
      oversizedSeq = heldSeq;
      releaseHeld();
    }
  };

  let lineNumber = 0;
  /** Said of a malformed line of the token file, after its reason (its line numbers are its own). */
  let whichFile = '';
  // Whether the current chunk's whole lines are valid UTF-8 (checked once per chunk: a newline
  // never falls inside a multi-byte sequence, so the lines of a valid chunk are valid too).
  let chunkIsUtf8 = true;

  /**
   * While linking: checks one line and counts its event, or returns false, having changed
   * nothing, when the line could not stay as it is (it would be skipped or rewritten).
   */
  const checkLine = (buffer: Buffer, start: number, end: number, hasNewline: boolean): boolean => {
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
    if (!chunkIsUtf8 && !isUtf8(buffer.subarray(start, end))) return false;
    lineNumber += 1;
    report.lineRead();
    report.add(e);
    return true;
  };

  /** One line of a copy: skipped and counted when bad, written as it is or rewritten otherwise. */
  const copyLine = (buffer: Buffer, start: number, end: number, hasNewline: boolean) => {
    lineNumber += 1;
    let text = buffer.toString('utf8', start, end);
    if (text === '' || text === '\r') return; // blank lines carry nothing
    report.lineRead();
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch {
      report.malformed(lineNumber, (hasNewline ? 'not valid JSON' : 'torn last line (no newline, not valid JSON)') + whichFile, !hasNewline);
      return;
    }
    const problem = eventProblem(event);
    if (problem) {
      report.malformed(lineNumber, problem + whichFile, false);
      return;
    }
    const e = event as Json;
    // Invalid UTF-8 became U+FFFD in the parsed copy: write that copy, never the bad bytes.
    // (An integer written as `1.0` is not looked for: the collector serializes with JSON.stringify,
    // which never prints one, and scanning every line's text would cost a sixth of the pass.)
    const rewrite = !chunkIsUtf8 && !isUtf8(buffer.subarray(start, end));
    if (rewrite) text = JSON.stringify(e);

    if (e.event.action === ACTION.tokenUsage) {
      const seq = isObject(e.raw) ? e.raw.export_seq : undefined;
      if (held.length > 0 && seq !== heldSeq) releaseHeld();
      if (held.length === 0) heldSeq = seq;
      const point = tokenPointOf(e);
      if (!point) report.unusableTokenEvent();
      hold({ tokenEvent: e, point }, end - start);
      return;
    }

    report.add(e);
    // Other metric lines of the same export keep their place between its token lines.
    if (held.length > 0 && isObject(e.raw) && e.raw.otel_signal === 'metrics') {
      hold({ text }, end - start);
      return;
    }
    releaseHeld();
    if (rewrite) sink!.text(text + '\n');
    else {
      sink!.copy(buffer, start, hasNewline ? end + 1 : end);
      if (!hasNewline) sink!.text('\n');
    }
  };

  // Two buffers in turn: one is parsed while the other's output may still be being written.
  // Each has room for a carried partial line (< chunkBytes) plus one full read.
  const buffers = [Buffer.allocUnsafe(chunkBytes * 2), Buffer.allocUnsafe(chunkBytes * 2)];

  /** Reads one file to its end, line by line; returns the bytes read. The sink must be drained before. */
  const readLines = async (file: fs.promises.FileHandle): Promise<number> => {
    let turn = 0;
    let buffer = buffers[0]!;
    let filled = 0;
    // The file offset of buffer[0].
    let bufferOffset = 0;
    let skippingLongLine = false;
    const line = async (view: Buffer, start: number, end: number, hasNewline: boolean) => {
      if (linking) {
        if (checkLine(view, start, end, hasNewline)) return;
        await beginCopy(bufferOffset + start);
      }
      copyLine(view, start, end, hasNewline);
    };
    for (;;) {
      // A synchronous read: the page cache answers it at once, and a write in flight goes on meanwhile.
      const bytesRead = fs.readSync(file.fd, buffer, filled, buffer.length - filled, null);
      const end = filled + bytesRead;
      const view = buffer.subarray(0, end);
      const wholeLinesEnd = bytesRead === 0 ? end : view.lastIndexOf(NEWLINE) + 1;
      chunkIsUtf8 = isUtf8(view.subarray(0, wholeLinesEnd));
      let start = 0;
      for (;;) {
        const newline = view.indexOf(NEWLINE, start);
        if (newline === -1) break;
        if (skippingLongLine) skippingLongLine = false;
        else if (!linking) copyLine(view, start, newline, true);
        // Awaited only for the line that ends the linking: a promise per line would cost.
        else if (!checkLine(view, start, newline, true)) await line(view, start, newline, true);
        start = newline + 1;
      }
      if (bytesRead === 0) {
        if (start < end && !skippingLongLine) await line(view, start, end, false);
        return bufferOffset + end;
      }
      // Also waits for the write of the other buffer's output: it is free to be read into next.
      await sink?.flush();
      const next = buffers[(turn = 1 - turn)]!;
      const rest = end - start;
      if (rest >= chunkBytes) {
        // No event is this long: drop it up to its newline rather than let memory grow.
        if (linking) await beginCopy(bufferOffset + start);
        if (!skippingLongLine) {
          lineNumber += 1;
          report.lineRead();
          report.malformed(lineNumber, `line longer than ${chunkBytes} bytes${whichFile}`, false);
        }
        skippingLongLine = true;
        filled = 0;
        bufferOffset += end;
      } else {
        buffer.copy(next, 0, start, end);
        filled = rest;
        bufferOffset += start;
      }
      buffer = next;
    }
  };

  try {
    if (!linking) await startOutput('w');
    if (input) {
      const captureBytes = await readLines(input);
      const stat = await input.stat();
      // The collector is stopped; had it written on meanwhile, the link would publish unread lines.
      if (linking && stat.size !== captureBytes) await beginCopy(captureBytes);
      if (linking) {
        const record: LinkRecord = { captureBytes, ino: stat.ino };
        fs.writeFileSync(companions.captureLink, JSON.stringify(record), { mode: 0o600 });
        try {
          fs.linkSync(capturePath, logPath);
          // The capture is private (0600); as the runtime log it gets the log's mode.
          fs.chmodSync(logPath, 0o644);
          making = 'linked';
          linking = false;
          await startOutput('a');
        } catch {
          // Another file system (EXDEV), or one without hard links: copy instead.
          fs.rmSync(logPath, { force: true });
          fs.rmSync(companions.captureLink, { force: true });
          await beginCopy(captureBytes);
        }
      }
    }
    releaseHeld();
    if (tokenInput) {
      // The read buffers are reused: what the sink still holds of them is written first.
      await sink!.drain();
      lineNumber = 0;
      whichFile = ` (in ${path.basename(tokenPath)})`;
      await readLines(tokenInput);
    }
    releaseHeld();
    await sink!.drain();
  } finally {
    await input?.close();
    await tokenInput?.close();
    await output?.close();
  }
  return { report: report.finish(), log: making };
}
