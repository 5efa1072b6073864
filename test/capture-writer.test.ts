import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BeaconEvent } from '../src/beacon/event.js';
import { toJsonLine } from '../src/beacon/sanitize.js';
import { createCollector } from '../src/collector/server.js';
import { StatsRecorder } from '../src/collector/stats.js';
import { CaptureDamagedError, CaptureWriter, WriterClosedError, nodeWriterIo, type WriterIo } from '../src/collector/writer.js';
import type { CollectorConfig } from '../src/handoff/collector-config.js';
import { captureCompanions } from '../src/handoff/workspace.js';
import { CI_ATTRIBUTION, commandEvent, logEvent, turnTokens } from './support/capture-builder.js';
import { fixtureTemplate, headersOf, render, requestTag } from './support/tagged-bodies.js';

/**
 * The collector's CaptureWriter on real files: the exact bytes of every request, token events in
 * their own file, and a failed write undone in both files (/dev/full refuses every byte).
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capture-writer-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const capturePath = () => path.join(dir, `capture-${++counter}.jsonl`);
const text = (events: BeaconEvent[]) => events.map((e) => toJsonLine(e)).join('');
const readOr = (file: string, otherwise = '') => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : otherwise);

/** A prompt of `chars` characters, mixing 1-, 2-, 3- and 4-byte UTF-8 characters. */
function prompt(chars: number, seed: number): BeaconEvent {
  const alphabet = ['a', 'é', '字', '😀', ' ', 'z'];
  let s = '';
  for (let i = 0; s.length < chars; i++) s += alphabet[(i * 7 + seed) % alphabet.length];
  return logEvent({ action: 'prompt.submitted', category: 'prompt', fields: { prompt: { text: s }, session: { id: `conv-${seed}` } } });
}

describe('CaptureWriter', () => {
  it('writes each request\'s lines exactly, token events to the token file, whatever the size of the request', () => {
    const capture = capturePath();
    const writer = new CaptureWriter(capture);
    // Small, then one larger than the first scratch buffer (64 KiB), then small again: no stale bytes.
    const requests: BeaconEvent[][] = [
      [commandEvent('ls', { exitCode: 0, durationMs: 3 })],
      Array.from({ length: 60 }, (_, i) => prompt(2000, i)),
      turnTokens(3, { input: 2600, cached: 2150, output: 80, reasoning: 30 }),
      [commandEvent('echo 字😀', { exitCode: 0, durationMs: 1 }), prompt(10, 99)],
    ];
    for (const events of requests) writer.append(events);
    writer.append([]);
    expect(writer.eventsWritten).toBe(1 + 60 + 6 + 2);
    writer.close();
    expect(fs.readFileSync(capture, 'utf8')).toBe(text(requests[0]!) + text(requests[1]!) + text(requests[3]!));
    expect(fs.readFileSync(captureCompanions(capture).tokenPoints, 'utf8')).toBe(text(requests[2]!));
    expect(fs.statSync(captureCompanions(capture).tokenPoints).mode & 0o777).toBe(0o600);
  });

  it('a request with both kinds: capture lines and token lines each in request order', () => {
    const capture = capturePath();
    const writer = new CaptureWriter(capture);
    const [input, cached] = turnTokens(5, { input: 10, cached: 4, output: 1, reasoning: 0 });
    const a = commandEvent('a');
    const b = commandEvent('b');
    writer.append([input!, a, cached!, b]);
    writer.close();
    expect(fs.readFileSync(capture, 'utf8')).toBe(text([a, b]));
    expect(fs.readFileSync(captureCompanions(capture).tokenPoints, 'utf8')).toBe(text([input!, cached!]));
  });

  it('creates no token file for a run without token events', () => {
    const capture = capturePath();
    const writer = new CaptureWriter(capture);
    writer.append([commandEvent('ls')]);
    writer.close();
    expect(fs.existsSync(captureCompanions(capture).tokenPoints)).toBe(false);
  });
});

