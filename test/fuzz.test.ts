import fs from 'node:fs';
import http from 'node:http';
import { isUtf8 } from 'node:buffer';
import type net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CollectorStats } from '../src/handoff/collector-config.js';
import { writeRuntimeLogWithReport } from '../src/finish/account-usage/process-capture.js';
import { captureCompanions } from '../src/handoff/workspace.js';
import { codexLogRecord, logsRequestWithRawAttribute, logsRequestWithRawAttributeJson } from './support/codex-records.js';
import { CollectorProcesses, countBy, fixtureRequests, type RunningCollector } from './support/collector-process.js';
import { connect, KeepAliveSender, rssKiB, waitUntil, type Outcome } from './support/http-senders.js';
import {
  cut,
  deepCut,
  flipBits,
  hugeLength,
  invalidUtf8InJson,
  invalidUtf8InString,
  layoutOf,
  nestedAnyValueJson,
  nestedAnyValueProtobuf,
  noiseBytes,
  spliceRange,
  wrongJsonType,
  wrongWireType,
  type NestKind,
  type ProtobufLayout,
} from './support/mutations.js';
import { tag, varint } from './support/otlp/proto-encode.js';
import { Prng } from './support/otlp/prng.js';
import { validateBeaconLine, validateBeaconLog } from './support/schema-validator.js';
import { fixtureTemplate } from './support/tagged-bodies.js';

/**
 * Hostile and broken input against the built collector process: mutated real Codex bodies, deep
 * nesting, lengths that lie, slow and silent clients. The collector answers 2xx or 4xx, never
 * crashes, stays within bounded memory, and never writes a line that breaks the schema.
 */

const collectors = new CollectorProcesses();
afterEach(() => collectors.stopAll());

/** What the collector wrote (the capture and its token file) is UTF-8, and every line passes the schema validator. */
function expectValidCapture(c: RunningCollector): number {
  const tokenPath = captureCompanions(c.config.capturePath).tokenPoints;
  const bytes = Buffer.concat([fs.readFileSync(c.config.capturePath), fs.existsSync(tokenPath) ? fs.readFileSync(tokenPath) : Buffer.alloc(0)]);
  expect(isUtf8(bytes)).toBe(true);
  const lines = bytes.toString('utf8').split(/(?<=\n)/).filter((l) => l !== '');
  const bad = lines.map((line, i) => ({ line: i + 1, errors: validateBeaconLine(line), text: line.slice(0, 300) })).filter((l) => l.errors.length > 0);
  expect(bad.slice(0, 3)).toEqual([]);
  return lines.length;
}

/** Where the schema wants an integer: the token counts under `gen_ai.usage` (`cost_usd` excepted), `command.exit_code`, `command.duration_ms`. */
function isSchemaIntegerPath(keys: string[]): boolean {
  const joined = keys.join('.');
  if (joined === 'command.exit_code' || joined === 'command.duration_ms') return true;
  return keys.length > 2 && keys[0] === 'gen_ai' && keys[1] === 'usage' && keys[keys.length - 1] !== 'cost_usd';
}

/** Numbers at the schema's integer paths that are not safe integers (walking the parsed line). */
function unsafeIntegerPaths(event: unknown): string[] {
  const found: string[] = [];
  const walk = (value: unknown, keys: string[]) => {
    if (typeof value === 'number') {
      if (isSchemaIntegerPath(keys) && !Number.isSafeInteger(value)) found.push(`${keys.join('.')} = ${value}`);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, [...keys, String(i)]));
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, [...keys, k]);
    }
  };
  walk(event, []);
  return found;
}

/** The number tokens of a JSON text (outside strings) written with an exponent, e.g. `1e+21`. */
function exponentNumbers(text: string): string[] {
  const found: string[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      for (i++; i < text.length && text[i] !== '"'; ) i += text[i] === '\\' ? 2 : 1;
      i++;
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      const start = i;
      while (i < text.length && /[-+0-9.eE]/.test(text[i]!)) i++;
      const token = text.slice(start, i);
      if (/[eE]/.test(token)) found.push(token);
    } else i++;
  }
  return found;
}

