import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codexChoiceEnv } from './support/codex-cli.js';
import { runtimeEnvFor, startFakeArtifactService, type FakeArtifactService } from './support/fake-artifact-service.js';
import { ROOT, SimulatedRunner, githubEnv, machineEnv, runNode, type StepResult } from './support/runner.js';

/**
 * The scripts of .github/workflows/self-test.yml, run here the way the workflow runs them:
 * - job `capture`: the built start step (artifact-name set per leg), scripts/self-test/run-codex.mjs
 *   with CODEX_HOME from start's `codex-home` output (the real Codex CLI against the fake model),
 *   the post step uploading the artifact (to the fake artifact service);
 * - job `check`: the artifact extracted as actions/download-artifact does (@actions/artifact's
 *   unzip-stream), then scripts/self-test/check.mjs on it;
 * - job `post-step`: the post probe's post step after the action's, with the action's summary where
 *   the runner keeps it (`_runner_file_commands/step_summary_<id>-scrubbed`).
 * The scenario (scripts/self-test/scenario.mjs) reports two responses:
 *   tool call:    input 3,120, cached 2,048, output 180, reasoning 64
 *   final answer: input 3,410, cached 3,072, output  75, reasoning 25
 * so the disjoint totals are input 1,410, cached 5,120, output 255, reasoning 89, total 6,785.
 */

const SCRIPTS = path.join(ROOT, 'scripts', 'self-test');
// The scripts load test/support/*.ts by type stripping: the Node 24 that npm ci installs, if this one cannot.
const TYPE_STRIPPING_NODE = process.features.typescript ? process.execPath : path.join(ROOT, 'node_modules', 'node', 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
const ARTIFACT_NAME = 'beacon-self-test-ubuntu-latest';
/** The runtime log's `endpoint.os` of a capture on this machine, and one of another leg. */
const THIS_OS = ({ linux: 'linux', darwin: 'darwin', win32: 'windows' } as Record<string, string>)[process.platform]!;
const OTHER_OS = THIS_OS === 'windows' ? 'linux' : 'windows';
const EXPECTED_TOTALS = { input_tokens: 1410, output_tokens: 255, cache_read_input_tokens: 5120, cache_creation_input_tokens: 0, reasoning_output_tokens: 89, cost_usd: null, events: 4, total_tokens: 6785 };

let artifacts: FakeArtifactService;
let runner: SimulatedRunner;
let probeMain: { exitCode: number | null; stdout: string; stderr: string };
let codexStep: { exitCode: number | null; stdout: string; stderr: string };
let post: StepResult;
let downloaded: string;

/** A script run with `node` under the given environment, as a `run:` step or an action's step would. */
function runScript(script: string, args: string[], env: Record<string, string>) {
  return runNodeWith(TYPE_STRIPPING_NODE, [path.join(SCRIPTS, script), ...args], env);
}

function runNodeWith(node: string, args: string[], env: Record<string, string>): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.once('error', reject);
    child.once('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stdout, stderr });
    });
  });
}

/** What a later step of the simulated job gets: the machine (and the tests' choice of Codex), the run's variables, what earlier steps exported. */
function stepEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { ...machineEnv(), ...codexChoiceEnv(), ...runner.baseEnv, RUNNER_TEMP: runner.runnerTemp, GITHUB_WORKSPACE: runner.workspace, ...runner.exported, ...extra };
}

/** The checking job's environment: the same run's variables, no files of the capture job. */
function checkJobEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return { ...machineEnv(), ...runner.baseEnv, GITHUB_JOB: 'check', ...overrides };
}

function check(dir: string, os = THIS_OS, env = checkJobEnv()) {
  return runScript('check.mjs', ['--dir', dir, '--os', os, '--job', 'capture'], env);
}

/** A copy of the downloaded artifact for a test to spoil. */
function copyOfArtifact(): string {
  const copy = path.join(runner.root, `spoiled-${randomUUID()}`);
  fs.cpSync(downloaded, copy, { recursive: true });
  return copy;
}

beforeAll(async () => {
  artifacts = await startFakeArtifactService();
  runner = new SimulatedRunner(githubEnv({ ...runtimeEnvFor(artifacts, { githubJob: 'capture' }), GITHUB_JOB: 'capture' }));

  probeMain = await runNode(path.join(SCRIPTS, 'post-probe', 'main.mjs'), stepEnv(), 10_000);
  const start = await runner.main({ inputs: { 'artifact-name': ARTIFACT_NAME, 'retention-days': '3' } });
  expect(start.exitCode, start.stdout + start.stderr).toBe(0);
  codexStep = await runScript('run-codex.mjs', [], stepEnv({ CODEX_HOME: start.outputs['codex-home']! }));
  post = await start.post();

  // actions/download-artifact with `name:` extracts the artifact's zip straight into `path:`.
  downloaded = path.join(runner.root, 'downloaded-artifact');
  fs.mkdirSync(downloaded);
  const uploaded = artifacts.uploadedArtifacts().find((artifact) => artifact.name === ARTIFACT_NAME);
  if (uploaded?.zip) {
    const unzip = createRequire(import.meta.url)('unzip-stream') as { Extract(options: { path: string }): NodeJS.WritableStream };
    await pipeline(Readable.from([uploaded.zip]), unzip.Extract({ path: downloaded }));
  }
}, 90_000);

