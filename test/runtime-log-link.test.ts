import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BeaconEvent } from '../src/beacon/event.js';
import { toJsonLine } from '../src/beacon/sanitize.js';
import { CaptureWriter } from '../src/collector/writer.js';
import { UsageSeriesBuilder } from '../src/finish/publish/forward-usage.js';
import { processCaptureLog, writeRuntimeLogWithReport } from '../src/finish/account-usage/process-capture.js';
import type { RuntimeLogOptions } from '../src/finish/runtime-log/write-runtime-log.js';
import { renderSummary } from '../src/finish/publish/summary.js';
import { buildUsageFile } from '../src/finish/publish/usage-file.js';
import { validateRun } from '../src/finish/validate/validate.js';
import { captureCompanions } from '../src/handoff/workspace.js';
import { commandEvent, fixtureCaptureExports, logEvent, turnTokens, writeCapture } from './support/capture-builder.js';
import { validateBeaconLog } from './support/schema-validator.js';

/**
 * The collector writes token events to a file of their own; the post step then makes the capture
 * itself the runtime log (a hard link, no copy) and appends the normalized token events. Held
 * against the layout before (one file, token lines inline, always copied): the same report, usage
 * file and summary, and the same lines, the token lines moved to the end.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'process-log-link-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function workDir(): string {
  const d = path.join(dir, `run-${++counter}`);
  fs.mkdirSync(d);
  return d;
}

/**
 * A job's export requests: both real fixture captures (log exports and a turn's token points
 * each), then more turns with cumulative token series over three exports, a second model and
 * two turns in one export, interleaved with log exports.
 */
function jobExports(): BeaconEvent[][] {
  const cumulative = { temporality: 'Cumulative' as const, start: '2026-11-23T20:40:00.000Z' };
  return [
    ...fixtureCaptureExports('tool-call-json'),
    ...fixtureCaptureExports('interval-exports-json').map((events) => events.map((e) => (e.raw && typeof e.raw.export_seq === 'number' ? { ...e, raw: { ...e.raw, export_seq: e.raw.export_seq + 20 } } : e))),
    [commandEvent('npm test', { exitCode: 1, durationMs: 900, success: false })],
    turnTokens(101, { input: 1000, cached: 400, output: 50, reasoning: 10 }, cumulative),
    [logEvent({ action: 'prompt.submitted', category: 'prompt', fields: { prompt: { text: 'again' }, session: { id: 'conv-2' } } })],
    turnTokens(103, { input: 2500, cached: 1400, output: 90, reasoning: 25 }, cumulative),
    [commandEvent('git status', { exitCode: 0, durationMs: 12 }), commandEvent('ls', { exitCode: 0, durationMs: 3 })],
    [...turnTokens(105, { input: 4000, cached: 2000, output: 130, reasoning: 40 }, cumulative), ...turnTokens(105, { input: 300, cached: 100, output: 20, reasoning: 5 }, { model: 'gpt-5.5-mini', timestamp: '2026-11-23T20:41:00.000Z' })],
  ];
}

/** The collector's own writer: token events to the token file, the rest to the capture. */
function writeWithCollector(capturePath: string, exports: BeaconEvent[][]): void {
  const writer = new CaptureWriter(capturePath);
  for (const events of exports) writer.append(events);
  writer.close();
}

/** A fresh work folder holding the collector's capture (and token file) of `exports`, and where the log goes. */
function capturedRun(): { d: string; capturePath: string; logPath: string } {
  const d = workDir();
  const capturePath = path.join(d, 'capture.jsonl');
  writeWithCollector(capturePath, exports);
  return { d, capturePath, logPath: path.join(d, 'beacon-runtime.jsonl') };
}

const lines = (text: string) => text.split(/(?<=\n)/).filter((l) => l !== '');
const isToken = (line: string) => (JSON.parse(line) as { event: { action: string } }).event.action === 'token.usage';
const stats = { startedAt: '2026-11-23T20:30:00.000Z', stopReason: 'shutdown request', signals: { logs: { requests: 9, bytes: 1, byEncoding: {}, recordsReceived: 1, recordsKept: 1 }, metrics: { requests: 5, bytes: 1, byEncoding: {}, recordsReceived: 1, recordsKept: 1 }, traces: { requests: 0, bytes: 0, byEncoding: {}, recordsReceived: 0, recordsKept: 0 } }, eventsWritten: 0, dropped: {}, rejected: {}, writeErrors: 0 };

