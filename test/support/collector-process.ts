import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { CONTROL_HEADER, SECRET_HEADER, type CollectorConfig, type CollectorStats, type ReadyFile } from '../../src/handoff/collector-config.js';
import { captureCompanions } from '../../src/handoff/workspace.js';
import { DIST } from './runner.js';

/** The built collector (`dist/collector/index.js`) as its own process, for receiver tests. */

import { FIXTURES } from './fixtures-path.js';
import { COLLECTOR_NODE_ARGS } from '../../src/start/launch-collector.js';
export { FIXTURES };

export interface FixtureRequest {
  path: string;
  contentType: string;
  body: Buffer;
}

/** The requests of one capture, in arrival order, as the real Codex CLI sent them. */
export function fixtureRequests(capture: string): FixtureRequest[] {
  const dir = path.join(FIXTURES, capture);
  return fs
    .readFileSync(path.join(dir, 'requests.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { path: string; content_type: string; body_file: string })
    .map((r) => ({ path: r.path, contentType: r.content_type, body: fs.readFileSync(path.join(dir, r.body_file)) }));
}

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export function httpRequest(port: number, options: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string }): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body);
    const req = http.request(
      { host: '127.0.0.1', port, method: options.method ?? 'POST', path: options.path, headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...options.headers }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export interface RunningCollector {
  port: number;
  pid: number;
  /** The telemetry secret (`x-beacon-secret`, export paths only). */
  secret: string;
  /** The control secret (`x-beacon-control`, /shutdown and /health only). */
  controlSecret: string;
  dir: string;
  config: CollectorConfig;
  child: ChildProcess;
  exited: Promise<number | null>;
  post(request: FixtureRequest | { path: string; contentType: string; body: Buffer | string }, headers?: Record<string, string>): Promise<HttpAnswer>;
  /** The events the collector wrote (parsed lines): the capture's, then the token file's. */
  events(): Record<string, any>[];
  /** The capture file's text followed by the token file's. */
  captureText(): string;
  /** GET /health with the control secret. */
  health(): Promise<HttpAnswer>;
  shutdown(): Promise<CollectorStats>;
}

/** The headers of a control request (shutdown, health). */
export function controlHeaders(controlSecret: string): Record<string, string> {
  return { [CONTROL_HEADER]: controlSecret };
}

/** A collector config whose files are in `dir`: the Codex rules, spans and prompt text off, a 32 MiB body limit. */
export function collectorConfigIn(dir: string, overrides: Partial<CollectorConfig> = {}): CollectorConfig {
  return {
    secret: 'test-secret-0123456789',
    controlSecret: 'test-control-secret-9876543210',
    port: 0,
    capturePath: path.join(dir, 'capture.jsonl'),
    statsPath: path.join(dir, 'stats.json'),
    readyPath: path.join(dir, 'ready.json'),
    harness: 'codex',
    includeSpans: false,
    logUserPrompt: false,
    maxBodyBytes: 32 * 1024 * 1024,
    maxLifetimeMs: 120_000,
    attribution: { endpoint: { hostname: 'test-host', os: 'linux' }, origin: 'ci', run: { provider: 'github_actions', run_id: '77', ephemeral: true }, repository: 'https://github.com/o/r', branch: 'main' },
    ...overrides,
  };
}

export async function startCollectorProcess(overrides: Partial<CollectorConfig> = {}, env: Record<string, string> = {}): Promise<RunningCollector> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-collector-'));
  const config = collectorConfigIn(dir, overrides);
  const { secret, controlSecret } = config;
  const configPath = path.join(dir, 'collector.json');
  fs.writeFileSync(configPath, JSON.stringify(config));
  const child = spawn(process.execPath, [...COLLECTOR_NODE_ARGS, path.join(DIST, 'collector', 'index.js'), configPath], { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '', ...env } });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 10_000;
  let ready: ReadyFile | undefined;
  while (!ready) {
    try {
      ready = JSON.parse(fs.readFileSync(config.readyPath, 'utf8')) as ReadyFile;
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`collector did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  const port = ready.port;
  // What the collector wrote: the capture, then its token events (a file of their own).
  const readIfPresent = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
  const captureText = () => readIfPresent(config.capturePath) + readIfPresent(captureCompanions(config.capturePath).tokenPoints);
  return {
    port,
    pid: ready.pid,
    secret,
    controlSecret,
    dir,
    config,
    child,
    exited,
    post: (request, headers = {}) => httpRequest(port, { path: request.path, body: request.body, headers: { 'content-type': request.contentType, [SECRET_HEADER]: secret, ...headers } }),
    captureText,
    events: () =>
      captureText()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line)),
    health: () => httpRequest(port, { method: 'GET', path: '/health', headers: controlHeaders(controlSecret) }),
    async shutdown() {
      const answer = await httpRequest(port, { path: '/shutdown', headers: controlHeaders(controlSecret) });
      if (answer.status !== 200) throw new Error(`shutdown answered ${answer.status}`);
      await exited;
      return JSON.parse(fs.readFileSync(config.statsPath, 'utf8')) as CollectorStats;
    },
  };
}

/**
 * The collector processes one test file starts, so that no test leaves one behind: call
 * `stopAll` from `afterEach` (this module stays free of vitest: the benchmarks import it too).
 */
export class CollectorProcesses {
  private readonly running: RunningCollector[] = [];

  /** Starts the built collector (see `startCollectorProcess`) and remembers it for `stopAll`. */
  async start(...args: Parameters<typeof startCollectorProcess>): Promise<RunningCollector> {
    const c = await startCollectorProcess(...args);
    this.running.push(c);
    return c;
  }

  /** Kills each collector still running and removes its folder. */
  stopAll(): void {
    for (const c of this.running.splice(0)) {
      if (c.child.exitCode === null) c.child.kill('SIGKILL');
      fs.rmSync(c.dir, { recursive: true, force: true });
    }
  }
}

/** Counts of a list by a key. */
export function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}