afterAll(async () => {
  await artifacts?.close();
  runner?.cleanup();
});

describe('the self-test workflow, job capture', () => {
  it('runs the real Codex with the codex-home output, and the post step captures the exact totals and uploads the named artifact', () => {
    expect(probeMain).toMatchObject({ exitCode: 0, stdout: "self-test post probe: its post step will check the action's post step and job summary.\n" });
    expect(codexStep.exitCode, codexStep.stdout + codexStep.stderr).toBe(0);
    expect(codexStep.stdout).toMatch(/^self-test: codex exec ran `echo beacon-self-test-ok` and answered "The self-test command ran\." in \d+ ms \(2 model calls\)\.$/m);
    expect(post.exitCode, post.stdout + post.stderr).toBe(0);
    expect(post.stdout).toContain('beacon: 10 events, 6785 tokens (input 1410, cached 5120, output 255, reasoning 89).');
    expect(artifacts.uploadedArtifacts().map((artifact) => artifact.name)).toEqual([ARTIFACT_NAME]);
    expect(fs.readdirSync(downloaded).sort()).toEqual(['beacon-runtime.jsonl', 'beacon-usage.json']);
    expect(JSON.parse(fs.readFileSync(path.join(downloaded, 'beacon-usage.json'), 'utf8')).totals).toEqual(EXPECTED_TOTALS);
  });

  it('run-codex.mjs refuses to run without CODEX_HOME, and names the missing input', async () => {
    const { CODEX_HOME: _left, ...withoutHome } = stepEnv();
    const result = await runScript('run-codex.mjs', [], withoutHome);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe("::error::self-test: CODEX_HOME is not set: pass the action's codex-home output.\n");
  });
});

describe('the self-test workflow, job check (scripts/self-test/check.mjs)', () => {
  it('passes on the downloaded artifact of the leg', async () => {
    const result = await check(downloaded);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`self-test: ${downloaded}: the runtime log has the scenario's 10 events from ${THIS_OS} and beacon-usage.json its exact totals (6785 tokens).\n`);
    expect(result.exitCode).toBe(0);
  });

  it('fails on totals that are one token off', async () => {
    const dir = copyOfArtifact();
    const usagePath = path.join(dir, 'beacon-usage.json');
    const usage = JSON.parse(fs.readFileSync(usagePath, 'utf8'));
    usage.totals.input_tokens += 1;
    fs.writeFileSync(usagePath, JSON.stringify(usage));
    const result = await check(dir);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe(`::error::self-test: ${dir}: beacon-usage.json totals are ${JSON.stringify({ ...EXPECTED_TOTALS, input_tokens: 1411 })}, expected ${JSON.stringify(EXPECTED_TOTALS)}\n`);
  });

  it('fails on a runtime log that lost a token event', async () => {
    const dir = copyOfArtifact();
    const logPath = path.join(dir, 'beacon-runtime.jsonl');
    const lines = fs.readFileSync(logPath, 'utf8').split('\n').filter((line) => line !== '');
    const dropped = lines.findIndex((line) => JSON.parse(line).event.action === 'token.usage');
    fs.writeFileSync(logPath, lines.filter((_, index) => index !== dropped).join('\n') + '\n');
    const result = await check(dir);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe(
      `::error::self-test: ${dir}: events by action are {"approval.requested":1,"command.executed":1,"prompt.submitted":1,"session.started":1,"token.usage":5}, expected {"approval.requested":1,"command.executed":1,"prompt.submitted":1,"session.started":1,"token.usage":6}\n`,
    );
  });

  it("fails on another leg's artifact and on another run's", async () => {
    const otherOs = await check(downloaded, OTHER_OS);
    expect(otherOs.exitCode).toBe(1);
    expect(otherOs.stdout.split('\n').filter((line) => line !== '')).toHaveLength(10);
    // The events' order in the log depends on when Codex's exports arrived: name them by action.
    expect(otherOs.stdout).toMatch(new RegExp(`^::error::self-test: .+: event \\d+ \\(session\\.started\\): endpoint\\.os "${THIS_OS}", expected "${OTHER_OS}"$`, 'm'));

    const otherRun = await check(downloaded, THIS_OS, checkJobEnv({ GITHUB_RUN_ID: '16000000002' }));
    expect(otherRun.exitCode).toBe(1);
    expect(otherRun.stdout.split('\n').filter((line) => line !== '')).toHaveLength(10);
    expect(otherRun.stdout).toMatch(/^::error::self-test: .+: event \d+ \(command\.executed\): run\.run_id "16000000001", expected "16000000002"$/m);
  });

  it('accepts a capture from an earlier attempt of the run (only the check re-run), not from a later one', async () => {
    const rerun = await check(downloaded, THIS_OS, checkJobEnv({ GITHUB_RUN_ATTEMPT: '2' }));
    expect(rerun.exitCode).toBe(0);
    const dir = copyOfArtifact();
    const logPath = path.join(dir, 'beacon-runtime.jsonl');
    fs.writeFileSync(logPath, fs.readFileSync(logPath, 'utf8').replaceAll('"run_attempt":"1"', '"run_attempt":"3"'));
    const later = await check(dir, THIS_OS, checkJobEnv({ GITHUB_RUN_ATTEMPT: '2' }));
    expect(later.exitCode).toBe(1);
    expect(later.stdout.split('\n').filter((line) => line !== '')).toHaveLength(10);
    expect(later.stdout).toMatch(/^::error::self-test: .+: event \d+ \(token\.usage\): run\.run_attempt "3", expected an attempt from 1 to 2$/m);
  });
});

