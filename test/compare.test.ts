import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'smol-toml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RunComparison, UsageRecordCache, legIdentity, planComparison, recordKeyPrefix, type ComparePlan } from '../src/finish/compare/run-comparison.js';
import { LARGE_CHANGE, change, compareRecords, reachedRatio } from '../src/finish/compare/math.js';
import { OTHER_MODELS, RECORD_LIMITS, buildUsageRecord, parseUsageRecord, serializeUsageRecord, type UsageRecord } from '../src/finish/compare/record.js';
import { findingSentence, formatChange, renderComparison } from '../src/finish/compare/render.js';
import { processCaptureLog } from '../src/finish/account-usage/process-capture.js';
import { emptyUsageTotals, type RunReport, type UsageTotals } from '../src/finish/account-usage/run-report.js';
import { buildUsageFile, type UsageFile } from '../src/finish/publish/usage-file.js';
import { commandEvent, turnTokens, writeCapture } from './support/capture-builder.js';
import { captureClientOutput } from './support/client-output.js';
import { fixtureRequests, httpRequest } from './support/collector-process.js';
import { cacheEnvFor, startFakeCacheService, type CacheRun, type FakeCacheService } from './support/fake-cache-service.js';
import { SimulatedRunner, githubEnv } from './support/runner.js';

/**
 * Usage over time (issue 9): the comparison math and its sentences, the usage record, the cache
 * keys, then the real @actions/cache client against an in-process fake of the cache service v2
 * (Twirp + Azure blob, tar and zstd on this machine), then the built post step twice.
 */

// The real @actions/cache client runs in this process below: its output is the tests', not the report's.
const client = captureClientOutput();

const SHA_A = 'aaaaaaa000000000000000000000000000000001';
const SHA_B = 'bbbbbbb000000000000000000000000000000002';

function record(overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    schema: 'beacon-usage-record/1',
    run_id: '100',
    run_attempt: '1',
    commit: SHA_A,
    ref: 'refs/heads/main',
    created_at: '2026-11-23T20:33:56.000Z',
    codex_versions: ['0.169.0'],
    events: 10,
    codex_events: 10,
    tool_calls: 4,
    totals: { input_tokens: 1000, cache_read_input_tokens: 2000, output_tokens: 100, reasoning_output_tokens: 40, total_tokens: 3100 },
    by_model: { 'gpt-5.5': { input_tokens: 1000, cache_read_input_tokens: 2000, output_tokens: 100, reasoning_output_tokens: 40, total_tokens: 3100 } },
    ...overrides,
  };
}

describe('comparison math', () => {
  it('gives the delta and its percentage of the previous value, none of nothing', () => {
    expect(change(2000, 2300)).toEqual({ previous: 2000, current: 2300, delta: 300, percent: 15 });
    expect(change(400, 100)).toEqual({ previous: 400, current: 100, delta: -300, percent: -75 });
    expect(change(0, 50)).toEqual({ previous: 0, current: 50, delta: 50, percent: null });
    expect(change(0, 0)).toEqual({ previous: 0, current: 0, delta: 0, percent: null });
  });

  it('calls input up by half and tool calls doubled exactly at the threshold, not below', () => {
    expect(LARGE_CHANGE).toEqual({ inputRatio: 1.5, toolCallsRatio: 2 });
    expect(reachedRatio(change(1000, 1500), 1.5)).toBe(true);
    expect(reachedRatio(change(1000, 1499), 1.5)).toBe(false);
    expect(reachedRatio(change(5, 10), 2)).toBe(true);
    expect(reachedRatio(change(5, 9), 2)).toBe(false);
    expect(reachedRatio(change(0, 1), 2)).toBe(true);
    expect(reachedRatio(change(0, 0), 2)).toBe(false);
    expect(reachedRatio(change(10, 4), 1.5)).toBe(false);
  });

  it('compares totals, events, tool calls and each model, new and gone ones included', () => {
    const previous = record({
      by_model: {
        'gpt-5.5': { input_tokens: 1000, cache_read_input_tokens: 2000, output_tokens: 100, reasoning_output_tokens: 40, total_tokens: 3100 },
        'gpt-4.1': { input_tokens: 10, cache_read_input_tokens: 0, output_tokens: 5, reasoning_output_tokens: 0, total_tokens: 15 },
      },
    });
    const current = record({
      run_id: '101',
      events: 13,
      tool_calls: 8,
      totals: { input_tokens: 1500, cache_read_input_tokens: 1800, output_tokens: 90, reasoning_output_tokens: 40, total_tokens: 3390 },
      by_model: {
        'gpt-5.5': { input_tokens: 1400, cache_read_input_tokens: 1800, output_tokens: 80, reasoning_output_tokens: 40, total_tokens: 3280 },
        'gpt-5.5-mini': { input_tokens: 100, cache_read_input_tokens: 0, output_tokens: 10, reasoning_output_tokens: 0, total_tokens: 110 },
      },
    });
    const comparison = compareRecords(previous, current);
    expect(comparison.totals.input_tokens).toEqual({ previous: 1000, current: 1500, delta: 500, percent: 50 });
    expect(comparison.totals.cache_read_input_tokens).toEqual({ previous: 2000, current: 1800, delta: -200, percent: -10 });
    expect(comparison.totals.reasoning_output_tokens).toEqual({ previous: 40, current: 40, delta: 0, percent: 0 });
    expect(comparison.totals.total_tokens.delta).toBe(290);
    expect(comparison.events).toEqual({ previous: 10, current: 13, delta: 3, percent: 30 });
    expect(comparison.toolCalls).toEqual({ previous: 4, current: 8, delta: 4, percent: 100 });
    expect(comparison.models.map((m) => [m.model, m.presence, m.total.previous, m.total.current])).toEqual([
      ['gpt-5.5', 'both', 3100, 3280],
      ['gpt-5.5-mini', 'new', 0, 110],
      ['gpt-4.1', 'gone', 15, 0],
    ]);
    expect(comparison.findings).toEqual([
      { kind: 'input-up', change: comparison.totals.input_tokens },
      { kind: 'new-model', model: 'gpt-5.5-mini' },
      { kind: 'tool-calls-up', change: comparison.toolCalls },
    ]);
  });

  it('finds nothing to say about a steady run', () => {
    expect(compareRecords(record(), record({ run_id: '101', tool_calls: 7 })).findings).toEqual([]);
  });
});

