import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import type { ReadyFile } from '../handoff/collector-config.js';
import { LISTEN_FD_FLAG, LISTEN_IPC_FLAG, LISTEN_MESSAGE, LISTENING_MESSAGE } from '../handoff/listen-socket.js';
import { CONFIG_FD_FLAG, CONFIG_IPC_FLAG, CONFIG_MESSAGE, instanceArgument } from '../handoff/collector-command-line.js';

/**
 * Starts the collector as a detached background process on a listening socket this step bound.
 * The endpoint exists from the moment of the bind: the kernel queues connections until the
 * collector, still booting, accepts them. So the step hands the socket over and goes on without
 * waiting for the collector's own Node boot (BENCHMARKS.md, start step).
 *
 * Its environment is an allowlist: runner tokens (ACTIONS_RUNTIME_TOKEN, GITHUB_TOKEN, ...) and
 * INPUT_* never reach it, but RUNNER_TRACKING_ID does, so the runner reaps it at the end of the
 * job even if our post step never runs. Its command line holds no secret and no path into the
 * working folder: the config comes as a descriptor or over IPC, the same way as the socket
 * (handoff/collector-command-line.ts), and a random instance id tells the process apart.
 */

const ENV_ALLOWLIST = ['PATH', 'Path', 'PATHEXT', 'SystemRoot', 'SYSTEMROOT', 'windir', 'ComSpec', 'TEMP', 'TMP', 'TMPDIR', 'HOME', 'USERPROFILE', 'LANG', 'LC_ALL', 'TZ', 'RUNNER_TRACKING_ID', 'RUNNER_TEMP', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE'];

export function collectorEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const name of ENV_ALLOWLIST) if (env[name] !== undefined) clean[name] = env[name];
  return clean;
}

/**
 * Node options of the collector process (BENCHMARKS.md, memory). A smaller young generation: peak
 * RSS under a million records drops from ~250 MB to ~170 MB at no measurable cost in throughput.
 * No allocation-site pretenuring: with four requests in flight V8 otherwise decides, in about one
 * run in four, that the decoder's short-lived objects survive, allocates them in old space and
 * peaks at 180-200 MB.
 */
export const COLLECTOR_NODE_ARGS = ['--max-semi-space-size=8', '--no-allocation-site-pretenuring'];

/** The descriptor number the collector inherits its listening socket as (after stdin, stdout, stderr). */
const INHERITED_FD = 3;
/** ... and its config file as, opened for reading. */
const CONFIG_FD = 4;

/**
 * How the socket reaches the collector. `fd`: inherited at spawn, nothing to wait for (Linux,
 * macOS). `ipc`: sent over an IPC channel (Windows, where a socket is no inheritable descriptor).
 * There the step must keep its own copy until the collector has taken the socket (a Winsock
 * duplicate exists only once the target process created it with WSASocket), so it waits for the
 * collector's answer: about the collector's boot, as before, but without the health check.
 * Over IPC on Linux it works too, which is how the tests cover that path.
 */
export type HandOver = 'fd' | 'ipc';

export interface LaunchOptions {
  script: string;
  /** The config file: the collector inherits it opened (fd), or gets its text over IPC. */
  configPath: string;
  /** The run's instance id, on the collector's command line (not a secret). */
  instance: string;
  /** Written here once the collector owns the socket: `{ port, pid }` (the finish side reads it). */
  readyPath: string;
  logPath: string;
  /** From bindLoopback: handed to the collector, and closed here in every case. */
  listener: net.Server;
  /** The longest wait for the collector to take the socket (IPC only). */
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  /** Default: `fd` where the listener has a descriptor, else `ipc`. */
  handOver?: HandOver;
}

export interface LaunchedCollector {
  pid: number;
  port: number;
  handOver: HandOver;
  /** Stops it when the start step cannot complete. */
  kill(): void;
}

/**
 * A listening socket on 127.0.0.1 with a free port. This process never serves it: it binds and
 * hands over. Nobody knows the port before the hand-over, yet a connection accepted here meanwhile
 * is closed rather than held.
 */
export function bindLoopback(): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer({ pauseOnConnect: true }, (socket) => socket.destroy());
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

export function portOf(server: net.Server): number {
  return (server.address() as net.AddressInfo).port;
}

