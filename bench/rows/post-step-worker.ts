/**
 * One measured pass over a capture, in a process of its own so that its peak RSS (VmHWM) is its
 * own. `subject`: what the post step does with it (src/finish: the runtime log, the usage file,
 * validateRun, renderSummary). `baseline`: read the capture and its token file in 1 MB chunks and
 * JSON.parse every line. Usage: post-step-worker.ts subject|baseline <capture> <runtime-log>.
 * Prints one JSON line.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CollectorStats } from '../../src/handoff/collector-config.js';
import { captureCompanions } from '../../src/handoff/workspace.js';
import { writeRuntimeLogWithReport } from '../../src/finish/account-usage/process-capture.js';
import { renderSummary } from '../../src/finish/publish/summary.js';
import { buildUsageFile, writeUsageFile } from '../../src/finish/publish/usage-file.js';
import { validateRun } from '../../src/finish/validate/validate.js';
import { memoryOf } from '../lib/proc.js';

const [mode, capturePath, logPath] = process.argv.slice(2) as [string, string, string];

async function subject(): Promise<Record<string, number>> {
  const { report, log } = await writeRuntimeLogWithReport({ capturePath, logPath });
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
  return { events: report.events, malformed: report.malformedLines, linked: log === 'linked' ? 1 : 0, summaryBytes: Buffer.byteLength(summary), totalTokens: usage.totals.total_tokens ?? -1 };
}

/** JSON.parse of every line of one file, read in 1 MB chunks; the number of lines. */
function parseLines(file: string, buffer: Buffer): number {
  if (!fs.existsSync(file)) return 0;
  const fd = fs.openSync(file, 'r');
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
  return events;
}

function baseline(): Record<string, number> {
  const buffer = Buffer.allocUnsafe(2 << 20);
  return { events: parseLines(capturePath, buffer) + parseLines(captureCompanions(capturePath).tokenPoints, buffer) };
}

const started = performance.now();
const counts = mode === 'subject' ? await subject() : baseline();
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ ms, hwmMb: memoryOf('self').hwmMb, ...counts })}\n`);
