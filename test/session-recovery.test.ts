import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BeaconEvent } from '../src/beacon/event.js';
import { writeRuntimeLogWithReport } from '../src/finish/account-usage/process-capture.js';
import { NUMBER_SOURCE_TEXT, logLines, readBeaconUsage, type BeaconUsage } from './support/beacon-reader.js';
import { turnTokens, writeCapture } from './support/capture-builder.js';
import { providerConfigArgs, runCodexExec, type CodexExecResult } from './support/codex-cli.js';
import { rolloutName, sessionMeta, turnContext, usageRecord, writeSessionFile } from './support/codex-session-lines.js';
import { E2eJob, expectedUsage, type BeaconEventLine, type FinishedJob, type UsageEntryShape } from './support/e2e.js';
import { E2eResources } from './support/e2e-resources.js';
import type { FakeModel, ModelCall, ScenarioUsage } from './support/fake-model.js';

/**
 * Token usage of Codex runs that were stopped before their exit flush, recovered from their
 * session files by the post step, with the real Codex CLI (npm @openai/codex 0.169.0) against the
 * fake Responses API, the built start bundle and the built finish bundle as the post step. Every
 * case asserts exact numbers, and that the runtime log, read the way Beacon's own reader reads it
 * (support/beacon-reader.ts, from the schema page), gives what beacon-usage.json says.
 */

const MODEL = 'gpt-bars-3';
const PROMPT = 'Run the command, then say what it printed.';
const RUN_TIMEOUT_MS = 45_000;

const usage = (input: number, cached: number, output: number, reasoning: number): ScenarioUsage => ({ input, cached, output, reasoning, total: input + output });

/** A scenario of one tool call, then the final answer (which never comes when Codex is stopped during the tool). */
const toolThenAnswer = (command: string, tool: ScenarioUsage, answer: ScenarioUsage, text = 'never asked for'): ModelCall[] => [
  { kind: 'tool_call', command, usage: tool },
  { kind: 'final_answer', text, usage: answer },
];

// Distinct numbers per response, so a sum that dropped or doubled one cannot match by accident.
const NORMAL = toolThenAnswer('echo hi', usage(3100, 1200, 210, 35), usage(3500, 2900, 64, 12), 'It printed hi.');
/** A tool that outlives the run: Codex is stopped while it runs, after the first response completed. */
const STOPPED = toolThenAnswer('sleep 30', usage(6000, 2000, 300, 40), usage(7000, 10, 1, 0));
/** What a stopped run spent: its first response only. */
const STOPPED_SPENT = STOPPED.slice(0, 1);
/** Two processes at once: one completes (its tool takes a second), the other is stopped; other numbers again. */
const ALONGSIDE = toolThenAnswer('sleep 1', usage(2200, 700, 90, 11), usage(2600, 1900, 33, 6), 'Slept.');
const ALONGSIDE_STOPPED = toolThenAnswer('sleep 30', usage(5100, 1500, 120, 25), usage(10, 0, 1, 0));

const resources = new E2eResources('beacon-recovery-');
afterEach(() => resources.release());

const fakeModel = (calls: ModelCall[]) => resources.model({ calls, model: MODEL });
const startJob = (inputs: Record<string, string> = {}) => resources.job(inputs);

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns a value, `stop()` says to give up, or the deadline passes (then undefined). */
async function until<T>(check: () => T | undefined, stop: () => boolean, timeoutMs = 20_000): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stop()) {
    const value = check();
    if (value !== undefined) return value;
    await delay(25);
  }
  return undefined;
}

/** The session id Codex told the model, from its per-request turn metadata header. */
function sessionIdSentTo(model: FakeModel): string | undefined {
  const header = model.responsesRequests()[0]?.headers['x-codex-turn-metadata'];
  return header === undefined ? undefined : (JSON.parse(String(header)) as { session_id: string }).session_id;
}

/** The path of the session file of session `id` under CODEX_HOME, if Codex has written it. */
function sessionFilePath(codexHome: string, id: string): string | undefined {
  const dir = path.join(codexHome, 'sessions');
  if (!fs.existsSync(dir)) return undefined;
  const name = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).find((entry) => entry.endsWith(`-${id}.jsonl`));
  return name === undefined ? undefined : path.join(dir, name);
}

function sessionFileOf(job: E2eJob, id: string): string {
  const file = sessionFilePath(job.codexHome, id);
  expect(file, `session file of ${id}`).toBeDefined();
  return file!;
}

type StopWhen = 'first-record' | 'first-request';

interface StoppedRun {
  result: CodexExecResult;
  sessionId: string;
}

/** Whether the collector has written an event with this action of this session to its capture. */
function captured(job: E2eJob, action: string, sessionId: string): true | undefined {
  const capture = path.join(path.dirname(job.start.outputs['log-path']!), 'capture.jsonl');
  if (!fs.existsSync(capture)) return undefined;
  const lines = fs.readFileSync(capture, 'utf8').split('\n');
  return lines.some((line) => line.includes(`"action":"${action}"`) && line.includes(`"session":{"id":"${sessionId}"}`)) || undefined;
}

let stoppedRuns = 0;