/** The listening socket's descriptor; undefined on Windows, where a socket is a handle instead. */
function descriptorOf(server: net.Server): number | undefined {
  if (process.platform === 'win32') return undefined;
  // `server.listen(handle)` takes this object as documented; Node offers no public getter for the fd.
  const fd = (server as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/**
 * Spawns the collector, hands it the listener, writes the ready file, and returns without waiting
 * for the collector's boot (over IPC: until it has taken the socket).
 */
export async function launchCollector(options: LaunchOptions): Promise<LaunchedCollector> {
  const { listener } = options;
  const port = portOf(listener);
  const fd = options.handOver === 'ipc' ? undefined : descriptorOf(listener);
  const handOver: HandOver = fd === undefined ? 'ipc' : 'fd';
  let child: ChildProcess | undefined;
  try {
    const out = fs.openSync(options.logPath, 'a', 0o600);
    const args = handOver === 'fd' ? [`${CONFIG_FD_FLAG}${CONFIG_FD}`, `${LISTEN_FD_FLAG}${INHERITED_FD}`] : [CONFIG_IPC_FLAG, LISTEN_IPC_FLAG];
    let config: number | undefined;
    try {
      config = handOver === 'fd' ? fs.openSync(options.configPath, 'r') : undefined;
      child = spawn(process.execPath, [...COLLECTOR_NODE_ARGS, options.script, instanceArgument(options.instance), ...args], {
        detached: true,
        // Never the step's own pipes: the runner would wait for them (and kill us on Windows).
        stdio: ['ignore', out, out, fd ?? 'ipc', ...(config === undefined ? [] : [config])],
        env: collectorEnvironment(options.env ?? process.env),
        windowsHide: true,
      });
    } finally {
      fs.closeSync(out);
      if (config !== undefined) fs.closeSync(config);
    }
    const pid = child.pid;
    if (pid === undefined) {
      // Node reports a failed spawn (ENOENT, EACCES, EAGAIN...) with an 'error' event, just after.
      const error = await new Promise<Error>((resolve) => child!.once('error', resolve));
      throw new Error(`the collector could not be started: ${error.message}`);
    }
    // The spawn returns once the child has its copy of the descriptor: ours can go at once.
    if (handOver === 'ipc') await sendOverIpc(child, fs.readFileSync(options.configPath, 'utf8'), listener, options.timeoutMs, options.logPath);
    const ready: ReadyFile = { port, pid };
    fs.writeFileSync(`${options.readyPath}.tmp`, JSON.stringify(ready), { mode: 0o600 });
    fs.renameSync(`${options.readyPath}.tmp`, options.readyPath);
    child.unref();
    const launched = child;
    return { pid, port, handOver, kill: () => launched.exitCode === null && launched.signalCode === null && tryKill(pid) };
  } catch (error) {
    if (child?.pid !== undefined && child.exitCode === null) tryKill(child.pid);
    throw error;
  } finally {
    listener.close();
  }
}

async function sendOverIpc(child: ChildProcess, configText: string, listener: net.Server, timeoutMs: number, logPath: string): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => child.send({ type: CONFIG_MESSAGE, text: configText }, (error) => (error ? reject(error) : resolve())));
    await new Promise<void>((resolve, reject) => child.send(LISTEN_MESSAGE, listener, (error) => (error ? reject(error) : resolve())));
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: Error) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (error) reject(error);
        else resolve();
      };
      const onMessage = (message: unknown) => message === LISTENING_MESSAGE && settle();
      const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
        settle(new Error(`the collector exited before it took its listening socket (${signal ? `signal ${signal}` : `exit code ${code}`}).${collectorLogTail(logPath)}`));
      const timer = setTimeout(() => settle(new Error(`the collector did not take its listening socket within ${timeoutMs} ms.${collectorLogTail(logPath)}`)), timeoutMs);
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  } finally {
    if (child.connected) child.disconnect();
  }
}

function collectorLogTail(logPath: string): string {
  try {
    const text = fs.readFileSync(logPath, 'utf8').trim();
    return text ? `\nCollector log:\n${text.slice(-4000)}` : '';
  } catch {
    return '';
  }
}

function tryKill(pid: number): void {
  try {
    process.kill(pid);
  } catch {
    // already gone
  }
}
