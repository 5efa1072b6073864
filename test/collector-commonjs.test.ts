import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CollectorConfig, CollectorStats } from '../src/handoff/collector-config.js';
import { captureCompanions } from '../src/handoff/workspace.js';
import { LISTEN_FD_FLAG, LISTEN_IPC_FLAG, LISTEN_MESSAGE, LISTENING_MESSAGE } from '../src/handoff/listen-socket.js';
import { bindLoopback, COLLECTOR_NODE_ARGS, portOf } from '../src/start/launch-collector.js';
import { collectorConfigIn, controlHeaders, countBy, fixtureRequests, httpRequest } from './support/collector-process.js';
import { DIST, ROOT } from './support/runner.js';

/**
 * The collector bundle is CommonJS (scripts/build.mjs): an ES module entry makes Node load its ESM
 * loader, about 1 MB more idle RSS (BENCHMARKS.md, memory). dist/package.json says module for the
 * start and finish bundles, so dist/collector/ needs its own package.json. Run under the pinned
 * Node 24 the action runs on and under the Node on PATH (20 on this project's machines: older than
 * the 22.15 that developing needs, package.json's engines, and the bundle must not care). Each run
 * loads a preload that reports, at exit, how Node loaded the bundle.
 */

const BUNDLE = path.join(DIST, 'collector', 'index.js');
const SECRET = 'commonjs-test-secret-0123456789';
/** What the tool-call-protobuf capture's requests must leave in the capture (as in collector.test.ts). */
const KEPT = { 'session.started': 1, 'prompt.submitted': 1, 'approval.requested': 1, 'command.executed': 1, 'token.usage': 6 };

// The npm package `node` (24): its binary, not the node_modules/.bin shim (a .cmd on Windows).
const PINNED_NODE = path.join(ROOT, 'node_modules', 'node', 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
/** The first `node` on PATH outside node_modules (under npm, node_modules/.bin comes first and is the pinned one). */
function nodeOnPath(): string {
  const ownBins = path.join(ROOT, 'node_modules');
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir || path.resolve(dir).startsWith(ownBins)) continue;
    const candidate = path.join(dir, process.platform === 'win32' ? 'node.exe' : 'node');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error('no node on PATH outside node_modules');
}
/**
 * The oldest Node the collector bundle is run under here (the Node on PATH of this project's
 * machines). Not package.json's engines: that is the Node for developing (22.15, which the dev
 * dependencies need), while the bundle itself (ES2022, CommonJS) needs nothing of a newer Node.
 */
const OLDEST_BUNDLE_MAJOR = 20;
const RUNTIMES = [
  { name: 'the pinned Node (npm package node@24)', node: PINNED_NODE, majors: [24, 24] },
  { name: 'the Node on PATH', node: nodeOnPath(), majors: [OLDEST_BUNDLE_MAJOR, Infinity] },
];
/** A socket handed over as a descriptor: not on Windows, where the start step uses IPC. */
const itWithFd = it.runIf(process.platform !== 'win32');

/** Written by the preload at exit: the CommonJS main module (none for an ES module entry) and whether node:https was loaded. */
interface LoadReport {
  mainModule: string | null;
  httpsLoaded: boolean;
}
const PRELOAD = `process.on('exit', () => require('node:fs').writeFileSync(process.env.LOAD_REPORT, JSON.stringify({
  mainModule: process.mainModule ? process.mainModule.filename : null,
  httpsLoaded: process.moduleLoadList.includes('NativeModule https'),
})));
`;

const children: ChildProcess[] = [];
const dirs: string[] = [];
const listeners: net.Server[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const listener of listeners.splice(0)) listener.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

interface Launched {
  child: ChildProcess;
  dir: string;
  config: CollectorConfig;
  exited: Promise<number | null>;
  stderr: () => string;
  loadReport: () => LoadReport;
  stats: () => CollectorStats;
}

/** Spawns the built collector as the start step does (its Node options; the socket over fd 3 or IPC, or none). */
function launch(node: string, handOver: { fd: number } | 'ipc' | 'own-port', overrides: Partial<CollectorConfig> = {}): Launched {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-commonjs-'));
  dirs.push(dir);
  const config = collectorConfigIn(dir, { secret: SECRET, maxLifetimeMs: 60_000, ...overrides });
  const configPath = path.join(dir, 'collector.json');
  fs.writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });
  const preload = path.join(dir, 'load-report.cjs');
  fs.writeFileSync(preload, PRELOAD);
  const reportPath = path.join(dir, 'load-report.json');
  const flag = handOver === 'ipc' ? [LISTEN_IPC_FLAG] : handOver === 'own-port' ? [] : [`${LISTEN_FD_FLAG}3`];
  const fourth = handOver === 'ipc' ? 'ipc' : handOver === 'own-port' ? 'ignore' : handOver.fd;
  const child = spawn(node, [...COLLECTOR_NODE_ARGS, '--require', preload, BUNDLE, configPath, ...flag], {
    stdio: ['ignore', 'ignore', 'pipe', fourth],
    env: { PATH: process.env.PATH ?? '', LOAD_REPORT: reportPath },
  });
  children.push(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    dir,
    config,
    exited,
    stderr: () => stderr,
    loadReport: () => JSON.parse(fs.readFileSync(reportPath, 'utf8')) as LoadReport,
    stats: () => JSON.parse(fs.readFileSync(config.statsPath, 'utf8')) as CollectorStats,
  };
}

/** A bound loopback listener, closed here once the collector has its copy (as the start step does). */
async function listener(): Promise<{ server: net.Server; port: number; fd: number }> {
  const server = await bindLoopback();
  listeners.push(server);
  const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
  return { server, port: portOf(server), fd };
}

