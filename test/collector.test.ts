import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { CollectorProcesses, controlHeaders, countBy, fixtureRequests, httpRequest } from './support/collector-process.js';

/** The built collector process, fed the real Codex request bodies over HTTP. */

const collectors = new CollectorProcesses();
afterEach(() => collectors.stopAll());

const KEPT_ACTIONS = { 'session.started': 1, 'prompt.submitted': 1, 'approval.requested': 1, 'command.executed': 1, 'token.usage': 6 };
const TOKEN_SUMS = { input: 2600, cached_input: 2150, cache_write_input: 0, output: 80, reasoning_output: 30, total: 2680 };

function tokenSums(events: Record<string, any>[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const e of events.filter((e) => e.event.action === 'token.usage')) {
    sums[e.gen_ai.token.type] = (sums[e.gen_ai.token.type] ?? 0) + e.raw.metric_value;
  }
  return sums;
}

describe.each(['tool-call-json', 'tool-call-protobuf'])('replaying %s', (capture) => {
  it('keeps exactly the schema page events and the token data points, and answers 200', async () => {
    const c = await collectors.start();
    for (const request of fixtureRequests(capture)) {
      const answer = await c.post(request);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe(request.contentType);
    }
    const events = c.events();
    expect(countBy(events, (e) => e.event.action)).toEqual(KEPT_ACTIONS);
    expect(tokenSums(events)).toEqual(TOKEN_SUMS);
    for (const e of events) {
      expect(e.harness.name).toBe('codex_cli');
      expect(e.origin).toBe('ci');
      expect(e.run).toEqual({ provider: 'github_actions', run_id: '77', ephemeral: true });
      expect(e.repository).toBe('https://github.com/o/r');
    }
    const command = events.find((e) => e.event.action === 'command.executed')!;
    expect(command.command).toMatchObject({ command: 'echo hi', exit_code: 0, success: true });
    expect(command.tool).toEqual({ name: 'exec_command', command: '{"cmd":"echo hi"}' });
    const approval = events.find((e) => e.event.action === 'approval.requested')!;
    expect(approval.approval).toEqual({ required: true, decision: 'approved', reason: 'Config' });
    const token = events.find((e) => e.event.action === 'token.usage')!;
    expect(token.model).toBe('gpt-5.5');
    expect(token.raw.metric_temporality).toBe('Delta');
    expect(token.session).toBeUndefined();
    // The captures were made with Codex's own log_user_prompt = true: the text must still stay out.
    expect(c.captureText()).not.toContain('say hi');
    expect(events.find((e) => e.event.action === 'prompt.submitted')!.prompt).toBeUndefined();

    const stats = await c.shutdown();
    expect(stats.eventsWritten).toBe(10);
    expect(stats.stopReason).toBe('shutdown request');
    const requests = fixtureRequests(capture);
    for (const signal of ['logs', 'metrics', 'traces'] as const) {
      const sent = requests.filter((r) => r.path === `/v1/${signal}`);
      expect(stats.signals[signal].requests).toBe(sent.length);
      expect(stats.signals[signal].bytes).toBe(sent.reduce((n, r) => n + r.body.length, 0));
    }
    expect(stats.signals.logs.recordsReceived).toBe(21);
    expect(stats.signals.logs.recordsKept).toBe(4);
    expect(stats.dropped.codex_log_not_kept).toBe(17);
    expect(await c.exited).toBe(0);
  });
});

it('gives the same events for the JSON and the protobuf capture of the same turn', async () => {
  const shape = (events: Record<string, any>[]) =>
    events.map((e) => ({ action: e.event.action, tool: e.tool, command: e.command?.command, type: e.gen_ai?.token?.type, value: e.raw?.metric_value })).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  const results = [];
  for (const capture of ['tool-call-json', 'tool-call-protobuf']) {
    const c = await collectors.start();
    for (const request of fixtureRequests(capture)) await c.post(request);
    results.push(shape(c.events()));
  }
  expect(results[0]).toEqual(results[1]);
});

it('records the token points of the interval capture (three metric exports, the turn in the last)', async () => {
  const c = await collectors.start();
  for (const request of fixtureRequests('interval-exports-json')) expect((await c.post(request)).status).toBe(200);
  const tokens = c.events().filter((e) => e.event.action === 'token.usage');
  expect(tokenSums(tokens)).toEqual(TOKEN_SUMS);
  // 8 requests in order; the 7th (the third metrics export) carries the finished turn.
  expect(tokens.map((e) => e.raw.export_seq)).toEqual([7, 7, 7, 7, 7, 7]);
});

it('keeps prompt text when log-user-prompt is on, and spans when asked', async () => {
  const c = await collectors.start({ logUserPrompt: true, includeSpans: true });
  for (const request of fixtureRequests('tool-call-protobuf')) await c.post(request);
  const events = c.events();
  expect(events.find((e) => e.event.action === 'prompt.submitted')!.prompt).toEqual({ text: 'say hi' });
  expect(events.filter((e) => e.event.action === 'span.recorded').length).toBeGreaterThan(0);
});

