/**
 * Capture files (the collector's JSONL) for the post step, built by hand in this process from
 * realistic traffic: the Codex-shaped log batches of ./codex-traffic.ts and Codex's real metrics
 * export (the token histogram) go through the collector's own decode → keep/map → serialize code
 * (src/collector, src/beacon), so every line is exactly what the collector would have written,
 * and where: token events in the token file beside the capture, every other event in the capture,
 * and the capture lines the collector would note as suspect in its notes beside them.
 * A block of one job is built once and repeated to reach the size asked for.
 */
import fs from 'node:fs';
import { ACTION } from '../../src/beacon/event.js';
import { toJsonLine } from '../../src/beacon/sanitize.js';
import { keepAndMap, type MapSettings } from '../../src/collector/keep-map.js';
import { isSuspectLine } from '../../src/collector/writer.js';
import { decodeExportRequest } from '../../src/collector/otlp/decode.js';
import type { Signal } from '../../src/collector/otlp/types.js';
import { captureCompanions } from '../../src/handoff/workspace.js';
import { codexJobRecords, fixtureMetricsProtobuf, serializeBatch } from './codex-traffic.js';

export const CI_SETTINGS: MapSettings = {
  attribution: {
    endpoint: { hostname: 'runner-bench', os: 'linux' },
    origin: 'ci',
    run: { provider: 'github_actions', run_id: '1234567890', run_attempt: '1', workflow: 'Agent review', job: 'review', event_name: 'push', commit: '0123456789abcdef0123456789abcdef01234567', repository: 'octo-org/octo-repo', branch: 'main', actor: 'octocat', ephemeral: true },
    repository: 'https://github.com/octo-org/octo-repo',
    branch: 'main',
  },
  options: { logUserPrompt: false, includeSpans: false },
};

/**
 * One export request's lines, split as the collector's CaptureWriter splits them; `suspectStarts`:
 * the byte offsets in `text` of the lines it would note as suspect (no masked values in the bench).
 */
export function exportLines(signal: Signal, body: Uint8Array, exportSeq: number): { text: string; tokenText: string; events: number; tokenEvents: number; suspectStarts: number[] } {
  const mapped = keepAndMap(signal, decodeExportRequest(signal, 'protobuf', body), CI_SETTINGS, exportSeq);
  let text = '';
  let bytes = 0;
  let tokenText = '';
  let tokenEvents = 0;
  const suspectStarts: number[] = [];
  for (const event of mapped.events) {
    const line = toJsonLine(event);
    if (event.event.action === ACTION.tokenUsage) {
      tokenText += line;
      tokenEvents += 1;
      continue;
    }
    if (isSuspectLine(event, undefined)) suspectStarts.push(bytes);
    text += line;
    bytes += Buffer.byteLength(line);
  }
  return { text, tokenText, events: mapped.events.length, tokenEvents, suspectStarts };
}

export interface CaptureBlock {
  /** The capture's lines. */
  text: string;
  /** Its UTF-8 bytes. */
  textBytes: number;
  /** Byte offsets in `text` of the lines the collector notes as suspect. */
  suspectStarts: number[];
  /** The token file's lines. */
  tokenText: string;
  events: number;
  tokenEvents: number;
}

/**
 * The capture of one Codex job: log exports of ~`recordsPerExport` records (Codex batches its logs
 * about every second) and a metrics export (6 token events) after every `logExportsPerMetrics`.
 */
export function jobCapture(shape: { toolCalls: number; turns: number; seed?: number }, recordsPerExport = 60, logExportsPerMetrics = 20): CaptureBlock {
  const records = codexJobRecords(shape);
  const metrics = fixtureMetricsProtobuf();
  const block: CaptureBlock = { text: '', textBytes: 0, suspectStarts: [], tokenText: '', events: 0, tokenEvents: 0 };
  const add = (lines: ReturnType<typeof exportLines>) => {
    for (const start of lines.suspectStarts) block.suspectStarts.push(block.textBytes + start);
    block.textBytes += Buffer.byteLength(lines.text);
    block.text += lines.text;
    block.tokenText += lines.tokenText;
    block.events += lines.events;
    block.tokenEvents += lines.tokenEvents;
  };
  let seq = 0;
  for (let at = 0, exports = 0; at < records.length; at += recordsPerExport) {
    add(exportLines('logs', serializeBatch(records.slice(at, at + recordsPerExport)).protobuf, ++seq));
    if (++exports % logExportsPerMetrics === 0 || at + recordsPerExport >= records.length) add(exportLines('metrics', metrics, ++seq));
  }
  return block;
}

/**
 * Writes `block` repeated until the files hold at least `minEvents` events: the capture at `file`,
 * the token events and the suspect-line notes beside it (`captureCompanions`). Returns the counts
 * and the sizes of the capture and token files.
 */
export function writeRepeated(file: string, block: CaptureBlock, minEvents: number): { events: number; bytes: number; captureBytes: number; tokenPath: string } {
  const repeats = Math.max(1, Math.ceil(minEvents / block.events));
  const tokenPath = captureCompanions(file).tokenPoints;
  const write = (target: string, text: string) => {
    const buffer = Buffer.from(text, 'utf8');
    const fd = fs.openSync(target, 'w', 0o600);
    try {
      for (let i = 0; i < repeats; i++) fs.writeSync(fd, buffer);
    } finally {
      fs.closeSync(fd);
    }
    return repeats * buffer.length;
  };
  const captureBytes = write(file, block.text);
  const tokenBytes = write(tokenPath, block.tokenText);
  const notes: string[] = [];
  for (let i = 0; i < repeats; i++) for (const start of block.suspectStarts) notes.push(`${i * block.textBytes + start}\n`);
  fs.writeFileSync(captureCompanions(file).suspectLines, notes.join(''), { mode: 0o600 });
  return { events: repeats * block.events, bytes: captureBytes + tokenBytes, captureBytes, tokenPath };
}
