import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'smol-toml';
import { afterEach, describe, expect, it } from 'vitest';
import { codexLogRecord, logsRequestBody, logsRequestWithRawAttribute, logsRequestWithRawAttributeJson, otherServiceLogsBody, spanRequestBody } from './support/codex-records.js';
import { controlHeaders, fixtureRequests, httpRequest, startCollectorProcess, type RunningCollector } from './support/collector-process.js';
import { startFakeArtifactService, runtimeEnvFor } from './support/fake-artifact-service.js';
import { changedPaths, isInside, snapshot } from './support/file-tree.js';
import { runFileOf, startedCaptureIn, tryConnect, waitUntil } from './support/http-senders.js';
import { nestedAnyValueJson, nestedAnyValueProtobuf } from './support/mutations.js';
import { SimulatedRunner, githubEnv, type StepResult } from './support/runner.js';
import { isAlive } from '../src/finish/stop-collector/stop-collector.js';
import { workspacePaths } from '../src/handoff/workspace.js';

/**
 * "Nothing leaks, nobody gets in", against the built collector and the built start/finish
 * bundles under the simulated runner. Each test names the guarantee of SECURITY.md it proves.
 */

const running: RunningCollector[] = [];
const runners: SimulatedRunner[] = [];
afterEach(() => {
  for (const c of running.splice(0)) {
    if (c.child.exitCode === null) c.child.kill('SIGKILL');
    fs.rmSync(c.dir, { recursive: true, force: true });
  }
  for (const r of runners.splice(0)) r.cleanup();
});
async function collector(...args: Parameters<typeof startCollectorProcess>) {
  const c = await startCollectorProcess(...args);
  running.push(c);
  return c;
}
function runner(env = githubEnv()) {
  const r = new SimulatedRunner(env);
  runners.push(r);
  return r;
}

/** The started use's working folder, collector and secrets. */
function startedCapture(start: StepResult) {
  return startedCaptureIn(start.state.workDir!);
}

async function post(capture: ReturnType<typeof startedCapture>, body: Buffer, contentType: string, urlPath = '/v1/logs') {
  const answer = await httpRequest(capture.port, { path: urlPath, body, headers: { 'content-type': contentType, 'x-beacon-secret': capture.secret } });
  expect(answer.status).toBe(200);
}

/** Every file under the folders, with its bytes. */
function filesUnder(...roots: string[]): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const root of roots) for (const [p, entry] of snapshot(root)) if (entry.type === 'file') files.set(p, fs.readFileSync(p));
  return files;
}

/** Which of `needles` occur in which of the texts: [] when none leaked. */
function leaks(needles: Record<string, string>, texts: Map<string, Buffer | string>): string[] {
  const found: string[] = [];
  for (const [where, text] of texts) {
    const haystack = Buffer.isBuffer(text) ? text : Buffer.from(text);
    for (const [name, needle] of Object.entries(needles)) if (haystack.includes(needle)) found.push(`${name} in ${where}`);
  }
  return found;
}

describe.runIf(process.platform === 'linux')('nobody gets in from elsewhere', () => {
  it('the collector listens on 127.0.0.1 only: its one listening socket, and no other address of the machine reaches it', async () => {
    const c = await collector();
    // The listening sockets the collector holds (its fds matched with /proc/net/tcp and tcp6).
    const inodes = new Set(
      fs
        .readdirSync(`/proc/${c.pid}/fd`)
        .map((fd) => fs.readlinkSync(`/proc/${c.pid}/fd/${fd}`))
        .filter((l) => l.startsWith('socket:'))
        .map((l) => l.slice(8, -1)),
    );
    const listening = ['tcp', 'tcp6'].flatMap((table) =>
      fs
        .readFileSync(`/proc/net/${table}`, 'utf8')
        .split('\n')
        .slice(1)
        .map((row) => row.trim().split(/\s+/))
        .filter((cols) => cols[3] === '0A' && inodes.has(cols[9]!))
        .map((cols) => `${table} ${cols[1]}`),
    );
    expect(listening).toEqual([`tcp 0100007F:${c.port.toString(16).toUpperCase().padStart(4, '0')}`]);

    // Every other address of this machine, and loopback addresses other than 127.0.0.1.
    const others = Object.entries(os.networkInterfaces()).flatMap(([name, addresses]) =>
      (addresses ?? []).filter((a) => a.address !== '127.0.0.1').map((a) => (a.family === 'IPv6' && a.address.startsWith('fe80:') ? `${a.address}%${name}` : a.address)),
    );
    others.push('127.0.0.2');
    expect(others.some((a) => !a.startsWith('127.') && a !== '::1')).toBe(true); // the machine has an outside address to try
    const attempts = await Promise.all(others.map(async (address) => [address, await tryConnect(c.port, address)]));
    expect(attempts.filter(([, result]) => result === 'connected' || result === 'timeout')).toEqual([]);
    expect((await c.health()).status).toBe(200);
  });
});