describe.runIf(process.platform === 'linux')('CaptureWriter when a write fails', () => {
  it('a token write that fails takes back the capture lines of the same request; the next request is written after the last whole line', () => {
    const capture = capturePath();
    const writer = new CaptureWriter(capture, { tokenPath: '/dev/full' });
    const first = [commandEvent('first')];
    writer.append(first);
    const mixed = [commandEvent('second'), ...turnTokens(2, { input: 10, cached: 4, output: 1, reasoning: 0 })];
    expect(() => writer.append(mixed)).toThrow(/ENOSPC/);
    expect(fs.readFileSync(capture, 'utf8')).toBe(text(first));
    expect(writer.eventsWritten).toBe(1);
    const third = [commandEvent('third')];
    writer.append(third);
    writer.close();
    expect(fs.readFileSync(capture, 'utf8')).toBe(text(first) + text(third));
  });

  it('a capture write that fails writes nothing to the token file', () => {
    const tokens = path.join(dir, `tokens-${++counter}.jsonl`);
    const writer = new CaptureWriter('/dev/full', { tokenPath: tokens, suspectPath: path.join(path.dirname(tokens), 'suspect-lines') });
    const before = turnTokens(1, { input: 10, cached: 4, output: 1, reasoning: 0 });
    writer.append(before);
    expect(() => writer.append([commandEvent('x'), ...turnTokens(2, { input: 10, cached: 4, output: 1, reasoning: 0 })])).toThrow(/ENOSPC/);
    writer.close();
    expect(readOr(tokens)).toBe(text(before));
    expect(writer.eventsWritten).toBe(6);
  });
});

/**
 * The writer's file calls on real files, with faults switched on and off: `writeBudget` bytes may
 * still be written (then every write fails, like a full disk or RLIMIT_FSIZE), and a truncate can
 * be made to fail (the rollback of a failed write).
 */
