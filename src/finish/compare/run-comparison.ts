/**
 * Usage over time: each run leaves a small usage record in the Actions cache, and the next run of
 * the same job finds the most recent one and compares (issue 9).
 *
 * Service. `@actions/cache` 6 speaks to one of two services and picks by itself: cache service v2
 * (Twirp JSON on ACTIONS_RESULTS_URL: CreateCacheEntry, FinalizeCacheEntryUpload,
 * GetCacheEntryDownloadURL, with the archive in Azure Blob Storage) when the runner sets
 * ACTIONS_CACHE_SERVICE_V2, which every github.com and ghe.com runner has done since the legacy
 * service was shut down in early 2025; the legacy v1 REST service (ACTIONS_CACHE_URL) only on
 * GitHub Enterprise Server, where the client forces v1. We call the client and let it choose;
 * the tests fake v2, the service current runners use.
 *
 * Keys. `beacon-usage-v1-<job>-<hash>-<run_id>-<attempt>`, where the hash covers the branch (full
 * ref) and what tells matrix legs apart and stays the same from run to run: the workflow file,
 * GITHUB_JOB, RUNNER_OS, RUNNER_ARCH, ImageOS and the `artifact-name` input. The matrix values
 * themselves are not in a step's environment, and the per-run ids that `defaultArtifactName` uses
 * change every run, so they cannot be part of a key meant to be found again. Legs that differ only
 * in other matrix values (say, the model) share a key unless each sets its own `artifact-name`;
 * when one leg then finds another's record of the same run, it says so instead of comparing.
 * Restore asks for `<prefix><run_id>-<attempt>` with the restore key `<prefix>`: the service
 * answers the most recently created record under that prefix.
 *
 * Scope. A cache entry belongs to the ref that saved it; a run can read its own ref's entries and
 * those of the default branch, a pull request also its base branch's. A push (or schedule,
 * dispatch) run compares with its own branch and saves; a pull request run compares with its base
 * branch (GITHUB_BASE_REF) and saves nothing: its entry would be readable only by later runs of the
 * same pull request (and under pull_request_target it would land in the base branch's scope,
 * making a pull request the base branch's baseline).
 *
 * Never in the way. No cache service (outside Actions, a runner without it): a one-line note.
 * Errors are the client's to log (it turns them into a warning and a miss); each call is bounded in
 * time (`CACHE_TIME_LIMITS`), because the client retries a failing service for about 30 s and puts
 * no timeout on a request that never answers. A call given up on keeps running inside the client,
 * so `abandoned` tells the caller to end the step itself once it is done, as actions/cache does.
 *
 * Files. The record is one small JSON file at a fixed path under RUNNER_TEMP: the client hashes
 * the path list into the entry's version, so the path must be the same string in every run (it is
 * on hosted runners, and on a self-hosted runner from run to run). The client archives it with tar
 * (and zstd when present) through @actions/exec, as actions/cache does on all hosted runners,
 * Windows included (GNU tar from Git for Windows, or bsdtar with zstd).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as cache from '@actions/cache';
import { compareRecords } from './math.js';
import { RECORD_LIMITS, buildUsageRecord, parseUsageRecord, serializeUsageRecord, type Baseline, type RecordOrigin, type UsageRecord } from './record.js';
import { renderComparison, type ComparisonView } from './render.js';
import type { RunReport } from '../account-usage/run-report.js';

export const RECORD_KEY_PREFIX = 'beacon-usage-v1';

/**
 * A restore or save of one tiny entry takes well under a second on hosted runners. The restore
 * stops short of the client's first retry (3 s after a failed request), so a failing service
 * costs the post step at most this; the save, the last thing the step does, gets a little more.
 */
export const CACHE_TIME_LIMITS = { restoreMs: 3_000, saveMs: 5_000 };

/** Where our lines go (core.info); the client's own warnings go through @actions/core directly. */
export interface CompareLog {
  info(message: string): void;
}

/** What stays the same across runs of one matrix leg and differs between legs, as far as a step can tell. */
export interface LegIdentity {
  /** Workflow file (GITHUB_WORKFLOW_REF without its @ref), else the workflow name. */
  workflow: string;
  job: string;
  os: string;
  arch: string;
  /** ImageOS of hosted runners (`ubuntu24`, `win22`); empty elsewhere. */
  image: string;
  /** The `artifact-name` input, the one per-leg value users already set. */
  artifactName: string;
}

