/**
 * Capture files (the collector's JSONL) for the post step, built by hand in this process from
 * realistic traffic: the Codex-shaped log batches of ./codex-traffic.ts and Codex's real metrics
 * export (the token histogram) go through the collector's own decode → keep/map → serialize code
 * (src/collector, src/beacon), so every line is exactly what the collector would have written.
 * A block of one job is built once and repeated to reach the size asked for.
 */
import fs from 'node:fs';
import { toJsonLine } from '../../src/beacon/sanitize.js';
import { keepAndMap, type MapSettings } from '../../src/collector/keep-map.js';
import { decodeExportRequest } from '../../src/collector/otlp/decode.js';
import type { Signal } from '../../src/collector/otlp/types.js';
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

/** One export request's lines, as the collector appends them. */
export function exportLines(signal: Signal, body: Uint8Array, exportSeq: number): { text: string; events: number } {
  const mapped = keepAndMap(signal, decodeExportRequest(signal, 'protobuf', body), CI_SETTINGS, exportSeq);
  let text = '';
  for (const event of mapped.events) text += toJsonLine(event);
  return { text, events: mapped.events.length };
}

export interface CaptureBlock {
  text: string;
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
  let text = '';
  let events = 0;
  let tokenEvents = 0;
  let seq = 0;
  for (let at = 0, exports = 0; at < records.length; at += recordsPerExport) {
    const logs = exportLines('logs', serializeBatch(records.slice(at, at + recordsPerExport)).protobuf, ++seq);
    text += logs.text;
    events += logs.events;
    if (++exports % logExportsPerMetrics === 0 || at + recordsPerExport >= records.length) {
      const tokens = exportLines('metrics', metrics, ++seq);
      text += tokens.text;
      events += tokens.events;
      tokenEvents += tokens.events;
    }
  }
  return { text, events, tokenEvents };
}

/** Writes `block` repeated until the file holds at least `minEvents` events; returns the counts. */
export function writeRepeated(file: string, block: CaptureBlock, minEvents: number): { events: number; bytes: number } {
  const repeats = Math.max(1, Math.ceil(minEvents / block.events));
  const buffer = Buffer.from(block.text, 'utf8');
  const fd = fs.openSync(file, 'w', 0o600);
  try {
    for (let i = 0; i < repeats; i++) fs.writeSync(fd, buffer);
  } finally {
    fs.closeSync(fd);
  }
  return { events: repeats * block.events, bytes: repeats * buffer.length };
}