/**
 * A `codex exec` in this job (CODEX_HOME from its start step) that gets `signal`:
 * - 'first-record': once its session file holds the first response's `token_usage_record` and the
 *   collector has its tool decision (the tool it asked for is then running);
 * - 'first-request': once Codex has sent its first request (the answer is held back), written its
 *   session file and its session start has reached the collector: no response completed.
 */
async function runStoppedCodex(job: E2eJob, model: FakeModel, when: StopWhen, signal: NodeJS.Signals = 'SIGTERM'): Promise<StoppedRun> {
  const home = path.join(job.runner.root, `home-stopped-${++stoppedRuns}`);
  fs.mkdirSync(home, { recursive: true });
  let exited = false;
  const stop = () => exited;
  const ready = (async () => {
    const sessionId = await until(() => sessionIdSentTo(model), stop);
    const file = sessionId && (await until(() => sessionFilePath(job.codexHome, sessionId), stop));
    if (!sessionId || !file) return undefined;
    const [record, action] = when === 'first-record' ? ['"type":"token_usage_record"', 'approval.requested'] : ['"type":"session_meta"', 'session.started'];
    if (!(await until(() => (fs.readFileSync(file, 'utf8').includes(record) ? true : undefined), stop))) return undefined;
    if (!(await until(() => captured(job, action, sessionId), stop))) return undefined;
    return sessionId;
  })();
  const result = await runCodexExec({
    codexHome: job.codexHome,
    home,
    cwd: job.runner.workspace,
    prompt: PROMPT,
    extraArgs: providerConfigArgs({ baseUrl: model.baseUrl, model: MODEL }),
    timeoutMs: RUN_TIMEOUT_MS,
    terminateWhen: ready,
    signal,
  });
  exited = true;
  const sessionId = await ready;
  expect(sessionId, `Codex was not stopped as planned: ${result.stderr}`).toBeDefined();
  expect(result.timedOut).toBe(false);
  // The tool was still running (or the first answer still coming): no second request.
  expect(model.responsesRequests()).toHaveLength(1);
  return { result, sessionId: sessionId! };
}

/** A normal `codex exec` in this job, and its session id. */
async function runCodex(job: E2eJob, model: FakeModel, env?: Record<string, string>): Promise<string> {
  const result = await job.runCodex({ model, prompt: PROMPT, modelName: MODEL, provider: 'overrides', ...(env ? { env } : {}) });
  expect(result, result.stderr).toMatchObject({ exitCode: 0, signal: null, timedOut: false });
  return sessionIdSentTo(model)!;
}

// ---------------------------------------------------------------------------------------------
// What every finished job must satisfy.

const TOKEN_FIELDS = ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens', 'reasoning_output_tokens', 'events'] as const;
type TokenFields = Record<(typeof TOKEN_FIELDS)[number], number>;

function tokenFields(entry: UsageEntryShape | BeaconUsage): TokenFields {
  return Object.fromEntries(TOKEN_FIELDS.map((field) => [field, entry[field]])) as TokenFields;
}

function tokenFieldsByKey(groups: Record<string, UsageEntryShape | BeaconUsage>, keys: string[]): Record<string, TokenFields> {
  return Object.fromEntries(keys.map((key) => [key, tokenFields(groups[key]!)]));
}

/** Plain sums of `gen_ai.usage` over the log's events; `events` counts those with a field not zero. */
function summedUsage(events: BeaconEventLine[]): TokenFields {
  const sum: TokenFields = { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, reasoning_output_tokens: 0, events: 0 };
  for (const event of events) {
    const u = event.gen_ai?.usage as Record<string, any> | undefined;
    if (!u) continue;
    const values = {
      input_tokens: u.input_tokens ?? 0,
      output_tokens: u.output_tokens ?? 0,
      cache_read_input_tokens: u.cache_read?.input_tokens ?? 0,
      cache_creation_input_tokens: u.cache_creation?.input_tokens ?? 0,
      reasoning_output_tokens: u.reasoning?.output_tokens ?? 0,
    };
    if (Object.values(values).every((n) => n === 0)) continue;
    for (const [field, n] of Object.entries(values)) sum[field as keyof typeof values] += n as number;
    sum.events += 1;
  }
  return sum;
}

const NONE_KEY = '(none)';

/**
 * The post step passed, the log meets the schema, and three readings of the runtime log agree
 * exactly: beacon-usage.json, plain sums of its `gen_ai.usage`, and Beacon's reader rules (in
 * total, by model, by session for every real session id, by harness).
 */
function expectAccountsAgree(done: FinishedJob): void {
  expect(done.post.exitCode, done.post.stdout + done.post.stderr).toBe(0);
  expect(done.schema.errors).toEqual([]);
  const usageFile = done.usage as FinishedJob['usage'] & { by_session: Record<string, UsageEntryShape> };

  expect(summedUsage(done.events)).toEqual(tokenFields(usageFile.totals));

  const read = readBeaconUsage(logLines(done.logText));
  expect(read.malformed).toBe(0);
  expect(tokenFields(read.totals)).toEqual(tokenFields(usageFile.totals));
  const realKeys = (groups: Record<string, unknown>) => Object.keys(groups).filter((key) => key !== NONE_KEY).sort();
  for (const [name, ours, theirs] of [
    ['by_model', usageFile.by_model, read.by_model],
    ['by_session', usageFile.by_session, read.by_session],
    ['by_harness', usageFile.by_harness, read.by_harness],
  ] as const) {
    expect(realKeys(theirs), name).toEqual(realKeys(ours));
    expect(tokenFieldsByKey(theirs, realKeys(theirs)), name).toEqual(tokenFieldsByKey(ours, realKeys(ours)));
  }
}

