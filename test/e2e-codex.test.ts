import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeModel, type FakeModel, type FakeModelScenario, type ModelCall } from './support/fake-model.js';
import { CODEX_ACTION_PROVIDER, E2eJob, countByAction, expectedUsage, type BeaconEventLine, type FinishedJob } from './support/e2e.js';

/**
 * The whole action against the real Codex CLI: the built start bundle under a simulated runner,
 * `codex exec` (npm @openai/codex: the pinned one, or BEACON_CODEX_PACKAGE_DIR's) with CODEX_HOME
 * from start's output against the fake Responses API, and the built finish bundle as the post step.
 */

// Distinct numbers per call, so a sum that dropped or doubled a call cannot match by accident.
const MARKER_COMMAND = 'echo beacon-marker-1';
const TOOL_THEN_ANSWER: ModelCall[] = [
  { kind: 'tool_call', command: MARKER_COMMAND, usage: { input: 1200, cached: 1000, output: 50, reasoning: 20, total: 1250 } },
  { kind: 'final_answer', text: 'The marker was printed.', usage: { input: 1400, cached: 1150, output: 30, reasoning: 10, total: 1430 } },
];
// A phrase found nowhere else (not in the command, not in Codex's instructions), so a leak of the prompt is visible.
const PROMPT = 'Run the echo for ticket zebra-quartz-4417, then report back.';
const FIXTURE_MODEL = 'gpt-5.5';
// The fixtures' numbers, made disjoint: input 2600 - cached 2150 = 450.
const FIXTURE_ROW = '| `gpt-5.5` | 450 | 2,150 | 80 | 30 | 2,680 |';

const models: FakeModel[] = [];
const jobs: E2eJob[] = [];
const tempDirs: string[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-e2e-'));
  tempDirs.push(dir);
  return dir;
}

async function fakeModel(scenario: FakeModelScenario): Promise<FakeModel> {
  const model = await startFakeModel(scenario);
  models.push(model);
  return model;
}

async function startJob(inputs: Record<string, string> = {}): Promise<E2eJob> {
  const job = await E2eJob.start(inputs);
  jobs.push(job);
  return job;
}