describe('sentences and the summary section', () => {
  it('formats a change with its sign and percentage', () => {
    expect(formatChange(change(1000, 1620))).toBe('+620 (+62.0%)');
    expect(formatChange(change(3000, 1500))).toBe('-1,500 (-50.0%)');
    expect(formatChange(change(2150, 2450))).toBe('+300 (+14.0%)');
    expect(formatChange(change(0, 3))).toBe('+3 (new)');
    expect(formatChange(change(7, 7))).toBe('0 (0.0%)');
    expect(formatChange(change(0, 0))).toBe('0');
  });

  it('says large changes in plain sentences', () => {
    expect(findingSentence({ kind: 'input-up', change: change(1000, 1620) })).toBe('Input tokens (excluding cached input) went from 1,000 to 1,620, up 62.0%.');
    expect(findingSentence({ kind: 'input-up', change: change(0, 450) })).toBe('Input tokens (excluding cached input) went from none to 450.');
    expect(findingSentence({ kind: 'new-model', model: 'gpt-5.5-mini' })).toBe('Model `gpt-5.5-mini` was not used in the previous run.');
    expect(findingSentence({ kind: 'new-model', model: 'a`b' })).toBe('Model ``a`b`` was not used in the previous run.');
    expect(findingSentence({ kind: 'tool-calls-up', change: change(5, 12) })).toBe('Tool calls went from 5 to 12, 2.4 times as many.');
    expect(findingSentence({ kind: 'tool-calls-up', change: change(0, 3) })).toBe('Tool calls went from none to 3.');
  });

  it('renders the section: previous run with links, sentences, totals and models', () => {
    const previous = record();
    const current = record({
      run_id: '101',
      commit: SHA_B,
      events: 12,
      tool_calls: 9,
      totals: { input_tokens: 1600, cache_read_input_tokens: 2000, output_tokens: 120, reasoning_output_tokens: 40, total_tokens: 3720 },
      by_model: { 'gpt-5.5': { input_tokens: 1600, cache_read_input_tokens: 2000, output_tokens: 120, reasoning_output_tokens: 40, total_tokens: 3720 } },
    });
    const markdown = renderComparison(
      { status: 'compared', baseline: { ...previous, cache_key: 'k' }, comparison: compareRecords(previous, current), comparedRef: 'refs/heads/main', pullRequest: false },
      { serverUrl: 'https://github.com/', repository: 'octo/app' },
    );
    expect(markdown).toBe(
      [
        '### Compared with the previous run',
        '',
        'Compared with the latest recorded run of this job on `main`: [run 100](https://github.com/octo/app/actions/runs/100), commit [`aaaaaaa`](https://github.com/octo/app/commit/aaaaaaa000000000000000000000000000000001), 2026-11-23 20:33 UTC.',
        '',
        '- Input tokens (excluding cached input) went from 1,000 to 1,600, up 60.0%.',
        '- Tool calls went from 4 to 9, 2.3 times as many.',
        '',
        '| | This run | Previous run | Change |',
        '| --- | ---: | ---: | ---: |',
        '| Input | 1,600 | 1,000 | +600 (+60.0%) |',
        '| Cached input | 2,000 | 2,000 | 0 (0.0%) |',
        '| Output | 120 | 100 | +20 (+20.0%) |',
        '| Reasoning | 40 | 40 | 0 (0.0%) |',
        '| **Total tokens** | 3,720 | 3,100 | +620 (+20.0%) |',
        '| Events | 12 | 10 | +2 (+20.0%) |',
        '| Tool calls | 9 | 4 | +5 (+125.0%) |',
        '',
        '| Model | Tokens this run | Previous run | Change |',
        '| --- | ---: | ---: | ---: |',
        '| `gpt-5.5` | 3,720 | 3,100 | +620 (+20.0%) |',
      ].join('\n'),
    );
  });

  it('names the base branch for a pull request, and links nothing under a server or repository it cannot trust', () => {
    const previous = record({ run_attempt: '2' });
    const markdown = renderComparison(
      { status: 'compared', baseline: { ...previous, cache_key: 'k' }, comparison: compareRecords(previous, previous), comparedRef: 'refs/heads/release`1', pullRequest: true },
      { serverUrl: 'javascript:alert(1)//', repository: 'octo/app' },
    );
    expect(markdown).toContain('Compared with the latest recorded run of this job on the base branch ``release`1``: run 100 (attempt 2), commit `aaaaaaa`, 2026-11-23 20:33 UTC.');
    expect(markdown).not.toContain('](');
  });

  it('keeps a note to one plain line', () => {
    expect(renderComparison({ status: 'none', note: 'the cache said <b>no</b>\n# really' })).toBe('*No usage comparison: the cache said \\<b\\>no\\</b\\> \\# really*');
  });
});