async function health(port: number, launched: Launched) {
  const answer = await httpRequest(port, { method: 'GET', path: '/health', headers: controlHeaders(launched.config.controlSecret) });
  return { status: answer.status, body: JSON.parse(answer.body.toString('utf8')) as unknown };
}

async function shutdown(port: number, launched: Launched): Promise<number | null> {
  const answer = await httpRequest(port, { path: '/shutdown', headers: controlHeaders(launched.config.controlSecret) });
  expect(answer.status).toBe(200);
  return launched.exited;
}

/** A port nobody listens on (bound, then closed). */
async function refusedPort(): Promise<number> {
  const server = await bindLoopback();
  const port = portOf(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

it('dist/collector/ is a CommonJS package inside the ES module dist/', () => {
  expect(JSON.parse(fs.readFileSync(path.join(DIST, 'collector', 'package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
  expect(JSON.parse(fs.readFileSync(path.join(DIST, 'package.json'), 'utf8'))).toEqual({ type: 'module' });
  expect(fs.readdirSync(path.join(DIST, 'collector')).sort()).toEqual(['index.js', 'package.json']);
});

describe.each(RUNTIMES)('under $name', ({ node, majors: [lowest, highest] }) => {
  it(`is a Node the bundle is meant to run on (${lowest}${highest === lowest ? '' : ' or later'})`, () => {
    const major = Number(execFileSync(node, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).trim());
    expect(major).toBeGreaterThanOrEqual(lowest);
    expect(major).toBeLessThanOrEqual(highest);
  });

  itWithFd('loads as CommonJS, serves the socket handed over as fd 3, keeps the fixture events and writes its stats at shutdown', async () => {
    const { server, port, fd } = await listener();
    const c = launch(node, { fd });
    server.close(); // the child has its copy once spawned
    expect(await health(port, c)).toEqual({ status: 200, body: { ok: true, pid: c.child.pid, eventsWritten: 0 } });
    expect((await httpRequest(port, { method: 'GET', path: '/health', headers: controlHeaders('wrong') })).status).toBe(401);
    expect((await httpRequest(port, { method: 'GET', path: '/health', headers: { 'x-beacon-secret': SECRET } })).status).toBe(401);
    for (const request of fixtureRequests('tool-call-protobuf')) {
      const answer = await httpRequest(port, { path: request.path, body: request.body, headers: { 'content-type': request.contentType, 'x-beacon-secret': SECRET } });
      expect(answer.status).toBe(200);
    }
    expect(await shutdown(port, c)).toBe(0);
    const events = [c.config.capturePath, captureCompanions(c.config.capturePath).tokenPoints]
      .flatMap((file) => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean))
      .map((line) => JSON.parse(line) as { event: { action: string } });
    expect(countBy(events, (e) => e.event.action)).toEqual(KEPT);
    const stats = c.stats();
    expect(stats.stopReason).toBe('shutdown request');
    expect(stats.eventsWritten).toBe(events.length);
    expect(c.loadReport()).toEqual({ mainModule: BUNDLE, httpsLoaded: false });
  });

  it('takes the socket over IPC (--listen-ipc) and says so', async () => {
    const { server, port } = await listener();
    const c = launch(node, 'ipc');
    const listening = new Promise<unknown>((resolve) => c.child.once('message', resolve));
    c.child.send(LISTEN_MESSAGE, server);
    expect(await listening).toBe(LISTENING_MESSAGE);
    server.close();
    expect(await health(port, c)).toEqual({ status: 200, body: { ok: true, pid: c.child.pid, eventsWritten: 0 } });
    expect(await shutdown(port, c)).toBe(0);
    expect(c.stats().stopReason).toBe('shutdown request');
    expect(c.loadReport()).toEqual({ mainModule: BUNDLE, httpsLoaded: false });
  });

  it('records a boot failure in the stats file and exits 1', async () => {
    const capturePath = path.join(os.tmpdir(), `beacon-no-such-folder-${process.pid}`, 'capture.jsonl');
    const c = launch(node, 'own-port', { capturePath });
    expect(await c.exited).toBe(1);
    const openError = `ENOENT: no such file or directory, open '${capturePath}'`;
    expect(c.stats().stopReason).toBe(`failed to start: ${openError}`);
    expect(c.stderr()).toContain(`collector: fatal: Error: ${openError}`);
    expect(c.loadReport()).toEqual({ mainModule: BUNDLE, httpsLoaded: false });
  });

  itWithFd('loads node:https only for an https forward endpoint, and forwards through it', async () => {
    const refused = await refusedPort();
    const { server, port, fd } = await listener();
    const c = launch(node, { fd }, { forward: { endpoint: `https://127.0.0.1:${refused}`, headers: {}, required: false, shutdownLimitMs: 300 } });
    server.close();
    const [logs] = fixtureRequests('tool-call-protobuf').filter((r) => r.path === '/v1/logs');
    expect((await httpRequest(port, { path: logs!.path, body: logs!.body, headers: { 'content-type': logs!.contentType, 'x-beacon-secret': SECRET } })).status).toBe(200);
    expect(await shutdown(port, c)).toBe(0);
    // The https client was built and tried: the refusal is the last error, not a failure to load it.
    expect(c.stats().forward?.lastError).toEqual({ outside: `connect ECONNREFUSED 127.0.0.1:${refused}` });
    expect(c.loadReport()).toEqual({ mainModule: BUNDLE, httpsLoaded: true });
  });
});