async function pass(options: RuntimeLogOptions) {
  const { report, log } = await writeRuntimeLogWithReport(options);
  const usage = buildUsageFile(report, { logName: 'beacon-runtime.jsonl' });
  const validation = validateRun(report, stats, { minEvents: 1, requireTelemetry: true, collectorExit: { status: 'stopped' } });
  const text = fs.readFileSync(options.logPath, 'utf8');
  const schema = await validateBeaconLog(options.logPath);
  expect(schema.errors).toEqual([]);
  return { report, made: log, usage, summary: renderSummary(report, usage, validation), text };
}

/** The layout before the token file: one capture, token lines inline, always copied. */
async function referencePass(exports: BeaconEvent[][]) {
  const d = workDir();
  const capturePath = path.join(d, 'capture.jsonl');
  writeCapture(capturePath, exports);
  const result = await pass({ capturePath, logPath: path.join(d, 'beacon-runtime.jsonl') });
  expect(result.made).toBe('copied');
  const all = lines(result.text);
  return { ...result, logLines: all.filter((l) => !isToken(l)), tokenLines: all.filter(isToken) };
}

const exports = jobExports();
const reference = await referencePass(exports);

describe('the reference (one file, token lines inline)', () => {
  it('holds the expected totals, so that the comparisons below compare something', () => {
    // tool-call 450/2150/80/30 and interval-exports the same turn; then the cumulative turns
    // (differences: 1000-400, 1500-1000, 1500-600 ...) and the mini model's turn.
    expect(reference.usage.totals).toEqual({ input_tokens: 450 + 450 + 600 + 500 + 900 + 200, output_tokens: 80 + 80 + 50 + 40 + 40 + 20, cache_read_input_tokens: 2150 + 2150 + 400 + 1000 + 600 + 100, cache_creation_input_tokens: 0, reasoning_output_tokens: 30 + 30 + 10 + 15 + 15 + 5, cost_usd: null, events: 24, total_tokens: 9810 });
    expect(reference.report.events).toBe(reference.logLines.length + reference.tokenLines.length);
    expect(reference.tokenLines).toHaveLength(6 * 6);
    expect(reference.report.malformedLines).toBe(0);
  });
});

describe('the collector writes token events to a file of their own', () => {
  it('splits each request by action, in request order, every event once', () => {
    const { d, capturePath } = capturedRun();
    const reference = lines(writeCapture(path.join(d, 'reference.jsonl'), exports));
    expect(fs.readFileSync(capturePath, 'utf8')).toBe(reference.filter((l) => !isToken(l)).join(''));
    expect(fs.readFileSync(captureCompanions(capturePath).tokenPoints, 'utf8')).toBe(reference.filter(isToken).join(''));
  });
});