/**
 * The post step's runtime-log stage (the real RuntimeLogWriter stages) over what the collector
 * left, its capture and its token file; every line of the log passes the independent schema
 * validator, is a Beacon 1.0 event, and writes its integers as safe integers without exponent.
 */
async function expectValidRuntimeLog(c: RunningCollector): Promise<{ events: number; log: string; integersChecked: number; tokenEvents: number }> {
  const logPath = path.join(c.dir, 'post', 'beacon-runtime.jsonl');
  const { report, log } = await writeRuntimeLogWithReport({ capturePath: c.config.capturePath, logPath });
  const validation = await validateBeaconLog(logPath);
  expect(validation.errors.slice(0, 3)).toEqual([]);
  const text = fs.readFileSync(logPath, 'utf8');
  expect(text === '' || text.endsWith('\n')).toBe(true);
  const lines = text.split('\n').slice(0, -1);
  expect(validation.lines).toBe(lines.length);
  const bad: { line: number; problems: string[] }[] = [];
  let integersChecked = 0;
  let tokenEvents = 0;
  lines.forEach((line, i) => {
    const event = JSON.parse(line) as Record<string, any>;
    if (event.event?.action === 'token.usage') tokenEvents += 1;
    integersChecked += Object.entries(event.gen_ai?.usage ?? {}).filter(([k, v]) => k !== 'cost_usd' && typeof v === 'number').length;
    integersChecked += ['exit_code', 'duration_ms'].filter((k) => typeof event.command?.[k] === 'number').length;
    const problems = [...unsafeIntegerPaths(event), ...exponentNumbers(line).map((n) => `number written with an exponent: ${n}`)];
    if (event.schema_version !== '1.0' || event.vendor !== 'beacon' || event.event?.kind !== 'agent_runtime') problems.push(`not a Beacon 1.0 event: ${line.slice(0, 200)}`);
    if (problems.length > 0) bad.push({ line: i + 1, problems });
  });
  expect(bad.slice(0, 3)).toEqual([]);
  // The report counts what the log holds; the collector writes whole lines only, so nothing is skipped.
  expect(report.events).toBe(lines.length);
  expect(report.malformedLines).toBe(0);
  expect(report.malformedExamples).toEqual([]);
  expect(report.lastLineTorn).toBe(false);
  expect(report.captureFound).toBe(true);
  expect(report.tokenEvents).toBe(tokenEvents);
  return { events: report.events, log, integersChecked, tokenEvents };
}

interface Seed {
  name: string;
  path: string;
  contentType: string;
  body: Buffer;
  layout?: ProtobufLayout;
  weight: number;
}

function seeds(): Seed[] {
  const protobuf = (name: string, path: string, body: Buffer, weight: number): Seed => ({ name, path, contentType: 'application/x-protobuf', body, layout: layoutOf(body), weight });
  const json = (name: string, path: string, body: Buffer, weight: number): Seed => ({ name, path, contentType: 'application/json', body, weight });
  // In arrival order: 001-logs, 002-traces, 003-traces, 004-metrics, 005-logs.
  const [logs1, , traces2, metrics, logs2] = fixtureRequests('tool-call-protobuf');
  const metricsFromJson = fixtureTemplate('interval-exports-json/003-metrics.json', 'protobuf');
  const fromJson = (file: string) => fixtureTemplate(file, 'json');
  return [
    protobuf('tool-call-protobuf/001-logs.pb', logs1!.path, logs1!.body, 6),
    protobuf('tool-call-protobuf/005-logs.pb', logs2!.path, logs2!.body, 6),
    protobuf('tool-call-protobuf/003-traces.pb', traces2!.path, traces2!.body, 3),
    protobuf('tool-call-protobuf/004-metrics.pb', metrics!.path, metrics!.body, 1),
    protobuf(metricsFromJson.name, metricsFromJson.path, metricsFromJson.plain, 2),
    json('interval-exports-json/001-logs.json', '/v1/logs', fromJson('interval-exports-json/001-logs.json').plain, 5),
    json('interval-exports-json/008-logs.json', '/v1/logs', fromJson('interval-exports-json/008-logs.json').plain, 3),
    json('interval-exports-json/003-metrics.json', '/v1/metrics', fromJson('interval-exports-json/003-metrics.json').plain, 3),
    json('interval-exports-json/005-logs.json', '/v1/logs', fromJson('interval-exports-json/005-logs.json').plain, 1),
  ];
}