async function reportOf(dir: string, turns: { input: number; cached: number; output: number; reasoning: number; model?: string }[], commands: number): Promise<{ report: RunReport; usage: UsageFile }> {
  fs.mkdirSync(dir, { recursive: true });
  const capture = path.join(dir, 'capture.jsonl');
  const exports = turns.map((t, i) => turnTokens(i + 1, t, t.model ? { model: t.model } : {}));
  exports.push(Array.from({ length: commands }, (_, i) => commandEvent(`echo ${i}`, { exitCode: 0, durationMs: 5 })));
  writeCapture(capture, exports);
  const report = await processCaptureLog({ capturePath: capture, logPath: path.join(dir, 'beacon-runtime.jsonl') });
  return { report, usage: buildUsageFile(report) };
}

describe('usage record', () => {
  it('holds totals, models, events, tool calls, version and origin, in a few hundred bytes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-record-'));
    try {
      const { report, usage } = await reportOf(dir, [{ input: 2600, cached: 2150, output: 80, reasoning: 30 }], 2);
      const built = buildUsageRecord(report, { runId: '100', runAttempt: '1', commit: SHA_A, ref: 'refs/heads/main' }, new Date('2026-11-23T20:33:56Z'));
      expect(built).toEqual({
        schema: 'beacon-usage-record/1',
        run_id: '100',
        run_attempt: '1',
        commit: SHA_A,
        ref: 'refs/heads/main',
        created_at: '2026-11-23T20:33:56.000Z',
        codex_versions: ['0.169.0'],
        events: 8,
        codex_events: 8,
        tool_calls: 2,
        totals: { input_tokens: 450, cache_read_input_tokens: 2150, output_tokens: 80, reasoning_output_tokens: 30, total_tokens: 2680 },
        by_model: { 'gpt-5.5': { input_tokens: 450, cache_read_input_tokens: 2150, output_tokens: 80, reasoning_output_tokens: 30, total_tokens: 2680 } },
      });
      expect(Buffer.byteLength(serializeUsageRecord(built))).toBeLessThan(700);
      expect(parseUsageRecord(serializeUsageRecord(built))).toEqual(built);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the 12 largest models by name and sums the rest, so it stays under 4 KiB even with long names and huge numbers', () => {
    const byModel: Record<string, UsageTotals> = {};
    const big = 9_000_000_000;
    // Each model's total (input + cache read + output) is big + i.
    for (let i = 1; i <= 50; i++) {
      byModel[`model-${String(i).padStart(2, '0')}-${'x'.repeat(150)}`] = { input_tokens: i, cache_read_input_tokens: big, output_tokens: 0, reasoning_output_tokens: 0, cache_creation_input_tokens: 0, events: 1 };
    }
    const report = { codexVersions: ['0.169.0'], events: 50, codexEvents: 50, tools: {}, otherToolCalls: 0, usage: { total: emptyUsageTotals(), byModel } } as unknown as RunReport;
    const built = buildUsageRecord(report, { runId: '1', runAttempt: '1', commit: SHA_A, ref: 'refs/heads/main' });
    const names = Object.keys(built.by_model);
    expect(RECORD_LIMITS.models).toBe(12);
    expect(names).toHaveLength(13);
    expect(names[0]).toBe(`model-50-${'x'.repeat(55)}`);
    expect(names[11]).toBe(`model-39-${'x'.repeat(55)}`);
    // Models 1 to 38, summed.
    expect(built.by_model[OTHER_MODELS]!.total_tokens).toBe(38 * big + (38 * 39) / 2);
    expect(Buffer.byteLength(serializeUsageRecord(built))).toBeLessThan(4096);
    expect(parseUsageRecord(serializeUsageRecord(built))).toEqual(built);
  });

  it.each([
    ['not JSON', 'nope', 'the record is not JSON'],
    ['another schema', JSON.stringify({ ...record(), schema: 'other/2' }), 'the record\'s schema is "other/2", not "beacon-usage-record/1"'],
    ['a run id that is not a number', JSON.stringify({ ...record(), run_id: '1/../../x' }), 'run_id is not a run id'],
    ['a commit that is not hex', JSON.stringify({ ...record(), commit: 'javascript:alert(1)' }), 'commit is not a commit id'],
    ['negative tokens', JSON.stringify({ ...record(), totals: { ...record().totals, output_tokens: -1 } }), 'totals.output_tokens is not a whole number of tokens'],
    ['fractional tool calls', JSON.stringify({ ...record(), tool_calls: 1.5 }), 'tool_calls is not a whole number'],
    ['too many models', JSON.stringify({ ...record(), by_model: Object.fromEntries(Array.from({ length: 14 }, (_, i) => [`m${i}`, record().totals])) }), 'by_model has more than 13 models'],
    ['too large', JSON.stringify({ ...record(), pad: 'x'.repeat(70_000) }), 'the record is larger than 65536 bytes'],
  ])('refuses a restored record with %s', (_name, text, error) => {
    expect(parseUsageRecord(text)).toEqual({ error });
  });

  it('reads a model called __proto__ as a model', () => {
    const text = JSON.stringify(record()).replace('"gpt-5.5"', '"__proto__"');
    const parsed = parseUsageRecord(text) as UsageRecord;
    expect(Object.keys(parsed.by_model)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(parsed.by_model)).toBe(Object.prototype);
  });
});