export function legIdentity(env: NodeJS.ProcessEnv, artifactName?: string): LegIdentity {
  const workflowRef = env.GITHUB_WORKFLOW_REF ?? '';
  const at = workflowRef.lastIndexOf('@');
  return {
    workflow: (at > 0 ? workflowRef.slice(0, at) : workflowRef) || env.GITHUB_WORKFLOW || '',
    job: env.GITHUB_JOB ?? '',
    os: env.RUNNER_OS ?? '',
    arch: env.RUNNER_ARCH ?? '',
    image: env.ImageOS ?? '',
    artifactName: artifactName ?? '',
  };
}

/**
 * `beacon-usage-v1-<job>-<hash>-`. The hash (a fixed 16 hex digits) covers the ref and the whole
 * leg identity, so one prefix never matches another leg's or branch's keys; the job name is only
 * there to make keys readable in the cache list. Keys have no commas and stay far below 512 chars.
 */
export function recordKeyPrefix(ref: string, leg: LegIdentity): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([ref, leg.workflow, leg.job, leg.os, leg.arch, leg.image, leg.artifactName]))
    .digest('hex')
    .slice(0, 16);
  const job = leg.job.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 40) || 'job';
  return `${RECORD_KEY_PREFIX}-${job}-${hash}-`;
}

export interface ComparePlan {
  /** The fixed path the record is written to before a save and restored to. */
  recordPath: string;
  /** The ref whose records are searched: the base branch of a pull request, else this run's ref. */
  comparedRef: string;
  pullRequest: boolean;
  restorePrefix: string;
  /** What restore asks for first: this run's own key under `restorePrefix` (never saved yet). */
  primaryKey: string;
  /** Where this run's record goes; absent when it is not saved. */
  saveKey?: string;
  noSaveReason?: string;
  origin: RecordOrigin;
}

export type PlanResult = { ok: true; plan: ComparePlan } | { ok: false; reason: string };

/**
 * What this run compares with and saves to, or why it cannot. Availability is the client's own
 * check (`isFeatureAvailable`), which reads `process.env`; the rest reads `env`.
 */
export function planComparison(env: NodeJS.ProcessEnv, options: { artifactName?: string } = {}): PlanResult {
  if (env.GITHUB_ACTIONS !== 'true') return { ok: false, reason: 'not running in GitHub Actions' };
  if (!env.ACTIONS_RUNTIME_TOKEN || !cache.isFeatureAvailable()) {
    return { ok: false, reason: 'the Actions cache service is not available to this step (ACTIONS_RESULTS_URL, or ACTIONS_CACHE_URL on GitHub Enterprise Server, is not set)' };
  }
  const runId = env.GITHUB_RUN_ID ?? '';
  const runAttempt = env.GITHUB_RUN_ATTEMPT || '1';
  const commit = (env.GITHUB_SHA ?? '').toLowerCase();
  const ref = env.GITHUB_REF ?? '';
  if (!/^\d{1,20}$/.test(runId) || !/^\d{1,6}$/.test(runAttempt) || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit) || !ref || ref.length > RECORD_LIMITS.refChars) {
    return { ok: false, reason: 'the run variables GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT, GITHUB_SHA or GITHUB_REF are missing or malformed' };
  }
  if (!env.RUNNER_TEMP) return { ok: false, reason: 'RUNNER_TEMP is not set' };

  const leg = legIdentity(env, options.artifactName);
  const baseRef = env.GITHUB_BASE_REF;
  const pullRequest = Boolean(baseRef);
  const comparedRef = pullRequest ? `refs/heads/${baseRef}` : ref;
  const restorePrefix = recordKeyPrefix(comparedRef, leg);
  const ownKey = `${recordKeyPrefix(ref, leg)}${runId}-${runAttempt}`;
  const plan: ComparePlan = {
    recordPath: path.join(env.RUNNER_TEMP, 'beacon-usage-record', 'usage-record.json'),
    comparedRef,
    pullRequest,
    restorePrefix,
    primaryKey: `${restorePrefix}${runId}-${runAttempt}`,
    origin: { runId, runAttempt, commit, ref },
  };
  if (pullRequest) plan.noSaveReason = 'a pull request run compares with its base branch and leaves no record of its own';
  else plan.saveKey = ownKey;
  return { ok: true, plan };
}

export type RestoreResult = { status: 'found'; baseline: Baseline } | { status: 'none'; note: string };
export type SaveResult = { status: 'saved'; key: string; bytes: number } | { status: 'skipped'; reason: string } | { status: 'failed'; reason: string };

