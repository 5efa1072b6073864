/**
 * One measured pass over a capture, in a process of its own so that its peak RSS (VmHWM) is its
 * own. `subject`: what the post step does with it (src/finish: the runtime log, the usage file,
 * validateRun, renderSummary). `baseline`: read the capture and its token file in 1 MB chunks and
 * JSON.parse every line. `sessions`: the post step as src/finish/main.ts runs it, the session files
 * of `<codex-home>` read and paired with the metric between the two stages of the runtime log
 * (writeRuntimeLogWithReport with a SessionSource), then the same usage file, validation and summary.
 * Usage: post-step-worker.ts subject|baseline <capture> <runtime-log>, or
 * post-step-worker.ts sessions <capture> <runtime-log> <codex-home> <since (ISO)>.
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
import type { LogMaking } from '../../src/finish/runtime-log/write-runtime-log.js';
import type { RunReport } from '../../src/finish/account-usage/run-report.js';
import type { SessionReconciliation } from '../../src/finish/account-usage/sessions/reconcile.js';
import { memoryOf } from '../lib/proc.js';

const [mode, capturePath, logPath, codexHome, since] = process.argv.slice(2) as [string, string, string, string?, string?];

async function subject(): Promise<Record<string, number>> {
  const { report, log } = await writeRuntimeLogWithReport({ capturePath, logPath });
  return publish(report, log);
}

/**
 * writeRuntimeLogWithReport (src/finish/account-usage/process-capture.ts) with a SessionSource, as
 * src/finish/main.ts runs it with the collector stopped, written out step by step so that
 * reconcileSessions is timed on its own (`readMs`). Its modules are loaded before the clock starts
 * (and only in this mode, so the other modes load what they always did).
 */
async function withSessions(): Promise<() => Promise<Record<string, number>>> {
  const [{ RuntimeLogWriter }, { RunReportBuilder }, { CODEX_HARNESS }, { sessionReaderFor }, { reconcileSessions }, { recoveredEvents }, { attributionFromEnv }, { redactDeep }] = await Promise.all([
    import('../../src/finish/runtime-log/write-runtime-log.js'),
    import('../../src/finish/account-usage/report-builder.js'),
    import('../../src/finish/account-usage/run-report.js'),
    import('../../src/harness/sessions.js'),
    import('../../src/finish/account-usage/sessions/reconcile.js'),
    import('../../src/finish/account-usage/sessions/recovered-events.js'),
    import('../../src/beacon/attribution.js'),
    import('../../src/beacon/redact.js'),
  ]);
  return async () => {
    const accounting = new RunReportBuilder();
    const writer = new RuntimeLogWriter({ capturePath, logPath, onEvent: (event) => accounting.add(event) });
    await writer.writeCapture();
    const readStarted = performance.now();
    const reader = sessionReaderFor(CODEX_HARNESS)!;
    const reconciled = await reconcileSessions({ reader, home: codexHome!, since: new Date(since!), exports: writer.metricExports, exportsIncomplete: writer.metricExportsIncomplete });
    const readMs = performance.now() - readStarted;
    const attribution = redactDeep(attributionFromEnv(process.env));
    const now = new Date().toISOString();
    await writer.appendTokenEvents({
      sessionOfExport: reconciled.sessionOfExport,
      extraEvents: (function* () {
        for (const session of reconciled.recoveredSessions) yield* recoveredEvents(session, { attribution, harnessName: reader.harnessName, metricName: reader.usageMetricName, now });
      })(),
    });
    const sessions = reconciled.report;
    return {
      ...publish(accounting.finish(writer.stats), writer.log, sessions),
      readMs,
      sessionsRead: sessions.sessionFiles.read,
      exactExports: sessions.exports.filter((e) => e.agreement === 'exact').length,
      pairedExports: sessions.exports.length,
      recovered: sessions.recovered.length,
      fileTrouble: sessions.sessionFiles.unreadable.length + sessions.sessionFiles.problems.length,
    };
  };
}

/** The usage file, validation and summary, as the post step makes them. */
function publish(report: RunReport, log: LogMaking, sessions?: SessionReconciliation): Record<string, number> {
  const usage = buildUsageFile(report, { logName: 'beacon-runtime.jsonl', ...(sessions ? { sessions } : {}) });
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
  const validation = validateRun(report, stats, { minEvents: 1, requireTelemetry: true, collectorExit: { status: 'stopped' }, ...(sessions ? { sessions } : {}) });
  const summary = renderSummary(report, usage, validation, sessions ? { sessions } : undefined);
  if (!validation.ok) throw new Error(`validation failed: ${validation.failures.join(' ')}`);
  return { events: report.events, malformed: report.malformedLines, linked: log === 'linked' ? 1 : 0, summaryBytes: Buffer.byteLength(summary), totalTokens: usage.totals.total_tokens ?? -1, warnings: validation.warnings.length };
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

const work = mode === 'subject' ? subject : mode === 'sessions' ? await withSessions() : async () => baseline();
const started = performance.now();
const counts = await work();
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ ms, hwmMb: memoryOf('self').hwmMb, ...counts })}\n`);