describe('cache keys', () => {
  const env = (overrides: Record<string, string> = {}) => ({ ...githubEnv(), ACTIONS_RUNTIME_TOKEN: 'x', ACTIONS_RESULTS_URL: 'http://127.0.0.1:9/', ACTIONS_CACHE_SERVICE_V2: 'True', RUNNER_TEMP: '/tmp/rt', RUNNER_ARCH: 'X64', ImageOS: 'ubuntu24', GITHUB_WORKFLOW_REF: 'octo-org/octo-repo/.github/workflows/review.yml@refs/heads/main', ...overrides });
  const plan = (overrides: Record<string, string> = {}, artifactName?: string): ComparePlan => {
    const saved = { ...process.env };
    // The client's availability check reads process.env.
    Object.assign(process.env, env(overrides));
    try {
      const result = planComparison(env(overrides), artifactName === undefined ? {} : { artifactName });
      if (!result.ok) throw new Error(result.reason);
      return result.plan;
    } finally {
      process.env = saved;
    }
  };

  it('stay the same from run to run of one leg: a fixed prefix, then run id and attempt', () => {
    const first = plan({ GITHUB_RUN_ID: '100' });
    const second = plan({ GITHUB_RUN_ID: '101', GITHUB_RUN_ATTEMPT: '2' });
    expect(first.restorePrefix).toMatch(/^beacon-usage-v1-review-[0-9a-f]{16}-$/);
    expect(second.restorePrefix).toBe(first.restorePrefix);
    expect(first.saveKey).toBe(`${first.restorePrefix}100-1`);
    expect(second.saveKey).toBe(`${first.restorePrefix}101-2`);
    expect(second.primaryKey).toBe(second.saveKey);
    expect(first.recordPath).toBe(path.join('/tmp/rt', 'beacon-usage-record', 'usage-record.json'));
  });

  it.each([
    ['branch', { GITHUB_REF: 'refs/heads/dev' }],
    ['job', { GITHUB_JOB: 'other' }],
    ['workflow file', { GITHUB_WORKFLOW_REF: 'octo-org/octo-repo/.github/workflows/nightly.yml@refs/heads/main' }],
    ['runner OS', { RUNNER_OS: 'Windows' }],
    ['architecture', { RUNNER_ARCH: 'ARM64' }],
    ['runner image', { ImageOS: 'ubuntu22' }],
  ])('differ when the %s differs', (_name, overrides) => {
    expect(plan(overrides).restorePrefix).not.toBe(plan().restorePrefix);
  });

  it('differ between legs that set their own artifact-name, and not with the ref of the workflow file', () => {
    expect(plan({}, 'beacon-gpt-5.5').restorePrefix).not.toBe(plan({}, 'beacon-gpt-5.5-mini').restorePrefix);
    expect(plan({ GITHUB_WORKFLOW_REF: 'octo-org/octo-repo/.github/workflows/review.yml@refs/pull/7/merge' }).restorePrefix).toBe(plan().restorePrefix);
  });

  it('send a pull request to the records of its base branch, and save nothing from it', () => {
    const pr = plan({ GITHUB_REF: 'refs/pull/7/merge', GITHUB_BASE_REF: 'main', GITHUB_HEAD_REF: 'feature' });
    expect(pr.pullRequest).toBe(true);
    expect(pr.comparedRef).toBe('refs/heads/main');
    expect(pr.restorePrefix).toBe(plan().restorePrefix);
    expect(pr.saveKey).toBeUndefined();
    expect(pr.noSaveReason).toBe('a pull request run compares with its base branch and leaves no record of its own');
  });

  it('have no commas and stay under 512 characters whatever the branch and job are called', () => {
    const prefix = recordKeyPrefix(`refs/heads/${'a,b'.repeat(100)}`, legIdentity({ GITHUB_JOB: `job,${'x'.repeat(300)}` }));
    expect(prefix).toMatch(/^beacon-usage-v1-job_x{36}-[0-9a-f]{16}-$/);
    expect(`${prefix}${'9'.repeat(20)}-999999`.length).toBeLessThan(512);
  });

  it('are not planned outside Actions, without the cache service, or without the run variables', () => {
    expect(planComparison({ ...env(), GITHUB_ACTIONS: '' })).toEqual({ ok: false, reason: 'not running in GitHub Actions' });
    const saved = { ...process.env };
    try {
      for (const name of ['ACTIONS_RESULTS_URL', 'ACTIONS_CACHE_URL', 'ACTIONS_CACHE_SERVICE_V2']) delete process.env[name];
      expect(planComparison(env())).toEqual({ ok: false, reason: 'the Actions cache service is not available to this step (ACTIONS_RESULTS_URL, or ACTIONS_CACHE_URL on GitHub Enterprise Server, is not set)' });
      Object.assign(process.env, env());
      expect(planComparison({ ...env(), GITHUB_SHA: 'HEAD' })).toEqual({ ok: false, reason: 'the run variables GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT, GITHUB_SHA or GITHUB_REF are missing or malformed' });
    } finally {
      process.env = saved;
    }
  });
});

// ---- The real client against the fake service ----

/** One runner machine: RUNNER_TEMP and the workspace keep their paths from run to run, as on hosted runners. */
function machine() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-cache-'));
  const temp = path.join(root, '_temp');
  const workspace = path.join(root, 'repo', 'repo');
  fs.mkdirSync(temp, { recursive: true });
  fs.mkdirSync(workspace, { recursive: true });
  return { root, temp, workspace };
}

const savedEnv = { ...process.env };
function useRun(fake: FakeCacheService, box: ReturnType<typeof machine>, run: CacheRun, extra: Record<string, string> = {}) {
  process.env = { ...savedEnv, ...cacheEnvFor(fake, run), RUNNER_TEMP: box.temp, GITHUB_WORKSPACE: box.workspace, ...extra };
}

function collectingLog() {
  const lines: string[] = [];
  return { lines, log: { info: (m: string) => lines.push(m) } };
}

