/** Child processes timed from spawn to exit, and what /proc says about a process. */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';

export interface TimedRun {
  ms: number;
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns `command`, and times it from spawn until it exited and its pipes closed (what a runner waits for). */
export function timedRun(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not end within ${options.timeoutMs} ms\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.once('error', reject);
    child.once('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ ms: performance.now() - started, exitCode, stdout, stderr });
    });
  });
}

export interface MemoryStatus {
  /** Resident set now, in MB (VmRSS). */
  rssMb: number;
  /** Peak resident set so far, in MB (VmHWM). */
  hwmMb: number;
  /** Private (anonymous) part of VmRSS now, in MB: VmRSS less the mapped files, mostly the node binary's own pages, shared with every other node process. */
  anonMb: number;
}

export function memoryOf(pid: number | 'self'): MemoryStatus {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024, anonMb: kb('RssAnon') / 1024 };
}

let ticksPerSecond: number | undefined;

/** CPU time (user + system) a process has used so far, in ms. */
export function cpuMsOf(pid: number): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), counted from field 3 (state).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / ticksPerSecond;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitGone(pid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} still alive after ${timeoutMs} ms`);
    await sleep(5);
  }
}

/** Polls a file until it parses as JSON. */
export async function waitForJson<T>(file: string, timeoutMs: number, stillRunning: () => boolean = () => true): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
    } catch {
      if (Date.now() > deadline || !stillRunning()) throw new Error(`${file} did not appear within ${timeoutMs} ms`);
      await sleep(2);
    }
  }
}