/** A usage entry of beacon-usage.json for what `calls` spent, in `events` token events. */
function entryFor(calls: ModelCall[], events: number): UsageEntryShape {
  return { ...expectedUsage(calls), cache_creation_input_tokens: 0, cost_usd: null, events };
}

interface SessionEntryShape extends UsageEntryShape {
  models: string[];
  source: string;
}

interface Reconciliation {
  session_files: { read: number; older_left_out: number; unreadable: { file: string; reason: string }[]; problems: string[] };
  metric_exports: { export_seq: number; at: string; session_ids: string[]; agreement: string }[];
  recovered_sessions: { session_id: string; file: string; models: string[] }[];
  sessions_without_usage: { session_id: string; file: string }[];
  disagreements: { session_ids: string[]; model: string; metric: Record<string, number>; session_file: Record<string, number>; counted: string }[];
  recovery_skipped?: string;
}

const bySession = (done: FinishedJob) => done.usage.by_session as Record<string, SessionEntryShape>;
const reconciliation = (done: FinishedJob) => done.usage.reconciliation as Reconciliation;
const sessionEntry = (calls: ModelCall[], events: number, source: string): SessionEntryShape => ({ ...entryFor(calls, events), models: [MODEL], source });

const tokenEvents = (done: FinishedJob) => done.events.filter((event) => event.event.action === 'token.usage');
const recoveredTokenEvents = (done: FinishedJob) => done.events.filter((event) => event.raw?.source === 'session_file');

/** The session ids of the log's `session.started` events. */
const startedSessions = (done: FinishedJob) => done.events.filter((event) => event.event.action === 'session.started').map((event) => event.session?.id);

/** One metric export, paired exactly with `sessionIds`. */
const exactExport = (sessionIds: string[]) => ({ export_seq: expect.any(Number), at: expect.any(String), session_ids: sessionIds, agreement: 'exact' });

const recoverySentence = (tokens: string) => `Codex was stopped before it reported its token metric: ${tokens} tokens of 1 session were recovered from its session files.`;

/** The reconciliation, totals and sessions of a job whose one session ran NORMAL and was counted from its metric. */
function expectMetricOnly(done: FinishedJob, sessionId: string, sessionFiles: Partial<Reconciliation['session_files']> = {}): void {
  expect(reconciliation(done)).toEqual({
    session_files: { read: 1, older_left_out: 0, unreadable: [], problems: [], ...sessionFiles },
    metric_exports: [exactExport([sessionId])],
    recovered_sessions: [],
    sessions_without_usage: [],
    disagreements: [],
  });
  expect(done.usage.totals).toEqual(entryFor(NORMAL, 4));
  expect(bySession(done)).toEqual({ [sessionId]: sessionEntry(NORMAL, 4, 'metric') });
  expect(done.usage.by_source).toEqual({ metric: entryFor(NORMAL, 4) });
  expect(recoveredTokenEvents(done)).toEqual([]);
  expectAccountsAgree(done);
}

/** The reconciliation of a job whose only session was stopped mid tool call and recovered. */
function expectRecoveredOnly(done: FinishedJob, sessionId: string, file: string, sessionFiles: Partial<Reconciliation['session_files']> = {}): void {
  expect(reconciliation(done)).toEqual({
    session_files: { read: 1, older_left_out: 0, unreadable: [], problems: [], ...sessionFiles },
    metric_exports: [],
    recovered_sessions: [{ session_id: sessionId, file: path.basename(file), models: [MODEL] }],
    sessions_without_usage: [],
    disagreements: [],
  });
  expect(done.usage.totals).toEqual(entryFor(STOPPED_SPENT, 4));
  expect(bySession(done)).toEqual({ [sessionId]: sessionEntry(STOPPED_SPENT, 4, 'session_file') });
  expect(done.summary).toContain(recoverySentence('6,300'));
  expectAccountsAgree(done);
}

/** The items of the summary's "Warnings" list. */
function summaryWarnings(summary: string): string[] {
  const section = summary.split('**Warnings**\n\n')[1];
  if (section === undefined) return [];
  return section.split('\n\n')[0]!.split('\n').filter((line) => line.startsWith('- ')).map((line) => line.slice(2));
}

/** ALONGSIDE and ALONGSIDE_STOPPED at once in this job, the second stopped mid tool call by SIGTERM. */
async function runAlongside(job: E2eJob): Promise<{ normalId: string; stopped: StoppedRun; stoppedFile: string }> {
  const normalModel = await fakeModel(ALONGSIDE);
  const stoppedModel = await fakeModel(ALONGSIDE_STOPPED);
  const [normalId, stopped] = await Promise.all([runCodex(job, normalModel), runStoppedCodex(job, stoppedModel, 'first-record')]);
  expect(stopped.result).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
  expect(normalId).not.toBe(stopped.sessionId);
  return { normalId, stopped, stoppedFile: sessionFileOf(job, stopped.sessionId) };
}