describe('nobody gets in without the secret', () => {
  it('a request without the secret, or with a wrong one, gets 401 and writes nothing', async () => {
    const c = await collector();
    const [logs] = fixtureRequests('tool-call-protobuf');
    const wrongs: [string, Record<string, string>][] = [
      ['no header', {}],
      ['empty', { 'x-beacon-secret': '' }],
      ['one character off', { 'x-beacon-secret': c.secret.slice(0, -1) + (c.secret.endsWith('1') ? '2' : '1') }],
      ['a prefix', { 'x-beacon-secret': c.secret.slice(0, -1) }],
      ['longer', { 'x-beacon-secret': `${c.secret}x` }],
      ['other case', { 'x-beacon-secret': c.secret.toUpperCase() }],
      ['as a bearer token', { authorization: `Bearer ${c.secret}` }],
    ];
    let refused = 0;
    for (const [name, headers] of wrongs) {
      for (const urlPath of ['/v1/logs', '/v1/metrics', '/v1/traces', '/shutdown']) {
        const answer = await httpRequest(c.port, { path: urlPath, body: logs!.body, headers: { 'content-type': 'application/x-protobuf', ...headers } });
        expect([name, urlPath, answer.status]).toEqual([name, urlPath, 401]);
        expect(answer.body.includes(c.secret)).toBe(false);
        refused += 1;
      }
      const health = await httpRequest(c.port, { method: 'GET', path: '/health', headers });
      expect([name, health.status]).toEqual([name, 401]);
      refused += 1;
    }
    expect(fs.statSync(c.config.capturePath).size).toBe(0);
    expect(c.child.exitCode).toBeNull();
    expect((await c.post(logs!)).status).toBe(200); // the right secret still works
    const stats = await c.shutdown();
    expect(stats.rejected).toEqual({ '401': refused });
    expect(stats.signals.logs.requests + stats.signals.metrics.requests + stats.signals.traces.requests).toBe(1);
  });

  it('the telemetry secret only delivers telemetry: shutdown and health take the control secret, in its own header, and nothing else', async () => {
    const c = await collector();
    const [logs] = fixtureRequests('tool-call-protobuf');
    // What every tool Codex runs can read (config.toml): refused on the control paths, in either header.
    const telemetry: [string, Record<string, string>][] = [
      ['telemetry secret', { 'x-beacon-secret': c.secret }],
      ['telemetry secret as the control header', controlHeaders(c.secret)],
      ['both headers, control wrong', { 'x-beacon-secret': c.secret, 'x-beacon-control': c.secret }],
      ['control secret one character off', controlHeaders(c.controlSecret.slice(0, -1) + (c.controlSecret.endsWith('1') ? '2' : '1'))],
      ['control secret as a bearer token', { authorization: `Bearer ${c.controlSecret}` }],
    ];
    for (const [name, headers] of telemetry) {
      expect([name, (await httpRequest(c.port, { path: '/shutdown', headers })).status]).toEqual([name, 401]);
      expect([name, (await httpRequest(c.port, { method: 'GET', path: '/health', headers })).status]).toEqual([name, 401]);
    }
    // The control secret delivers no telemetry.
    for (const headers of [controlHeaders(c.controlSecret), { 'x-beacon-secret': c.controlSecret }]) {
      expect((await httpRequest(c.port, { path: '/v1/logs', body: logs!.body, headers: { 'content-type': 'application/x-protobuf', ...headers } })).status).toBe(401);
    }
    expect(c.child.exitCode).toBeNull();
    expect(fs.statSync(c.config.capturePath).size).toBe(0);
    expect((await c.post(logs!)).status).toBe(200);
    const health = await c.health();
    expect([health.status, JSON.parse(health.body.toString()).pid]).toEqual([200, c.pid]);
    const stats = await c.shutdown(); // with the control secret
    expect(stats.stopReason).toBe('shutdown request');
    expect(stats.rejected).toEqual({ '401': 2 * telemetry.length + 2 });
  });
});

