/**
 * Forwarding to the organization's OpenTelemetry pipeline (inputs forward-*): what the receiver
 * gets (the kept events as OTLP log records, the normalized token usage as metrics, the run's
 * attribution on the resource), how the sender behaves when the receiver misbehaves (503s,
 * Retry-After, 400, partial success, a full queue, a receiver that is down or never answers), and
 * that none of it slows the answers Codex waits for or the end of the job beyond the time limit.
 * Real HTTP on loopback throughout; the full flows run the built bundles under the simulated runner.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'smol-toml';
import { afterEach, describe, expect, it } from 'vitest';
import { newEvent } from '../src/beacon/envelope.js';
import { ACTION, type Attribution, type BeaconEvent } from '../src/beacon/event.js';
import { backoffMs, parseRetryAfter } from '../src/forward/exporter.js';
import { EventForwarder } from '../src/collector/forwarder.js';
import type { ForwarderOptions } from '../src/forward/settings.js';
import { logRecordOf } from '../src/forward/log-records.js';
import { resourceAttributes } from '../src/forward/otlp-json.js';
import { attributesToObject } from '../src/collector/otlp/values.js';
import { measurementsOf, record, TOKEN_BUCKETS } from '../src/finish/publish/forward-usage.js';
import { InputError, readStartInputs } from '../src/inputs.js';
import { maskedPartsOfHeader } from '../src/forward/endpoint.js';
import { controlHeaders, fixtureRequests, httpRequest } from './support/collector-process.js';
import { startedCaptureIn } from './support/http-senders.js';
import { refusedPort, startOtlpReceiver, type OtlpReceiver, type OtlpReceiverBehaviour } from './support/otlp-receiver.js';
import { SimulatedRunner, githubEnv } from './support/runner.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function receiver(behaviour: OtlpReceiverBehaviour = {}): Promise<OtlpReceiver> {
  const r = await startOtlpReceiver(behaviour);
  cleanups.push(() => r.close());
  return r;
}

function runner(): SimulatedRunner {
  const r = new SimulatedRunner(githubEnv());
  cleanups.push(() => r.cleanup());
  return r;
}

const ATTRIBUTION: Attribution = {
  endpoint: { hostname: 'runner-7', os: 'linux' },
  origin: 'ci',
  run: { provider: 'github_actions', run_id: '99', run_attempt: '2', workflow: 'Review', job: 'agent', event_name: 'pull_request', commit: 'abc123', repository: 'o/r', branch: 'feature', actor: 'dev', pr: 'https://github.com/o/r/pull/5', pr_number: '5', ephemeral: true },
  repository: 'https://github.com/o/r',
  branch: 'feature',
};

function commandEvent(n: number): BeaconEvent {
  const event = newEvent(ATTRIBUTION, { timestamp: '2026-06-13T18:00:05.123456Z', action: ACTION.commandExecuted, category: 'command', harness: 'codex_cli' });
  event.session = { id: 'session-1' };
  event.tool = { name: 'exec_command', command: `{"cmd":"echo ${n}"}` };
  event.command = { command: `echo ${n}`, exit_code: 0, duration_ms: 12, success: true };
  event.message = 'exec_command';
  return event;
}

/** In-process forwarder against a receiver, closed after the test. */
function forwarder(target: { baseUrl: string }, options: Partial<ForwarderOptions> = {}, headers: Record<string, string> = {}): EventForwarder {
  const f = new EventForwarder({ endpoint: target.baseUrl, headers, required: false, shutdownLimitMs: 2_000 }, ATTRIBUTION, options);
  cleanups.push(() => void f.close(0));
  return f;
}

/** The `command.command` of every log record the receiver accepted, in order. */
function forwardedCommands(r: OtlpReceiver): string[] {
  return r
    .accepted('logs')
    .flatMap((body) => body.resourceLogs!.flatMap((rl) => rl.scopeLogs!.flatMap((sl) => sl.logRecords!)))
    .map((lr) => attributesToObject(lr.attributes)['command.command'] as string);
}

const inputsOf = (values: Record<string, string>) => readStartInputs((name) => values[name] ?? '');