/**
 * Rewrites the session file's record of the first response with its `output_tokens` one higher
 * (the line still valid JSON), so that file and metric disagree by one token. Returns the old value.
 */
function bumpFirstRecordOutput(file: string): number {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const at = lines.findIndex((line) => line.includes('"type":"token_usage_record"') && line.includes('"response_id":"resp_fake_1"'));
  const record = JSON.parse(lines[at]!) as { payload: { usage: { output_tokens: number } } };
  const before = record.payload.usage.output_tokens;
  record.payload.usage.output_tokens = before + 1;
  lines[at] = JSON.stringify(record);
  fs.writeFileSync(file, lines.join('\n'));
  return before;
}

/** The Codex figures of `calls` as the reconciliation block writes them (input includes cached). */
function figuresOf(calls: ModelCall[]) {
  const sum = (pick: (u: ScenarioUsage) => number) => calls.reduce((total, call) => total + pick(call.usage), 0);
  return { input_tokens: sum((u) => u.input), cached_input_tokens: sum((u) => u.cached), output_tokens: sum((u) => u.output), reasoning_output_tokens: sum((u) => u.reasoning) };
}

// ---------------------------------------------------------------------------------------------

describe("Beacon's reader rules (support/beacon-reader.ts)", () => {
  const cumulativeTurns = () => [
    turnTokens(1, { input: 1000, cached: 0, output: 10, reasoning: 0 }, { temporality: 'Cumulative', timestamp: '2026-11-23T20:40:00.000Z' }),
    turnTokens(2, { input: 1700, cached: 0, output: 25, reasoning: 0 }, { temporality: 'Cumulative', timestamp: '2026-11-23T20:41:00.000Z' }),
    turnTokens(3, { input: 2500, cached: 0, output: 45, reasoning: 0 }, { temporality: 'Cumulative', timestamp: '2026-11-23T20:42:00.000Z' }),
  ];
  /** Token events with their usage filled in from the raw value, as they would be read unconverted. */
  const withRawUsage = (events: BeaconEvent[]) =>
    events.map((event) => {
      const type = event.gen_ai!.token!.type;
      const value = event.raw!.metric_value as number;
      const field = type === 'input' ? { input_tokens: value } : type === 'output' ? { output_tokens: value } : {};
      return JSON.parse(JSON.stringify({ ...event, gen_ai: { ...event.gen_ai, usage: field } })) as Record<string, unknown>;
    });

  it('three cumulative exports of 1000/1700/2500 input read 2500 when marked Cumulative with raw values', () => {
    const read = readBeaconUsage(withRawUsage(cumulativeTurns().flat()));
    expect(tokenFields(read.totals)).toEqual({ input_tokens: 2500, output_tokens: 45, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, reasoning_output_tokens: 0, events: 6 });
    // Any case of "cumulative" is cumulative; a drop is a reset: the new value counts whole.
    const dropped = [
      ...turnTokens(3, { input: 2500, cached: 0, output: 45, reasoning: 0 }, { timestamp: '2026-11-23T20:40:00.000Z' }),
      ...turnTokens(4, { input: 1000, cached: 0, output: 10, reasoning: 0 }, { timestamp: '2026-11-23T20:41:00.000Z' }),
    ];
    const lower = withRawUsage(dropped).map((event) => ({ ...event, raw: { ...(event.raw as object), metric_temporality: 'cumulative' } }));
    expect(readBeaconUsage(lower).totals).toMatchObject({ input_tokens: 2500 + 1000, output_tokens: 45 + 10 });
  });

  it('the runtime log the post step writes from that capture holds the differences, marked Delta: read exactly as written', async () => {
    const dir = resources.dir();
    const capturePath = path.join(dir, 'capture.jsonl');
    const logPath = path.join(dir, 'beacon-runtime.jsonl');
    writeCapture(capturePath, cumulativeTurns());
    await writeRuntimeLogWithReport({ capturePath, logPath });
    const text = fs.readFileSync(logPath, 'utf8');
    const inputs = logLines(text)
      .map((line) => JSON.parse(line) as BeaconEventLine)
      .filter((event) => event.gen_ai?.token?.type === 'input');
    expect(inputs.map((event) => [event.gen_ai!.usage!.input_tokens, event.raw!.metric_temporality])).toEqual([
      [1000, 'Delta'],
      [700, 'Delta'],
      [800, 'Delta'],
    ]);
    expect(readBeaconUsage(logLines(text)).totals).toMatchObject({ input_tokens: 2500, output_tokens: 45, events: 6 });
    // The same differences marked Cumulative would be differenced again: 1000, then 700 (a drop: a reset), then 100.
    const remarked = logLines(text).map((line) => line.replace('"metric_temporality":"Delta"', '"metric_temporality":"Cumulative"'));
    expect(readBeaconUsage(remarked).totals.input_tokens).toBe(1800);
  });

  const event = (fields: Record<string, unknown>) => ({ event: { kind: 'agent_runtime', action: 'token.usage', category: 'metric' }, harness: { name: 'codex_cli' }, timestamp: '2026-11-23T20:40:00Z', ...fields });

  it('a log-channel field zeroes that field on metric-channel events of its scope only; events with no usage are skipped', () => {
    const metric = (session: string, usage: Record<string, unknown>) => event({ session: { id: session }, model: 'm', gen_ai: { usage }, raw: { metric_name: 'codex.turn.token_usage' } });
    const read = readBeaconUsage([
      metric('s1', { input_tokens: 100 }),
      metric('s1', { output_tokens: 7 }),
      metric('s2', { input_tokens: 40 }),
      event({ session: { id: 's1' }, model: 'm', gen_ai: { usage: { input_tokens: 90 } } }),
      event({ session: { id: 's1' }, gen_ai: { usage: { input_tokens: 0 } } }),
      event({ session: { id: 's1' }, gen_ai: { usage: {} } }),
    ]);
    expect(tokenFields(read.totals)).toEqual({ input_tokens: 130, output_tokens: 7, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, reasoning_output_tokens: 0, events: 3 });
    expect(Object.keys(read.by_session).sort()).toEqual(['s1', 's2']);
    expect(read.by_session.s1).toMatchObject({ input_tokens: 90, output_tokens: 7, events: 2 });
  });

  it('groups by model, session, harness, repository and run; an event without a key counts in the totals only', () => {
    const read = readBeaconUsage([
      event({ model: 'a', session: { id: 's' }, repository: 'https://github.com/o/r', run: { provider: 'github_actions', run_id: '7' }, gen_ai: { usage: { cache_read: { input_tokens: 5 }, reasoning: { output_tokens: 2 } } } }),
      event({ gen_ai: { usage: { output_tokens: 3 } } }),
    ]);
    expect(read.totals).toMatchObject({ cache_read_input_tokens: 5, reasoning_output_tokens: 2, output_tokens: 3, events: 2 });
    for (const groups of [read.by_model, read.by_session, read.by_repository, read.by_run]) expect(Object.values(groups)).toHaveLength(1);
    expect(Object.keys(read.by_run)).toEqual(['github_actions/7']);
    expect(read.by_harness.codex_cli!.events).toBe(2);
  });

  it.skipIf(!NUMBER_SOURCE_TEXT)('a token count written as 4444.0, 10.5 or 1e+300, or an exit code of 1.2e+23, drops the whole line', () => {
    const good = JSON.stringify(event({ gen_ai: { usage: { input_tokens: 4444 } } }));
    const lines = [good, good.replace('4444', '4444.0'), good.replace('4444', '10.5'), good.replace('4444', '1e+300'), good.replace('4444', '9223372036854775808')];
    lines.push(JSON.stringify(event({ command: { exit_code: 0 }, gen_ai: { usage: { input_tokens: 1 } } })).replace('"exit_code":0', '"exit_code":1.2e+23'));
    lines.push(JSON.stringify(event({ model: 5, gen_ai: { usage: { input_tokens: 1 } } })), '{"torn":');
    const read = readBeaconUsage(lines);
    expect(read.malformed).toBe(7);
    expect(read.totals).toMatchObject({ input_tokens: 4444, events: 1 });
  });
});