type Mutator = (rng: Prng, body: Uint8Array, layout: ProtobufLayout) => Uint8Array;
const BLIND: [string, Mutator][] = [
  ['flip bits', flipBits],
  ['noise bytes', noiseBytes],
  ['cut', cut],
  ['splice', spliceRange],
];
const PROTOBUF: [string, Mutator][] = [
  ...BLIND,
  ['wrong wire type', wrongWireType],
  ['huge length', hugeLength],
  ['invalid UTF-8 in a string', invalidUtf8InString],
  ['deep cut', deepCut],
];
const JSON_MUTATORS: [string, Mutator][] = [
  ...BLIND,
  ['invalid UTF-8 in JSON', (rng, body) => invalidUtf8InJson(rng, body)],
  ['wrong JSON type', (rng, body) => wrongJsonType(rng, body)],
];

interface FuzzCase {
  index: number;
  description: string;
  path: string;
  contentType: string;
  body: Buffer;
}

const FUZZ_SEED = 0xf022;

/** Case `index` alone, from its own seed: a failure names the index, and the case replays. */
function mutatedCase(index: number, all: Seed[]): FuzzCase {
  const rng = new Prng(FUZZ_SEED * 100_003 + index);
  const total = all.reduce((n, s) => n + s.weight, 0);
  let x = rng.next() * total;
  const seed = all.find((s) => (x -= s.weight) < 0) ?? all[0]!;
  const mutators = seed.layout ? PROTOBUF : JSON_MUTATORS;
  let body: Uint8Array = seed.body;
  const applied: string[] = [];
  // Mostly one mutation, sometimes two stacked (the structure-aware ones need the original layout).
  for (let n = rng.bool(0.2) ? 2 : 1; n > 0; n--) {
    const [name, mutate] = applied.length === 0 ? rng.pick(mutators) : rng.pick(BLIND);
    body = mutate(rng, body, seed.layout!);
    applied.push(name);
  }
  return { index, description: `${seed.name}: ${applied.join(' + ')}`, path: seed.path, contentType: seed.contentType, body: Buffer.from(body) };
}

const NEST_DEPTHS = [1, 10, 32, 33, 62, 63, 64, 65, 66, 100, 1_000, 10_000, 100_000];

/** A Codex tool_result record carrying one attribute nested `depth` deep, in both encodings. */
function nestedCases(): FuzzCase[] {
  const record = codexLogRecord({ eventName: 'codex.tool_result', attributes: { tool_name: 'exec_command', call_id: 'call_1', arguments: '{"cmd":"echo hi"}', output: 'hi', success: 'true', duration_ms: '5' } });
  const cases: FuzzCase[] = [];
  for (const depth of NEST_DEPTHS) {
    for (const kind of ['array', 'kvlist'] as NestKind[]) {
      const leaf = `leaf-${kind}-${depth}`;
      cases.push({ index: -1, description: `protobuf ${kind} nested ${depth} deep`, path: '/v1/logs', contentType: 'application/x-protobuf', body: logsRequestWithRawAttribute(record, 'nested', nestedAnyValueProtobuf(depth, kind, leaf)) });
      cases.push({ index: -1, description: `JSON ${kind} nested ${depth} deep`, path: '/v1/logs', contentType: 'application/json', body: logsRequestWithRawAttributeJson(record, 'nested', nestedAnyValueJson(depth, kind, leaf)) });
    }
  }
  return cases;
}