describe('forward inputs', () => {
  it('accept an https base URL (a path prefix kept, the trailing slash dropped) and http only on loopback', () => {
    expect(inputsOf({ 'forward-endpoint': 'https://otel.example.com:4318/' }).forward).toEqual({ endpoint: 'https://otel.example.com:4318', headers: {}, required: false });
    expect(inputsOf({ 'forward-endpoint': 'https://otel.example.com/otlp/' }).forward?.endpoint).toBe('https://otel.example.com/otlp');
    for (const local of ['http://127.0.0.1:4318', 'http://[::1]:4318', 'http://localhost:4318', 'http://127.8.9.10']) {
      expect(inputsOf({ 'forward-endpoint': local }).forward?.endpoint).toBe(local);
    }
    expect(inputsOf({}).forward).toBeUndefined();
    expect(inputsOf({ 'forward-headers': 'X-A=1' }).forward).toBeUndefined();
  });

  it('refuse what would leave loopback in the clear, or cannot be a base URL, naming the input', () => {
    const problem = (endpoint: string) => {
      try {
        inputsOf({ 'forward-endpoint': endpoint });
      } catch (error) {
        expect(error).toBeInstanceOf(InputError);
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(problem('http://otel.example.com:4318')).toBe(
      'Input "forward-endpoint" must use https unless it is a loopback address (http://127.0.0.1, http://[::1], http://localhost), got "http://otel.example.com:4318".',
    );
    expect(problem('http://10.0.0.8:4318')).toMatch(/^Input "forward-endpoint" must use https unless/);
    expect(problem('otel.example.com')).toBe('Input "forward-endpoint" must be an OTLP/HTTP base URL such as https://otel.example.com:4318, got "otel.example.com".');
    expect(problem('ftp://otel.example.com')).toBe('Input "forward-endpoint" must be an https URL, got "ftp://otel.example.com".');
    expect(problem('https://otel.example.com/v1/logs')).toBe('Input "forward-endpoint" is the base URL: leave out "/v1/logs" (the action appends /v1/logs and /v1/metrics), got "https://otel.example.com/v1/logs".');
    expect(problem('https://otel.example.com/?tenant=a')).toBe('Input "forward-endpoint" must not have a query or fragment, got "https://otel.example.com/?tenant=a".');
    const withCredentials = problem('https://user:hunter2-password@otel.example.com');
    expect(withCredentials).toBe('Input "forward-endpoint" must not hold credentials: pass them in forward-headers (from secrets) instead.');
    expect(withCredentials).not.toContain('hunter2');
  });

  it('parse forward-headers as name=value lines, and never repeat a value in an error', () => {
    const endpoint = 'https://otel.example.com';
    expect(inputsOf({ 'forward-endpoint': endpoint, 'forward-headers': 'Authorization=Bearer abc=def\r\n\n  X-Tenant = acme  \n', 'forward-required': 'true' }).forward).toEqual({
      endpoint,
      headers: { Authorization: 'Bearer abc=def', 'X-Tenant': 'acme' },
      required: true,
    });
    const problem = (headers: string) => {
      try {
        inputsOf({ 'forward-endpoint': endpoint, 'forward-headers': headers });
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(problem('X-A=1\nsupersecret-token-value')).toBe('Input "forward-headers" line 2 is not name=value.');
    expect(problem('bad name=supersecret-token-value')).toBe('Input "forward-headers" line 1: "bad name" is not a valid header name.');
    expect(problem('X-Api-Key=')).toBe('Input "forward-headers" line 1: the value of "X-Api-Key" is empty (is the secret set?).');
    expect(problem('Content-Type=text/plain')).toBe('Input "forward-headers" line 1: "Content-Type" is set by the action and cannot be given.');
    expect(problem('X-A=1\nx-a=2')).toBe('Input "forward-headers" line 2: "x-a" is given twice.');
    expect(problem('X-A=one\u0000two')).toBe('Input "forward-headers" line 1: the value of "X-A" holds control characters.');
  });

  it('mask a `<scheme> <credential>` value whole and its credential alone; other values, and short credentials, whole only', () => {
    expect(maskedPartsOfHeader('Bearer abcdefgh12345678')).toEqual(['Bearer abcdefgh12345678', 'abcdefgh12345678']);
    expect(maskedPartsOfHeader('Basic dXNlcjpwYXNzd29yZA==')).toEqual(['Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA==']);
    expect(maskedPartsOfHeader('token  ghp_0123456789abcdef')).toEqual(['token  ghp_0123456789abcdef', 'ghp_0123456789abcdef']);
    expect(maskedPartsOfHeader('Api-Key k1=v1, k2=v2')).toEqual(['Api-Key k1=v1, k2=v2', 'k1=v1, k2=v2']);
    expect(maskedPartsOfHeader('abcdefgh12345678')).toEqual(['abcdefgh12345678']);
    expect(maskedPartsOfHeader('prod eu')).toEqual(['prod eu']); // "eu" would hide every "eu" in the log
    expect(maskedPartsOfHeader('1abc defghijkl')).toEqual(['1abc defghijkl']); // no scheme starts with a digit
  });

  it('refuse forward-required without an endpoint', () => {
    expect(() => inputsOf({ 'forward-required': 'true' })).toThrow('Input "forward-required" is true, but "forward-endpoint" is empty.');
    expect(() => inputsOf({ 'forward-endpoint': 'https://o.example', 'forward-required': 'yes' })).toThrow('Input "forward-required" must be true or false, got "yes".');
  });
});

describe('OTLP/JSON encoding', () => {
  it('writes an event as a log record: message as body, fields flattened, raw as one JSON attribute, nanosecond strings', () => {
    const event = commandEvent(1);
    event.severity = 'low';
    event.model = 'gpt-5.5';
    event.raw = { otel_signal: 'logs', attributes: { call_id: 'c1' } };
    expect(logRecordOf(event, '42000000')).toEqual({
      timeUnixNano: '1781373605123456000',
      observedTimeUnixNano: '42000000',
      severityNumber: 10,
      severityText: 'low',
      body: { stringValue: 'exec_command' },
      attributes: [
        { key: 'event.kind', value: { stringValue: 'agent_runtime' } },
        { key: 'event.action', value: { stringValue: 'command.executed' } },
        { key: 'event.category', value: { stringValue: 'command' } },
        { key: 'session.id', value: { stringValue: 'session-1' } },
        { key: 'tool.name', value: { stringValue: 'exec_command' } },
        { key: 'tool.command', value: { stringValue: '{"cmd":"echo 1"}' } },
        { key: 'command.command', value: { stringValue: 'echo 1' } },
        { key: 'command.exit_code', value: { intValue: '0' } },
        { key: 'command.duration_ms', value: { intValue: '12' } },
        { key: 'command.success', value: { boolValue: true } },
        { key: 'model', value: { stringValue: 'gpt-5.5' } },
        { key: 'beacon.raw', value: { stringValue: '{"otel_signal":"logs","attributes":{"call_id":"c1"}}' } },
      ],
    });
  });

  it('puts the run on the resource under the CI/CD and VCS conventions, the rest under beacon.*', () => {
    expect(attributesToObject(resourceAttributes(ATTRIBUTION, 'codex_cli'))).toEqual({
      'service.name': 'codex_cli',
      'cicd.pipeline.name': 'Review',
      'cicd.pipeline.run.id': '99',
      'cicd.pipeline.run.url.full': 'https://github.com/o/r/actions/runs/99/attempts/2',
      'cicd.pipeline.task.name': 'agent',
      'vcs.repository.url.full': 'https://github.com/o/r',
      'vcs.ref.head.name': 'feature',
      'vcs.ref.head.revision': 'abc123',
      'vcs.change.id': '5',
      'vcs.provider.name': 'github',
      'host.name': 'runner-7',
      'os.type': 'linux',
      'beacon.origin': 'ci',
      'beacon.run.provider': 'github_actions',
      'beacon.run.attempt': '2',
      'beacon.run.event_name': 'pull_request',
      'beacon.run.repository': 'o/r',
      'beacon.run.actor': 'dev',
      'beacon.run.pr': 'https://github.com/o/r/pull/5',
      'beacon.run.ephemeral': true,
      'beacon.schema_version': '1.0',
    });
  });

  it('sorts token measurements into disjoint kinds and histogram buckets', () => {
    expect(measurementsOf({ input_tokens: 450 })).toEqual([['input.uncached', 450]]);
    expect(measurementsOf({ cache_read: { input_tokens: 2150 } })).toEqual([['input.read', 2150]]);
    expect(measurementsOf({ reasoning: { output_tokens: 30 } })).toEqual([['reasoning', 30]]);
    expect(measurementsOf({})).toEqual([]);
    const histogram = { count: 0, sum: 0, min: Infinity, max: -Infinity, bucketCounts: new Array<number>(TOKEN_BUCKETS.length + 1).fill(0) };
    for (const value of [0, 1, 2, 1024, 1025, 70_000_000]) record(histogram, value);
    expect(histogram).toEqual({ count: 6, sum: 70_002_052, min: 0, max: 70_000_000, bucketCounts: [2, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1] });
  });

  it('reads Retry-After as seconds or a date, and backs off exponentially with jitter', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:05 GMT', Date.parse('2026-10-21T07:28:00Z'))).toBe(5000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    const timing = { requestTimeoutMs: 1, initialBackoffMs: 250, maxBackoffMs: 5000 };
    expect([1, 2, 3, 6].map((n) => backoffMs(n, timing, () => 0))).toEqual([125, 250, 500, 2500]);
    expect([1, 2, 3, 6].map((n) => backoffMs(n, timing, () => 1))).toEqual([250, 500, 1000, 5000]);
  });
});

describe('the forwarder (in process)', () => {
  it('batches: a full batch goes at once, the rest after the batch delay; token events are not sent as logs', async () => {
    const r = await receiver();
    const f = forwarder(r, { batchMaxRecords: 512, batchDelayMs: 400 });
    const events = Array.from({ length: 1100 }, (_, i) => commandEvent(i));
    const token = newEvent(ATTRIBUTION, { timestamp: '2026-06-13T18:00:05Z', action: ACTION.tokenUsage, category: 'metric', harness: 'codex_cli' });
    const accepted = Date.now();
    f.accept([...events.slice(0, 600), token]);
    f.accept(events.slice(600));
    expect(r.requests).toHaveLength(0); // accept() only queues
    while (r.requests.length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    const sizes = r.accepted('logs').map((body) => body.resourceLogs![0]!.scopeLogs![0]!.logRecords!.length);
    expect(sizes).toEqual([512, 512, 76]);
    // The leftover 76 waited for the batch delay.
    expect(r.requests[2]!.at - accepted).toBeGreaterThanOrEqual(390);
    expect(forwardedCommands(r)).toEqual(events.map((e) => e.command!.command));
    expect(await f.close(1_000)).toMatchObject({ recordsQueued: 1100, batchesSent: 3, recordsSent: 1100, retries: 0, recordsDropped: {} });
  });

  it('retries 503 with backoff until accepted: every event arrives once', async () => {
    const r = await receiver({ failFirst: 3 });
    const f = forwarder(r, { batchDelayMs: 0, initialBackoffMs: 50 });
    f.accept([commandEvent(1), commandEvent(2)]);
    const stats = await f.close(5_000);
    expect(r.requests.map((q) => q.status)).toEqual([503, 503, 503, 200]);
    expect(forwardedCommands(r)).toEqual(['echo 1', 'echo 2']);
    expect(stats).toMatchObject({ batchesSent: 1, recordsSent: 2, batchesRetried: 1, retries: 3, batchesDropped: 0, recordsDropped: {} });
  });

  it('waits as long as Retry-After says', async () => {
    const r = await receiver({ failFirst: 1, failStatus: 429, retryAfter: '1' });
    const f = forwarder(r, { batchDelayMs: 0, initialBackoffMs: 10 });
    f.accept([commandEvent(1)]);
    await f.close(5_000);
    expect(r.requests.map((q) => q.status)).toEqual([429, 200]);
    const gap = r.requests[1]!.at - r.requests[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(950);
    expect(gap).toBeLessThan(1_500);
  });

  it('does not retry a 400, and counts its records as rejected', async () => {
    const r = await receiver({ failFirst: 1, failStatus: 400 });
    const f = forwarder(r, { batchDelayMs: 0 });
    f.accept([commandEvent(1), commandEvent(2), commandEvent(3)]);
    const stats = await f.close(2_000);
    expect(r.requests).toHaveLength(1);
    expect(stats).toEqual({ recordsQueued: 3, batchesSent: 0, recordsSent: 0, batchesRetried: 0, retries: 0, batchesDropped: 1, recordsDropped: { rejected: 3 }, lastError: { message: 'HTTP 400', outside: 'unavailable (1)' }, flushMs: stats.flushMs });
  });

  it('counts the records a receiver rejects in a partial success, without resending them', async () => {
    const r = await receiver({ rejectRecords: 2 });
    const f = forwarder(r, { batchDelayMs: 0 });
    f.accept([commandEvent(1), commandEvent(2), commandEvent(3), commandEvent(4), commandEvent(5)]);
    const stats = await f.close(2_000);
    expect(r.requests).toHaveLength(1);
    expect(stats).toMatchObject({ batchesSent: 1, recordsSent: 3, recordsDropped: { rejected: 2 }, lastError: { message: 'the receiver rejected 2 records', outside: 'attribute too long' } });
  });

  it('drops new events when the queue is full, and what is unsent at the shutdown limit, counting both', async () => {
    const r = await receiver({ hang: true });
    const f = forwarder(r, { queueLimit: 5, batchDelayMs: 10_000 });
    f.accept(Array.from({ length: 8 }, (_, i) => commandEvent(i)));
    const started = Date.now();
    const stats = await f.close(300);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(295);
    expect(took).toBeLessThan(1_000);
    expect(r.requests).toHaveLength(1); // the flush sent the queue; the receiver never answered
    expect(stats).toMatchObject({ recordsQueued: 5, batchesSent: 0, recordsSent: 0, batchesDropped: 1, recordsDropped: { queue_full: 3, shutdown_limit: 5 } });
    // The request's own timeout is the time left, so on a busy machine it may fire a moment first.
    expect(stats.lastError?.message).toMatch(/^(the time limit was reached|no answer within (29\d|300) ms)$/);
    expect(stats.lastError?.outside).toBeUndefined(); // our own words, not the receiver's
  });

  it('sends the configured headers with every request', async () => {
    const r = await receiver();
    const f = forwarder(r, { batchDelayMs: 0 }, { Authorization: 'Bearer org-token', 'X-Tenant': 'acme' });
    f.accept([commandEvent(1)]);
    await f.close(2_000);
    expect(r.requests[0]!.headers).toMatchObject({ authorization: 'Bearer org-token', 'x-tenant': 'acme', 'content-type': 'application/json' });
  });
});

// ---- the action, built bundles, simulated runner ----

const HEADERS = 'Authorization=Bearer org-token-4f1c9a\nX-Tenant=acme';
/**
 * The forwarding time limit of the down-receiver tests (the default is 10 s), and a generous bound
 * on what a post step takes besides (Node start, stop, normalization) on a loaded 2-core machine.
 * Without the limit, such a post step would wait 10 s (request timeout) or 30 s (retry budget).
 */
const SHORT_LIMIT_MS = 1_500;
const POST_STEP_OVERHEAD_MS = 5_000;

/**
 * The collector's flush and the metrics export each kept to their share of the limit; returns how
 * long the flush took. (A retry whose wait would end past the limit is not waited for, so a
 * refused connection gives up before the limit.)
 */
function expectWithinLimit(start: { outputs: Record<string, string> }, postStdout: string): number {
  const stats = JSON.parse(fs.readFileSync(path.join(path.dirname(start.outputs['log-path']!), 'collector-stats.json'), 'utf8'));
  expect(stats.forward.flushMs).toBeLessThan(SHORT_LIMIT_MS * 0.8 + 300);
  const metricsMs = Number(/token metrics: failed \(4 data points, (\d+) ms\)/.exec(postStdout)?.[1]);
  expect(metricsMs).toBeLessThan(Math.max(SHORT_LIMIT_MS * 0.2, SHORT_LIMIT_MS - stats.forward.flushMs) + 300);
  return stats.forward.flushMs as number;
}

/** Answers GET /health once the collector serves (a request right after the start step waits on its socket until then). */
async function healthy(start: { outputs: Record<string, string> }): Promise<void> {
  const port = Number(new URL(start.outputs['collector-endpoint']!).port);
  const { controlSecret } = startedCaptureIn(path.dirname(start.outputs['log-path']!));
  const answer = await httpRequest(port, { method: 'GET', path: '/health', headers: controlHeaders(controlSecret) });
  expect(answer.status).toBe(200);
}

async function replay(start: { outputs: Record<string, string> }, capture: string): Promise<number[]> {
  const port = Number(new URL(start.outputs['collector-endpoint']!).port);
  const config = parse(fs.readFileSync(path.join(start.outputs['codex-home']!, 'config.toml'), 'utf8')) as any;
  const secret = config.otel.exporter['otlp-http'].headers['x-beacon-secret'] as string;
  const latencies: number[] = [];
  for (const request of fixtureRequests(capture)) {
    const sent = performance.now();
    const answer = await httpRequest(port, { path: request.path, body: request.body, headers: { 'content-type': request.contentType, 'x-beacon-secret': secret } });
    latencies.push(performance.now() - sent);
    expect(answer.status).toBe(200);
  }
  return latencies;
}

function runtimeEvents(logPath: string): Record<string, any>[] {
  return fs
    .readFileSync(logPath, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

/** A second, independent flattening of a Beacon event, to check what the receiver got against the artifact. */
function expectedAttributes(event: Record<string, any>): Record<string, unknown> {
  const perRun = new Set(['timestamp', 'vendor', 'product', 'schema_version', 'severity', 'endpoint', 'origin', 'run', 'repository', 'branch', 'harness', 'message', 'raw']);
  const out: Record<string, unknown> = {};
  const walk = (prefix: string, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) for (const [k, v] of Object.entries(value)) walk(`${prefix}.${k}`, v);
    else out[prefix] = value;
  };
  for (const [key, value] of Object.entries(event)) if (!perRun.has(key)) walk(key, value);
  if (event.raw) out['beacon.raw'] = JSON.stringify(event.raw);
  return out;
}

describe('the action with forward-endpoint', () => {
  it('forwards exactly the kept events and the normalized token usage, with the run on the resource', async () => {
    const r = runner();
    const org = await receiver();
    const start = await r.main({ inputs: { 'forward-endpoint': org.baseUrl, 'forward-headers': HEADERS, 'upload-artifact': 'false' } });
    expect(start.exitCode).toBe(0);
    // The whole value, and the credential of `Bearer <credential>` on its own; a value of no such form once.
    expect(start.stdout.split('\n').filter((line) => line.startsWith('::add-mask::') && /org-token|acme/.test(line))).toEqual([
      '::add-mask::Bearer org-token-4f1c9a',
      '::add-mask::org-token-4f1c9a',
      '::add-mask::acme',
    ]);
    expect(start.stdout).toContain(`Kept events are also forwarded to ${org.baseUrl} (OTLP/HTTP JSON).`);
    await replay(start, 'tool-call-json');
    const post = await start.post();
    expect(post.exitCode).toBe(0);

    // Logs: one record per kept event of the artifact, token events aside (they go as metrics).
    const artifact = runtimeEvents(start.outputs['log-path']!);
    const kept = artifact.filter((e) => e.event.action !== 'token.usage');
    expect(kept.map((e) => e.event.action)).toEqual(['session.started', 'prompt.submitted', 'approval.requested', 'command.executed']);
    const logBodies = org.accepted('logs');
    const resourceLogs = logBodies.flatMap((b) => b.resourceLogs!);
    const records = resourceLogs.flatMap((rl) => rl.scopeLogs!.flatMap((sl) => sl.logRecords!));
    expect(records.map((lr) => attributesToObject(lr.attributes))).toEqual(kept.map(expectedAttributes));
    expect(records.map((lr) => lr.body?.stringValue)).toEqual(['Codex session started', 'Codex prompt submitted', 'Codex tool decision', 'exec_command']);
    const command = attributesToObject(records[3]!.attributes);
    expect(command).toMatchObject({ 'event.action': 'command.executed', 'tool.name': 'exec_command', 'command.command': 'echo hi', 'session.id': '01a20a1d-8182-7f22-8f67-31dd90c6e5c2' });
    expect(records.map((lr) => lr.timeUnixNano)).toEqual(kept.map((e) => String(BigInt(Date.parse(e.timestamp)) * 1_000_000n)));
    // Never more than the artifact holds: the prompt text stays out (log-user-prompt is off).
    expect(JSON.stringify(logBodies)).not.toContain('prompt.text');

    const expectedResource = {
      'service.name': 'codex_cli',
      'cicd.pipeline.name': 'Agent review',
      'cicd.pipeline.run.id': '1234567890',
      'cicd.pipeline.run.url.full': 'https://github.com/octo-org/octo-repo/actions/runs/1234567890/attempts/1',
      'cicd.pipeline.task.name': 'review',
      'vcs.repository.url.full': 'https://github.com/octo-org/octo-repo',
      'vcs.ref.head.name': 'main',
      'vcs.ref.head.revision': '0123456789abcdef0123456789abcdef01234567',
      'vcs.provider.name': 'github',
      'host.name': os.hostname(),
      'os.type': 'linux',
      'beacon.origin': 'ci',
      'beacon.run.provider': 'github_actions',
      'beacon.run.attempt': '1',
      'beacon.run.event_name': 'push',
      'beacon.run.repository': 'octo-org/octo-repo',
      'beacon.run.actor': 'octocat',
      'beacon.run.ephemeral': true,
      'beacon.schema_version': '1.0',
    };
    for (const rl of resourceLogs) expect(attributesToObject(rl.resource!.attributes)).toEqual(expectedResource);

    // Metrics: the disjoint usage of the fixture (input 450 uncached + 2150 cached, output 80, of which reasoning 30).
    const metricBodies = org.accepted('metrics');
    expect(metricBodies).toHaveLength(1);
    const rm = metricBodies[0]!.resourceMetrics!;
    expect(rm).toHaveLength(1);
    expect(attributesToObject(rm[0]!.resource!.attributes)).toEqual(expectedResource);
    const metrics = rm[0]!.scopeMetrics![0]!.metrics!;
    expect(metrics.map((m) => [m.name, m.unit, m.histogram?.aggregationTemporality])).toEqual([
      ['gen_ai.client.token.usage', '{token}', 1],
      ['beacon.gen_ai.client.token.reasoning', '{token}', 1],
    ]);
    const points = metrics.flatMap((m) => m.histogram!.dataPoints!.map((p) => ({ metric: m.name, attributes: attributesToObject(p.attributes), count: p.count, sum: p.sum, min: p.min, max: p.max, bucketCounts: p.bucketCounts })));
    const common = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-5.5' };
    const buckets = (index: number) => Array.from({ length: 15 }, (_, i) => (i === index ? '1' : '0'));
    const byKind = Object.fromEntries(points.map((p) => [String(p.attributes['gen_ai.token.cache'] ?? p.attributes['gen_ai.token.type'] ?? 'reasoning'), p]));
    expect(points).toHaveLength(4);
    expect(byKind).toEqual({
      read: { metric: 'gen_ai.client.token.usage', attributes: { ...common, 'gen_ai.token.type': 'input', 'gen_ai.token.cache': 'read' }, count: '1', sum: 2150, min: 2150, max: 2150, bucketCounts: buckets(6) },
      uncached: { metric: 'gen_ai.client.token.usage', attributes: { ...common, 'gen_ai.token.type': 'input', 'gen_ai.token.cache': 'uncached' }, count: '1', sum: 450, min: 450, max: 450, bucketCounts: buckets(5) },
      output: { metric: 'gen_ai.client.token.usage', attributes: { ...common, 'gen_ai.token.type': 'output' }, count: '1', sum: 80, min: 80, max: 80, bucketCounts: buckets(4) },
      reasoning: { metric: 'beacon.gen_ai.client.token.reasoning', attributes: common, count: '1', sum: 30, min: 30, max: 30, bucketCounts: buckets(3) },
    });
    // The same totals as the usage file of the artifact.
    const usage = JSON.parse(fs.readFileSync(path.join(path.dirname(start.outputs['log-path']!), 'beacon-usage.json'), 'utf8'));
    expect([usage.totals.cache_read_input_tokens, usage.totals.input_tokens, usage.totals.output_tokens, usage.totals.reasoning_output_tokens]).toEqual([byKind.read!.sum, byKind.uncached!.sum, byKind.output!.sum, byKind.reasoning!.sum]);

    for (const request of org.requests) expect(request.headers).toMatchObject({ authorization: 'Bearer org-token-4f1c9a', 'x-tenant': 'acme', 'content-type': 'application/json' });
    expect(post.stdout).toContain(`beacon: forwarded to ${org.baseUrl}: 4 events in 1 batches (0 retries); token metrics: sent (4 data points,`);
    const summary = r.summary();
    expect(summary).toContain('### Forwarding');
    expect(summary).toContain('| Logs (events) | 1 | 4 | 0 | 0 / 0 |');
    expect(summary).toContain('| Metrics (token usage) | 1 | 4 | 0 | 0 / 0 |');
    expect(summary).toContain('Everything arrived.');
    expect(summary).not.toContain('org-token-4f1c9a');
  });

  it('when the receiver answers 503 a few times, everything still arrives once', async () => {
    const r = runner();
    // Retry-After: 0 keeps the test short; the backoff itself is tested in process above.
    const org = await receiver({ failFirst: 3, retryAfter: '0' });
    const start = await r.main({ inputs: { 'forward-endpoint': org.baseUrl, 'upload-artifact': 'false' } });
    await replay(start, 'interval-exports-json');
    const post = await start.post();
    expect(post.exitCode).toBe(0);
    expect(org.requests.filter((q) => q.path === '/v1/logs').map((q) => q.status)).toEqual([503, 503, 503, 200]);
    expect(org.requests.filter((q) => q.path === '/v1/metrics').map((q) => q.status)).toEqual([503, 503, 503, 200]);
    const artifact = runtimeEvents(start.outputs['log-path']!);
    const kept = artifact.filter((e) => e.event.action !== 'token.usage');
    const tokenPoints = (type: string) => String(artifact.filter((e) => e.event.action === 'token.usage' && e.gen_ai.token.type === type).length);
    const records = org.accepted('logs').flatMap((b) => b.resourceLogs!.flatMap((rl) => rl.scopeLogs!.flatMap((sl) => sl.logRecords!)));
    expect(records.map((lr) => attributesToObject(lr.attributes))).toEqual(kept.map(expectedAttributes));
    // Several delta exports: one measurement per token event of the artifact, the same sums.
    const metrics = org.accepted('metrics')[0]!.resourceMetrics![0]!.scopeMetrics![0]!.metrics!;
    const points = metrics.flatMap((m) =>
      m.histogram!.dataPoints!.map((p) => {
        const attributes = attributesToObject(p.attributes);
        return [`${m.name} ${attributes['gen_ai.token.type'] ?? ''} ${attributes['gen_ai.token.cache'] ?? ''}`.trim(), p.count, p.sum];
      }),
    );
    expect(points.sort()).toEqual([
      ['beacon.gen_ai.client.token.reasoning', tokenPoints('reasoning_output'), 30],
      ['gen_ai.client.token.usage input read', tokenPoints('cached_input'), 2150],
      ['gen_ai.client.token.usage input uncached', tokenPoints('input'), 450],
      ['gen_ai.client.token.usage output', tokenPoints('output'), 80],
    ]);
    expect(r.summary()).toContain(`| Logs (events) | 1 | ${kept.length} | 1 (3 retries) | 0 / 0 |`);
    expect(r.summary()).toContain('| Metrics (token usage) | 1 | 4 | 1 (3 retries) | 0 / 0 |');
  });

  it('when the receiver is down, the end of the job waits no longer than the limit, says what was lost, and fails under forward-required', async () => {
    const r = runner();
    const port = await refusedPort();
    const env = { BEACON_FORWARD_SHUTDOWN_LIMIT_MS: String(SHORT_LIMIT_MS) };
    const start = await r.main({ inputs: { 'forward-endpoint': `http://127.0.0.1:${port}`, 'forward-required': 'true', 'upload-artifact': 'false' }, env });
    await replay(start, 'tool-call-json');
    const post = await start.post();
    expect(post.durationMs).toBeLessThan(SHORT_LIMIT_MS + POST_STEP_OVERHEAD_MS);
    expectWithinLimit(start, post.stdout);
    expect(post.exitCode).toBe(1);
    const refused = `connect ECONNREFUSED 127.0.0.1:${port}`;
    const lost = `4 of 4 events were not forwarded (4 not sent within the shutdown time limit); last error: ${refused}`;
    expect(post.stdout).toContain(`::error::beacon: forwarding (forward-required): ${lost}; the token usage metrics (4 data points) were not forwarded (not sent within the shutdown time limit); last error: ${refused}.`);
    const summary = r.summary();
    // Retried until the limit: how many times depends on the backoff's jitter.
    expect(summary).toMatch(/\| Logs \(events\) \| 0 \| 0 \| 1 \(\d+ retries\) \| 1 \/ \*\*4\*\* \|/);
    expect(summary).toMatch(/\| Metrics \(token usage\) \| 0 \| 0 \| 1 \(\d+ retries\) \| 1 \/ \*\*4\*\* \|/);
    // The error Node reported is not our own words: quoted.
    expect(summary).toContain(`- 4 of 4 events were not forwarded (4 not sent within the shutdown time limit); last error: \`${refused}\``);
    expect(summary).toContain('forward-required is true: the step fails.');
  });

  it('when the receiver accepts and never answers, Codex is answered at once and the job waits no longer than the limit', async () => {
    const r = runner();
    const org = await receiver({ hang: true });
    const env = { BEACON_FORWARD_SHUTDOWN_LIMIT_MS: String(SHORT_LIMIT_MS) };
    const start = await r.main({ inputs: { 'forward-endpoint': org.baseUrl, 'upload-artifact': 'false' }, env });
    // The start step does not wait for the collector's boot: time the answers only once it serves.
    await healthy(start);
    const first = await replay(start, 'tool-call-json');
    // Let the first batch go out and hang, then send Codex's requests again.
    while (org.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const whileHung = await replay(start, 'tool-call-protobuf');
    expect(Math.max(...first, ...whileHung)).toBeLessThan(500);
    const post = await start.post();
    expect(post.exitCode).toBe(0);
    expect(post.durationMs).toBeLessThan(SHORT_LIMIT_MS + POST_STEP_OVERHEAD_MS);
    // The batch in flight never got an answer: the flush waited for it up to its share of the limit.
    expect(expectWithinLimit(start, post.stdout)).toBeGreaterThanOrEqual(SHORT_LIMIT_MS * 0.8 - 5);
    const events = runtimeEvents(start.outputs['log-path']!).filter((e) => e.event.action !== 'token.usage').length;
    expect(events).toBe(8);
    expect(post.stdout).toContain(`::warning::beacon: forwarding: 8 of 8 events were not forwarded (8 not sent within the shutdown time limit); last error: the time limit was reached.`);
    // One batch was in flight (4 events), the other 4 were still queued.
    expect(r.summary()).toContain('| Logs (events) | 0 | 0 | 0 | 1 / **8** |');
    expect(r.summary()).toContain('A warning only (forward-required is false).');
  });

  it('reports records a receiver rejects in a partial success as lost, for events and for token points', async () => {
    const r = runner();
    const org = await receiver({ rejectRecords: 1 });
    const start = await r.main({ inputs: { 'forward-endpoint': org.baseUrl, 'upload-artifact': 'false' } });
    await replay(start, 'tool-call-json');
    const post = await start.post();
    expect(post.exitCode).toBe(0);
    expect(org.requests.map((q) => [q.path, q.status])).toEqual([
      ['/v1/logs', 200],
      ['/v1/metrics', 200],
    ]);
    expect(post.stdout).toContain('::warning::beacon: forwarding: 1 of 4 events were not forwarded (1 refused by the receiver); last error: the receiver rejected 1 records: attribute too long.');
    expect(post.stdout).toContain('::warning::beacon: forwarding: 1 of 4 token usage data points were not forwarded (refused by the receiver); the receiver rejected 1 records: attribute too long.');
    expect(r.summary()).toContain('| Logs (events) | 1 | 3 | 0 | 0 / **1** |');
    expect(r.summary()).toContain('| Metrics (token usage) | 1 | 3 | 0 | 0 / **1** |');
  });

  it("a receiver's own text (its error answer) shows in the summary only inside code spans", async () => {
    const r = runner();
    const markdown = '**bold** [link](http://x.example) <img src=x> | cell';
    const org = await receiver({ failFirst: 1, failStatus: 400, failMessage: markdown });
    const start = await r.main({ inputs: { 'forward-endpoint': org.baseUrl, 'upload-artifact': 'false' } });
    await replay(start, 'tool-call-json');
    const post = await start.post();
    expect(post.exitCode).toBe(0);
    // Both refused with 400, which is not retried.
    expect(org.requests.map((q) => [q.path, q.status])).toEqual([
      ['/v1/logs', 400],
      ['/v1/metrics', 400],
    ]);
    const summary = r.summary();
    expect(summary).toContain(`- 4 of 4 events were not forwarded (4 refused by the receiver); last error: HTTP 400: \`${markdown}\``);
    expect(summary).toContain(`- the token usage metrics (4 data points) were not forwarded (refused by the receiver); last error: HTTP 400: \`${markdown}\``);
    // Nowhere outside a code span: with the spans taken out of each line, none of it is left.
    const outsideSpans = summary
      .split('\n')
      .map((line) => line.replace(/`[^`]*`/g, ''))
      .join('\n');
    for (const piece of ['**bold**', '[link]', '<img', '| cell']) expect(outsideSpans).not.toContain(piece);
    // The step log keeps the text as it came.
    expect(post.stdout).toContain(`::warning::beacon: forwarding: 4 of 4 events were not forwarded (4 refused by the receiver); last error: HTTP 400: ${markdown}.`);
  });

  it('fails the start step on an http endpoint that is not loopback, naming the input, and starts nothing', async () => {
    const r = runner();
    const start = await r.main({ inputs: { 'forward-endpoint': 'http://otel.example.com:4318' } });
    expect(start.exitCode).toBe(1);
    expect(start.stdout).toContain('::error::Input "forward-endpoint" must use https unless it is a loopback address');
    expect(fs.readdirSync(r.runnerTemp)).toEqual([]);
  });
});