function faultyIo() {
  const state = { writeBudget: Infinity, truncateFails: false, writeCalls: 0, truncateCalls: 0 };
  const io: WriterIo = {
    ...nodeWriterIo,
    writeSync(fd, buffer, offset, length) {
      state.writeCalls += 1;
      if (state.writeBudget <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      const n = Math.min(length, state.writeBudget);
      state.writeBudget -= n;
      return nodeWriterIo.writeSync(fd, buffer, offset, n);
    },
    ftruncateSync(fd, length) {
      state.truncateCalls += 1;
      if (state.truncateFails) throw Object.assign(new Error('EIO: i/o error, ftruncate'), { code: 'EIO' });
      nodeWriterIo.ftruncateSync(fd, length);
    },
  };
  return { io, state };
}

const bytesOf = (events: BeaconEvent[]) => Buffer.byteLength(text(events));

describe("CaptureWriter's notes of suspect lines", () => {
  it('are written before the lines and taken back with them when the capture write fails', () => {
    const capture = capturePath();
    const notes = captureCompanions(capture).suspectLines;
    const { io, state } = faultyIo();
    const writer = new CaptureWriter(capture, { io });
    const suspect = (n: number) => commandEvent(`curl -H "Authorization: Bearer ${'x'.repeat(8)}" https://ci:pa55word${n}@example.com/`);
    const first = [commandEvent('git status'), suspect(1)];
    writer.append(first);
    const firstText = fs.readFileSync(capture, 'utf8');
    const secondLine = firstText.indexOf('\n') + 1;
    expect(fs.readFileSync(notes, 'utf8')).toBe(`${secondLine}\n`);

    // Room for the note but not for the lines: both are taken back.
    const second = [suspect(2)];
    state.writeBudget = String(Buffer.byteLength(firstText)).length + 1 + 10;
    expect(() => writer.append(second)).toThrow(/ENOSPC/);
    expect(fs.readFileSync(notes, 'utf8')).toBe(`${secondLine}\n`);
    expect(fs.readFileSync(capture, 'utf8')).toBe(firstText);

    state.writeBudget = Infinity;
    writer.append(second);
    writer.close();
    expect(fs.readFileSync(notes, 'utf8')).toBe(`${secondLine}\n${Buffer.byteLength(firstText)}\n`);
    expect(writer.suspectLines).toBe(2);
  });
});

describe('CaptureWriter.warmUp', () => {
  it('writes nothing, notes nothing, and changes nothing the writer then writes', () => {
    const warmed = capturePath();
    const cold = capturePath();
    const warmedWriter = new CaptureWriter(warmed);
    warmedWriter.warmUp();
    expect(fs.readFileSync(warmed, 'utf8')).toBe('');
    expect(fs.readFileSync(captureCompanions(warmed).suspectLines, 'utf8')).toBe('');
    expect(fs.existsSync(captureCompanions(warmed).tokenPoints)).toBe(false);
    expect([warmedWriter.eventsWritten, warmedWriter.suspectLines]).toEqual([0, 0]);
    const events = () => [commandEvent('curl -H "Authorization: Bearer abcdefgh12345678" https://example.com/'), commandEvent('ls')];
    warmedWriter.append(events());
    warmedWriter.close();
    const coldWriter = new CaptureWriter(cold);
    coldWriter.append(events());
    coldWriter.close();
    expect(fs.readFileSync(warmed, 'utf8')).toBe(fs.readFileSync(cold, 'utf8'));
    expect(fs.readFileSync(captureCompanions(warmed).suspectLines, 'utf8')).toBe(fs.readFileSync(captureCompanions(cold).suspectLines, 'utf8'));
  });
});

describe('CaptureWriter when a rollback fails', () => {
  it('a failed truncate after a failed capture write is reported, not swallowed; every later request is refused and appends nothing until a truncate succeeds', () => {
    const capture = capturePath();
    const { io, state } = faultyIo();
    const writer = new CaptureWriter(capture, { io });
    const first = [commandEvent('first')];
    writer.append(first);

    // Half of the second request reaches the file; taking it back fails.
    const second = [commandEvent('second'), commandEvent('second, more')];
    state.writeBudget = Math.floor(bytesOf(second) / 2);
    state.truncateFails = true;
    let error: unknown;
    try {
      writer.append(second);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CaptureDamagedError);
    expect((error as Error).message).toMatch(/could not be made whole.*write: ENOSPC.*truncate: EIO/);
    expect(writer.damaged).toBe(true);
    const damagedSize = fs.statSync(capture).size;
    expect(damagedSize).toBe(bytesOf(first) + Math.floor(bytesOf(second) / 2));

    // The disk has room again, but the file is still not whole: refused, nothing written.
    state.writeBudget = Infinity;
    const writesBefore = state.writeCalls;
    for (const events of [[commandEvent('third')], turnTokens(3, { input: 10, cached: 4, output: 1, reasoning: 0 }), []]) {
      expect(() => writer.append(events)).toThrow(CaptureDamagedError);
      expect(() => writer.append(events)).toThrow(/the capture could not be made whole/);
    }
    expect(state.writeCalls).toBe(writesBefore);
    expect(fs.statSync(capture).size).toBe(damagedSize);
    expect(fs.existsSync(captureCompanions(capture).tokenPoints)).toBe(false);
    expect(writer.eventsWritten).toBe(1);

    // The truncate works again: the next request takes the file back to its last whole line first.
    state.truncateFails = false;
    const fourth = [commandEvent('fourth')];
    writer.append(fourth);
    expect(writer.damaged).toBe(false);
    writer.close();
    expect(fs.readFileSync(capture, 'utf8')).toBe(text(first) + text(fourth));
    expect(writer.eventsWritten).toBe(2);
  });

  it('a failed token write whose capture rollback fails leaves the writer damaged; both files are whole once service resumes', () => {
    const capture = capturePath();
    const { io, state } = faultyIo();
    const writer = new CaptureWriter(capture, { io });
    const first = [commandEvent('first'), ...turnTokens(1, { input: 10, cached: 4, output: 1, reasoning: 0 })];
    writer.append(first);
    const firstCapture = text(first.slice(0, 1));
    const firstTokens = text(first.slice(1));

    // The capture's part of the request fits, the token part does not (nothing of it is written),
    // and the capture's part cannot be taken back.
    const mixed = [commandEvent('second'), ...turnTokens(2, { input: 10, cached: 4, output: 1, reasoning: 0 })];
    state.writeBudget = bytesOf(mixed.slice(0, 1));
    state.truncateFails = true;
    expect(() => writer.append(mixed)).toThrow(/the capture could not be made whole: .*capture-\d+\.jsonl .*write: ENOSPC.*truncate: EIO/);
    expect(fs.readFileSync(capture, 'utf8')).toBe(firstCapture + text(mixed.slice(0, 1)));
    expect(fs.readFileSync(captureCompanions(capture).tokenPoints, 'utf8')).toBe(firstTokens);

    state.writeBudget = Infinity;
    expect(() => writer.append([commandEvent('third')])).toThrow(CaptureDamagedError);
    expect(() => writer.append(turnTokens(3, { input: 10, cached: 4, output: 1, reasoning: 0 }))).toThrow(CaptureDamagedError);
    expect(fs.readFileSync(capture, 'utf8')).toBe(firstCapture + text(mixed.slice(0, 1)));
    expect(fs.readFileSync(captureCompanions(capture).tokenPoints, 'utf8')).toBe(firstTokens);

    state.truncateFails = false;
    const last = [commandEvent('last'), ...turnTokens(4, { input: 20, cached: 8, output: 2, reasoning: 1 })];
    writer.append(last);
    writer.close();
    expect(fs.readFileSync(capture, 'utf8')).toBe(firstCapture + text(last.slice(0, 1)));
    expect(fs.readFileSync(captureCompanions(capture).tokenPoints, 'utf8')).toBe(firstTokens + text(last.slice(1)));
    expect(writer.eventsWritten).toBe(first.length + last.length);
  });

  it('a failed write whose rollback works does not damage the writer (the next request is served)', () => {
    const capture = capturePath();
    const { io, state } = faultyIo();
    const writer = new CaptureWriter(capture, { io });
    const first = [commandEvent('first')];
    writer.append(first);
    state.writeBudget = 5;
    expect(() => writer.append([commandEvent('second')])).toThrow(/ENOSPC/);
    expect(writer.damaged).toBe(false);
    state.writeBudget = Infinity;
    const third = [commandEvent('third')];
    writer.append(third);
    writer.close();
    expect(fs.readFileSync(capture, 'utf8')).toBe(text(first) + text(third));
  });

  it('closing a damaged writer makes a last attempt to take the file back to its last whole line', () => {
    const capture = capturePath();
    const { io, state } = faultyIo();
    const writer = new CaptureWriter(capture, { io });
    const first = [commandEvent('first')];
    writer.append(first);
    state.writeBudget = 7;
    state.truncateFails = true;
    expect(() => writer.append([commandEvent('second')])).toThrow(CaptureDamagedError);
    state.truncateFails = false;
    writer.close();
    expect(fs.readFileSync(capture, 'utf8')).toBe(text(first));
  });
});

describe('CaptureWriter after close', () => {
  it('refuses every write, and appends nothing', () => {
    const capture = capturePath();
    const { io, state } = faultyIo();
    const writer = new CaptureWriter(capture, { io });
    const first = [commandEvent('first')];
    writer.append(first);
    writer.close();
    const writes = state.writeCalls;
    expect(() => writer.append([commandEvent('late')])).toThrow(WriterClosedError);
    expect(() => writer.append(turnTokens(9, { input: 1, cached: 0, output: 1, reasoning: 0 }))).toThrow(/closed: nothing more is written/);
    expect(() => writer.append([])).toThrow(WriterClosedError);
    writer.close(); // twice: harmless
    expect(state.writeCalls).toBe(writes);
    expect(fs.readFileSync(capture, 'utf8')).toBe(text(first));
    expect(fs.existsSync(captureCompanions(capture).tokenPoints)).toBe(false);
    expect(writer.eventsWritten).toBe(1);
  });
});

describe('the collector when a rollback fails', () => {
  it('answers 503 (the capture could not be made whole) until the file is whole again, counting each as a write error', async () => {
    const capture = capturePath();
    const { io, state } = faultyIo();
    const writer = new CaptureWriter(capture, { io });
    const stats = new StatsRecorder();
    const config: CollectorConfig = {
      secret: 'telemetry-secret',
      controlSecret: 'control-secret',
      port: 0,
      capturePath: capture,
      statsPath: path.join(dir, `stats-${counter}.json`),
      readyPath: path.join(dir, `ready-${counter}.json`),
      harness: 'codex',
      includeSpans: false,
      logUserPrompt: false,
      maxBodyBytes: 8 << 20,
      maxLifetimeMs: 60_000,
      attribution: CI_ATTRIBUTION,
    };
    const collector = createCollector(config, writer, stats);
    const port = await collector.listen();
    const logs = fixtureTemplate('tool-call-json/004-logs.json', 'json');
    const send = async (tag: string) => {
      const res = await fetch(`http://127.0.0.1:${port}${logs.path}`, { method: 'POST', headers: headersOf(logs, config.secret), body: new Uint8Array(render(logs, tag)) });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.text() };
    };
    try {
      expect((await send(requestTag(1))).status).toBe(200);
      const whole = fs.readFileSync(capture, 'utf8');

      state.writeBudget = 100; // less than one request's events
      state.truncateFails = true;
      const damaged = await send(requestTag(2));
      expect([damaged.status, damaged.retryAfter]).toEqual([503, '1']);
      expect(damaged.body).toContain('the capture could not be made whole');
      expect(fs.statSync(capture).size).toBe(whole.length + 100);

      state.writeBudget = Infinity;
      for (const n of [3, 4]) {
        const refused = await send(requestTag(n));
        expect([refused.status, refused.retryAfter]).toEqual([503, '1']);
        expect(refused.body).toContain('the capture could not be made whole');
      }
      expect(fs.statSync(capture).size).toBe(whole.length + 100); // nothing appended while damaged

      state.truncateFails = false;
      expect((await send(requestTag(5))).status).toBe(200);
      const after = fs.readFileSync(capture, 'utf8');
      expect(after.startsWith(whole)).toBe(true);
      expect(after.slice(whole.length)).toBe(whole.replaceAll(requestTag(1), requestTag(5)));
      expect(stats.stats.writeErrors).toBe(3);
      expect(stats.stats.firstError).toMatch(/^write: the capture could not be made whole/);
    } finally {
      await collector.stop();
      writer.close();
    }
  });
});
