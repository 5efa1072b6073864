import { MAX_COUNT } from '../../beacon/integers.js';
import { BOOT_FAILURE, type CollectorStats } from '../../handoff/collector-config.js';
import type { RunReport } from '../account-usage/run-report.js';
import { disagreementsOf, type SessionReconciliation } from '../account-usage/sessions/reconcile.js';
import { COUNT_FIELDS } from '../../harness/token-counts.js';

/**
 * Did the run capture what it should, and if not, why: plain sentences for the log, the job
 * summary and annotations. Only `failures` fail the step; warnings and diagnoses inform.
 */

/**
 * How the post step found and stopped the collector (the shape of stop-collector's StopOutcome):
 * `stopped` after the shutdown request; `killed` as a last resort; `already-exited` before the
 * post step came; `not-started` when no collector ran; `left-alone` when it could not be stopped.
 */
export interface CollectorExit {
  status: 'stopped' | 'killed' | 'already-exited' | 'not-started' | 'left-alone';
  reason?: string;
}

export interface ValidationOptions {
  /** Least number of `codex_cli` events for a run to count as captured. */
  minEvents: number;
  /** Fail the step (instead of warning) when the run has too few events. */
  requireTelemetry: boolean;
  collectorExit?: CollectorExit;
  /**
   * When the collector last wrote (its capture's last change, ISO), read before the post step
   * touched the capture: says when a collector that left no statistics stopped, at the latest.
   */
  collectorLastWrite?: string;
  /** The session files read and reconciled with the token metric, when the harness has them. */
  sessions?: SessionReconciliation;
}

export interface ValidationResult {
  ok: boolean;
  failures: string[];
  warnings: string[];
  /** Likely causes and what to change. */
  diagnoses: string[];
}

const CLEAN_STOP = 'shutdown request';