/** A run that only leaves its record (the restore is another test's subject). */
async function saveOnly(dir: string, turns: Parameters<typeof reportOf>[1], commands: number) {
  const { report, usage } = await reportOf(dir, turns, commands);
  const planned = planComparison(process.env);
  if (!planned.ok) throw new Error(planned.reason);
  const origin = planned.plan.origin;
  expect(await new UsageRecordCache(planned.plan, collectingLog().log).save(buildUsageRecord(report, origin))).toMatchObject({ status: 'saved' });
}

const RUN_1 = { turns: [{ input: 2600, cached: 2150, output: 80, reasoning: 30 }], commands: 1 };
// A second turn on another model: input 1200 of which 300 cached → 900 uncached.
const RUN_2 = { turns: [{ input: 2600, cached: 2150, output: 80, reasoning: 30 }, { input: 1200, cached: 300, output: 50, reasoning: 20, model: 'gpt-5.5-mini' }], commands: 3 };

describe('through @actions/cache against a fake cache service', () => {
  const boxes: ReturnType<typeof machine>[] = [];
  const fakes: FakeCacheService[] = [];
  async function setup(blobs: 'azure-host' | 'loopback' = 'azure-host') {
    const fake = await startFakeCacheService({ blobs });
    const box = machine();
    fakes.push(fake);
    boxes.push(box);
    return { fake, box };
  }
  afterEach(async () => {
    process.env = { ...savedEnv };
    for (const fake of fakes.splice(0)) await fake.close();
    for (const box of boxes.splice(0)) fs.rmSync(box.root, { recursive: true, force: true });
  });

  it('first run: no baseline and a one-line note; it saves its record in the branch scope', async () => {
    const { fake, box } = await setup();
    useRun(fake, box, { ref: 'refs/heads/main', runId: '100', sha: SHA_A });
    const { report, usage } = await reportOf(path.join(box.root, 'run-100'), RUN_1.turns, RUN_1.commands);
    const { log, lines } = collectingLog();
    const comparison = await RunComparison.begin({ enabled: true, log });
    expect(comparison.baseline).toBeUndefined();
    expect(comparison.summaryMarkdown(report)).toBe('*No usage comparison: no earlier usage record of this job on main could be restored from the Actions cache*');
    expect(await comparison.saveRecord(report)).toMatchObject({ status: 'saved' });
    expect(comparison.abandoned).toBe(false);

    const [entry] = fake.savedEntries();
    const prefix = recordKeyPrefix('refs/heads/main', legIdentity(process.env));
    expect(fake.savedEntries()).toHaveLength(1);
    expect(entry!.key).toBe(`${prefix}100-1`);
    expect(entry!.scope).toBe('refs/heads/main');
    // One small file, tar + zstd: well under a KiB in the cache.
    expect(entry!.archive!.length).toBeLessThan(1024);
    expect(fake.requests.map((r) => `${r.operation} ${r.status}${r.via ? ` ${r.via}` : ''}`)).toEqual(['GetCacheEntryDownloadURL 200', 'CreateCacheEntry 200', 'blob PUT 201 proxy', 'FinalizeCacheEntryUpload 200']);
    expect(lines).toContain(`beacon: no usage comparison: no earlier usage record of this job on main could be restored from the Actions cache.`);
    expect(fs.existsSync(path.join(box.temp, 'beacon-usage-record', 'usage-record.json'))).toBe(false);
    // A first run's miss is no problem to the client either: it warned of nothing.
    expect(client.output()).not.toMatch(/^::(warning|error)::/m);
  });

  it('second run: finds the first run\'s record and the deltas are exact; beacon-usage.json carries it', async () => {
    const { fake, box } = await setup();
    useRun(fake, box, { ref: 'refs/heads/main', runId: '100', sha: SHA_A });
    const first = await reportOf(path.join(box.root, 'run-100'), RUN_1.turns, RUN_1.commands);
    await (await RunComparison.begin({ enabled: true, log: collectingLog().log })).saveRecord(first.report);

    useRun(fake, box, { ref: 'refs/heads/main', runId: '101', sha: SHA_B });
    const second = await reportOf(path.join(box.root, 'run-101'), RUN_2.turns, RUN_2.commands);
    expect(second.usage.totals).toMatchObject({ input_tokens: 1350, cache_read_input_tokens: 2450, output_tokens: 130, reasoning_output_tokens: 50, total_tokens: 3930 });
    expect([first.report.events, second.report.events]).toEqual([7, 15]);
    const { log, lines } = collectingLog();
    const comparison = await RunComparison.begin({ enabled: true, log });
    const prefix = recordKeyPrefix('refs/heads/main', legIdentity(process.env));
    expect(comparison.baseline).toMatchObject({
      cache_key: `${prefix}100-1`,
      run_id: '100',
      commit: SHA_A,
      totals: { input_tokens: 450, cache_read_input_tokens: 2150, output_tokens: 80, reasoning_output_tokens: 30, total_tokens: 2680 },
      events: 7,
      tool_calls: 1,
    });
    expect(lines).toContain(`beacon: comparing with run 100 (commit aaaaaaa, refs/heads/main), restored from the Actions cache entry ${prefix}100-1.`);
    expect(client.output()).toContain(`Cache hit for restore-key: ${prefix}100-1\n`);
    expect(client.output()).toContain('Cache restored successfully\n');
    expect(client.output()).not.toMatch(/^::(warning|error)::/m);

    const markdown = comparison.summaryMarkdown(second.report)!;
    expect(markdown).toContain('[run 100](https://github.com/octo-org/beacon-demo/actions/runs/100), commit [`aaaaaaa`](https://github.com/octo-org/beacon-demo/commit/aaaaaaa000000000000000000000000000000001)');
    for (const line of [
      '- Input tokens (excluding cached input) went from 450 to 1,350, up 200.0%.',
      '- Model `gpt-5.5-mini` was not used in the previous run.',
      '- Tool calls went from 1 to 3, 3.0 times as many.',
      '| Input | 1,350 | 450 | +900 (+200.0%) |',
      '| Cached input | 2,450 | 2,150 | +300 (+14.0%) |',
      '| Output | 130 | 80 | +50 (+62.5%) |',
      '| Reasoning | 50 | 30 | +20 (+66.7%) |',
      '| **Total tokens** | 3,930 | 2,680 | +1,250 (+46.6%) |',
      '| Events | 15 | 7 | +8 (+114.3%) |',
      '| Tool calls | 3 | 1 | +2 (+200.0%) |',
      '| `gpt-5.5` | 2,680 | 2,680 | 0 (0.0%) |',
      '| `gpt-5.5-mini` | 1,250 | 0 | +1,250 (new) |',
    ]) {
      expect(markdown.split('\n')).toContain(line);
    }
    const usageFile = buildUsageFile(second.report, { baseline: comparison.baseline! });
    expect(usageFile.baseline).toEqual(comparison.baseline);

    // The download took the Azure SDK's path (properties, then a ranged read), as on hosted runners.
    expect(fake.requests.filter((r) => r.operation.startsWith('blob')).map((r) => `${r.operation} ${r.status} ${r.via}`)).toEqual(['blob PUT 201 proxy', 'blob HEAD 200 proxy', 'blob GET 206 proxy']);
    expect(await comparison.saveRecord(second.report)).toMatchObject({ status: 'saved', key: `${prefix}101-1` });

    // A third run gets the most recent of the two records.
    useRun(fake, box, { ref: 'refs/heads/main', runId: '102' });
    expect((await RunComparison.begin({ enabled: true, log: collectingLog().log })).baseline).toMatchObject({ run_id: '101', tool_calls: 3 });
  });

  it('takes the plain GET download path when the blob URL is not an Azure host', async () => {
    const { fake, box } = await setup('loopback');
    useRun(fake, box, { ref: 'refs/heads/main', runId: '100' });
    const first = await reportOf(path.join(box.root, 'run-100'), RUN_1.turns, RUN_1.commands);
    await (await RunComparison.begin({ enabled: true, log: collectingLog().log })).saveRecord(first.report);
    useRun(fake, box, { ref: 'refs/heads/main', runId: '101' });
    const comparison = await RunComparison.begin({ enabled: true, log: collectingLog().log });
    expect(comparison.baseline?.totals.total_tokens).toBe(2680);
    expect(fake.requests.filter((r) => r.operation.startsWith('blob')).map((r) => `${r.operation} ${r.status} ${r.via}`)).toEqual(['blob PUT 201 direct', 'blob GET 200 direct']);
  });

  it('pull request: compares with its base branch, not with a newer record of another branch, and saves nothing', async () => {
    const { fake, box } = await setup();
    useRun(fake, box, { ref: 'refs/heads/main', runId: '200', sha: SHA_A });
    await saveOnly(path.join(box.root, 'run-200'), RUN_1.turns, 1);
    useRun(fake, box, { ref: 'refs/heads/feature/faster', runId: '201', sha: SHA_B });
    await saveOnly(path.join(box.root, 'run-201'), RUN_2.turns, 4);
    expect(fake.savedEntries().map((e) => e.scope)).toEqual(['refs/heads/main', 'refs/heads/feature/faster']);

    useRun(fake, box, { ref: 'refs/pull/7/merge', baseRef: 'main', runId: '202', sha: SHA_B });
    const pr = await reportOf(path.join(box.root, 'run-202'), RUN_2.turns, 2);
    const { log, lines } = collectingLog();
    const comparison = await RunComparison.begin({ enabled: true, log });
    expect(comparison.baseline).toMatchObject({ run_id: '200', ref: 'refs/heads/main', tool_calls: 1 });
    expect(comparison.summaryMarkdown(pr.report)).toContain('Compared with the latest recorded run of this job on the base branch `main`: [run 200]');
    const requestsBefore = fake.requests.length;
    expect(await comparison.saveRecord(pr.report)).toEqual({ status: 'skipped', reason: 'a pull request run compares with its base branch and leaves no record of its own' });
    expect(fake.requests.length).toBe(requestsBefore);
    expect(lines).toContain("beacon: this run's usage record is not saved: a pull request run compares with its base branch and leaves no record of its own.");
  });

  it('matrix legs: each finds only its own records', async () => {
    const { fake, box } = await setup();
    const legs = [
      { name: 'linux', run: { runnerOs: 'Linux', imageOs: 'ubuntu24' }, commands: 1 },
      { name: 'windows', run: { runnerOs: 'Windows', imageOs: 'win25' }, commands: 2 },
      { name: 'linux, other model', run: { runnerOs: 'Linux', imageOs: 'ubuntu24' }, artifactName: 'beacon-mini', commands: 3 },
    ];
    for (const runId of ['300', '301']) {
      for (const leg of legs) {
        useRun(fake, box, { ref: 'refs/heads/main', runId, ...leg.run });
        const run = await reportOf(path.join(box.root, `run-${runId}-${leg.name}`), RUN_1.turns, leg.commands + (runId === '301' ? 10 : 0));
        const comparison = await RunComparison.begin({ enabled: true, log: collectingLog().log, ...(leg.artifactName ? { artifactName: leg.artifactName } : {}) });
        // Run 300: nothing to see, though the other legs saved first. Run 301: each leg its own run-300 record.
        expect([leg.name, runId, comparison.baseline?.run_id, comparison.baseline?.tool_calls]).toEqual([leg.name, runId, runId === '300' ? undefined : '300', runId === '300' ? undefined : leg.commands]);
        if (runId === '300') expect((await comparison.saveRecord(run.report))?.status).toBe('saved');
      }
    }
    expect(new Set(fake.savedEntries().map((e) => e.key.slice(0, -6))).size).toBe(3);
  });

  it('matrix legs that share a key: the second leg says so instead of comparing with the first', async () => {
    const { fake, box } = await setup();
    useRun(fake, box, { ref: 'refs/heads/main', runId: '400' });
    await saveOnly(path.join(box.root, 'leg-a'), RUN_1.turns, 1);
    const legB = await reportOf(path.join(box.root, 'leg-b'), RUN_2.turns, 1);
    const { log, lines } = collectingLog();
    const comparison = await RunComparison.begin({ enabled: true, log });
    expect(comparison.baseline).toBeUndefined();
    expect(comparison.summaryMarkdown(legB.report)).toBe(
      '*No usage comparison: the only record found was written by another job of this same run under the same key (matrix legs that differ only in matrix values share it: give each leg its own artifact-name)*',
    );
    // The key is taken: the client reports it and returns no entry.
    const saved = await comparison.saveRecord(legB.report);
    expect(saved).toEqual({ status: 'failed', reason: 'the cache client did not save it (its message is above)' });
    expect(client.output()).toContain('Failed to save: Unable to reserve cache with key');
    expect(lines).toContain("beacon: this run's usage record was not saved: the cache client did not save it (its message is above).");
  });

  it('a service that errors: the restore is a miss with the client\'s warning, fast; the save fails quietly', async () => {
    const { fake, box } = await setup();
    useRun(fake, box, { ref: 'refs/heads/main', runId: '500' });
    const run = await reportOf(path.join(box.root, 'run-500'), RUN_1.turns, 1);
    fake.failEverything(403);
    const started = Date.now();
    const comparison = await RunComparison.begin({ enabled: true, log: collectingLog().log });
    // The client's first retry would come 3 s after the failed request.
    expect(Date.now() - started).toBeLessThan(2500);
    expect(client.output()).toMatch(/::warning::Failed to restore: .*\(403\) Forbidden: the fake cache service is down/);
    expect(comparison.summaryMarkdown(run.report)).toBe('*No usage comparison: no earlier usage record of this job on main could be restored from the Actions cache*');
    const saved = await comparison.saveRecord(run.report);
    expect(saved?.status).toBe('failed');
    expect(comparison.abandoned).toBe(false);
    expect(fake.savedEntries()).toEqual([]);
  });

  it.each([
    ['answers 500 (the client would retry for about 30 s)', (fake: FakeCacheService) => fake.failEverything(500)],
    ['never answers', (fake: FakeCacheService) => fake.hangEverything(true)],
  ])('a service that %s: given up on after the time limit, the save is skipped, nothing throws', async (_name, breakIt) => {
    const { fake, box } = await setup();
    useRun(fake, box, { ref: 'refs/heads/main', runId: '600' });
    const run = await reportOf(path.join(box.root, 'run-600'), RUN_1.turns, 1);
    breakIt(fake);
    const started = Date.now();
    const comparison = await RunComparison.begin({ enabled: true, log: collectingLog().log, limits: { restoreMs: 800, saveMs: 800 } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(comparison.abandoned).toBe(true);
    expect(comparison.summaryMarkdown(run.report)).toBe('*No usage comparison: the Actions cache did not answer within 0.8 s*');
    expect(await comparison.saveRecord(run.report)).toEqual({ status: 'skipped', reason: 'the restore did not finish in time, so the cache is not written either' });
  });

  it('a save that never finishes is given up on after its time limit and marks the work abandoned', async () => {
    const { fake, box } = await setup();
    useRun(fake, box, { ref: 'refs/heads/main', runId: '700' });
    const run = await reportOf(path.join(box.root, 'run-700'), RUN_1.turns, 1);
    const comparison = await RunComparison.begin({ enabled: true, log: collectingLog().log, limits: { restoreMs: 3000, saveMs: 800 } });
    expect(comparison.abandoned).toBe(false);
    fake.hangEverything(true);
    const started = Date.now();
    const saved = await comparison.saveRecord(run.report);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(saved).toEqual({ status: 'failed', reason: 'the Actions cache did not take it within 0.8 s' });
    expect(comparison.abandoned).toBe(true);
    expect(fake.requests.at(-1)).toEqual({ method: 'POST', operation: 'CreateCacheEntry', status: 0 });
  });

  it('outside Actions, without the cache service, or with compare: false: a note (or nothing), and no request', async () => {
    const { fake, box } = await setup();
    const run = await reportOf(path.join(box.root, 'run'), RUN_1.turns, 1);
    useRun(fake, box, { ref: 'refs/heads/main' }, { GITHUB_ACTIONS: '' });
    expect((await RunComparison.begin({ enabled: true, log: collectingLog().log })).summaryMarkdown(run.report)).toBe('*No usage comparison: not running in GitHub Actions*');
    useRun(fake, box, { ref: 'refs/heads/main' });
    delete process.env.ACTIONS_RESULTS_URL;
    const noService = await RunComparison.begin({ enabled: true, log: collectingLog().log });
    expect(noService.summaryMarkdown(run.report)).toBe(
      '*No usage comparison: the Actions cache service is not available to this step (ACTIONS\\_RESULTS\\_URL, or ACTIONS\\_CACHE\\_URL on GitHub Enterprise Server, is not set)*',
    );
    expect(await noService.saveRecord(run.report)).toBeUndefined();
    useRun(fake, box, { ref: 'refs/heads/main' });
    const { log, lines } = collectingLog();
    const off = await RunComparison.begin({ enabled: false, log });
    expect(off.summaryMarkdown(run.report)).toBeUndefined();
    expect(await off.saveRecord(run.report)).toBeUndefined();
    expect(lines).toEqual(['beacon: no usage comparison (compare: false).']);
    expect(fake.requests).toEqual([]);
  });
});

// ---- The built post step, twice, under the simulated runner ----

describe('the built post step under the simulated runner', () => {
  let fake: FakeCacheService;
  let root: string;
  beforeAll(async () => {
    fake = await startFakeCacheService();
  });
  afterAll(async () => {
    await fake.close();
  });
  afterEach(() => {
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  /** One job run: start, Codex's telemetry (the tool-call fixture, `exports` times), post. */
  async function jobRun(runId: string, sha: string, exports: number, options: { timeoutMs?: number; before?: () => void } = {}) {
    const env = { ...githubEnv(), ...cacheEnvFor(fake, { ref: 'refs/heads/main', runId, sha }) };
    // Same root every run: RUNNER_TEMP and the workspace keep their paths, as on a hosted runner.
    const runner = new SimulatedRunner(env, root);
    fs.rmSync(runner.runnerTemp, { recursive: true, force: true });
    fs.mkdirSync(runner.runnerTemp);
    const start = await runner.main({ inputs: { 'upload-artifact': 'false' } });
    expect(start.exitCode).toBe(0);
    const port = Number(new URL(start.outputs['collector-endpoint']!).port);
    const config = parse(fs.readFileSync(path.join(start.outputs['codex-home']!, 'config.toml'), 'utf8')) as any;
    const secret = config.otel.exporter['otlp-http'].headers['x-beacon-secret'] as string;
    for (let i = 0; i < exports; i++) {
      for (const request of fixtureRequests('tool-call-json')) {
        expect((await httpRequest(port, { path: request.path, body: request.body, headers: { 'content-type': request.contentType, 'x-beacon-secret': secret } })).status).toBe(200);
      }
    }
    options.before?.();
    const post = await start.post({ timeoutMs: options.timeoutMs ?? 30_000 });
    const usage = JSON.parse(fs.readFileSync(path.join(path.dirname(start.outputs['codex-home']!), 'beacon-usage.json'), 'utf8'));
    return { post, summary: runner.summary(), usage };
  }

  it('compares the second run with the first: exact numbers in the summary, the baseline in beacon-usage.json', async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-compare-runner-'));
    const first = await jobRun('16000000101', SHA_A, 1);
    expect(first.post.exitCode).toBe(0);
    expect(first.summary).toContain('*No usage comparison: no earlier usage record of this job on main could be restored from the Actions cache*');
    expect(first.usage.baseline).toBeUndefined();
    expect(first.post.stdout).toMatch(/beacon: saved this run's usage record \(\d+ bytes\) to the Actions cache as beacon-usage-v1-review-[0-9a-f]{16}-16000000101-1\./);

    const second = await jobRun('16000000102', SHA_B, 2);
    expect(second.post.exitCode).toBe(0);
    const lines = second.summary.split('\n');
    expect(second.summary).toContain('Compared with the latest recorded run of this job on `main`: [run 16000000101](https://github.com/octo-org/beacon-demo/actions/runs/16000000101), commit [`aaaaaaa`](https://github.com/octo-org/beacon-demo/commit/aaaaaaa000000000000000000000000000000001), ');
    for (const line of [
      '- Input tokens (excluding cached input) went from 450 to 900, up 100.0%.',
      '- Tool calls went from 1 to 2, 2.0 times as many.',
      '| Input | 900 | 450 | +450 (+100.0%) |',
      '| Cached input | 4,300 | 2,150 | +2,150 (+100.0%) |',
      '| Output | 160 | 80 | +80 (+100.0%) |',
      '| Reasoning | 60 | 30 | +30 (+100.0%) |',
      '| **Total tokens** | 5,360 | 2,680 | +2,680 (+100.0%) |',
      '| Events | 20 | 10 | +10 (+100.0%) |',
      '| Tool calls | 2 | 1 | +1 (+100.0%) |',
      '| `gpt-5.5` | 5,360 | 2,680 | +2,680 (+100.0%) |',
    ]) {
      expect(lines).toContain(line);
    }
    expect(second.usage.baseline).toMatchObject({ run_id: '16000000101', commit: SHA_A, ref: 'refs/heads/main', totals: { total_tokens: 2680 }, events: 10, tool_calls: 1 });
    expect(second.usage.baseline.cache_key).toMatch(/^beacon-usage-v1-review-[0-9a-f]{16}-16000000101-1$/);
    expect(fake.savedEntries().map((e) => e.key.slice(-13))).toEqual(['16000000101-1', '16000000102-1']);
  });

  it('a cache service that fails: the post step passes, says why, and ends within the time limit', async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-compare-runner-'));
    const run = await jobRun('16000000201', SHA_A, 1, { before: () => fake.failEverything(500) });
    fake.failEverything(undefined);
    expect(run.post.exitCode).toBe(0);
    expect(run.summary).toContain('*No usage comparison: the Actions cache did not answer within 3 s*');
    expect(run.post.stdout).toContain("beacon: this run's usage record is not saved: the restore did not finish in time, so the cache is not written either.");
    // 3 s for the restore, then the step ends though the client still has retries pending: left
    // alone, its five attempts (3 s, 4.5 s, 6.75 s, 10 s apart at least) would hold it over 24 s.
    expect(run.post.durationMs).toBeGreaterThanOrEqual(3_000);
    expect(run.post.durationMs).toBeLessThan(15_000);
  });
});
