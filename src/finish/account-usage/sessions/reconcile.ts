import type { RawTokenCounts, SessionFileReader, SessionScan, SessionUsage } from '../../../harness/sessions.js';
import type { MetricExportUsage } from '../../runtime-log/metric-exports.js';
import { pairSessions, sessionByModel, type ExportPairing } from './pair-sessions.js';

/**
 * The two records of token usage, reconciled: the harness's metric (primary, wherever it arrived)
 * and its session files (which survive a stopped process). Reads the sessions that began after the
 * start step, pairs them with the metric exports, and says which sessions' usage must be recovered
 * from their files, which export is whose, and where the two disagree.
 *
 * Large session files are first read as summaries (their total only, ../../../harness/sessions.ts)
 * and read in full only where the turns or the split per model are needed: for pairing with an
 * export of several models, for a session recovered (its events are per turn) or left without
 * usage, and for a pairing that is not exact everywhere (then every session is read in full and
 * paired again, so that a disagreement, or an export with no session, is decided exactly as from
 * full reads).
 */

export interface SessionReconciliation {
  harness: string;
  /** The harness versions the session files name (Codex's `cli_version`). */
  versions: string[];
  sessionFiles: {
    /** Sessions read (that began after the start step). */
    read: number;
    /** Session files of earlier jobs in a reused home, left out. */
    olderLeftOut: number;
    unreadable: { file: string; reason: string }[];
    /** What was wrong in files that were still read: `file: problem`. */
    problems: string[];
  };
  exports: ExportPairing[];
  /** Sessions counted from their files: their process sent no token metric. */
  recovered: { sessionId: string; file: string; models: string[]; usage: Record<string, RawTokenCounts> }[];
  /** Sessions with no usage in their files (stopped before any response completed) and none in the metric. */
  withoutUsage: { sessionId: string; file: string }[];
  /** Why nothing was recovered although sessions were read, if so. */
  recoverySkipped?: string;
}

/** One model of an export where the metric and the session files disagree (the metric is counted). */
export interface Disagreement {
  sessionIds: string[];
  model: string;
  metric?: RawTokenCounts;
  sessionFile?: RawTokenCounts;
}

/** Every disagreement, model by model: what the usage file lists and validation warns of. */
export function disagreementsOf(sessions: SessionReconciliation): Disagreement[] {
  return sessions.exports
    .filter((e) => e.agreement === 'disagree')
    .flatMap((e) =>
      [...new Set([...Object.keys(e.metricByModel ?? {}), ...Object.keys(e.sessionByModel ?? {})])].map((model) => ({
        sessionIds: e.sessionIds,
        model,
        metric: e.metricByModel?.[model],
        sessionFile: e.sessionByModel?.[model],
      })),
    );
}

export interface Reconciled {
  report: SessionReconciliation;
  /** The session whose usage an export's token events are, when the export is one session's. */
  sessionOfExport(exportSeq: number): string | undefined;
  /** The sessions whose usage is recovered from their files. */
  recoveredSessions: SessionUsage[];
}

const MAX_LISTED = 50;

export interface ReconcileOptions {
  reader: SessionFileReader;
  /** The harness's home (CODEX_HOME), where its session files are. */
  home: string;
  /** When the start step ran: sessions that began before belong to earlier jobs. */
  since: Date;
  exports: readonly MetricExportUsage[];
  /** True when some token points could not be tallied per export: pairing would be unsure. */
  exportsIncomplete: boolean;
}

async function scanSafely(options: ReconcileOptions): Promise<SessionScan> {
  try {
    return await options.reader.readSessions({ home: options.home, since: options.since });
  } catch (error) {
    return { sessions: [], olderFilesSkipped: 0, unreadable: [{ file: 'sessions/', reason: (error as Error).message }] };
  }
}

/** The given sessions (all, when none given) read in full; the scan's list updated in place, in its order. */
async function readInFull(options: ReconcileOptions, scan: SessionScan, which?: readonly SessionUsage[]): Promise<Map<SessionUsage, SessionUsage>> {
  const replaced = new Map<SessionUsage, SessionUsage>();
  for (const session of which ?? scan.sessions) {
    if (session.detail !== 'summary') continue;
    const full = await options.reader.readFull(options.home, session).catch((error: unknown) => ({ ...session, problems: [...session.problems, `could not be read again in full: ${(error as Error).message}`] }));
    replaced.set(session, full);
  }
  if (replaced.size > 0) scan.sessions = scan.sessions.map((s) => replaced.get(s) ?? s);
  return replaced;
}

function models(e: MetricExportUsage): number {
  return Object.values(e.byModel).filter((counts) => Object.values(counts).some((count) => count !== 0)).length;
}

export async function reconcileSessions(options: ReconcileOptions): Promise<Reconciled> {
  const scan = await scanSafely(options);
  const exports = options.exports.filter((e) => e.harness === options.reader.harnessName);
  // An export of several models is matched model by model: that needs every session's split.
  if (exports.some((e) => models(e) > 1)) await readInFull(options, scan);
  let pairing = pairSessions(exports, scan.sessions);
  if (pairing.exports.some((e) => e.agreement === 'disagree' || e.agreement === 'no-session') && scan.sessions.some((s) => s.detail === 'summary')) {
    await readInFull(options, scan);
    pairing = pairSessions(exports, scan.sessions);
  }
  // Sessions no export counted: recovered turn by turn, or named for having no usage.
  const replaced = await readInFull(options, scan, pairing.unpaired);
  pairing = { ...pairing, unpaired: pairing.unpaired.map((s) => replaced.get(s) ?? s) };
  const withUsage = pairing.unpaired.filter((s) => Object.keys(sessionByModel(s)).length > 0);
  const withoutUsage = pairing.unpaired.filter((s) => !withUsage.includes(s));
  // Token points outside any tallied export may be these sessions' own: recovering them could count twice.
  const recoverySkipped = options.exportsIncomplete && withUsage.length > 0 ? 'some token metric points could not be told apart by export request, so no session could be ruled out as already counted' : undefined;
  const recoveredSessions = recoverySkipped ? [] : withUsage;

  const exportSessions = new Map(pairing.exports.filter((e) => e.sessionIds.length === 1).map((e) => [e.exportSeq, e.sessionIds[0]!]));
  const report: SessionReconciliation = {
    harness: options.reader.harnessName,
    versions: [...new Set(scan.sessions.map((s) => s.harnessVersion).filter((v): v is string => typeof v === 'string' && v !== ''))].slice(0, 5),
    sessionFiles: {
      read: scan.sessions.length,
      olderLeftOut: scan.olderFilesSkipped,
      unreadable: scan.unreadable.slice(0, MAX_LISTED),
      problems: scan.sessions.flatMap((s) => s.problems.map((problem) => `${s.file}: ${problem}`)).slice(0, MAX_LISTED),
    },
    exports: pairing.exports.slice(0, MAX_LISTED),
    recovered: recoveredSessions.map((s) => {
      const usage = sessionByModel(s);
      return { sessionId: s.sessionId, file: s.file, models: Object.keys(usage), usage };
    }),
    withoutUsage: withoutUsage.map((s) => ({ sessionId: s.sessionId, file: s.file })).slice(0, MAX_LISTED),
    ...(recoverySkipped ? { recoverySkipped } : {}),
  };
  return { report, recoveredSessions, sessionOfExport: (exportSeq) => exportSessions.get(exportSeq) };
}