/** What an HTTP status the collector answered with usually means. */
const REJECTION_CAUSES: Record<string, string> = {
  '400': 'a body that could not be decoded as OTLP, or one of which nothing could be used (every data point refused, e.g. a token count that is not a whole number)',
  '401': 'a missing or wrong secret header (a stale config, another process sending to the port, or a shutdown or health request without the control secret, such as one with the telemetry secret of config.toml)',
  '413': 'a body larger than the collector accepts',
  '415': 'an unsupported content type or encoding',
  '503': 'the collector shutting down, or failing to write',
};

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function validateRun(report: RunReport, stats: CollectorStats | undefined, options: ValidationOptions): ValidationResult {
  const failures: string[] = [];
  const warnings: string[] = [];
  const diagnoses: string[] = [];
  const exit = options.collectorExit;

  if (report.codexEvents < options.minEvents) {
    const message = `${plural(report.codexEvents, 'event')} from Codex (harness codex_cli) were captured; at least ${options.minEvents} ${options.minEvents === 1 ? 'is' : 'are'} required (min-events).`;
    (options.requireTelemetry ? failures : warnings).push(message);
  }

  const requests = stats ? stats.signals.logs.requests + stats.signals.metrics.requests + stats.signals.traces.requests : undefined;
  if (exit?.status === 'not-started') {
    warnings.push('No collector was started for this job, so nothing could be captured.');
    diagnoses.push('Run this action (mode start) before the step that runs Codex, in the same job.');
  } else if (stats?.stopReason?.startsWith(BOOT_FAILURE)) {
    // Nothing reached it because it never served: the stop-reason warning below says why.
    diagnoses.push('The collector failed at boot, after the start step had handed it the socket: its log (collector.log in the work folder) has the details.');
  } else if (requests === 0 && (options.sessions?.sessionFiles.read ?? 0) > 0) {
    // Its session files are in the CODEX_HOME we prepared: Codex ran with it, and stopped before it sent anything.
    warnings.push('No telemetry request ever reached the collector, although Codex ran with this CODEX_HOME (its session files are there).');
    diagnoses.push('Codex was stopped within about a second of starting (it sends its logs in batches each second, its metrics only at a normal exit), or `[otel]` was overridden for it.');
  } else if (requests === 0) {
    warnings.push('No telemetry request ever reached the collector.');
    diagnoses.push('The usual cause: `codex-home` was not passed to openai/codex-action, or Codex did not run.');
  } else if (!report.captureFound && stats === undefined) {
    warnings.push('The collector wrote no capture file.');
  }

  if (report.codexEvents > 0 && report.tokenEvents === 0) {
    warnings.push('Codex events were captured but no token usage metric.');
    diagnoses.push('Codex sends its metrics only at a normal exit: it was cancelled or killed, or `metrics_exporter` was overridden in its configuration.');
  }
  if (options.sessions) checkSessions(options.sessions, warnings, diagnoses);
  checkUnknownTelemetry(report, stats, options.sessions, warnings);

  if (exit?.status !== 'not-started') stopWarning(exit, stats, options.collectorLastWrite, warnings);

  if (stats) {
    const rejected = Object.entries(stats.rejected).filter(([, n]) => n > 0);
    if (rejected.length > 0) {
      const total = rejected.reduce((sum, [, n]) => sum + n, 0);
      const byStatus = rejected.map(([status, n]) => `${n} with status ${status}`).join(', ');
      warnings.push(`The collector rejected ${plural(total, 'request')} (${byStatus}).`);
      for (const [status] of rejected) {
        const cause = REJECTION_CAUSES[status];
        if (cause) diagnoses.push(`Status ${status} means ${cause}.`);
      }
      if (stats.firstError) diagnoses.push(`First error: ${stats.firstError}`);
    }
    const refused = stats.dropped.rejected_record ?? 0;
    if (refused > 0) {
      warnings.push(`The collector refused ${plural(refused, 'record')} it could not use (such as a token data point whose value is not a whole number from 0 to 2^53-1); ${refused === 1 ? 'it was' : 'they were'} not counted.`);
    }
    if (stats.writeErrors > 0) {
      warnings.push(`The collector failed to write events ${plural(stats.writeErrors, 'time')}; those requests were refused so the sender could retry.`);
    }
  }

  if (report.malformedLines > 0) {
    const torn = report.lastLineTorn ? ' (the last one was cut off: the collector stopped in the middle of a write)' : '';
    warnings.push(`${plural(report.malformedLines, 'malformed line')} of the capture ${report.malformedLines === 1 ? 'was' : 'were'} skipped${torn}.`);
  }
  if (report.unusableTokenEvents > 0) {
    warnings.push(`${plural(report.unusableTokenEvents, 'token event')} had no usable value and ${report.unusableTokenEvents === 1 ? 'was' : 'were'} not counted.`);
  }
  if (report.totalsSaturated) {
    warnings.push(`Some totals reached ${MAX_COUNT} (2^53-1), the largest number this report holds exactly, and were held there: the true figures are larger.`);
  }
  if (report.oversizedExports > 0) {
    warnings.push(`${plural(report.oversizedExports, 'metrics export')} held too many token points to pair input with cached input completely.`);
  }

  return { ok: failures.length === 0, failures, warnings, diagnoses };
}

/**
 * A collector that did not stop at the post step's request, or not cleanly: said as a warning,
 * with when it stopped (its statistics' time; without them, the last change of its capture).
 */