describe('the runtime log from the two files', () => {
  it('linked: the log is the capture file itself (same inode), the normalized token events appended; report, usage file and summary as before', async () => {
    const { capturePath, logPath } = capturedRun();
    const captureBefore = fs.readFileSync(capturePath, 'utf8');
    const inode = fs.statSync(capturePath).ino;

    const result = await pass({ capturePath, logPath });
    expect(result.made).toBe('linked');
    expect(fs.statSync(logPath).ino).toBe(inode);
    expect(fs.statSync(logPath).nlink).toBe(2);
    expect(fs.statSync(logPath).mode & 0o777).toBe(0o644);
    // Every event once: the capture's lines as they were, then the token lines as the reference normalized them.
    expect(captureBefore).toBe(reference.logLines.join(''));
    expect(result.text).toBe(reference.logLines.join('') + reference.tokenLines.join(''));
    expect(result.report).toEqual(reference.report);
    expect(result.usage).toEqual(reference.usage);
    expect(result.summary).toBe(reference.summary);
    // The link record says where the collector's bytes end.
    expect(JSON.parse(fs.readFileSync(captureCompanions(capturePath).captureLink, 'utf8'))).toEqual({ captureBytes: Buffer.byteLength(captureBefore), ino: inode });
  });

  it('hands each token event, as written, to the forwarding series: the same series as reading the log back', async () => {
    const { capturePath, logPath } = capturedRun();
    const fromPass = new UsageSeriesBuilder();
    const handed: string[] = [];
    await pass({ capturePath, logPath, onTokenEvent: (event) => (fromPass.add(event), handed.push(JSON.stringify(event) + '\n')) });
    expect(handed).toEqual(reference.tokenLines);
    const fromLog = new UsageSeriesBuilder();
    for (const line of lines(fs.readFileSync(logPath, 'utf8'))) fromLog.add(JSON.parse(line));
    const series = fromPass.build();
    expect(series).toEqual(fromLog.build());
    // Input, cached and output of gpt-5.4 and the mini model, reasoning apart: the usage file's totals.
    const sum = (kind: string) => series.filter((s) => s.kind === kind).reduce((n, s) => n + s.histogram.sum, 0);
    expect([sum('input.uncached'), sum('input.read'), sum('output'), sum('reasoning')]).toEqual([
      reference.usage.totals.input_tokens,
      reference.usage.totals.cache_read_input_tokens,
      reference.usage.totals.output_tokens,
      reference.usage.totals.reasoning_output_tokens,
    ]);
  });

  it('copied when a capture line is garbage and the last one is torn: bad lines skipped and counted, the rest as before', async () => {
    const d = workDir();
    const capturePath = path.join(d, 'capture.jsonl');
    const logPath = path.join(d, 'beacon-runtime.jsonl');
    writeWithCollector(capturePath, exports.slice(0, 4));
    fs.appendFileSync(capturePath, 'garbage {\n');
    const writer = new CaptureWriter(capturePath);
    for (const events of exports.slice(4)) writer.append(events);
    writer.close();
    const whole = fs.readFileSync(capturePath, 'utf8');
    const lastLine = lines(whole).at(-1)!;
    fs.appendFileSync(capturePath, lastLine.slice(0, 40)); // a write cut by a crash
    const captureBefore = fs.readFileSync(capturePath);
    const goodLines = lines(whole).filter((l) => l !== 'garbage {\n');
    const garbageLine = lines(whole).indexOf('garbage {\n') + 1;

    const result = await pass({ capturePath, logPath });
    expect(result.made).toBe('copied');
    expect(fs.statSync(logPath).ino).not.toBe(fs.statSync(capturePath).ino);
    expect(fs.readFileSync(capturePath).equals(captureBefore)).toBe(true);
    expect(fs.existsSync(captureCompanions(capturePath).captureLink)).toBe(false);
    expect(result.text).toBe(goodLines.join('') + reference.tokenLines.join(''));
    expect(result.report.malformedLines).toBe(2);
    expect(result.report.malformedExamples).toEqual([
      { line: garbageLine, reason: 'not valid JSON' },
      { line: lines(whole).length + 1, reason: 'torn last line (no newline, not valid JSON)' },
    ]);
    expect(result.report.lastLineTorn).toBe(true);
    expect(result.report.linesRead).toBe(reference.report.linesRead + 2);
    expect({ ...result.report, malformedLines: 0, malformedExamples: [], lastLineTorn: false, linesRead: reference.report.linesRead }).toEqual(reference.report);
    expect(result.usage).toEqual(reference.usage);
  });

  it('a log-path in another folder is linked too; on another file system (EXDEV) it is a copy of the same bytes', async () => {
    const { d, capturePath } = capturedRun();
    const elsewhere = path.join(dir, `elsewhere-${counter}`, 'deeper', 'beacon-runtime.jsonl');
    const linked = await pass({ capturePath, logPath: elsewhere });
    expect(linked.made).toBe('linked');
    expect(fs.statSync(elsewhere).ino).toBe(fs.statSync(capturePath).ino);
    expect(linked.text).toBe(reference.logLines.join('') + reference.tokenLines.join(''));
    expect(linked.report).toEqual(reference.report);

    const shm = '/dev/shm';
    const otherFileSystem = fs.existsSync(shm) && fs.statSync(shm).dev !== fs.statSync(d).dev;
    if (!otherFileSystem) return; // no second file system on this machine
    const shmDir = fs.mkdtempSync(path.join(shm, 'beacon-log-'));
    try {
      const copied = await pass({ capturePath, logPath: path.join(shmDir, 'beacon-runtime.jsonl') });
      expect(copied.made).toBe('copied');
      expect(copied.text).toBe(linked.text);
      expect(copied.report).toEqual(reference.report);
      expect(fs.statSync(path.join(shmDir, 'beacon-runtime.jsonl')).mode & 0o777).toBe(0o644);
      // The first pass's token lines were cut off the capture again; no link record is left.
      expect(fs.readFileSync(capturePath, 'utf8')).toBe(reference.logLines.join(''));
      expect(fs.existsSync(captureCompanions(capturePath).captureLink)).toBe(false);
    } finally {
      fs.rmSync(shmDir, { recursive: true, force: true });
    }
  });

  it('a second pass (a mode: finish step that failed after it, then the post step) gives the same log and report, tokens not counted twice', async () => {
    const { capturePath, logPath } = capturedRun();
    const first = await pass({ capturePath, logPath });
    const second = await pass({ capturePath, logPath });
    expect([first.made, second.made]).toEqual(['linked', 'linked']);
    expect(second.text).toBe(first.text);
    expect(second.report).toEqual(reference.report);
    expect(fs.statSync(logPath).ino).toBe(fs.statSync(capturePath).ino);
  });

  it('with linkCapture: false (a collector that could not be stopped) the log is a copy: same bytes, the capture untouched', async () => {
    const { capturePath, logPath } = capturedRun();
    const result = await pass({ capturePath, logPath, linkCapture: false });
    expect(result.made).toBe('copied');
    expect(fs.statSync(logPath).ino).not.toBe(fs.statSync(capturePath).ino);
    expect(result.text).toBe(reference.logLines.join('') + reference.tokenLines.join(''));
    expect(fs.readFileSync(capturePath, 'utf8')).toBe(reference.logLines.join(''));
    expect(result.report).toEqual(reference.report);
  });

  it('a torn last line in the token file is skipped and counted as the token file\'s; the capture is still linked', async () => {
    const { capturePath, logPath } = capturedRun();
    const tokenPath = captureCompanions(capturePath).tokenPoints;
    const tokenLines = lines(fs.readFileSync(tokenPath, 'utf8'));
    fs.appendFileSync(tokenPath, tokenLines[0]!.slice(0, 100));
    const result = await pass({ capturePath, logPath });
    expect(result.made).toBe('linked');
    expect(result.text).toBe(reference.logLines.join('') + reference.tokenLines.join(''));
    expect(result.report.malformedExamples).toEqual([{ line: tokenLines.length + 1, reason: 'torn last line (no newline, not valid JSON) (in capture.tokens.jsonl)' }]);
    expect(result.report.lastLineTorn).toBe(true);
    expect(result.usage).toEqual(reference.usage);
  });

  it('a token file with no capture beside it: the token events alone, normalized', async () => {
    const { capturePath, logPath } = capturedRun();
    fs.rmSync(capturePath);
    const report = await processCaptureLog({ capturePath, logPath });
    expect(fs.readFileSync(logPath, 'utf8')).toBe(reference.tokenLines.join(''));
    expect(report.captureFound).toBe(true);
    expect(buildUsageFile(report).totals).toEqual(reference.usage.totals);
  });

  it('many token exports, written in many pieces (buffers reused from write to write): every token line exactly normalized', async () => {
    const d = workDir();
    const capturePath = path.join(d, 'capture.jsonl');
    const logPath = path.join(d, 'beacon-runtime.jsonl');
    const turns = Array.from({ length: 400 }, (_, i) => ({ input: 1000 + i, cached: 300 + i, output: 50 + (i % 7), reasoning: i % 5 }));
    const requests = turns.flatMap((values, i) => [[commandEvent(`step ${i}`, { exitCode: 0, durationMs: i })], turnTokens(1000 + i, values)]);
    writeWithCollector(capturePath, requests);
    // Small reads: a flush every 64 KiB of input, so text buffers go back and forth many times.
    const result = await pass({ capturePath, logPath, chunkBytes: 64 << 10 });
    expect(result.made).toBe('linked');
    const usageOf = (type: string, v: (typeof turns)[number]) =>
      ({ input: { input_tokens: v.input - v.cached }, cached_input: { cache_read: { input_tokens: v.cached } }, output: { output_tokens: v.output }, reasoning_output: { reasoning: { output_tokens: v.reasoning } } })[type] ?? {};
    const expectedTokenLines = turns.flatMap((values, i) =>
      turnTokens(1000 + i, values).map((event) => {
        const parsed = JSON.parse(toJsonLine(event)) as { gen_ai: { token: { type: string }; usage: unknown } };
        parsed.gen_ai.usage = usageOf(parsed.gen_ai.token.type, values);
        return JSON.stringify(parsed) + '\n';
      }),
    );
    const all = lines(result.text);
    expect(all).toHaveLength(400 + 400 * 6);
    expect(all.slice(400)).toEqual(expectedTokenLines);
    expect(result.usage.totals.input_tokens).toBe(turns.reduce((n, v) => n + v.input - v.cached, 0));
  });
});