type Timed<T> = { state: 'done'; value: T } | { state: 'error'; error: unknown } | { state: 'late' };

/** Waits for `work` at most `ms`; a late `work` keeps running, and its rejection is caught here. */
async function withinTime<T>(work: Promise<T>, ms: number): Promise<Timed<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Timed<T>>((resolve) => {
    timer = setTimeout(() => resolve({ state: 'late' }), ms);
  });
  const settled = work.then(
    (value): Timed<T> => ({ state: 'done', value }),
    (error: unknown): Timed<T> => ({ state: 'error', error }),
  );
  try {
    return await Promise.race([settled, late]);
  } finally {
    clearTimeout(timer);
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.trim();
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
}

function removeFile(file: string): void {
  fs.rmSync(file, { force: true });
}

function readSmallFile(file: string): string | undefined {
  try {
    if (fs.statSync(file).size > RECORD_LIMITS.fileBytes) return undefined;
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The two cache calls of one finish. Never throws. */
export class UsageRecordCache {
  /** A cache call was given up on while still running in the client: the caller should end the step when done. */
  abandoned = false;
  private restoreAbandoned = false;

  constructor(
    readonly plan: ComparePlan,
    private readonly log: CompareLog,
    private readonly limits: { restoreMs: number; saveMs: number } = CACHE_TIME_LIMITS,
  ) {}

  async restore(): Promise<RestoreResult> {
    const { plan, log } = this;
    const branch = plan.comparedRef.replace(/^refs\/heads\//, '');
    try {
      // A file left by anything earlier must not pass for the restored record.
      removeFile(plan.recordPath);
      const outcome = await withinTime(
        cache.restoreCache([plan.recordPath], plan.primaryKey, [plan.restorePrefix], { timeoutInMs: this.limits.restoreMs, segmentTimeoutInMs: this.limits.restoreMs }),
        this.limits.restoreMs,
      );
      if (outcome.state === 'late') {
        this.abandoned = this.restoreAbandoned = true;
        return { status: 'none', note: `the Actions cache did not answer within ${seconds(this.limits.restoreMs)}` };
      }
      if (outcome.state === 'error') return { status: 'none', note: `the Actions cache could not be read: ${firstLine(outcome.error)}` };
      const matchedKey = outcome.value;
      if (!matchedKey) {
        log.info(`beacon: no earlier usage record under ${plan.restorePrefix}* (a first run, or the last record was evicted after 7 days unused; a cache error, if any, is logged above).`);
        return { status: 'none', note: `no earlier usage record of this job on ${branch} could be restored from the Actions cache` };
      }
      const text = readSmallFile(plan.recordPath);
      removeFile(plan.recordPath);
      if (text === undefined) return { status: 'none', note: `the entry ${matchedKey} was restored but held no readable usage record` };
      const record = parseUsageRecord(text);
      if ('error' in record) return { status: 'none', note: `the usage record restored from ${matchedKey} cannot be used: ${record.error}` };
      if (record.run_id === plan.origin.runId && record.run_attempt === plan.origin.runAttempt) {
        return {
          status: 'none',
          note: 'the only record found was written by another job of this same run under the same key (matrix legs that differ only in matrix values share it: give each leg its own artifact-name)',
        };
      }
      log.info(`beacon: comparing with run ${record.run_id} (commit ${record.commit.slice(0, 7)}, ${record.ref}), restored from the Actions cache entry ${matchedKey}.`);
      return { status: 'found', baseline: { ...record, cache_key: matchedKey } };
    } catch (error) {
      return { status: 'none', note: `the Actions cache could not be read: ${firstLine(error)}` };
    }
  }

  async save(record: UsageRecord): Promise<SaveResult> {
    const { plan, log } = this;
    if (!plan.saveKey) return { status: 'skipped', reason: plan.noSaveReason ?? 'no key to save under' };
    // A late restore may still extract the previous record over the file we would save.
    if (this.restoreAbandoned) return { status: 'skipped', reason: 'the restore did not finish in time, so the cache is not written either' };
    const text = serializeUsageRecord(record);
    try {
      fs.mkdirSync(path.dirname(plan.recordPath), { recursive: true });
      fs.writeFileSync(plan.recordPath, text);
      const outcome = await withinTime(cache.saveCache([plan.recordPath], plan.saveKey), this.limits.saveMs);
      if (outcome.state === 'late') {
        this.abandoned = true;
        return { status: 'failed', reason: `the Actions cache did not take it within ${seconds(this.limits.saveMs)}` };
      }
      removeFile(plan.recordPath);
      if (outcome.state === 'error') return { status: 'failed', reason: firstLine(outcome.error) };
      // The client logs why when it returns -1 (a failed request, a taken key).
      if (outcome.value <= 0) return { status: 'failed', reason: 'the cache client did not save it (its message is above)' };
      log.info(`beacon: saved this run's usage record (${Buffer.byteLength(text)} bytes) to the Actions cache as ${plan.saveKey}.`);
      return { status: 'saved', key: plan.saveKey, bytes: Buffer.byteLength(text) };
    } catch (error) {
      return { status: 'failed', reason: firstLine(error) };
    }
  }
}

/**
 * One finish's comparison, for main.ts: `begin` restores the previous record (before the usage
 * file and the summary are written), `summaryMarkdown` renders the section or the note,
 * `saveRecord` leaves this run's record at the end. Never throws.
 */
export class RunComparison {
  private constructor(
    private readonly log: CompareLog,
    private readonly linkEnv: NodeJS.ProcessEnv,
    /** Undefined when compare is off; a note when there is nothing to compare with. */
    private readonly result: { plan: ComparePlan; cache: UsageRecordCache; restored: RestoreResult } | { note: string } | undefined,
  ) {}

  static async begin(options: { enabled: boolean; env?: NodeJS.ProcessEnv; artifactName?: string; log: CompareLog; limits?: { restoreMs: number; saveMs: number } }): Promise<RunComparison> {
    const env = options.env ?? process.env;
    const { log } = options;
    if (!options.enabled) {
      log.info('beacon: no usage comparison (compare: false).');
      return new RunComparison(log, env, undefined);
    }
    const planned = planComparison(env, options.artifactName === undefined ? {} : { artifactName: options.artifactName });
    if (!planned.ok) {
      log.info(`beacon: no usage comparison: ${planned.reason}.`);
      return new RunComparison(log, env, { note: planned.reason });
    }
    const recordCache = new UsageRecordCache(planned.plan, log, options.limits);
    const restored = await recordCache.restore();
    if (restored.status === 'none') log.info(`beacon: no usage comparison: ${restored.note}.`);
    return new RunComparison(log, env, { plan: planned.plan, cache: recordCache, restored });
  }

  /** The record the summary compared with, for beacon-usage.json. */
  get baseline(): Baseline | undefined {
    return this.result && 'restored' in this.result && this.result.restored.status === 'found' ? this.result.restored.baseline : undefined;
  }

  /** A cache call is still running in the client after its time ran out: end the step once done. */
  get abandoned(): boolean {
    return Boolean(this.result && 'cache' in this.result && this.result.cache.abandoned);
  }

  /** The comparison section (or its one-line note); undefined with compare: false. */
  summaryMarkdown(report: RunReport): string | undefined {
    const { result } = this;
    if (!result) return undefined;
    const links = { serverUrl: this.linkEnv.GITHUB_SERVER_URL, repository: this.linkEnv.GITHUB_REPOSITORY };
    let view: ComparisonView;
    if ('note' in result) view = { status: 'none', note: result.note };
    else if (result.restored.status === 'none') view = { status: 'none', note: result.restored.note };
    else {
      const current = buildUsageRecord(report, result.plan.origin);
      view = {
        status: 'compared',
        baseline: result.restored.baseline,
        comparison: compareRecords(result.restored.baseline, current),
        comparedRef: result.plan.comparedRef,
        pullRequest: result.plan.pullRequest,
      };
    }
    return renderComparison(view, links);
  }

  /** Leaves this run's record for the next run: only a run that captured Codex events is worth comparing with. */
  async saveRecord(report: RunReport): Promise<SaveResult | undefined> {
    const { result } = this;
    if (!result || !('cache' in result)) return undefined;
    const saved =
      report.codexEvents === 0
        ? ({ status: 'skipped', reason: 'no Codex events were captured, so it would be no baseline for the next run' } as const)
        : await result.cache.save(buildUsageRecord(report, result.plan.origin));
    if (saved.status === 'skipped') this.log.info(`beacon: this run's usage record is not saved: ${saved.reason}.`);
    if (saved.status === 'failed') this.log.info(`beacon: this run's usage record was not saved: ${saved.reason}.`);
    return saved;
  }
}