afterEach(async () => {
  for (const job of jobs.splice(0)) await job.dispose();
  for (const model of models.splice(0)) await model.close();
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function only(events: BeaconEventLine[], action: string): BeaconEventLine {
  const matching = events.filter((event) => event.event.action === action);
  expect(matching, action).toHaveLength(1);
  return matching[0]!;
}

/** What every finished run must satisfy: the post step passed and every log line meets the schema. */
function expectValidRun(done: FinishedJob): void {
  expect(done.post.exitCode, done.post.stdout + done.post.stderr).toBe(0);
  expect(done.schema.errors).toEqual([]);
  expect(done.schema.lines).toBe(done.events.length);
  expect(done.events.every((event) => event.harness.name === 'codex_cli')).toBe(true);
}

/** The session id Codex told the model, from its per-request turn metadata header. */
function sessionIdSentTo(model: FakeModel): string {
  const header = model.responsesRequests()[0]!.headers['x-codex-turn-metadata'];
  return (JSON.parse(String(header)) as { session_id: string }).session_id;
}

function expectUsageTotals(done: FinishedJob, byModel: Record<string, ReturnType<typeof expectedUsage>>, tokenEvents: number): void {
  const totals = Object.values(byModel).reduce(
    (sum, usage) => ({
      input_tokens: sum.input_tokens + usage.input_tokens,
      cache_read_input_tokens: sum.cache_read_input_tokens + usage.cache_read_input_tokens,
      output_tokens: sum.output_tokens + usage.output_tokens,
      reasoning_output_tokens: sum.reasoning_output_tokens + usage.reasoning_output_tokens,
      total_tokens: sum.total_tokens + usage.total_tokens,
    }),
    { input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0, reasoning_output_tokens: 0, total_tokens: 0 },
  );
  // Four token types carry usage per turn (input, cached_input, output, reasoning_output).
  expect(done.usage.totals).toEqual({ ...totals, cache_creation_input_tokens: 0, cost_usd: null, events: tokenEvents });
  expect(Object.keys(done.usage.by_model).sort()).toEqual(Object.keys(byModel).sort());
  for (const [model, usage] of Object.entries(byModel)) {
    expect(done.usage.by_model[model], model).toMatchObject({ ...usage, cost_usd: null });
  }
}

describe('one prompt with a tool call', () => {
  it.each<{ name: string; inputs: Record<string, string>; encoding: string; promptKept: boolean }>([
    { name: 'default inputs (OTLP/protobuf, no prompt text)', inputs: {}, encoding: 'protobuf', promptKept: false },
    { name: 'log-user-prompt: true', inputs: { 'log-user-prompt': 'true' }, encoding: 'protobuf', promptKept: true },
    { name: 'otel-protocol: json', inputs: { 'otel-protocol': 'json' }, encoding: 'json', promptKept: false },
  ])('$name: session, prompt, approval, command and exact token totals', async ({ inputs, encoding, promptKept }) => {
    const model = await fakeModel({ calls: TOOL_THEN_ANSWER });
    const job = await startJob(inputs);
    const config = parseToml(fs.readFileSync(job.configPath, 'utf8')) as Record<string, any>;
    // Our config leaves the provider to openai/codex-action (or, here, to -c overrides).
    expect(config.model_provider).toBeUndefined();

    const codex = await job.runCodex({ model, prompt: PROMPT, modelName: FIXTURE_MODEL, provider: 'overrides' });
    expect(codex, codex.stderr).toMatchObject({ exitCode: 0, timedOut: false });
    expect(codex.stdout.trim()).toBe('The marker was printed.');
    const done = await job.finish();

    expectValidRun(done);
    expect(countByAction(done.events)).toEqual({
      'session.started': 1,
      'prompt.submitted': 1,
      'approval.requested': 1,
      'command.executed': 1,
      // One data point per token_type: input, cached_input, cache_write_input, output, reasoning_output, total.
      'token.usage': 6,
    });
    // The telemetry came the way the input asked for it.
    expect(done.stats!.signals.logs.byEncoding).toEqual({ [encoding]: done.stats!.signals.logs.requests });
    expect(done.stats!.signals.metrics.byEncoding).toEqual({ [encoding]: done.stats!.signals.metrics.requests });

    const sessionId = sessionIdSentTo(model);
    const session = only(done.events, 'session.started');
    expect(session).toMatchObject({ session: { id: sessionId }, model: FIXTURE_MODEL, message: 'Codex session started' });
    for (const event of done.events.filter((e) => e.event.category !== 'metric')) expect(event.session?.id).toBe(sessionId);

    const prompt = only(done.events, 'prompt.submitted');
    expect((prompt.raw!.attributes as Record<string, unknown>).prompt_length).toBe(String(PROMPT.length));
    expect((prompt.raw!.attributes as Record<string, unknown>).prompt).toBeUndefined();
    if (promptKept) {
      expect(prompt.prompt).toEqual({ text: PROMPT });
    } else {
      expect(prompt.prompt).toBeUndefined();
      expect(done.logText).not.toContain('zebra-quartz-4417');
    }
    // The summary and the usage file never hold prompt text, whatever the input.
    expect(done.summary).not.toContain('zebra-quartz-4417');
    expect(done.usageText).not.toContain('zebra-quartz-4417');

    expect(only(done.events, 'approval.requested')).toMatchObject({
      approval: { required: true, decision: 'approved', reason: 'Config' },
      tool: { name: 'exec_command' },
    });
    expect(only(done.events, 'command.executed')).toMatchObject({
      tool: { name: 'exec_command', command: JSON.stringify({ cmd: MARKER_COMMAND }) },
      command: { command: MARKER_COMMAND, exit_code: 0, success: true },
    });

    expectUsageTotals(done, { [FIXTURE_MODEL]: expectedUsage(TOOL_THEN_ANSWER) }, 4);
    expect(done.summary).toContain(FIXTURE_ROW);
    expect(done.summary).toContain(`| \`${MARKER_COMMAND}\` | 0 |`);
    expect(done.summary).toContain('All checks passed.');
  });
});

describe('more than one Codex run', () => {
  it('two runs with different models in one job: exact totals per model and overall', async () => {
    const otherModel = 'gpt-5.4';
    const otherCalls: ModelCall[] = [{ kind: 'final_answer', text: 'Nothing to run.', usage: { input: 900, cached: 600, output: 40, reasoning: 12, total: 940 } }];
    const first = await fakeModel({ calls: TOOL_THEN_ANSWER, model: FIXTURE_MODEL });
    const second = await fakeModel({ calls: otherCalls, model: otherModel });
    const job = await startJob();

    expect((await job.runCodex({ model: first, prompt: PROMPT, modelName: FIXTURE_MODEL, provider: 'overrides' })).exitCode).toBe(0);
    expect((await job.runCodex({ model: second, prompt: 'Just answer.', modelName: otherModel, provider: 'overrides' })).exitCode).toBe(0);
    const done = await job.finish();

    expectValidRun(done);
    expect(countByAction(done.events)).toEqual({ 'session.started': 2, 'prompt.submitted': 2, 'approval.requested': 1, 'command.executed': 1, 'token.usage': 12 });
    const sessions = done.events.filter((e) => e.event.action === 'session.started').map((e) => [e.session!.id, e.model]);
    expect(sessions).toEqual([
      [sessionIdSentTo(first), FIXTURE_MODEL],
      [sessionIdSentTo(second), otherModel],
    ]);

    const firstUsage = expectedUsage(TOOL_THEN_ANSWER);
    const secondUsage = expectedUsage(otherCalls);
    expectUsageTotals(done, { [FIXTURE_MODEL]: firstUsage, [otherModel]: secondUsage }, 8);
    // 300 + 600 + 40 = 940 for the second model; rows by total, then both together.
    expect(done.summary).toContain(
      [FIXTURE_ROW, '| `gpt-5.4` | 300 | 600 | 40 | 12 | 940 |', '| **All models** | 750 | 2,750 | 120 | 42 | 3,620 |'].join('\n'),
    );
    expect(done.summary).toContain('- Sessions: 2\n- Prompts: 2');
  });
});

describe('configurations Codex is run with', () => {
  it('openai/codex-action prepends its model_provider and appends its provider table: still captured', async () => {
    const model = await fakeModel({ calls: TOOL_THEN_ANSWER });
    const job = await startJob();
    const generated = fs.readFileSync(job.configPath, 'utf8');

    const codex = await job.runCodex({
      model,
      prompt: PROMPT,
      modelName: FIXTURE_MODEL,
      provider: 'codex-action-edit',
      // What openai/codex-action sets for its run: Codex then reports as codex_github_action.
      env: { CODEX_INTERNAL_ORIGINATOR_OVERRIDE: 'codex_github_action' },
    });
    expect(codex, codex.stderr).toMatchObject({ exitCode: 0, timedOut: false });
    const edited = fs.readFileSync(job.configPath, 'utf8');
    expect(edited.startsWith(`# BEGIN codex-action managed model provider\nmodel_provider = "${CODEX_ACTION_PROVIDER}"\n`)).toBe(true);
    expect(edited).toContain(generated.trim());
    expect((parseToml(edited) as Record<string, any>).model_providers[CODEX_ACTION_PROVIDER].base_url).toBe(model.baseUrl);
    const done = await job.finish();

    expectValidRun(done);
    expect(countByAction(done.events)).toEqual({ 'session.started': 1, 'prompt.submitted': 1, 'approval.requested': 1, 'command.executed': 1, 'token.usage': 6 });
    const attributes = only(done.events, 'session.started').raw!.attributes as Record<string, unknown>;
    expect(attributes).toMatchObject({ provider_name: 'Codex Action Responses Proxy', originator: 'codex_github_action' });
    expectUsageTotals(done, { [FIXTURE_MODEL]: expectedUsage(TOOL_THEN_ANSWER) }, 4);
    expect(done.summary).toContain(FIXTURE_ROW);
  });

  it('a user codex-config is merged: its model and settings are used, and prompt text still stays out', async () => {
    const userModel = 'gpt-5.4';
    const model = await fakeModel({ calls: TOOL_THEN_ANSWER, model: userModel });
    const userConfig = path.join(tempDir(), 'codex.toml');
    fs.writeFileSync(userConfig, [`model = "${userModel}"`, 'model_reasoning_effort = "high"', 'approval_policy = "never"', '', '[otel]', 'log_user_prompt = true', ''].join('\n'));
    const job = await startJob({ 'codex-config': userConfig });
    expect(job.start.stdout).toContain('The merged Codex config had its own [otel] table: it was replaced');
    const config = parseToml(fs.readFileSync(job.configPath, 'utf8')) as Record<string, any>;
    expect(config).toMatchObject({ model: userModel, model_reasoning_effort: 'high', approval_policy: 'never', otel: { log_user_prompt: false } });

    // No -c for the model or the approval policy: Codex takes them from the merged config.
    const codex = await job.runCodex({ model, prompt: PROMPT, provider: 'overrides', leaveToConfig: ['approval_policy'] });
    expect(codex, codex.stderr).toMatchObject({ exitCode: 0, timedOut: false });
    const request = model.responsesRequests()[0]!.body as { model: string; reasoning: { effort: string } };
    expect(request.model).toBe(userModel);
    expect(request.reasoning.effort).toBe('high');
    const done = await job.finish();

    expectValidRun(done);
    expect(only(done.events, 'session.started').raw!.attributes).toMatchObject({ model: userModel, reasoning_effort: 'high', approval_policy: 'never' });
    expect(only(done.events, 'prompt.submitted').prompt).toBeUndefined();
    for (const text of [done.logText, done.usageText, done.summary]) expect(text).not.toContain('zebra-quartz-4417');
    expectUsageTotals(done, { [userModel]: expectedUsage(TOOL_THEN_ANSWER) }, 4);
    expect(done.summary).toContain('| `gpt-5.4` | 450 | 2,150 | 80 | 30 | 2,680 |');
  });
});

describe('a Codex run that goes wrong', () => {
  it('SIGTERM mid-turn: the flushed events are kept, the post step passes and explains the missing token metric', async () => {
    const answerDelayMs = 20_000;
    const model = await fakeModel({ calls: [{ kind: 'final_answer', text: 'too late', usage: TOOL_THEN_ANSWER[1]!.usage, delayMs: answerDelayMs }] });
    const job = await startJob();

    // Cancelled once its first log batch (about a second in) reached the collector, long before the answer.
    const firstLogsArrived = job.waitForCaptured('prompt.submitted', 15_000);
    const codex = await job.runCodex({ model, prompt: PROMPT, modelName: FIXTURE_MODEL, provider: 'overrides', terminateWhen: firstLogsArrived });
    expect(await firstLogsArrived).toBe(true);
    expect(codex).toMatchObject({ exitCode: null, signal: 'SIGTERM', timedOut: false });
    expect(codex.durationMs).toBeLessThan(answerDelayMs);
    const done = await job.finish();

    expectValidRun(done);
    expect(countByAction(done.events)).toEqual({ 'session.started': 1, 'prompt.submitted': 1 });
    expect(only(done.events, 'session.started').session!.id).toBe(sessionIdSentTo(model));
    expect(done.usage.totals).toMatchObject({ input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0, reasoning_output_tokens: 0, total_tokens: 0, events: 0 });
    expect(done.usage.by_model).toEqual({});
    expect(done.post.stdout).toContain('::warning::beacon: Codex events were captured but no token usage metric.');
    expect(done.summary).toContain('*No token usage was captured.*');
    expect(done.summary).toContain('**Likely causes**\n\n- Codex sends its metrics only at a normal exit: it was cancelled or killed');
  });

  it('secrets printed by a tool, or written in its command, are [REDACTED] everywhere we write', async () => {
    // Fake values, put together at run time so that secret scanners do not flag this file.
    const secrets = {
      github: ['ghp', 'Z9y8X7w6V5u4T3s2R1q0Pp1Oo2Nn3Mm4Ll5K'].join('_'), // 36 characters after ghp_
      openai: ['sk', 'proj', 'Qw3rTy8uIo1pAs5dFg7hJk2L'].join('-'),
      aws: ['AKIA', 'Q7RS2TUV3WXY4Z5A'].join(''), // 16 after AKIA
      password: 'Tr0ub4dor-and-3-horses',
    };
    const job = await startJob();
    // The first command holds no secret: they come from its output only.
    fs.writeFileSync(path.join(job.runner.workspace, 'leaked.env'), `github ${secrets.github}\nopenai ${secrets.openai}\naws ${secrets.aws}\ndb password=${secrets.password}\n`);
    const echoCommand = `echo ${secrets.github} ${secrets.openai} ${secrets.aws} password=${secrets.password}`;
    const calls: ModelCall[] = [
      { kind: 'tool_call', command: 'cat leaked.env', usage: TOOL_THEN_ANSWER[0]!.usage },
      { kind: 'tool_call', command: echoCommand, usage: { input: 1300, cached: 1100, output: 20, reasoning: 5, total: 1320 } },
      { kind: 'final_answer', text: 'Done.', usage: TOOL_THEN_ANSWER[1]!.usage },
    ];
    const model = await fakeModel({ calls });

    const codex = await job.runCodex({ model, prompt: PROMPT, modelName: FIXTURE_MODEL, provider: 'overrides' });
    expect(codex, codex.stderr).toMatchObject({ exitCode: 0, timedOut: false });
    // Codex did run both commands and saw the secrets (they went back to the model).
    expect(JSON.stringify(model.responsesRequests()[2]!.body)).toContain(secrets.aws);
    const done = await job.finish();

    expectValidRun(done);
    const commands = done.events.filter((e) => e.event.action === 'command.executed');
    expect(commands.map((e) => e.command!.command)).toEqual(['cat leaked.env', 'echo [REDACTED] [REDACTED] [REDACTED] password=[REDACTED]']);
    expect(commands[1]!.tool!.command).toBe(JSON.stringify({ cmd: 'echo [REDACTED] [REDACTED] [REDACTED] password=[REDACTED]' }));
    expect((commands[0]!.raw!.attributes as Record<string, string>).output).toContain('Output:\ngithub [REDACTED]\nopenai [REDACTED]\naws [REDACTED]\ndb password=[REDACTED]\n');
    expect((commands[1]!.raw!.attributes as Record<string, string>).output).toContain('Output:\n[REDACTED] [REDACTED] [REDACTED] password=[REDACTED]\n');
    expect(done.summary).toContain('| `echo [REDACTED] [REDACTED] [REDACTED] password=[REDACTED]` | 0 |');
    expectUsageTotals(done, { [FIXTURE_MODEL]: expectedUsage(calls) }, 4);

    // The raw bytes of everything the action wrote: runtime log, usage file, summary, and its work files.
    const written = [done.logPath, done.usagePath, job.runner.summaryPath, ...fs.readdirSync(done.workDir).map((name) => path.join(done.workDir, name))]
      .filter((file) => fs.statSync(file).isFile());
    expect(written).toEqual(expect.arrayContaining([path.join(done.workDir, 'capture.jsonl'), path.join(done.workDir, 'collector.log')]));
    const texts = [...written.map((file) => ({ name: path.basename(file), bytes: fs.readFileSync(file) })), { name: 'the post step output', bytes: Buffer.from(done.post.stdout + done.post.stderr) }];
    for (const { name, bytes } of texts) {
      for (const [kind, secret] of Object.entries(secrets)) expect(bytes.includes(secret), `${kind} secret in ${name}`).toBe(false);
    }
  });
});
