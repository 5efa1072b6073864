import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive } from '../src/finish/stop-collector/stop-collector.js';
import type { CollectorConfig, CollectorStats, ReadyFile } from '../src/handoff/collector-config.js';
import { workspacePaths } from '../src/handoff/workspace.js';
import { bindLoopback, launchCollector, portOf } from '../src/start/launch-collector.js';
import { controlHeaders, countBy, fixtureRequests, httpRequest, type HttpAnswer } from './support/collector-process.js';
import { startedCaptureIn, tryConnect, waitUntil } from './support/http-senders.js';
import { instanceArgument } from '../src/handoff/collector-command-line.js';
import { DIST, SimulatedRunner, githubEnv, type StepResult } from './support/runner.js';
import { commandLineOf, killIfStillOurs } from './support/processes.js';
import { spoilWorkDir } from './support/spoil-work-dir.js';
import { validateBeaconLine } from './support/schema-validator.js';

/**
 * The start step binds the collector's listening socket itself, hands it over, and exits without
 * waiting for the collector's boot. Proved with the built start and collector bundles: the
 * endpoint answers right after the step, the socket belongs to the collector alone, and a
 * collector that dies at boot is reported by the post step.
 */

const runners: SimulatedRunner[] = [];
/** Collectors a test started, with what their command line holds (never kill a reused pid). */
const collectors: { pid: number; marker: string }[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const { pid, marker } of collectors.splice(0)) killIfStillOurs(pid, marker);
  for (const r of runners.splice(0)) r.cleanup();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function runner() {
  const r = new SimulatedRunner(githubEnv());
  runners.push(r);
  return r;
}

const NO_UPLOAD = { 'upload-artifact': 'false' };
/** What the post step must find of the tool-call-protobuf capture, and its token usage. */
const KEPT = { 'session.started': 1, 'prompt.submitted': 1, 'approval.requested': 1, 'command.executed': 1, 'token.usage': 6 };
const TURN_USAGE = { input_tokens: 450, cache_read_input_tokens: 2150, output_tokens: 80, reasoning_output_tokens: 30 };

function startedCapture(start: StepResult) {
  const capture = startedCaptureIn(start.state.workDir!);
  collectors.push({ pid: capture.pid, marker: capture.marker });
  return capture;
}

// Linux only, the socket tables: which sockets listen on a port, and which processes hold them,
// are read from /proc/net/tcp{,6} and /proc/PID/fd (macOS and Windows have no such files).

/** The inode of the socket listening on 127.0.0.1:port, and every listening row of that port (tcp and tcp6). */
function listeningRows(port: number): { inode: string; rows: string[] } {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const rows: string[] = [];
  let inode = '';
  for (const table of ['tcp', 'tcp6']) {
    for (const line of fs.readFileSync(`/proc/net/${table}`, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] !== '0A' || !cols[1]?.endsWith(`:${hexPort}`)) continue;
      rows.push(`${table} ${cols[1]}`);
      if (table === 'tcp' && cols[1] === `0100007F:${hexPort}`) inode = cols[9]!;
    }
  }
  return { inode, rows };
}