// Linux: memory and sockets are read from /proc.
describe.runIf(process.platform === 'linux')('fuzzing the receiver', () => {
  const MUTATED = 10_000;
  const PARALLEL = 8;

  it(`${MUTATED} mutated fixture bodies and deeply nested values: 2xx or 4xx only, no crash, bounded memory, only valid lines`, async () => {
    const c = await collectors.start();
    const all = seeds();
    const nested = nestedCases();
    const results: { fuzzCase: FuzzCase; outcome: Outcome }[] = [];
    const rssSamples: number[] = [];
    let rssAfterWarmUp = 0;
    let sentCount = 0;

    // Nested ones first (they are the heaviest), then the mutated ones, interleaved over the senders.
    const queue: (() => FuzzCase)[] = [...nested.map((n) => () => n), ...Array.from({ length: MUTATED }, (_, i) => () => mutatedCase(i, all))];
    let next = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        const sender = new KeepAliveSender(c.port);
        while (next < queue.length) {
          const fuzzCase = queue[next++]!();
          const outcome = await sender.send(fuzzCase.path, { 'content-type': fuzzCase.contentType, 'x-beacon-secret': c.secret }, fuzzCase.body);
          results.push({ fuzzCase, outcome });
          sentCount += 1;
          if (sentCount === 500) rssAfterWarmUp = rssKiB(c.pid);
          if (sentCount % 1000 === 0) rssSamples.push(rssKiB(c.pid));
          if (outcome.error) break; // reported below
        }
        sender.close();
      }),
    );
    const rssAtEnd = rssKiB(c.pid);

    // Only answers, only 2xx/4xx; the first offenders named with their case (index = seed offset).
    const offenders = results.filter(({ outcome }) => outcome.status === undefined || !((outcome.status >= 200 && outcome.status < 300) || (outcome.status >= 400 && outcome.status < 500)));
    expect(offenders.slice(0, 5).map(({ fuzzCase, outcome }) => ({ index: fuzzCase.index, description: fuzzCase.description, status: outcome.status, error: outcome.error, body: outcome.body?.toString('utf8', 0, 200) }))).toEqual([]);
    expect(results.length).toBe(queue.length);
    expect(c.child.exitCode).toBeNull();

    // Protobuf refuses AnyValues nested past its limit; shallow ones are kept whole.
    const nestedStatus = (description: string) => results.find((r) => r.fuzzCase.description === description)!.outcome.status;
    for (const kind of ['array', 'kvlist']) {
      expect(nestedStatus(`protobuf ${kind} nested 10 deep`)).toBe(200);
      expect(nestedStatus(`JSON ${kind} nested 10 deep`)).toBe(200);
      expect(nestedStatus(`protobuf ${kind} nested 100000 deep`)).toBe(400);
    }
    const lines = expectValidCapture(c);
    expect(c.captureText()).toContain('"leaf-array-10"');

    // Memory: what 10,000 hostile bodies leave behind is bounded.
    const byStatus = countBy(results, (r) => String(r.outcome.status));
    console.info(`fuzz: ${results.length} bodies, answers ${JSON.stringify(byStatus)}, ${lines} lines written; RSS after warm-up ${rssAfterWarmUp} KiB, samples ${rssSamples.join(', ')}, at end ${rssAtEnd} KiB`);
    expect(Math.max(...rssSamples, rssAtEnd)).toBeLessThan(rssAfterWarmUp + 64 * 1024);

    // Still serving, and its stats count every refusal.
    const [logs] = fixtureRequests('tool-call-protobuf');
    expect((await c.post(logs!)).status).toBe(200);
    const stats: CollectorStats = await c.shutdown();
    const rejected = countBy(
      results.filter((r) => r.outcome.status !== 200),
      (r) => String(r.outcome.status),
    );
    expect(stats.rejected).toEqual(rejected);
    expect(stats.eventsWritten).toBe(lines + 2);

    // The post step over what the fuzzed requests left: every event the collector wrote is in the log, every line valid.
    const post = await expectValidRuntimeLog(c);
    console.info(`fuzz: post step wrote ${post.events} events (${post.log}), ${post.tokenEvents} token.usage, ${post.integersChecked} schema integers checked`);
    expect(post.events).toBe(stats.eventsWritten);
    expect(post.tokenEvents).toBeGreaterThan(0);
    expect(post.integersChecked).toBeGreaterThan(0);
  });

  it('refuses lengths that lie without allocating them: a protobuf length, a Content-Length, a chunked body past the limit', async () => {
    const c = await collectors.start({ maxBodyBytes: 4 * 1024 * 1024 });
    const [logs] = fixtureRequests('tool-call-protobuf');
    const baseline = rssKiB(c.pid);
    for (let i = 0; i < 50; i++) {
      // ExportLogsServiceRequest.resource_logs claiming 2^40 .. 2^62 bytes, followed by the real body.
      const claim = Buffer.from([...tag(1, 2), ...varint(2n ** 40n + BigInt(i) * 2n ** 56n), ...logs!.body]);
      const answer = await c.post({ path: '/v1/logs', contentType: 'application/x-protobuf', body: claim });
      expect(answer.status).toBe(400);
    }
    // A Content-Length of a petabyte with a small body: refused on the header, before any read.
    const declared = await rawExchange(c.port, `POST /v1/logs HTTP/1.1\r\nHost: x\r\nx-beacon-secret: ${c.secret}\r\ncontent-type: application/x-protobuf\r\ncontent-length: 1000000000000000\r\n\r\nabc`);
    expect(declared).toMatch(/^HTTP\/1\.1 413 /);
    expect(declared.toLowerCase()).toContain('connection: close');
    // A chunked body with no length that keeps coming: cut off at the limit.
    const streamed = await streamChunked(c.port, c.secret, 64 * 1024, 64 * 1024 * 1024);
    expect(streamed.status === 413 || streamed.error === 'ECONNRESET' || streamed.error === 'EPIPE', JSON.stringify(streamed)).toBe(true);
    expect(streamed.sentBytes).toBeLessThan(64 * 1024 * 1024); // refused long before the end
    expect(rssKiB(c.pid) - baseline).toBeLessThan(32 * 1024);
    expect(c.captureText()).toBe('');
    expect((await c.post(logs!)).status).toBe(200);
    const stats = await c.shutdown();
    expect(stats.rejected).toEqual({ '400': 50, '413': 2 });
  });
});

