import type { Attribution } from '../../beacon/event.js';
import type { SessionFileReader } from '../../harness/sessions.js';
import { RuntimeLogWriter, type LogMaking, type RuntimeLogOptions, type TokenTail } from '../runtime-log/write-runtime-log.js';
import { RunReportBuilder } from './report-builder.js';
import type { RunReport } from './run-report.js';
import { reconcileSessions, type SessionReconciliation } from './sessions/reconcile.js';
import { recoveredEvents } from './sessions/recovered-events.js';

/** Where the harness's session files are, for the step between the runtime log's two stages. */
export interface SessionSource {
  reader: SessionFileReader;
  /** The harness's home (CODEX_HOME). */
  home: string;
  /** Files older than this (the start step) are of earlier jobs. */
  since: Date;
  /** Of the events recovered from session files. */
  attribution: Attribution;
}

export interface RuntimeLogResult {
  report: RunReport;
  log: LogMaking;
  /** With a SessionSource: how the session files and the metric were paired. */
  sessions?: SessionReconciliation;
}

/**
 * The runtime log and the report of its events: the capture first; then, given a SessionSource,
 * the session files are read and paired with the metric exports; then the token events go in,
 * the metric's with their sessions and the usage recovered from session files after them.
 */
export async function writeRuntimeLogWithReport(options: RuntimeLogOptions, sessionSource?: SessionSource): Promise<RuntimeLogResult> {
  const report = new RunReportBuilder();
  const writer = new RuntimeLogWriter({
    ...options,
    onEvent: (event) => {
      report.add(event);
      options.onEvent?.(event);
    },
  });
  await writer.writeCapture();
  let tail: TokenTail = {};
  let sessions: SessionReconciliation | undefined;
  if (sessionSource) {
    const { reader, home, since, attribution } = sessionSource;
    const reconciled = await reconcileSessions({ reader, home, since, exports: writer.metricExports, exportsIncomplete: writer.metricExportsIncomplete });
    const now = new Date().toISOString();
    tail = {
      sessionOfExport: reconciled.sessionOfExport,
      extraEvents: (function* () {
        for (const session of reconciled.recoveredSessions) yield* recoveredEvents(session, { attribution, harnessName: reader.harnessName, metricName: reader.usageMetricName, now });
      })(),
    };
    sessions = reconciled.report;
  }
  await writer.appendTokenEvents(tail);
  return { report: report.finish(writer.stats), log: writer.log, ...(sessions ? { sessions } : {}) };
}

/** The runtime log's report alone, with no session files: what tests of the log itself use. */
export async function processCaptureLog(options: RuntimeLogOptions): Promise<RunReport> {
  return (await writeRuntimeLogWithReport(options)).report;
}