/** Every process that holds the socket with this inode open. */
function holdersOf(inode: string): number[] {
  const holders: number[] = [];
  for (const entry of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      for (const fd of fs.readdirSync(`/proc/${entry}/fd`)) {
        if (fs.readlinkSync(`/proc/${entry}/fd/${fd}`) === `socket:[${inode}]`) {
          holders.push(Number(entry));
          break;
        }
      }
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return holders;
}

/**
 * A connection attempt once nothing listens on the port any more. The pid turns zombie a moment
 * before the process's last thread has closed its files, so the socket may outlive that by a little:
 * on Linux, wait for its row to leave the socket table; elsewhere, for a connection to be refused.
 */
async function connectOnceClosed(port: number): Promise<string> {
  if (process.platform === 'linux') {
    expect(await waitUntil(() => listeningRows(port).rows.length === 0, 5_000)).toBe(true);
    return tryConnect(port, '127.0.0.1');
  }
  const deadline = Date.now() + 5_000;
  let outcome = await tryConnect(port, '127.0.0.1');
  while (outcome === 'connected' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    outcome = await tryConnect(port, '127.0.0.1');
  }
  return outcome;
}

function events(file: string): Record<string, any>[] {
  const lines = fs.readFileSync(file, 'utf8').split(/(?<=\n)/).filter(Boolean);
  expect(lines.map(validateBeaconLine).filter((errors) => errors.length > 0)).toEqual([]);
  return lines.map((line) => JSON.parse(line));
}

// The descriptor hand-over, as on Linux and macOS; Windows hands the socket over IPC (tested below).
describe.skipIf(process.platform === 'win32')('the start step hands its socket to the collector', () => {
  it('right after the step exits the endpoint takes requests: queued while the collector cannot run, then served, and in the capture', async () => {
    const r = runner();
    const start = await r.main({ inputs: NO_UPLOAD });
    expect(start.exitCode).toBe(0);
    const capture = startedCapture(start);
    // Frozen at once, most likely before it has finished booting: only the kernel can take a connection now.
    process.kill(capture.pid, 'SIGSTOP');
    const [firstLogs, ...rest] = fixtureRequests('tool-call-protobuf');
    expect(firstLogs!.path).toBe('/v1/logs');
    const answered: string[] = [];
    let health: Promise<HttpAnswer>;
    let logs: Promise<HttpAnswer>;
    try {
      expect(await tryConnect(capture.port, '127.0.0.1')).toBe('connected');
      health = httpRequest(capture.port, { method: 'GET', path: '/health', headers: controlHeaders(capture.controlSecret) }).finally(() => answered.push('health'));
      logs = httpRequest(capture.port, { path: firstLogs!.path, body: firstLogs!.body, headers: { 'content-type': firstLogs!.contentType, 'x-beacon-secret': capture.secret } }).finally(() => answered.push('logs'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(answered).toEqual([]);
    } finally {
      process.kill(capture.pid, 'SIGCONT');
    }
    const healthAnswer = await health;
    expect(healthAnswer.status).toBe(200);
    expect(JSON.parse(healthAnswer.body.toString()).pid).toBe(capture.pid);
    expect((await logs).status).toBe(200);
    for (const request of rest) {
      const answer = await httpRequest(capture.port, { path: request.path, body: request.body, headers: { 'content-type': request.contentType, 'x-beacon-secret': capture.secret } });
      expect(answer.status).toBe(200);
    }
    expect(fs.readFileSync(capture.paths.collectorLog, 'utf8')).toContain(`collector: listening on 127.0.0.1:${capture.port} (socket from the start step, fd)`);

    const post = await start.post();
    expect(post.exitCode).toBe(0);
    expect(post.stdout).toMatch(new RegExp(`beacon: collector \\(pid ${capture.pid}\\) stopped after \\d+ ms`));
    expect(countBy(events(capture.run.logPath), (e) => e.event.action)).toEqual(KEPT);
    expect(JSON.parse(fs.readFileSync(capture.run.usagePath, 'utf8')).totals).toMatchObject(TURN_USAGE);
  });

  it('the collector alone holds the listening socket, on 127.0.0.1 only; the ready file, run.json and the outputs name it', async () => {
    const r = runner();
    const start = await r.main({ inputs: { ...NO_UPLOAD, 'require-telemetry': 'false' } });
    expect(start.exitCode).toBe(0); // the step has exited and its pipes are closed
    const capture = startedCapture(start);
    expect(start.outputs['collector-endpoint']).toBe(`http://127.0.0.1:${capture.port}`);
    expect(JSON.parse(fs.readFileSync(capture.paths.ready, 'utf8'))).toEqual({ port: capture.port, pid: capture.pid });
    expect((JSON.parse(fs.readFileSync(capture.paths.collectorConfig, 'utf8')) as CollectorConfig).port).toBe(capture.port);

    if (process.platform === 'linux') {
      const { inode, rows } = listeningRows(capture.port);
      expect(rows).toEqual([`tcp 0100007F:${capture.port.toString(16).toUpperCase().padStart(4, '0')}`]);
      expect(holdersOf(inode)).toEqual([capture.pid]);
    }
    // Its command line says how it got its config and the socket, and which run it serves; no
    // secret and no path into the working folder are in it.
    const commandLine = commandLineOf(capture.pid)!;
    expect(commandLine.endsWith(`${path.join(DIST, 'collector', 'index.js')} ${capture.marker} --config-fd=4 --listen-fd=3`), commandLine).toBe(true);
    expect(capture.marker).toMatch(/^--instance=[0-9a-f]{16}$/);
    for (const hidden of [capture.workDir, capture.secret, capture.controlSecret]) expect(commandLine).not.toContain(hidden);

    const post = await start.post();
    expect(post.exitCode).toBe(0);
    expect(await waitUntil(() => !isAlive(capture.pid), 5_000)).toBe(true);
    expect(await connectOnceClosed(capture.port)).toBe('ECONNREFUSED');
  });

  /**
   * A collector that cannot boot, for a real reason: its capture file cannot be created (a
   * dangling link takes the name, put there the moment the start step creates its working folder).
   * The start step has handed over and exited by then.
   */
  async function startWithFailingCollector(inputs: Record<string, string>) {
    const r = runner();
    const start = await r.main({ inputs, env: spoilWorkDir({ symlink: { path: 'capture.jsonl', target: path.join(r.root, 'no-such-folder', 'capture.jsonl') } }) });
    expect(start.exitCode).toBe(0);
    const capture = startedCapture(start);
    expect(await waitUntil(() => !isAlive(capture.pid), 10_000)).toBe(true);
    const openError = `ENOENT: no such file or directory, open '${capture.paths.capture}'`;
    expect(fs.readFileSync(capture.paths.collectorLog, 'utf8')).toContain(`collector: fatal: Error: ${openError}`);
    const stats = JSON.parse(fs.readFileSync(capture.paths.stats, 'utf8')) as CollectorStats;
    expect(stats.stopReason).toBe(`failed to start: ${openError}`);
    // Its socket went with it: a sender is refused, not left hanging.
    expect(await connectOnceClosed(capture.port)).toBe('ECONNREFUSED');
    fs.rmSync(capture.paths.capture); // the link only: the post step finds no capture, as after any such failure
    return { r, start, capture, openError };
  }

  it('a collector that dies at boot after the hand-over: the post step says so plainly and does not fail the job for it', async () => {
    const { r, start, capture, openError } = await startWithFailingCollector({ ...NO_UPLOAD, 'require-telemetry': 'false' });
    const { stoppedAt } = JSON.parse(fs.readFileSync(capture.paths.stats, 'utf8')) as CollectorStats;
    const post = await start.post();
    expect(post.exitCode).toBe(0);
    expect(post.durationMs).toBeLessThan(10_000);
    expect(post.stdout).toContain('beacon: collector already-exited.');
    const reported = `The collector stopped on its own (failed to start: ${openError}) at ${stoppedAt}, not at the post step's request: telemetry sent after that was lost. What it wrote is still used.`;
    expect(post.stdout).toContain(`::warning::beacon: ${reported}`);
    expect(post.stdout).not.toContain('::error::');
    expect(r.summary()).toContain(reported);
  });

  it('a collector that dies at boot, with require-telemetry (the default): the job fails only for the missing events, as for any dead collector', async () => {
    const { start } = await startWithFailingCollector(NO_UPLOAD);
    const post = await start.post();
    expect(post.exitCode).toBe(1);
    expect(post.stdout.split('\n').filter((line) => line.startsWith('::error::'))).toEqual(['::error::beacon: 0 events from Codex (harness codex_cli) were captured; at least 1 is required (min-events).']);
  });
});

describe('the hand-over over IPC (how Windows gets the socket), run here on this OS', () => {
  function collectorFiles() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-handover-'));
    dirs.push(dir);
    const paths = workspacePaths(dir);
    const config = (port: number, capturePath = paths.capture): CollectorConfig => ({
      secret: 'handover-secret-0123456789',
      controlSecret: 'handover-control-0123456789',
      port,
      capturePath,
      statsPath: paths.stats,
      readyPath: paths.ready,
      harness: 'codex',
      includeSpans: false,
      logUserPrompt: false,
      maxBodyBytes: 1024 * 1024,
      maxLifetimeMs: 60_000,
      attribution: { endpoint: { hostname: 'test-host', os: 'linux' }, origin: 'ci', run: { provider: 'github_actions', run_id: '77', ephemeral: true }, repository: 'https://github.com/o/r', branch: 'main' },
    });
    return { dir, paths, config };
  }
  const script = path.join(DIST, 'collector', 'index.js');
  const instance = 'feedc0de01234567';

  it('waits for the collector to take the socket, then serves; the launching process keeps no copy of it', async () => {
    const { paths, config } = collectorFiles();
    const listener = await bindLoopback();
    const port = portOf(listener);
    fs.writeFileSync(paths.collectorConfig, JSON.stringify(config(port)), { mode: 0o600 });
    const collector = await launchCollector({ script, configPath: paths.collectorConfig, instance, readyPath: paths.ready, logPath: paths.collectorLog, listener, timeoutMs: 15_000, handOver: 'ipc' });
    collectors.push({ pid: collector.pid, marker: instanceArgument(instance) });
    expect(collector.handOver).toBe('ipc');
    expect(collector.port).toBe(port);
    expect(JSON.parse(fs.readFileSync(paths.ready, 'utf8')) as ReadyFile).toEqual({ port, pid: collector.pid });
    expect(listener.listening).toBe(false);
    if (process.platform === 'linux') expect(holdersOf(listeningRows(port).inode)).toEqual([collector.pid]);

    // Its config came over IPC too: its command line names no file.
    const commandLine = commandLineOf(collector.pid)!;
    expect(commandLine.endsWith(`${script} ${instanceArgument(instance)} --config-ipc --listen-ipc`), commandLine).toBe(true);
    const health = await httpRequest(port, { method: 'GET', path: '/health', headers: controlHeaders('handover-control-0123456789') });
    expect([health.status, JSON.parse(health.body.toString()).pid]).toEqual([200, collector.pid]);
    expect(fs.readFileSync(paths.collectorLog, 'utf8')).toContain(`collector: listening on 127.0.0.1:${port} (socket from the start step, ipc)`);
    expect((await httpRequest(port, { path: '/shutdown', headers: { 'x-beacon-secret': 'handover-secret-0123456789' } })).status).toBe(401);
    const shutdown = await httpRequest(port, { path: '/shutdown', headers: controlHeaders('handover-control-0123456789') });
    expect(shutdown.status).toBe(200);
    expect(await waitUntil(() => !isAlive(collector.pid), 5_000)).toBe(true);
    expect((JSON.parse(fs.readFileSync(paths.stats, 'utf8')) as CollectorStats).stopReason).toBe('shutdown request');
  });

  it('a collector that dies before it takes the socket fails the launch with its log, and records why', async () => {
    const { dir, paths, config } = collectorFiles();
    const listener = await bindLoopback();
    const port = portOf(listener);
    const capturePath = path.join(dir, 'missing', 'capture.jsonl');
    fs.writeFileSync(paths.collectorConfig, JSON.stringify(config(port, capturePath)), { mode: 0o600 });
    const launch = launchCollector({ script, configPath: paths.collectorConfig, instance, readyPath: paths.ready, logPath: paths.collectorLog, listener, timeoutMs: 15_000, handOver: 'ipc' });
    const openError = `ENOENT: no such file or directory, open '${capturePath}'`;
    await expect(launch).rejects.toThrow(new RegExp(`^the collector exited before it took its listening socket \\(exit code 1\\)\\.\\nCollector log:\\n.*collector: fatal: Error: ${openError.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(listener.listening).toBe(false);
    expect(fs.existsSync(paths.ready)).toBe(false);
    expect((JSON.parse(fs.readFileSync(paths.stats, 'utf8')) as CollectorStats).stopReason).toBe(`failed to start: ${openError}`);
    expect(await tryConnect(port, '127.0.0.1')).toBe('ECONNREFUSED');
  });

  it('a socket that is not on 127.0.0.1 is refused by the collector', async () => {
    const { paths, config } = collectorFiles();
    // Bound by hand on every address: the collector must not serve it.
    const listener = net.createServer();
    await new Promise<void>((resolve) => listener.listen(0, '0.0.0.0', resolve));
    const port = portOf(listener);
    fs.writeFileSync(paths.collectorConfig, JSON.stringify(config(port)), { mode: 0o600 });
    const launch = launchCollector({ script, configPath: paths.collectorConfig, instance, readyPath: paths.ready, logPath: paths.collectorLog, listener, timeoutMs: 15_000, handOver: 'ipc' });
    await expect(launch).rejects.toThrow(`collector: fatal: Error: refusing to serve {"address":"0.0.0.0","family":"IPv4","port":${port}}: only 127.0.0.1 is allowed`);
    expect(await tryConnect(port, '127.0.0.1')).toBe('ECONNREFUSED');
  });
});