describe('the self-test workflow, job post-step (scripts/self-test/post-probe)', () => {
  /** The runner's file-command folder after the action's post step: its summary kept as `-scrubbed`, and the probe's own new summary file. */
  function fileCommandsFolder(actionSummary: string | undefined): { ownSummary: string } {
    const folder = path.join(runner.runnerTemp, `_runner_file_commands-${randomUUID()}`);
    fs.mkdirSync(folder);
    if (actionSummary !== undefined) fs.writeFileSync(path.join(folder, `step_summary_${randomUUID()}-scrubbed`), actionSummary);
    const ownSummary = path.join(folder, `step_summary_${randomUUID()}`);
    fs.writeFileSync(ownSummary, '');
    return { ownSummary };
  }

  /** The probe's post step; on the runner's Node 24 (runs.using: node24), which strips types. */
  function probePost(env: Record<string, string>) {
    return runNodeWith(TYPE_STRIPPING_NODE, [path.join(SCRIPTS, 'post-probe', 'post.mjs')], stepEnv(env));
  }

  it("passes after the action's post step, and says so in its own summary", async () => {
    const summary = runner.summary();
    expect(summary).toContain('| `gpt-5.5` | 1,410 | 5,120 | 255 | 89 | 6,785 |');
    const { ownSummary } = fileCommandsFolder(summary);
    const result = await probePost({ GITHUB_STEP_SUMMARY: ownSummary });
    expect(result.stdout, result.stderr).toMatch(/^self-test: the action's post step finished the capture in .+ and wrote its job summary \(step_summary_[0-9a-f-]+-scrubbed\)\.\n$/);
    expect(result.exitCode).toBe(0);
    expect(fs.readFileSync(ownSummary, 'utf8')).toBe(
      "### Self-test post probe\n\nThe action's post step ran after every other step, finished the capture and wrote the job summary above; all of it was checked.\n",
    );
  });

  it('fails when no step summary of the action is there', async () => {
    const { ownSummary } = fileCommandsFolder(undefined);
    const result = await probePost({ GITHUB_STEP_SUMMARY: ownSummary });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe(
      `::error::self-test: post probe: no step summary beside ${ownSummary} holds "## Codex telemetry": the action's post step wrote no job summary (or this runner no longer keeps step summaries there)\n`,
    );
  });

  it('fails on a summary with other totals', async () => {
    const { ownSummary } = fileCommandsFolder(runner.summary().replace('| `gpt-5.5` | 1,410 |', '| `gpt-5.5` | 1,411 |'));
    const result = await probePost({ GITHUB_STEP_SUMMARY: ownSummary });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^::error::self-test: post probe: step_summary_[0-9a-f-]+-scrubbed: the job summary lacks the line "\| `gpt-5\.5` \| 1,410 \| 5,120 \| 255 \| 89 \| 6,785 \|"\n$/);
  });

  it("fails when the action's post step did not finish the capture", async () => {
    const unfinished = path.join(runner.root, 'unfinished-work-dir');
    fs.cpSync(runner.exported.BEACON_WORK_DIR!, unfinished, { recursive: true });
    fs.rmSync(path.join(unfinished, 'finished.json'));
    const { ownSummary } = fileCommandsFolder(runner.summary());
    const result = await probePost({ GITHUB_STEP_SUMMARY: ownSummary, BEACON_WORK_DIR: unfinished });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe(`::error::self-test: post probe: ${path.join(unfinished, 'finished.json')} does not exist: the action's post step did not finish (it writes this file last)\n`);
  });
});
