import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BeaconEvent } from '../src/beacon/event.js';
import { toJsonLine } from '../src/beacon/sanitize.js';
import { CaptureWriter } from '../src/collector/writer.js';
import { captureCompanions } from '../src/handoff/workspace.js';
import { commandEvent, logEvent, turnTokens } from './support/capture-builder.js';

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
    const writer = new CaptureWriter(capture, '/dev/full');
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
    const writer = new CaptureWriter('/dev/full', tokens);
    const before = turnTokens(1, { input: 10, cached: 4, output: 1, reasoning: 0 });
    writer.append(before);
    expect(() => writer.append([commandEvent('x'), ...turnTokens(2, { input: 10, cached: 4, output: 1, reasoning: 0 })])).toThrow(/ENOSPC/);
    writer.close();
    expect(readOr(tokens)).toBe(text(before));
    expect(writer.eventsWritten).toBe(6);
  });
});
