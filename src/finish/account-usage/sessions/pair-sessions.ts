import type { RawTokenCounts, SessionUsage } from '../../../harness/sessions.js';
import { addCounts, COUNT_FIELDS as FIELDS, emptyCounts } from '../../../harness/token-counts.js';
import type { MetricExportUsage } from '../../runtime-log/metric-exports.js';

/**
 * Pairs each process's metric export with the sessions that process ran, so that every session is
 * counted exactly once: from the metric when its process exported one, recovered from its session
 * file when it did not (stopped, crashed, killed). Harness-neutral: it sees numbers, models and
 * times, never a file.
 *
 * The metric carries no session id, so pairing goes by what both records hold. A process flushes
 * its token metric when it exits, after its sessions' last records; the metric sums per model what
 * the session files list response by response, and the two agree exactly for a run that exited
 * normally (codex-session-files.md). So, export by export in time order: among the sessions not
 * yet paired that had ended by the time of the export, the first set (one session first, closest
 * in time first) whose usage per model equals the export's exactly is its sessions. An export that
 * no set matches exactly takes the session nearest to it in usage that used one of its models,
 * and the two figures are reported as a disagreement: the metric counts, the session is never
 * counted twice.
 *
 * A session read as a 'summary' (only its total known, `thread`) counts, for an export of one
 * model, as that total in that model (or in the model its file last named, when it named one):
 * an exact match on all four counts is strong evidence, since a process that had used another
 * model would have exported that model too. Exports of several models need sessions read in full
 * (./reconcile.ts sees to it).
 */

export interface ExportPairing {
  exportSeq: number;
  at: string;
  /** The sessions the export's usage is theirs; empty when none could be found. */
  sessionIds: string[];
  agreement: 'exact' | 'disagree' | 'no-session' | 'no-usage';
  /** Both figures per model, when they disagree. */
  metricByModel?: Record<string, RawTokenCounts>;
  sessionByModel?: Record<string, RawTokenCounts>;
}

export interface Pairing {
  exports: ExportPairing[];
  /** Sessions whose usage no export counted: their usage is recovered from their files. */
  unpaired: SessionUsage[];
}

/** Clock slack between a session's last record and its process's exit flush. */
const SLACK_MS = 5_000;
/** Candidate sessions tried per export (closest in time first), and the largest set tried. */
const MAX_CANDIDATES = 12;
const MAX_SET_SIZE = 4;

/**
 * The session's usage per model, summed over its turns; models with no tokens left out. A
 * 'summary' session's total goes under its last model, else under `exportModel` (an export's
 * only model, while matching), else under ''.
 */
export function sessionByModel(session: SessionUsage, exportModel?: string): Record<string, RawTokenCounts> {
  const byModel: Record<string, RawTokenCounts> = Object.create(null);
  if (session.detail === 'summary') {
    byModel[session.model ?? exportModel ?? ''] = { ...session.thread };
    return withoutEmpty(byModel);
  }
  for (const turn of session.turns) {
    addCounts((byModel[turn.model] ??= emptyCounts()), turn.usage);
  }
  return withoutEmpty(byModel);
}

function withoutEmpty(byModel: Record<string, RawTokenCounts>): Record<string, RawTokenCounts> {
  const kept: Record<string, RawTokenCounts> = Object.create(null);
  for (const [model, counts] of Object.entries(byModel)) if (FIELDS.some((field) => counts[field] !== 0)) kept[model] = counts;
  return kept;
}

function sumByModel(sets: Record<string, RawTokenCounts>[]): Record<string, RawTokenCounts> {
  const sum: Record<string, RawTokenCounts> = Object.create(null);
  for (const byModel of sets) {
    for (const [model, counts] of Object.entries(byModel)) addCounts((sum[model] ??= emptyCounts()), counts);
  }
  return sum;
}

function sameUsage(a: Record<string, RawTokenCounts>, b: Record<string, RawTokenCounts>): boolean {
  const models = Object.keys(a);
  if (models.length !== Object.keys(b).length) return false;
  return models.every((model) => b[model] !== undefined && FIELDS.every((field) => a[model]![field] === b[model]![field]));
}

function ms(iso: string): number {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : 0;
}

/** Every subset of `items` of exactly `size`, in order (items are few: at most MAX_CANDIDATES). */
function* subsets<T>(items: T[], size: number, from = 0): Generator<T[]> {
  if (size === 0) {
    yield [];
    return;
  }
  for (let i = from; i <= items.length - size; i++) for (const rest of subsets(items, size - 1, i + 1)) yield [items[i]!, ...rest];
}