/** Credentials a job step may hold: none may reach the collector or anything we print or write. */
const STEP_TOKENS = {
  ACTIONS_RUNTIME_TOKEN: 'runtime-token-value-7f3a',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-token-value-91bc',
  GITHUB_TOKEN: 'ghs_notarealtokenvalue0123456789abcdef',
  OPENAI_API_KEY: 'sk-proj-notarealkeyvalue0123456789',
  CODEX_API_KEY: 'codex-key-value-2b7c',
  AWS_SECRET_ACCESS_KEY: 'awsSecretValue0123456789abcdefABCDEF',
};
/** Service addresses of the runner: not credentials, but the collector has no use for them either. */
const STEP_URLS = {
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.example/oidc/5d1e',
  ACTIONS_RESULTS_URL: 'https://results.example/4c2d',
  ACTIONS_CACHE_URL: 'https://cache.example/8e6f',
};
/** Names a collector may inherit: the launch allowlist (system paths, locale, the runner's tracking id). */
const HARMLESS = new Set(['PATH', 'Path', 'PATHEXT', 'SystemRoot', 'SYSTEMROOT', 'windir', 'ComSpec', 'TEMP', 'TMP', 'TMPDIR', 'HOME', 'USERPROFILE', 'LANG', 'LC_ALL', 'TZ', 'RUNNER_TRACKING_ID', 'RUNNER_TEMP']);