/** Sends raw bytes, returns what came back until the server closed (or 2 s passed). */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    void connect(port).then((socket) => {
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => (answer += d));
      socket.on('close', () => resolve(answer));
      socket.on('error', () => undefined);
      setTimeout(() => socket.destroy(), 2_000).unref();
      socket.write(request);
    });
  });
}

/**
 * Streams a chunked body in `chunk`-byte pieces until the answer comes or `max` bytes went out.
 * The collector answers and closes while data is still coming, so the client may see the reset
 * before it reads the answer: either is a refusal.
 */
function streamChunked(port: number, secret: string, chunk: number, max: number): Promise<{ status?: number; error?: string; sentBytes: number }> {
  return new Promise((resolve) => {
    let sentBytes = 0;
    let done = false;
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/logs', agent: false, headers: { 'content-type': 'application/json', 'x-beacon-secret': secret, 'transfer-encoding': 'chunked' } }, (res) => {
      done = true;
      res.on('error', () => undefined);
      res.resume();
      resolve({ status: res.statusCode, sentBytes });
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (!done) resolve({ error: e.code, sentBytes });
      done = true;
    });
    const piece = Buffer.alloc(chunk, 0x20);
    const pump = () => {
      while (!done && sentBytes < max) {
        sentBytes += chunk;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      if (!done) req.end();
    };
    pump();
  });
}