it('answers partial success for token points that cannot be used, and keeps the rest', async () => {
  const c = await collectors.start();
  const point = (tokenType: string, sum: unknown) => ({
    attributes: [{ key: 'model', value: { stringValue: 'gpt-5.5' } }, { key: 'token_type', value: { stringValue: tokenType } }],
    timeUnixNano: '1795466036241843863',
    count: '1',
    sum,
  });
  const body = {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'codex_exec' } }] },
        scopeMetrics: [{ metrics: [{ name: 'codex.turn.token_usage', histogram: { aggregationTemporality: 1, dataPoints: [point('input', 2600), point('output', 'oops'), point('total', -5)] } }] }],
      },
    ],
  };
  const answer = await c.post({ path: '/v1/metrics', contentType: 'application/json', body: JSON.stringify(body) });
  expect(answer.status).toBe(200);
  expect(JSON.parse(answer.body.toString())).toEqual({ partialSuccess: { rejectedDataPoints: '2', errorMessage: 'codex.turn.token_usage data point refused: sum "oops" is not a whole number from 0 to 2^53-1 (2 refused in all)' } });
  expect(c.events().map((e) => [e.gen_ai.token.type, e.raw.metric_value])).toEqual([['input', 2600]]);
});

it('accepts gzip and deflate bodies', async () => {
  const c = await collectors.start();
  const [logs] = fixtureRequests('tool-call-json').filter((r) => r.path === '/v1/logs');
  expect((await c.post({ ...logs!, body: zlib.gzipSync(logs!.body) }, { 'content-encoding': 'gzip' })).status).toBe(200);
  expect((await c.post({ ...logs!, body: zlib.deflateSync(logs!.body) }, { 'content-encoding': 'deflate' })).status).toBe(200);
  expect((await c.post({ ...logs!, contentType: 'application/json; charset=utf-8' })).status).toBe(200);
  expect(c.events().length).toBe(12);
});

describe('bad input gets its 4xx, nothing is written, and the collector keeps serving', () => {
  it.each([
    ['no secret', { path: '/v1/logs', headers: { 'x-beacon-secret': '' } }, 401],
    ['wrong secret', { path: '/v1/logs', headers: { 'x-beacon-secret': 'test-secret-0123456780' } }, 401],
    ['truncated protobuf', { path: '/v1/logs', truncate: true }, 400],
    ['invalid JSON', { path: '/v1/logs', contentType: 'application/json', body: '{"resourceLogs": [' }, 400],
    ['wrong top-level JSON', { path: '/v1/logs', contentType: 'application/json', body: '[1,2]' }, 400],
    ['wrong content type', { path: '/v1/logs', contentType: 'text/plain' }, 415],
    ['unknown content encoding', { path: '/v1/logs', headers: { 'content-encoding': 'br' } }, 415],
    ['corrupt gzip', { path: '/v1/logs', headers: { 'content-encoding': 'gzip' } }, 400],
    ['unknown path', { path: '/v1/profiles' }, 404],
  ] as const)('%s', async (_name, spec: any, status) => {
    const c = await collectors.start();
    const [logs] = fixtureRequests('tool-call-protobuf').filter((r) => r.path === '/v1/logs');
    const body = spec.body ?? (spec.truncate ? logs!.body.subarray(0, logs!.body.length - 7) : logs!.body);
    const answer = await c.post({ path: spec.path, contentType: spec.contentType ?? 'application/x-protobuf', body }, spec.headers ?? {});
    expect(answer.status).toBe(status);
    expect(c.captureText()).toBe('');
    expect((await c.post(logs!)).status).toBe(200);
    expect(c.events().length).toBe(2);
  });

  it('405 with Allow for a wrong method, 413 above the body limit', async () => {
    const c = await collectors.start({ maxBodyBytes: 1000 });
    const get = await httpRequest(c.port, { method: 'GET', path: '/v1/logs', headers: { 'x-beacon-secret': c.secret } });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    const big = await c.post({ path: '/v1/metrics', contentType: 'application/json', body: Buffer.alloc(5000, 32) });
    expect(big.status).toBe(413);
    const bomb = await c.post({ path: '/v1/metrics', contentType: 'application/json', body: zlib.gzipSync(Buffer.alloc(100_000, 32)) }, { 'content-encoding': 'gzip' });
    expect(bomb.status).toBe(413);
    const health = await c.health();
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body.toString()).pid).toBe(c.pid);
    const stats = await c.shutdown();
    expect(stats.rejected).toEqual({ '405': 1, '413': 2 });
  });

  it('refuses the shutdown request and health without the control secret, the telemetry secret included', async () => {
    const c = await collectors.start();
    for (const headers of [{}, { 'x-beacon-secret': c.secret }, controlHeaders(c.secret)]) {
      expect((await httpRequest(c.port, { path: '/shutdown', headers })).status).toBe(401);
      expect((await httpRequest(c.port, { method: 'GET', path: '/health', headers })).status).toBe(401);
    }
    expect(c.child.exitCode).toBeNull();
    expect((await c.health()).status).toBe(200);
  });
});

it('answers 503 with Retry-After, never 200, when the events cannot be written', async () => {
  const c = await collectors.start({ capturePath: '/dev/full' });
  const [logs] = fixtureRequests('tool-call-protobuf').filter((r) => r.path === '/v1/logs');
  const answer = await c.post(logs!);
  expect(answer.status).toBe(503);
  expect(answer.headers['retry-after']).toBe('1');
  const stats = await c.shutdown();
  expect(stats.writeErrors).toBe(1);
  expect(stats.firstError).toMatch(/ENOSPC/);
});