describe.runIf(process.platform === 'linux')('nothing leaks: the secret and the runner tokens', () => {
  it('the secrets are masked before any line prints them, never printed otherwise, and neither they, any token nor the working folder reach the collector\'s argv or environment', async () => {
    const r = runner({ ...githubEnv(), ...STEP_TOKENS, ...STEP_URLS });
    const start = await r.main({ inputs: { 'upload-artifact': 'false', 'require-telemetry': 'false' }, env: { INPUT_EXTRA: 'input-value-3f9a' } });
    expect(start.exitCode).toBe(0);
    const capture = startedCapture(start);
    const config = parse(fs.readFileSync(path.join(start.outputs['codex-home']!, 'config.toml'), 'utf8')) as any;
    const secret = config.otel.exporter['otlp-http'].headers['x-beacon-secret'] as string;
    expect(secret).toBe(capture.secret);

    // The control secret is another one, and not in CODEX_HOME.
    const { controlSecret } = capture;
    expect(controlSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(controlSecret).not.toBe(secret);
    expect(leaks({ controlSecret }, filesUnder(start.outputs['codex-home']!))).toEqual([]);

    // ::add-mask:: first; no other line of the step prints either.
    const lines = start.stdout.split('\n');
    for (const value of [secret, controlSecret]) {
      expect(lines.filter((line) => line.includes(value))).toEqual([`::add-mask::${value}`]);
      expect(start.stderr.includes(value)).toBe(false);
    }

    // The collector: the secrets only in its 0600 config file, never in argv or the environment;
    // its argv names no path into the working folder, only the run's instance id.
    const argv = fs.readFileSync(`/proc/${capture.pid}/cmdline`, 'utf8');
    const environ = fs.readFileSync(`/proc/${capture.pid}/environ`, 'utf8');
    expect(leaks({ secret, controlSecret }, new Map([['environ', environ], ['argv', argv]]))).toEqual([]);
    expect(argv.includes(capture.workDir)).toBe(false);
    expect(argv.split('\0')).toContain(capture.marker);
    // What it reads its config from is closed once read (it has, once it serves): no descriptor names that file.
    expect((await httpRequest(capture.port, { method: 'GET', path: '/health', headers: controlHeaders(controlSecret) })).status).toBe(200);
    const open = fs.readdirSync(`/proc/${capture.pid}/fd`).map((fd) => fs.readlinkSync(`/proc/${capture.pid}/fd/${fd}`));
    expect(open).not.toContain(capture.paths.collectorConfig);
    const names = environ.split('\0').filter(Boolean).map((v) => v.slice(0, v.indexOf('=')));
    expect(names.filter((name) => !HARMLESS.has(name))).toEqual([]);
    expect(leaks({ ...STEP_TOKENS, ...STEP_URLS, input: 'input-value-3f9a' }, new Map([['environ', environ], ['argv', argv]]))).toEqual([]);
    expect(fs.statSync(capture.paths.collectorConfig).mode & 0o777).toBe(0o600);

    const finish = await start.post();
    expect(finish.exitCode).toBe(0);
    const everything = new Map<string, Buffer | string>([
      ['post stdout', finish.stdout],
      ['post stderr', finish.stderr],
      ['summary', r.summary()],
      ['runtime log', fs.readFileSync(capture.run.logPath)],
      ['usage file', fs.readFileSync(capture.run.usagePath)],
    ]);
    expect(leaks({ secret, controlSecret, ...STEP_TOKENS }, everything)).toEqual([]);

    // At rest after the post step: collector.json is gone, and no file of the run holds a secret
    // (config.toml keeps its settings, without the telemetry secret).
    expect(fs.existsSync(capture.paths.collectorConfig)).toBe(false);
    const atRest = filesUnder(capture.workDir, start.outputs['codex-home']!);
    expect(atRest.has(capture.paths.runFile) && atRest.has(path.join(start.outputs['codex-home']!, 'config.toml'))).toBe(true);
    expect(leaks({ secret, controlSecret }, atRest)).toEqual([]);
    const after = parse(fs.readFileSync(path.join(start.outputs['codex-home']!, 'config.toml'), 'utf8')) as any;
    expect(after.otel.exporter['otlp-http']).toMatchObject({ endpoint: config.otel.exporter['otlp-http'].endpoint, headers: { 'x-beacon-secret': '' } });
    // A post step run again finds nothing missing that it needs.
    const again = await start.post();
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('already finished');
  });
});

describe('nothing leaks: prompts', () => {
  // The fixtures were captured with Codex's own log_user_prompt = true: their prompt is "say hi".
  const PROMPTS = { fixturePrompt: 'say hi', ownPrompt: 'PROMPT-CANARY-do-not-log-4f1e', spanPrompt: 'PROMPT-CANARY-span-77aa', otherServicePrompt: 'PROMPT-CANARY-other-5c3b' };

  /** A start whose merged Codex config turns Codex's prompt logging on, prompts replayed, finished. */
  async function runWithPrompts(logUserPrompt: boolean) {
    const r = runner();
    const userConfig = path.join(r.root, 'user-codex.toml');
    fs.writeFileSync(userConfig, '[otel]\nlog_user_prompt = true\n');
    const start = await r.main({ inputs: { 'codex-config': userConfig, 'log-user-prompt': String(logUserPrompt), 'include-codex-spans': 'true', 'upload-artifact': 'false' } });
    expect(start.exitCode).toBe(0);
    const capture = startedCapture(start);
    for (const fixture of ['tool-call-json', 'tool-call-protobuf']) for (const request of fixtureRequests(fixture)) await post(capture, request.body, request.contentType, request.path);
    const prompt = codexLogRecord({ eventName: 'codex.user_prompt', attributes: { prompt: PROMPTS.ownPrompt, prompt_length: String(PROMPTS.ownPrompt.length) } });
    await post(capture, logsRequestBody([prompt], 'json'), 'application/json');
    await post(capture, logsRequestBody([prompt], 'protobuf'), 'application/x-protobuf');
    await post(capture, spanRequestBody('session_task.turn', { 'user.prompt': PROMPTS.spanPrompt, 'gen_ai.prompt': PROMPTS.spanPrompt }, 'protobuf'), 'application/x-protobuf', '/v1/traces');
    await post(capture, otherServiceLogsBody({ prompt: PROMPTS.otherServicePrompt }, 'agent started'), 'application/json');
    const finish = await start.post();
    expect(finish.exitCode).toBe(0);
    const events = fs.readFileSync(capture.run.logPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const written = filesUnder(capture.workDir, start.outputs['codex-home']!);
    written.set('summary', Buffer.from(r.summary()));
    written.set('post stdout', Buffer.from(finish.stdout));
    return { events, written, capture };
  }

  it('with log-user-prompt false, no prompt text reaches the log, usage file, summary or any file we write, though Codex sent it', async () => {
    const { events, written, capture } = await runWithPrompts(false);
    expect(events.filter((e) => e.event.action === 'prompt.submitted')).toHaveLength(4);
    expect(events.filter((e) => e.prompt !== undefined)).toEqual([]);
    expect(events.some((e) => e.event.action === 'span.recorded')).toBe(true);
    expect(written.has(capture.run.logPath) && written.has(capture.run.usagePath)).toBe(true);
    expect(leaks(PROMPTS, written)).toEqual([]);
  });

  it('with log-user-prompt true, the prompts are in the log (so the check above can fail), never in the summary', async () => {
    const { events, written, capture } = await runWithPrompts(true);
    expect(events.filter((e) => e.event.action === 'prompt.submitted').map((e) => e.prompt?.text)).toEqual(['say hi', 'say hi', PROMPTS.ownPrompt, PROMPTS.ownPrompt]);
    const inLog = leaks(PROMPTS, new Map([['log', written.get(capture.run.logPath)!]]));
    expect(inLog.sort()).toEqual(['fixturePrompt in log', 'otherServicePrompt in log', 'ownPrompt in log', 'spanPrompt in log']);
    expect(leaks(PROMPTS, new Map([['summary', written.get('summary')!], ['usage', written.get(capture.run.usagePath)!]]))).toEqual([]);
  });
});

describe('nothing leaks: secrets in what tools did', () => {
  /** One of each kind the schema page names, plus GitHub and AWS tokens; the values are what must not appear. */
  const SECRETS = {
    bearer: 'eyJhbGciOiJIUzI1NiJ9bearerValue0123',
    basic: 'dXNlcjpwYXNzd29yZDEyMw',
    apiKey: 'apiKeyValue0123456789XyZ',
    token: 'tokenValue0123456789abcXYZ',
    secret: 'clientSecretValue0123456789',
    password: 'hunter2CorrectHorseBattery',
    authorization: 'authHeaderValue0123456789',
    openai: 'sk-proj-ABCDEFGHIJKLMNOPQRSTUVWX0123',
    githubPat: 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012',
    githubClassic: 'ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8',
    githubServer: 'ghs_Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2',
    awsKeyId: 'AKIA2E0A8F3B7C9D1E5F',
    awsSecret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLE',
  };
  /** Commands (tool arguments) and outputs as a shell would show them. */
  const COMMANDS = [
    `curl -H "Authorization: Bearer ${SECRETS.bearer}" https://api.example.com/v1`,
    `curl -H 'Authorization: Basic ${SECRETS.basic}==' https://example.com`,
    `deploy --api-key=${SECRETS.apiKey} --region eu`,
    `TOKEN=${SECRETS.token} ./release.sh`,
    `oauth login client_secret=${SECRETS.secret}`,
    `mysql -u root password=${SECRETS.password}`,
    `http GET example.com authorization:${SECRETS.authorization}`,
    `OPENAI_API_KEY=${SECRETS.openai} codex exec hi`,
    `echo ${SECRETS.githubPat} | gh auth login --with-token`,
    `git push https://${SECRETS.githubClassic}@github.com/o/r.git`,
    `aws configure set aws_access_key_id ${SECRETS.awsKeyId}`,
  ];
  const OUTPUT = [
    'Process exited with code 0',
    'Output:',
    `GITHUB_TOKEN=${SECRETS.githubServer}`,
    `aws_secret_access_key = ${SECRETS.awsSecret}`,
    `export PASSWORD="${SECRETS.password}"`,
    `{"token": "${SECRETS.token}", "api_key": "${SECRETS.apiKey}"}`,
    `found ${SECRETS.githubClassic} and ${SECRETS.openai} and ${SECRETS.awsKeyId} in .env`,
  ].join('\n');

  function toolResults(): Record<string, unknown>[] {
    return COMMANDS.map((cmd, i) =>
      codexLogRecord({
        eventName: 'codex.tool_result',
        attributes: { tool_name: 'exec_command', call_id: `call_${i}`, arguments: JSON.stringify({ cmd, workdir: '/work', env: { password: SECRETS.password } }), output: OUTPUT, success: 'true', duration_ms: '12' },
      }),
    );
  }

  it('are redacted in the log, usage file, summary and every file we write, for both encodings and prompts too', async () => {
    const r = runner();
    const start = await r.main({ inputs: { 'log-user-prompt': 'true', 'upload-artifact': 'false' } });
    const capture = startedCapture(start);
    const prompt = codexLogRecord({ eventName: 'codex.user_prompt', attributes: { prompt: `deploy with ${COMMANDS.join(' and ')}` } });
    const decision = codexLogRecord({ eventName: 'codex.tool_decision', attributes: { tool_name: 'exec_command', call_id: 'call_0', decision: 'approved', source: `config password=${SECRETS.password}` } });
    await post(capture, logsRequestBody([...toolResults(), prompt, decision], 'json'), 'application/json');
    await post(capture, logsRequestBody([...toolResults(), prompt, decision], 'protobuf'), 'application/x-protobuf');
    const finish = await start.post();
    expect(finish.exitCode).toBe(0);

    // The events are there (the check below can fail), their secrets replaced.
    const events = fs.readFileSync(capture.run.logPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const commands = events.filter((e) => e.event.action === 'command.executed');
    expect(commands).toHaveLength(2 * COMMANDS.length);
    expect(commands[0].command.command).toMatch(/^curl -H "Authorization: (Bearer )?\[REDACTED\]" https:\/\/api\.example\.com\/v1$/);
    expect(r.summary()).toContain('[REDACTED]');
    const written = filesUnder(capture.workDir);
    written.set('summary', Buffer.from(r.summary()));
    written.set('post stdout', Buffer.from(finish.stdout));
    expect(leaks(SECRETS, written)).toEqual([]);
  });

  // anyValueToJs keeps 64 AnyValue levels; redactDeep goes deeper than that and replaces what lies past its limit.
  it('a secret nested deep inside an attribute value is redacted too', async () => {
    const c = await collector();
    const record = codexLogRecord({ eventName: 'codex.tool_result', attributes: { tool_name: 'exec_command', call_id: 'c', arguments: '{"cmd":"true"}', output: '', success: 'true' } });
    let accepted = 0;
    for (const depth of [1, 31, 32, 33, 62, 63, 64, 65]) {
      for (const kind of ['array', 'kvlist'] as const) {
        const protobuf = await c.post({ path: '/v1/logs', contentType: 'application/x-protobuf', body: logsRequestWithRawAttribute(record, 'nested', nestedAnyValueProtobuf(depth, kind, SECRETS.githubClassic)) });
        const json = await c.post({ path: '/v1/logs', contentType: 'application/json', body: logsRequestWithRawAttributeJson(record, 'nested', nestedAnyValueJson(depth, kind, SECRETS.githubClassic)) });
        // Protobuf refuses nesting past its limit (400); what is accepted is written.
        for (const answer of [protobuf, json]) expect([200, 400]).toContain(answer.status);
        accepted += [protobuf, json].filter((a) => a.status === 200).length;
      }
    }
    expect(accepted).toBeGreaterThan(24);
    expect(c.events()).toHaveLength(accepted);
    expect(leaks({ githubClassic: SECRETS.githubClassic }, new Map([['capture', c.captureText()]]))).toEqual([]);
  });
});

describe.runIf(process.platform === 'linux')('files', () => {
  /** A full run: start, Codex's requests, finish with the artifact upload; HOME and TMPDIR our own. */
  async function fullRun() {
    const artifacts = await startFakeArtifactService();
    const r = runner({ ...githubEnv(), ...runtimeEnvFor(artifacts) });
    const home = fs.mkdtempSync(path.join(r.root, 'home-'));
    const tmp = fs.mkdtempSync(path.join(r.root, 'tmp-'));
    const env = { HOME: home, TMPDIR: tmp };
    const watched = [r.runnerTemp, home, tmp, r.workspace];
    const before = new Map([...watched].flatMap((dir) => [...snapshot(dir)]));
    try {
      const start = await r.main({ env });
      expect(start.exitCode).toBe(0);
      const capture = startedCapture(start);
      for (const request of fixtureRequests('tool-call-protobuf')) await post(capture, request.body, request.contentType, request.path);
      const finish = await start.post({ env });
      expect(finish.exitCode).toBe(0);
      expect(artifacts.uploadedArtifacts()).toHaveLength(1);
      expect(await waitUntil(() => !isAlive(capture.pid), 5_000)).toBe(true);
      const after = new Map([...watched].flatMap((dir) => [...snapshot(dir)]));
      return { r, capture, codexHome: start.outputs['codex-home']!, changed: changedPaths(before, after) };
    } finally {
      await artifacts.close();
    }
  }

  it('nothing is written outside our working folder and CODEX_HOME (RUNNER_TEMP, HOME, TMPDIR and the workspace watched)', async () => {
    const { capture, codexHome, changed } = await fullRun();
    expect(isInside(codexHome, capture.workDir)).toBe(true);
    expect(changed.filter((p) => !isInside(p, capture.workDir) && !isInside(p, codexHome))).toEqual([]);
    // And what was written there is what a run leaves.
    expect(changed.filter((p) => isInside(p, capture.workDir)).map((p) => path.relative(capture.workDir, p))).toEqual(
      expect.arrayContaining(['', 'beacon-runtime.jsonl', 'beacon-usage.json', 'capture.jsonl', 'codex-home', 'codex-home/config.toml', 'collector-stats.json', 'finished.json', 'run.json']),
    );
  });

  it('an existing config.toml in a codex-home keeps its mode (0600 stays 0600, 0640 stays 0640); a new one is 0644, for Codex run as another user', async () => {
    for (const mode of [0o600, 0o640]) {
      const r = runner();
      const home = path.join(r.root, `codex-home-${mode.toString(8)}`);
      fs.mkdirSync(home, { mode: 0o700 });
      const existing = path.join(home, 'config.toml');
      fs.writeFileSync(existing, 'model = "gpt-5.5"\n', { mode });
      fs.chmodSync(existing, mode);
      const start = await r.main({ inputs: { 'codex-home': home, 'upload-artifact': 'false', 'require-telemetry': 'false' } });
      expect(start.exitCode).toBe(0);
      expect((parse(fs.readFileSync(existing, 'utf8')) as any).model).toBe('gpt-5.5');
      expect(fs.statSync(existing).mode & 0o777).toBe(mode);
      expect((await start.post()).exitCode).toBe(0);
      expect(fs.statSync(existing).mode & 0o777).toBe(mode); // the post step takes the secret out in place
    }
    const r = runner();
    const old = process.umask(0o077); // the steps inherit it: the new file is still readable by Codex's user
    try {
      const start = await r.main({ inputs: { 'upload-artifact': 'false', 'require-telemetry': 'false' } });
      expect(start.exitCode).toBe(0);
      expect(fs.statSync(path.join(start.outputs['codex-home']!, 'config.toml')).mode & 0o777).toBe(0o644);
      expect((await start.post()).exitCode).toBe(0);
    } finally {
      process.umask(old);
    }
  });

  /** Files and folders of ours that someone else could write to. */
  async function writableByOthers(): Promise<string[]> {
    const { capture, codexHome } = await fullRun();
    const entries = [...snapshot(capture.workDir), ...snapshot(codexHome), [capture.workDir, { mode: fs.statSync(capture.workDir).mode & 0o7777 }] as const];
    expect(entries.length).toBeGreaterThan(10);
    return entries.filter(([, entry]) => (entry.mode & 0o022) !== 0).map(([p, entry]) => `${path.relative(capture.workDir, p)} ${entry.mode.toString(8)}`);
  }

  it('every file and folder we create is writable by its owner only (mode & 0o022 === 0) under the usual umask 022', async () => {
    const old = process.umask(0o022); // the steps inherit it
    try {
      expect(await writableByOthers()).toEqual([]);
    } finally {
      process.umask(old);
    }
  });

  // The runtime log and usage file are created with an explicit mode, whatever the umask.
  it('... and under umask 000 too', async () => {
    const old = process.umask(0);
    try {
      expect(await writableByOthers()).toEqual([]);
    } finally {
      process.umask(old);
    }
  });
});