describe.runIf(process.platform === 'linux')('slow and silent clients', () => {
  // The collector config's hidden `timeouts` knob, so the test need not wait for the 5 s / 15 s defaults.
  const timeouts = { headersMs: 1_000, requestMs: 2_000, idleMs: 1_000, keepAliveMs: 1_000, drainMs: 1_000 };

  it('100 silent connections and 5 tricklers neither block nor delay a normal sender, and are cut off by the timeouts', async () => {
    const c = await collectors.start({ timeouts } as never);
    const [logs] = fixtureRequests('tool-call-protobuf');
    const socketsAtStart = openSockets(c.pid); // the listener and the stderr pipe
    const openedAt = Date.now();
    const silent = await Promise.all(Array.from({ length: 100 }, () => connect(c.port)));
    const silentClosedAt: number[] = [];
    for (const socket of silent) {
      socket.on('close', () => silentClosedAt.push(Date.now() - openedAt));
      socket.on('error', () => undefined);
    }
    const tricklers = await Promise.all(Array.from({ length: 5 }, () => trickle(c.port, c.secret, logs!.body)));

    // While they hold their connections: normal requests, each answered fast.
    const latencies: number[] = [];
    const sender = new KeepAliveSender(c.port);
    for (let i = 0; i < 20; i++) {
      const outcome = await sender.send('/v1/logs', { 'content-type': 'application/x-protobuf', 'x-beacon-secret': c.secret }, logs!.body);
      expect(outcome.status).toBe(200);
      latencies.push(outcome.ms);
      await new Promise((r) => setTimeout(r, 20));
    }
    sender.close();
    expect(Math.max(...latencies)).toBeLessThan(200);

    // The timeouts end them: silent ones after idleMs, tricklers with 408 after requestMs.
    expect(await waitUntil(() => silentClosedAt.length === 100, 5_000)).toBe(true);
    expect(Math.max(...silentClosedAt)).toBeLessThan(timeouts.idleMs + 1_500);
    const trickled = await Promise.all(tricklers.map((t) => t.answer));
    for (const t of trickled) {
      expect(t.status).toBe('HTTP/1.1 408 Request Timeout');
      expect(t.ms).toBeLessThan(timeouts.requestMs + 1_500);
      expect(t.bytesSent).toBeLessThan(logs!.body.length);
    }
    expect(c.events().length).toBe(40);
    // Every connection is gone: the process holds what it held before they came.
    expect(await waitUntil(() => openSockets(c.pid) === socketsAtStart, 3_000)).toBe(true);
  });

  it('a collector full of silent connections recovers once they time out', async () => {
    const c = await collectors.start({ timeouts } as never);
    const [logs] = fixtureRequests('tool-call-protobuf');
    const silent = await Promise.all(Array.from({ length: 300 }, () => connect(c.port).catch(() => undefined)));
    for (const socket of silent) socket?.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, timeouts.idleMs + 1_200));
    const answer = await c.post(logs!);
    expect(answer.status).toBe(200);
    for (const socket of silent) socket?.destroy();
  });
});

/** Sockets the process holds open (Linux /proc), the listening one included. */
function openSockets(pid: number): number {
  return fs.readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:');
    } catch {
      return false;
    }
  }).length;
}

/** A client that sends its headers, then its body one byte every 100 ms. */
async function trickle(port: number, secret: string, body: Buffer): Promise<{ answer: Promise<{ status: string; ms: number; bytesSent: number }> }> {
  const socket: net.Socket = await connect(port);
  const started = Date.now();
  socket.write(`POST /v1/logs HTTP/1.1\r\nHost: x\r\nx-beacon-secret: ${secret}\r\ncontent-type: application/x-protobuf\r\ncontent-length: ${body.length}\r\n\r\n`);
  let bytesSent = 0;
  const timer = setInterval(() => {
    if (bytesSent < body.length && !socket.destroyed) socket.write(body.subarray(bytesSent, ++bytesSent));
  }, 100);
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (received += d));
  socket.on('error', () => undefined);
  const answer = new Promise<{ status: string; ms: number; bytesSent: number }>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ status: received.split('\r\n')[0] ?? '', ms: Date.now() - started, bytesSent });
    }),
  );
  return { answer };
}
