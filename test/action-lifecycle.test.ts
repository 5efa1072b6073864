import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'smol-toml';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive } from '../src/finish/stop-collector/stop-collector.js';
import { fixtureRequests, httpRequest } from './support/collector-process.js';
import { SimulatedRunner, githubEnv } from './support/runner.js';

/** The built start and finish bundles under a simulated runner, with the real collector process. */

const runners: SimulatedRunner[] = [];
function runner(env = githubEnv()) {
  const r = new SimulatedRunner(env);
  runners.push(r);
  return r;
}
afterEach(() => {
  for (const r of runners.splice(0)) r.cleanup();
});

const TOKENS = { ACTIONS_RUNTIME_TOKEN: 'runtime-token-value', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-token-value', GITHUB_TOKEN: 'ghs_notarealtokenvalue0123456789abcdef' };

async function waitGone(pid: number) {
  for (let i = 0; i < 500 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 10));
  return !isAlive(pid);
}

describe('start', () => {
  it('sets the outputs, writes a config that points at a live collector, and finish stops it', async () => {
    const r = runner({ ...githubEnv(), ...TOKENS });
    const start = await r.main();
    expect(start.exitCode).toBe(0);
    const { 'codex-home': codexHome, 'collector-endpoint': endpoint, 'log-path': logPath } = start.outputs;
    expect(path.dirname(path.dirname(codexHome!))).toBe(r.runnerTemp);
    expect(path.basename(path.dirname(codexHome!))).toMatch(/^beacon-/);
    expect(path.basename(codexHome!)).toBe('codex-home');
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(logPath).toBe(path.join(path.dirname(codexHome!), 'beacon-runtime.jsonl'));
    expect(r.exported.CODEX_HOME).toBe(codexHome);
    expect(r.exported.BEACON_WORK_DIR).toBe(path.dirname(codexHome!));

    const config = parse(fs.readFileSync(path.join(codexHome!, 'config.toml'), 'utf8')) as any;
    const secret = config.otel.exporter['otlp-http'].headers['x-beacon-secret'];
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(start.stdout).toContain(`::add-mask::${secret}`);
    expect(config.otel.exporter['otlp-http'].endpoint).toBe(`${endpoint}/v1/logs`);
    expect(config.otel.metrics_exporter['otlp-http'].endpoint).toBe(`${endpoint}/v1/metrics`);
    expect(config.otel.trace_exporter).toBe('none');
    expect(config.model_provider).toBeUndefined();
    // Windows has no POSIX permission bits (Node reports 0o666 or 0o444 from the read-only flag).
    if (process.platform !== 'win32') {
      expect(fs.statSync(path.join(codexHome!, 'config.toml')).mode & 0o777).toBe(0o644);
      expect(fs.statSync(path.dirname(codexHome!)).mode & 0o777).toBe(0o711);
    }

    // A live collector that wants the secret.
    const port = Number(new URL(endpoint!).port);
    const [logs] = fixtureRequests('tool-call-protobuf').filter((q) => q.path === '/v1/logs');
    const refused = await httpRequest(port, { path: '/v1/logs', body: logs!.body, headers: { 'content-type': 'application/x-protobuf' } });
    expect(refused.status).toBe(401);
    const accepted = await httpRequest(port, { path: '/v1/logs', body: logs!.body, headers: { 'content-type': 'application/x-protobuf', 'x-beacon-secret': secret } });
    expect(accepted.status).toBe(200);
    // The secret of config.toml, which every tool Codex runs can read, cannot stop or probe the collector.
    expect((await httpRequest(port, { path: '/shutdown', headers: { 'x-beacon-secret': secret } })).status).toBe(401);
    expect((await httpRequest(port, { method: 'GET', path: '/health', headers: { 'x-beacon-secret': secret } })).status).toBe(401);

    const run = JSON.parse(fs.readFileSync(path.join(path.dirname(codexHome!), 'run.json'), 'utf8'));
    const pid = run.collector.pid as number;
    // No runner token and no input reached the collector's environment; the tracking id did.
    // Linux only: /proc/PID/environ is the one dependable view of another process's environment
    // (macOS restricts `ps -E`, Windows has none). The allowlist that decides it is the same on every OS.
    if (process.platform === 'linux') {
      const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      expect(environ.filter((v) => /^(ACTIONS_RUNTIME_TOKEN|ACTIONS_ID_TOKEN_REQUEST_TOKEN|GITHUB_TOKEN|INPUT_)/.test(v))).toEqual([]);
      expect(environ).toContain(`RUNNER_TRACKING_ID=${githubEnv().RUNNER_TRACKING_ID}`);
      for (const value of Object.values(TOKENS)) expect(environ.join('\n')).not.toContain(value);
    }

    const finish = await start.post();
    expect(finish.exitCode).toBe(0);
    expect(await waitGone(pid)).toBe(true);
    expect(finish.stdout).toMatch(/collector \(pid \d+\) stopped after \d+ ms/);
    const stats = JSON.parse(fs.readFileSync(path.join(path.dirname(codexHome!), 'collector-stats.json'), 'utf8'));
    expect(stats.rejected).toEqual({ '401': 3 });
    expect(stats.stopReason).toBe('shutdown request');
    expect(stats.signals.logs.requests).toBe(1);
    // The one logs body holds user_prompt and conversation_starts: 2 events of harness codex_cli.
    expect(fs.readFileSync(logPath!, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('fails with a message naming the input and the value, and starts nothing', async () => {
    const r = runner();
    const start = await r.main({ inputs: { 'otel-protocol': 'xml' } });
    expect(start.exitCode).toBe(1);
    expect(start.stdout).toContain('::error::Input "otel-protocol" must be one of "binary", "json", got "xml".');
    expect(fs.readdirSync(r.runnerTemp)).toEqual([]);
    const post = await start.post();
    expect(post.exitCode).toBe(0);
    expect(post.stdout).toContain('nothing to finish');
  });

  it('fails on a finish input too (min-events: -1), before anything starts', async () => {
    const r = runner();
    const start = await r.main({ inputs: { 'min-events': '-1' } });
    expect(start.exitCode).toBe(1);
    expect(start.stdout).toContain('Input "min-events" must be a whole number from 0 to 1000000000, got "-1".');
  });

  it('merges a user codex-config and an existing codex-home config, keeping their settings', async () => {
    const r = runner();
    const home = path.join(r.root, 'my-codex-home');
    fs.mkdirSync(home);
    fs.writeFileSync(path.join(home, 'config.toml'), 'model = "gpt-5.5"\n[otel]\nenvironment = "old"\n');
    const user = path.join(r.root, 'user.toml');
    fs.writeFileSync(user, 'approval_policy = "never"\nmodel_provider = "azure"\n[otel]\nlog_user_prompt = true\n');
    const start = await r.main({ inputs: { 'codex-home': home, 'codex-config': user, 'otel-protocol': 'json', environment: 'staging', 'upload-artifact': 'false', 'require-telemetry': 'false' } });
    expect(start.exitCode).toBe(0);
    expect(start.outputs['codex-home']).toBe(home);
    const config = parse(fs.readFileSync(path.join(home, 'config.toml'), 'utf8')) as any;
    expect(config.model).toBe('gpt-5.5');
    expect(config.approval_policy).toBe('never');
    expect(config.otel.environment).toBe('staging');
    expect(config.otel.log_user_prompt).toBe(false);
    expect(config.otel.exporter['otlp-http'].protocol).toBe('json');
    expect(start.stdout).toMatch(/::warning::The merged Codex config sets model_provider = "azure"/);
    const post = await start.post();
    expect(post.exitCode).toBe(0);
  });

  it('does not export CODEX_HOME with export-env: false', async () => {
    const r = runner();
    const start = await r.main({ inputs: { 'export-env': 'false', 'upload-artifact': 'false', 'require-telemetry': 'false' } });
    expect(start.exitCode).toBe(0);
    expect(r.exported.CODEX_HOME).toBeUndefined();
    expect((await start.post()).exitCode).toBe(0);
  });
});

it('the collector exits by itself after its maximum lifetime, and the post step still finishes', async () => {
  const r = runner();
  const start = await r.main({ inputs: { 'upload-artifact': 'false', 'require-telemetry': 'false' }, env: { BEACON_COLLECTOR_MAX_LIFETIME_MS: '500' } });
  expect(start.exitCode).toBe(0);
  const workDir = path.dirname(start.outputs['codex-home']!);
  const pid = JSON.parse(fs.readFileSync(path.join(workDir, 'run.json'), 'utf8')).collector.pid as number;
  expect(await waitGone(pid)).toBe(true);
  expect(JSON.parse(fs.readFileSync(path.join(workDir, 'collector-stats.json'), 'utf8')).stopReason).toBe('maximum lifetime reached');
  const { stoppedAt } = JSON.parse(fs.readFileSync(path.join(workDir, 'collector-stats.json'), 'utf8'));
  const post = await start.post();
  expect(post.exitCode).toBe(0);
  expect(post.stdout).toContain('collector already-exited');
  const warning = `The collector stopped on its own (maximum lifetime reached) at ${stoppedAt}, not at the post step's request: telemetry sent after that was lost. What it wrote is still used.`;
  expect(post.stdout).toContain(`::warning::beacon: ${warning}`);
  expect(r.summary()).toContain(warning);
});

it('a collector killed (SIGKILL) before the post step: a warning that says so, and when it last wrote', async () => {
  const r = runner();
  const start = await r.main({ inputs: { 'upload-artifact': 'false' } });
  expect(start.exitCode).toBe(0);
  const workDir = path.dirname(start.outputs['codex-home']!);
  const port = Number(new URL(start.outputs['collector-endpoint']!).port);
  const secret = (parse(fs.readFileSync(path.join(start.outputs['codex-home']!, 'config.toml'), 'utf8')) as any).otel.exporter['otlp-http'].headers['x-beacon-secret'];
  for (const request of fixtureRequests('tool-call-json')) {
    expect((await httpRequest(port, { path: request.path, body: request.body, headers: { 'content-type': request.contentType, 'x-beacon-secret': secret } })).status).toBe(200);
  }
  const pid = JSON.parse(fs.readFileSync(path.join(workDir, 'run.json'), 'utf8')).collector.pid as number;
  process.kill(pid, 'SIGKILL');
  expect(await waitGone(pid)).toBe(true);
  // What it wrote last: the capture or its token file (the post step then links and appends to the capture).
  const lastChange = Math.max(...['capture.jsonl', 'capture.tokens.jsonl'].map((name) => fs.statSync(path.join(workDir, name)).mtimeMs));
  const post = await start.post();
  expect(post.exitCode).toBe(0);
  expect(post.stdout).toContain('collector already-exited');
  const warning = `The collector left no statistics: it died or was killed before it could stop cleanly; it stopped after ${new Date(lastChange).toISOString()}, when its capture last changed. What it wrote is still used.`;
  expect(post.stdout).toContain(`::warning::beacon: ${warning}`);
  expect(r.summary()).toContain(warning);
  expect(JSON.parse(fs.readFileSync(path.join(workDir, 'beacon-usage.json'), 'utf8')).totals).toMatchObject({ input_tokens: 450, cache_read_input_tokens: 2150, output_tokens: 80 });
});

describe('finish', () => {
  it('fails the step under require-telemetry when nothing was captured, and explains why', async () => {
    const r = runner();
    const start = await r.main({ inputs: { 'upload-artifact': 'false' } });
    const post = await start.post();
    expect(post.exitCode).toBe(1);
    expect(post.stdout).toContain('::error::beacon: 0 events from Codex (harness codex_cli) were captured; at least 1 is required (min-events).');
    expect(r.summary()).toContain('`codex-home` was not passed to openai/codex-action');
  });

  it('only warns with require-telemetry: false', async () => {
    const r = runner();
    const start = await r.main({ inputs: { 'require-telemetry': 'false', 'upload-artifact': 'false' } });
    const post = await start.post();
    expect(post.exitCode).toBe(0);
    expect(post.stdout).toContain('::warning::beacon: 0 events from Codex');
  });

  it('with mode: finish, does the work in a later step, sets the token outputs, and the post steps do nothing more', async () => {
    const r = runner();
    const start = await r.main();
    const port = Number(new URL(start.outputs['collector-endpoint']!).port);
    const secret = parse(fs.readFileSync(path.join(start.outputs['codex-home']!, 'config.toml'), 'utf8')) as any;
    for (const request of fixtureRequests('tool-call-json')) {
      const answer = await httpRequest(port, { path: request.path, body: request.body, headers: { 'content-type': request.contentType, 'x-beacon-secret': secret.otel.exporter['otlp-http'].headers['x-beacon-secret'] } });
      expect(answer.status).toBe(200);
    }
    const finishStep = await r.main({ inputs: { mode: 'finish', 'upload-artifact': 'false' } });
    expect(finishStep.exitCode).toBe(0);
    expect(finishStep.outputs).toMatchObject({
      'input-tokens': '450',
      'cached-input-tokens': '2150',
      'output-tokens': '80',
      'reasoning-output-tokens': '30',
      'total-tokens': '2680',
      events: '10',
      'log-path': start.outputs['log-path'],
    });
    const usage = JSON.parse(fs.readFileSync(finishStep.outputs['usage-json']!, 'utf8'));
    expect(usage.totals).toMatchObject({ input_tokens: 450, cache_read_input_tokens: 2150, output_tokens: 80, reasoning_output_tokens: 30, cost_usd: null });
    const summaryBefore = r.summary();
    // Done: the finish step left no secret at rest (collector.json gone, config.toml without the telemetry secret).
    const workDir = path.dirname(start.outputs['log-path']!);
    const telemetrySecret = secret.otel.exporter['otlp-http'].headers['x-beacon-secret'] as string;
    expect(fs.existsSync(path.join(workDir, 'collector.json'))).toBe(false);
    expect(fs.readFileSync(path.join(start.outputs['codex-home']!, 'config.toml'), 'utf8')).not.toContain(telemetrySecret);
    expect(fs.readFileSync(path.join(workDir, 'run.json'), 'utf8')).not.toContain(telemetrySecret);
    // Post steps run in reverse order: the finish use's, then the start use's.
    expect((await finishStep.post()).exitCode).toBe(0);
    const lastPost = await start.post();
    expect(lastPost.exitCode).toBe(0);
    expect(lastPost.stdout).toContain('already finished (by a mode: finish step, or an earlier run of this post step)');
    expect(r.summary()).toBe(summaryBefore);
  });

  it('with mode: finish and no start, warns and does not fail', async () => {
    const r = runner();
    const step = await r.main({ inputs: { mode: 'finish' } });
    expect(step.exitCode).toBe(0);
    expect(step.stdout).toContain('::warning::beacon: mode: finish found no capture started earlier in this job.');
  });
});
