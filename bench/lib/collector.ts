/** The built collector (the dist snapshot) as its own process, and HTTP senders for it. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { CONTROL_HEADER, type CollectorConfig, type CollectorStats, type ReadyFile } from '../../src/handoff/collector-config.js';
import { DIST, NODE, SCRATCH } from './env.js';
import { waitForJson } from './proc.js';
import { COLLECTOR_NODE_ARGS } from '../../src/start/launch-collector.js';
import { collectorConfigIn } from '../../test/support/collector-process.js';

export interface Answer {
  status: number;
  body: Buffer;
  /** From the first byte written to the last byte of the answer. */
  ms: number;
}

/** POST over a given agent (keep-alive, like Codex's exporter), timed. */
export function post(agent: http.Agent, port: number, urlPath: string, body: Uint8Array, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: urlPath, agent, headers: { 'content-length': String(body.length), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface RunningCollector {
  port: number;
  pid: number;
  secret: string;
  config: CollectorConfig;
  child: ChildProcess;
  /** Headers every export needs (content type and secret). */
  headers(contentType: string): Record<string, string>;
  /** Asks it to stop (POST /shutdown with the control secret) and waits for its exit and stats. */
  shutdown(): Promise<CollectorStats>;
  kill(): void;
}

let started = 0;

/** `nodeArgs` go before the script (e.g. --cpu-prof); BENCH_COLLECTOR_NODE_ARGS adds more, for profiling a row. */
export async function startCollector(overrides: Partial<CollectorConfig> = {}, nodeArgs: string[] = []): Promise<RunningCollector> {
  const dir = fs.mkdtempSync(path.join(SCRATCH, `collector-${++started}-`));
  const secret = 'bench-secret-0123456789abcdef';
  const config = collectorConfigIn(dir, {
    secret,
    maxLifetimeMs: 15 * 60_000,
    attribution: {
      endpoint: { hostname: 'runner-bench', os: 'linux' },
      origin: 'ci',
      run: { provider: 'github_actions', run_id: '1234567890', run_attempt: '1', workflow: 'Agent review', job: 'review', repository: 'octo-org/octo-repo', branch: 'main', ephemeral: true },
      repository: 'https://github.com/octo-org/octo-repo',
      branch: 'main',
    },
    ...overrides,
  });
  const configPath = path.join(dir, 'collector.json');
  fs.writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });
  const extraArgs = (process.env.BENCH_COLLECTOR_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // The Node options the start step gives the collector, so the figures are the action's own.
  const child = spawn(NODE, [...COLLECTOR_NODE_ARGS, ...nodeArgs, ...extraArgs, path.join(DIST, 'collector', 'index.js'), configPath], { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let ready: ReadyFile;
  try {
    ready = await waitForJson<ReadyFile>(config.readyPath, 15_000, () => child.exitCode === null);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`the collector did not start: ${(error as Error).message}\n${stderr}`);
  }
  const shutdownAgent = new http.Agent({ keepAlive: false });
  return {
    port: ready.port,
    pid: ready.pid,
    secret,
    config,
    child,
    headers: (contentType) => ({ 'content-type': contentType, 'x-beacon-secret': secret }),
    async shutdown() {
      const answer = await post(shutdownAgent, ready.port, '/shutdown', new Uint8Array(), { [CONTROL_HEADER]: config.controlSecret });
      if (answer.status !== 200) throw new Error(`shutdown answered ${answer.status}`);
      await exited;
      return JSON.parse(fs.readFileSync(config.statsPath, 'utf8')) as CollectorStats;
    },
    kill: () => void child.kill('SIGKILL'),
  };
}

/** Lines of a file, counted without holding it in memory. */
export function countLines(file: string): number {
  const fd = fs.openSync(file, 'r');
  const buffer = Buffer.allocUnsafe(1 << 20);
  let lines = 0;
  try {
    for (;;) {
      const read = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      let at = buffer.indexOf(10, 0);
      while (at !== -1 && at < read) {
        lines += 1;
        at = buffer.indexOf(10, at + 1);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return lines;
}