function stopWarning(exit: CollectorExit | undefined, stats: CollectorStats | undefined, lastWrite: string | undefined, warnings: string[]): void {
  const why = exit?.reason ? ` (${exit.reason})` : '';
  const lastSeen = lastWrite ? `it stopped after ${lastWrite}, when its capture last changed` : 'when it stopped is unknown (it left no capture)';
  if (exit?.status === 'left-alone') {
    warnings.push(`The collector could not be stopped${why} and was left running. What it wrote so far is used.`);
  } else if (stats === undefined) {
    warnings.push(`The collector left no statistics: it died or was killed before it could stop cleanly${why}; ${lastSeen}. What it wrote is still used.`);
  } else if (stats.stopReason === undefined) {
    warnings.push(`The collector did not record why it stopped: it was likely killed${stats.stoppedAt ? ` at ${stats.stoppedAt}` : `; ${lastSeen}`}. What it wrote is still used.`);
  } else if (stats.stopReason !== CLEAN_STOP) {
    warnings.push(`The collector stopped on its own (${stats.stopReason}) at ${stats.stoppedAt ?? 'an unknown time'}, not at the post step's request: telemetry sent after that was lost. What it wrote is still used.`);
  } else if (exit?.status === 'already-exited') {
    warnings.push(`The collector had already stopped at ${stats.stoppedAt ?? 'an unknown time'}, on a shutdown request sent before this step: telemetry sent after that was lost. What it wrote is still used.`);
  } else if (exit?.status === 'killed') {
    warnings.push(`The collector had to be killed${why}. What it wrote is still used.`);
  }
}

const FIELD_NAMES: Record<(typeof COUNT_FIELDS)[number], string> = { input: 'input', cachedInput: 'cached input', output: 'output', reasoningOutput: 'reasoning' };

/** The session files against the metric: recovery, disagreements, and files that could not be used. */
function checkSessions(sessions: SessionReconciliation, warnings: string[], diagnoses: string[]): void {
  if (sessions.recovered.length > 0) {
    diagnoses.push(`Codex sent no token metric for ${plural(sessions.recovered.length, 'session')} (it was stopped, crashed or killed before its exit flush): that usage was recovered from its session files.`);
  }
  if (sessions.withoutUsage.length > 0) {
    diagnoses.push(`${plural(sessions.withoutUsage.length, 'session')} ended before any model response completed: no tokens were spent that could be recovered.`);
  }
  if (sessions.recoverySkipped) warnings.push(`Usage in session files was not recovered: ${sessions.recoverySkipped}.`);
  for (const { sessionIds, model, metric, sessionFile: file } of disagreementsOf(sessions)) {
    const fields = COUNT_FIELDS.filter((field) => (metric?.[field] ?? 0) !== (file?.[field] ?? 0));
    const figures = fields.map((field) => `${FIELD_NAMES[field]} ${metric?.[field] ?? 0} in the metric, ${file?.[field] ?? 0} in the session file`).join('; ');
    warnings.push(`The token metric and the session file of session ${sessionIds.join(', ')} disagree for model ${model || '(none)'}: ${figures}. The metric was counted.`);
  }
  for (const unreadable of sessions.sessionFiles.unreadable) warnings.push(`The session file ${unreadable.file} could not be read: ${unreadable.reason}.`);
  for (const problem of sessions.sessionFiles.problems) warnings.push(`Session file ${problem}; the rest of the file was still counted.`);
}

/**
 * Telemetry from Codex that looks like nothing we know: records arrived, but none of the events we
 * keep, or metrics from a run but no token metric. A Codex release that changed its telemetry
 * shows up here the day it ships, named by its version.
 */
function checkUnknownTelemetry(report: RunReport, stats: CollectorStats | undefined, sessions: SessionReconciliation | undefined, warnings: string[]): void {
  if (!stats) return;
  const versions = [...new Set([...report.codexVersions, ...(sessions?.versions ?? [])])];
  const version = versions.length ? `Codex ${versions.join(', ')}` : 'a Codex version that could not be told';
  const unknownLogs = stats.dropped.codex_log_not_kept ?? 0;
  if (report.codexEvents === 0 && unknownLogs > 0) {
    warnings.push(`Codex's telemetry looks like nothing this action knows: ${plural(unknownLogs, 'log record')} from ${version} arrived, none of them an event it keeps (codex.conversation_starts, codex.user_prompt, codex.tool_decision, codex.tool_result).`);
  }
  const unknownMetrics = stats.dropped.codex_metric_not_kept ?? 0;
  if (unknownMetrics > 0 && report.tokenEvents === 0) {
    warnings.push(`Codex's metrics arrived (${plural(unknownMetrics, 'metric')} from ${version}) but no codex.turn.token_usage among them: this Codex may report its token usage differently.`);
  }
}