interface Candidate {
  session: SessionUsage;
  byModel: Record<string, RawTokenCounts>;
}

function exactSet(metric: Record<string, RawTokenCounts>, candidates: Candidate[]): Candidate[] | undefined {
  for (let size = 1; size <= Math.min(MAX_SET_SIZE, candidates.length); size++) {
    for (const set of subsets(candidates, size)) if (sameUsage(metric, sumByModel(set.map((c) => c.byModel)))) return set;
  }
  return undefined;
}

/** How far apart two usages are: the sum of every field's difference, over every model of either. */
function usageDistance(a: Record<string, RawTokenCounts>, b: Record<string, RawTokenCounts>): number {
  let distance = 0;
  for (const model of new Set([...Object.keys(a), ...Object.keys(b)])) {
    for (const field of FIELDS) distance += Math.abs((a[model]?.[field] ?? 0) - (b[model]?.[field] ?? 0));
  }
  return distance;
}

/**
 * The candidate sharing a model with the export whose usage is nearest to it; candidates come
 * closest in time first, so time breaks a tie. Nearest in usage, not in time: a stopped session
 * may well have ended nearer to another process's flush than that process's own session did.
 */
function closestInUsage(metric: Record<string, RawTokenCounts>, candidates: Candidate[]): Candidate | undefined {
  let best: Candidate | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (!Object.keys(candidate.byModel).some((model) => metric[model] !== undefined)) continue;
    const distance = usageDistance(metric, candidate.byModel);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/** A session's usage per model as one export sees it; the export's model when it has only one. */
function usageFor(session: SessionUsage, metricByModel: Record<string, RawTokenCounts>, full: Map<SessionUsage, Record<string, RawTokenCounts>>): Record<string, RawTokenCounts> {
  if (session.detail !== 'summary') return full.get(session)!;
  const models = Object.keys(metricByModel);
  return sessionByModel(session, models.length === 1 ? models[0] : undefined);
}

/** Pairs exports (any order) with sessions; see the file comment. */
export function pairSessions(exports: readonly MetricExportUsage[], sessions: readonly SessionUsage[]): Pairing {
  const full = new Map<SessionUsage, Record<string, RawTokenCounts>>(sessions.filter((s) => s.detail !== 'summary').map((s) => [s, sessionByModel(s)]));
  const open = new Set(sessions);
  const ordered = [...exports].sort((a, b) => ms(a.at) - ms(b.at) || a.exportSeq - b.exportSeq);
  const paired: ExportPairing[] = [];
  for (const metric of ordered) {
    const metricByModel = withoutEmpty(metric.byModel);
    // An export that adds nothing (a cumulative repeat at exit) is no process's record of a session.
    if (Object.keys(metricByModel).length === 0) {
      paired.push({ exportSeq: metric.exportSeq, at: metric.at, sessionIds: [], agreement: 'no-usage' });
      continue;
    }
    const at = ms(metric.at);
    // Sessions that had begun and ended by the time of the flush, closest first.
    const candidates = [...open]
      .filter((s) => ms(s.startedAt) <= at + SLACK_MS && ms(s.lastRecordAt || s.startedAt) <= at + SLACK_MS)
      .map((session) => ({ session, byModel: usageFor(session, metricByModel, full) }))
      .sort((a, b) => Math.abs(at - ms(a.session.lastRecordAt)) - Math.abs(at - ms(b.session.lastRecordAt)))
      .slice(0, MAX_CANDIDATES);
    const exact = exactSet(metricByModel, candidates);
    if (exact) {
      for (const c of exact) open.delete(c.session);
      paired.push({ exportSeq: metric.exportSeq, at: metric.at, sessionIds: exact.map((c) => c.session.sessionId), agreement: 'exact' });
      continue;
    }
    const closest = closestInUsage(metricByModel, candidates);
    if (!closest) {
      paired.push({ exportSeq: metric.exportSeq, at: metric.at, sessionIds: [], agreement: 'no-session' });
      continue;
    }
    open.delete(closest.session);
    paired.push({ exportSeq: metric.exportSeq, at: metric.at, sessionIds: [closest.session.sessionId], agreement: 'disagree', metricByModel, sessionByModel: closest.byModel });
  }
  return { exports: paired.sort((a, b) => a.exportSeq - b.exportSeq), unpaired: [...open] };
}
