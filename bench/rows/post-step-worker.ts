/**
 * One measured pass over a capture, in a process of its own so that its peak RSS (VmHWM) is its
 * own. `subject`: what the post step does with it (src/finish: processCaptureLog, the usage file,
 * validateRun, renderSummary). `baseline`: read it in 1 MB chunks and JSON.parse every line.
 * Usage: post-step-worker.ts subject|baseline <capture> <runtime-log>. Prints one JSON line.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CollectorStats } from '../../src/handoff/collector-config.js';
import { processCaptureLog } from '../../src/finish/process-log.js';
import { renderSummary } from '../../src/finish/summary.js';
import { buildUsageFile, writeUsageFile } from '../../src/finish/usage-file.js';
import { validateRun } from '../../src/finish/validate.js';
import { memoryOf } from '../lib/proc.js';

const [mode, capturePath, logPath] = process.argv.slice(2) as [string, string, string];

async function subject(): Promise<Record<string, number>> {
  const report = await processCaptureLog({ capturePath, logPath });
  const usage = buildUsageFile(report, { logName: 'beacon-runtime.jsonl' });
  writeUsageFile(path.join(path.dirname(logPath), 'beacon-usage.json'), usage);
  const stats: CollectorStats = {
    startedAt: new Date().toISOString(),
    signals: {
      logs: { requests: 1, bytes: 0, byEncoding: { protobuf: 1 }, recordsReceived: report.events, recordsKept: report.events },
      metrics: { requests: 1, bytes: 0, byEncoding: { protobuf: 1 }, recordsReceived: 0, recordsKept: 0 },
      traces: { requests: 0, bytes: 0, byEncoding: {}, recordsReceived: 0, recordsKept: 0 },
    },
    eventsWritten: report.linesRead,
    dropped: {},
    rejected: {},
    writeErrors: 0,
  };
  const validation = validateRun(report, stats, { minEvents: 1, requireTelemetry: true, collectorExit: { status: 'stopped' } });
  const summary = renderSummary(report, usage, validation);
  if (!validation.ok) throw new Error(`validation failed: ${validation.failures.join(' ')}`);
  return { events: report.events, malformed: report.malformedLines, summaryBytes: Buffer.byteLength(summary), totalTokens: usage.totals.total_tokens ?? -1 };
}

function baseline(): Record<string, number> {
  const fd = fs.openSync(capturePath, 'r');
  const buffer = Buffer.allocUnsafe(2 << 20);
  let filled = 0;
  let events = 0;
  try {
    for (;;) {
      const read = fs.readSync(fd, buffer, filled, buffer.length - filled, null);
      const end = filled + read;
      let start = 0;
      for (let nl = buffer.indexOf(10, start); nl !== -1 && nl < end; nl = buffer.indexOf(10, start)) {
        if (nl > start) {
          JSON.parse(buffer.toString('utf8', start, nl));
          events += 1;
        }
        start = nl + 1;
      }
      if (read === 0) break;
      buffer.copy(buffer, 0, start, end);
      filled = end - start;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { events };
}

const started = performance.now();
const counts = mode === 'subject' ? await subject() : baseline();
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ ms, hwmMb: memoryOf('self').hwmMb, ...counts })}\n`);