// ---------------------------------------------------------------------------------------------

describe('token usage of Codex runs, from the metric and from session files (real Codex CLI)', () => {
  it('a normal run: the metric counts, paired exactly with its one session', async () => {
    const model = await fakeModel(NORMAL);
    const job = await startJob();
    const sessionId = await runCodex(job, model);
    const done = await job.finish();

    expect(startedSessions(done)).toEqual([sessionId]);
    const toolEvents = done.events.filter((event) => ['approval.requested', 'command.executed'].includes(event.event.action));
    expect(toolEvents.map((event) => event.session?.id)).toEqual([sessionId, sessionId]);
    expectMetricOnly(done, sessionId);
    expect(summaryWarnings(done.summary)).toEqual([]);
    // All six points of the one turn carry the session they were paired with.
    expect(tokenEvents(done).map((event) => event.session?.id)).toEqual(Array(6).fill(sessionId));
    expect(done.summary).not.toContain('Codex was stopped before');
  });

  it('SIGTERM while the first response\'s tool runs: exactly that response is recovered from the session file', async () => {
    const model = await fakeModel(STOPPED);
    const job = await startJob();
    const { result, sessionId } = await runStoppedCodex(job, model, 'first-record');
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGTERM', timedOut: false });
    const file = sessionFileOf(job, sessionId);
    const done = await job.finish();

    expect(startedSessions(done)).toEqual([sessionId]);
    const recovered = recoveredTokenEvents(done);
    expect(recovered.map((event) => [event.session?.id, event.model, event.gen_ai?.token?.type, event.gen_ai?.usage, event.raw?.metric_name])).toEqual([
      [sessionId, MODEL, 'input', { input_tokens: 4000 }, 'codex.turn.token_usage'],
      [sessionId, MODEL, 'cached_input', { cache_read: { input_tokens: 2000 } }, 'codex.turn.token_usage'],
      [sessionId, MODEL, 'output', { output_tokens: 300 }, 'codex.turn.token_usage'],
      [sessionId, MODEL, 'reasoning_output', { reasoning: { output_tokens: 40 } }, 'codex.turn.token_usage'],
    ]);
    // No metric arrived: the recovered events are all the token events.
    expect(tokenEvents(done)).toEqual(recovered);
    expectRecoveredOnly(done, sessionId, file);
  });

  it('SIGINT (Ctrl-C) while the first response\'s tool runs: Codex aborts the turn and exits 1, sends no metric either; the same response is recovered', async () => {
    const model = await fakeModel(STOPPED);
    const job = await startJob();
    const { result, sessionId } = await runStoppedCodex(job, model, 'first-record', 'SIGINT');
    expect(result).toMatchObject({ exitCode: 1, signal: null });
    const file = sessionFileOf(job, sessionId);
    // Codex handles the interrupt: it writes the aborted tool's output, a token_count and turn_aborted, but no second record.
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as { type: string; payload: { type?: string } });
    expect(lines.filter((line) => line.type === 'token_usage_record')).toHaveLength(1);
    expect(lines.filter((line) => line.type === 'event_msg').map((line) => line.payload.type)).toEqual(expect.arrayContaining(['token_count', 'turn_aborted']));
    const done = await job.finish();

    expect(startedSessions(done)).toEqual([sessionId]);
    expect(tokenEvents(done)).toEqual(recoveredTokenEvents(done));
    expectRecoveredOnly(done, sessionId, file);
  });

  it('two runs in one job, only the second stopped: the first counted from its metric, the second recovered, nothing twice', async () => {
    const first = await fakeModel(NORMAL);
    const second = await fakeModel(STOPPED);
    const job = await startJob();
    const firstId = await runCodex(job, first);
    const { result, sessionId: secondId } = await runStoppedCodex(job, second, 'first-record');
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
    const secondFile = sessionFileOf(job, secondId);
    const done = await job.finish();

    expect(startedSessions(done)).toEqual([firstId, secondId]);
    expect(reconciliation(done)).toEqual({
      session_files: { read: 2, older_left_out: 0, unreadable: [], problems: [] },
      metric_exports: [exactExport([firstId])],
      recovered_sessions: [{ session_id: secondId, file: path.basename(secondFile), models: [MODEL] }],
      sessions_without_usage: [],
      disagreements: [],
    });
    expect(done.usage.totals).toEqual(entryFor([...NORMAL, ...STOPPED_SPENT], 8));
    expect(bySession(done)).toEqual({ [firstId]: sessionEntry(NORMAL, 4, 'metric'), [secondId]: sessionEntry(STOPPED_SPENT, 4, 'session_file') });
    expect(done.usage.by_source).toEqual({ metric: entryFor(NORMAL, 4), session_file: entryFor(STOPPED_SPENT, 4) });
    expect(new Set(recoveredTokenEvents(done).map((event) => event.session?.id))).toEqual(new Set([secondId]));
    expect(done.summary).toContain(recoverySentence('6,300'));
    expectAccountsAgree(done);
  });

  it('two Codex processes at once, one stopped mid tool call while the other completes: each session counted once, from its own source', async () => {
    const job = await startJob();
    const { normalId, stopped, stoppedFile } = await runAlongside(job);
    const done = await job.finish();

    expect(startedSessions(done).sort()).toEqual([normalId, stopped.sessionId].sort());
    expect(reconciliation(done)).toEqual({
      session_files: { read: 2, older_left_out: 0, unreadable: [], problems: [] },
      metric_exports: [exactExport([normalId])],
      recovered_sessions: [{ session_id: stopped.sessionId, file: path.basename(stoppedFile), models: [MODEL] }],
      sessions_without_usage: [],
      disagreements: [],
    });
    const stoppedSpent = ALONGSIDE_STOPPED.slice(0, 1);
    expect(done.usage.totals).toEqual(entryFor([...ALONGSIDE, ...stoppedSpent], 8));
    expect(bySession(done)).toEqual({ [normalId]: sessionEntry(ALONGSIDE, 4, 'metric'), [stopped.sessionId]: sessionEntry(stoppedSpent, 4, 'session_file') });
    expect(done.summary).toContain(recoverySentence('5,220'));
    expectAccountsAgree(done);
  });

  it('stopped before any model response completed: nothing to recover, and the session is named', async () => {
    const model = await fakeModel([{ kind: 'final_answer', text: 'too late', usage: usage(900, 100, 9, 1), delayMs: 20_000 }]);
    const job = await startJob();
    const { result, sessionId } = await runStoppedCodex(job, model, 'first-request');
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
    const file = sessionFileOf(job, sessionId);
    const done = await job.finish();

    expect(startedSessions(done)).toEqual([sessionId]);
    expect(reconciliation(done)).toEqual({
      session_files: { read: 1, older_left_out: 0, unreadable: [], problems: [] },
      metric_exports: [],
      recovered_sessions: [],
      sessions_without_usage: [{ session_id: sessionId, file: path.basename(file) }],
      disagreements: [],
    });
    expect(tokenEvents(done)).toEqual([]);
    expect(done.usage.totals).toEqual({ input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0, reasoning_output_tokens: 0, total_tokens: 0, cache_creation_input_tokens: 0, cost_usd: null, events: 0 });
    expect(bySession(done)).toEqual({});
    expect(done.summary).toContain('1 session stopped before any model response completed: no tokens to recover.');
    expect(done.summary).not.toContain('Codex was stopped before it reported');
    expectAccountsAgree(done);
  });

  describe('damaged session files of a stopped run', () => {
    const UNREADABLE = 'rollout-2026-12-07T00-00-00-01a24f0d-0000-7000-8000-00000000dead.jsonl';
    const damages: {
      name: string;
      damage: (file: string, codexHome: string) => void;
      sessionFiles: (file: string) => Partial<Reconciliation['session_files']>;
      /** The summary's warnings. */
      warnings: (file: string) => string[];
    }[] = [
      {
        name: 'a torn half line appended: the complete records still count, and the problem is named',
        damage: (file) => {
          const record = fs.readFileSync(file, 'utf8').split('\n').find((line) => line.includes('"type":"token_usage_record"'))!;
          fs.appendFileSync(file, record.slice(0, Math.floor(record.length / 2)));
        },
        sessionFiles: (file) => ({ problems: [`${path.basename(file)}: torn last line (1)`] }),
        warnings: (file) => [`Session file ${path.basename(file)}: torn last line (1); the rest of the file was still counted.`],
      },
      {
        name: 'a line of an unknown record type inserted: still counted',
        damage: (file) => {
          const [first, ...rest] = fs.readFileSync(file, 'utf8').split('\n');
          const unknown = JSON.stringify({ timestamp: new Date().toISOString(), type: 'beacon_test_unknown_record', payload: { usage: { input_tokens: 1 } } });
          fs.writeFileSync(file, [first, unknown, ...rest].join('\n'));
        },
        sessionFiles: () => ({}),
        warnings: () => [],
      },
      {
        name: 'an unreadable entry under sessions/: named, the rest counted',
        damage: (_file, codexHome) => fs.mkdirSync(path.join(codexHome, 'sessions', '2026', '12', '07', UNREADABLE), { recursive: true }),
        sessionFiles: () => ({ unreadable: [{ file: `2026/12/07/${UNREADABLE}`, reason: 'not a regular file (a folder)' }] }),
        warnings: () => [`The session file 2026/12/07/${UNREADABLE} could not be read: not a regular file (a folder).`],
      },
    ];

    it.each(damages)('$name', async ({ damage, sessionFiles, warnings }) => {
      const model = await fakeModel(STOPPED);
      const job = await startJob();
      const { sessionId } = await runStoppedCodex(job, model, 'first-record');
      const file = sessionFileOf(job, sessionId);
      damage(file, job.codexHome);
      const done = await job.finish();

      expectRecoveredOnly(done, sessionId, file, sessionFiles(file));
      expect(summaryWarnings(done.summary)).toEqual(warnings(file));
    });
  });

  it('metric and session file disagree: both figures reported, the metric counted, a warning names both', async () => {
    const model = await fakeModel(NORMAL);
    const job = await startJob();
    const sessionId = await runCodex(job, model);
    const file = sessionFileOf(job, sessionId);
    expect(bumpFirstRecordOutput(file)).toBe(210);
    const done = await job.finish();

    const metric = figuresOf(NORMAL);
    expect(metric).toEqual({ input_tokens: 6600, cached_input_tokens: 4100, output_tokens: 274, reasoning_output_tokens: 47 });
    expect(reconciliation(done)).toEqual({
      session_files: { read: 1, older_left_out: 0, unreadable: [], problems: [] },
      metric_exports: [{ export_seq: expect.any(Number), at: expect.any(String), session_ids: [sessionId], agreement: 'disagree' }],
      recovered_sessions: [],
      sessions_without_usage: [],
      disagreements: [{ session_ids: [sessionId], model: MODEL, metric, session_file: { ...metric, output_tokens: 275 }, counted: 'metric' }],
    });
    expect(done.usage.totals).toEqual(entryFor(NORMAL, 4));
    expect(bySession(done)).toEqual({ [sessionId]: sessionEntry(NORMAL, 4, 'metric') });
    expect(recoveredTokenEvents(done)).toEqual([]);
    const warning = `The token metric and the session file of session ${sessionId} disagree for model ${MODEL}: output 274 in the metric, 275 in the session file. The metric was counted.`;
    expect(summaryWarnings(done.summary)).toEqual([warning]);
    expect(done.post.stdout).toContain(`::warning::beacon: ${warning}`);
    expectAccountsAgree(done);
  });

  it('a disagreeing metric while another session was stopped at that moment: each session still counted once', async () => {
    const job = await startJob();
    const { normalId, stopped, stoppedFile } = await runAlongside(job);
    expect(bumpFirstRecordOutput(sessionFileOf(job, normalId))).toBe(90);
    // The stopped session's last line falls just before the normal process's exit flush, as when
    // it is interrupted at that moment (on SIGINT Codex writes turn_aborted then): closer in time
    // to that export than the normal session's own last line.
    const tokenPoints = path.join(path.dirname(job.start.outputs['log-path']!), 'capture.tokens.jsonl');
    const flushAt = Date.parse((JSON.parse(fs.readFileSync(tokenPoints, 'utf8').split('\n')[0]!) as { timestamp: string }).timestamp);
    const aborted = { timestamp: new Date(flushAt - 1).toISOString(), type: 'event_msg', payload: { type: 'turn_aborted', reason: 'interrupted' } };
    fs.appendFileSync(stoppedFile, JSON.stringify(aborted) + '\n');
    const done = await job.finish();

    const stoppedSpent = ALONGSIDE_STOPPED.slice(0, 1);
    // Each session once: the normal one from its metric, the stopped one from its file.
    expect(done.usage.totals).toEqual(entryFor([...ALONGSIDE, ...stoppedSpent], 8));
    expect(bySession(done)).toEqual({ [normalId]: sessionEntry(ALONGSIDE, 4, 'metric'), [stopped.sessionId]: sessionEntry(stoppedSpent, 4, 'session_file') });
    // The export is the normal session's (the two are one token apart; the stopped session's usage is nothing like it).
    const metric = figuresOf(ALONGSIDE);
    expect(reconciliation(done)).toEqual({
      session_files: { read: 2, older_left_out: 0, unreadable: [], problems: [] },
      metric_exports: [{ export_seq: expect.any(Number), at: expect.any(String), session_ids: [normalId], agreement: 'disagree' }],
      recovered_sessions: [{ session_id: stopped.sessionId, file: path.basename(stoppedFile), models: [MODEL] }],
      sessions_without_usage: [],
      disagreements: [{ session_ids: [normalId], model: MODEL, metric, session_file: { ...metric, output_tokens: metric.output_tokens + 1 }, counted: 'metric' }],
    });
    expectAccountsAgree(done);
  });

  it('a codex-home that already holds a session file from before the start step: left out, only this job counted', async () => {
    const codexHome = resources.dir();
    const oldAt = '2026-01-01T00:00:00.000Z';
    const oldId = '01a24f0d-0000-7000-8000-00000000beef';
    const turnId = '01a24f0d-0000-7000-8000-0000000071e0';
    const oldLines = [sessionMeta(oldAt, { id: oldId }), turnContext('2026-01-01T00:00:01.000Z', turnId, MODEL), usageRecord('2026-01-01T00:00:02.000Z', turnId, 'resp_old', { input: 9999, cached: 999, output: 99, reasoning: 9 })];
    await writeSessionFile(codexHome, rolloutName(oldAt, oldId), oldLines.join('\n') + '\n', new Date('2026-01-01T00:00:03.000Z'));
    const model = await fakeModel(NORMAL);
    const job = await startJob({ 'codex-home': codexHome });
    expect(job.codexHome).toBe(codexHome);
    const sessionId = await runCodex(job, model);
    const done = await job.finish();

    expectMetricOnly(done, sessionId, { older_left_out: 1 });
    expect(done.summary).toContain("1 session file from before this job's start step (a reused `codex-home`) left out.");
  });

  it('cumulative temporality: the token events hold differences, never marked Cumulative, and read exactly', async () => {
    const model = await fakeModel(NORMAL);
    const job = await startJob();
    const sessionId = await runCodex(job, model, { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'cumulative' });
    const done = await job.finish();

    // Cumulative series are sent again at Codex's exit: a second export of the same sums, whose
    // differences are all 0 (it counts nothing and belongs to no session). Points come in no set order.
    const tokens = tokenEvents(done);
    const types = ['cache_write_input', 'cached_input', 'input', 'output', 'reasoning_output', 'total'];
    // Export numbers count every metrics request, so the two with token points need not be 1 and 2.
    const seqs = [...new Set(tokens.map((event) => event.raw?.export_seq as number))].sort((a, b) => a - b);
    const byExport = (seq: number) => tokens.filter((event) => event.raw?.export_seq === seq).sort((a, b) => (a.gen_ai!.token!.type < b.gen_ai!.token!.type ? -1 : 1));
    expect(tokens).toHaveLength(12);
    expect(seqs).toHaveLength(2);
    expect(byExport(seqs[0]!).map((event) => [event.gen_ai?.token?.type, event.session?.id])).toEqual(types.map((type) => [type, sessionId]));
    expect(byExport(seqs[1]!).map((event) => [event.gen_ai?.token?.type, event.session?.id, event.gen_ai?.usage])).toEqual([
      ['cache_write_input', undefined, {}],
      ['cached_input', undefined, { cache_read: { input_tokens: 0 } }],
      ['input', undefined, { input_tokens: 0 }],
      ['output', undefined, { output_tokens: 0 }],
      ['reasoning_output', undefined, { reasoning: { output_tokens: 0 } }],
      ['total', undefined, {}],
    ]);
    // Codex did export cumulative points (the variable reached it), and none is left marked so.
    expect(tokens.map((event) => event.raw?.differenced_from)).toEqual(Array(12).fill('Cumulative'));
    expect(tokens.filter((event) => /^cumulative$/i.test(String(event.raw?.metric_temporality)))).toEqual([]);
    expect(reconciliation(done).metric_exports).toEqual([exactExport([sessionId]), { export_seq: seqs[1], at: expect.any(String), session_ids: [], agreement: 'no-usage' }]);
    expect(done.usage.totals).toEqual(entryFor(NORMAL, 4));
    expect(bySession(done)).toEqual({ [sessionId]: sessionEntry(NORMAL, 4, 'metric') });
    expect(tokenFields(readBeaconUsage(logLines(done.logText)).totals)).toEqual(tokenFields(entryFor(NORMAL, 4)));
    expectAccountsAgree(done);
  });
});
