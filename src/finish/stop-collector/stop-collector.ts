import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { SHUTDOWN_PATH, type CollectorConfig, type ReadyFile } from '../../handoff/collector-config.js';
import { collectorPid } from '../../handoff/collector-client.js';
import { instanceArgument } from '../../handoff/collector-command-line.js';

/**
 * Stops the collector: a shutdown request over HTTP with the control secret (works on Windows,
 * where signals do not), then wait until the process is gone. A kill is the last resort, and only for
 * a process we can tell is ours: a stale pid may belong to someone else by now.
 */

export type StopOutcome =
  | { status: 'stopped'; pid: number; waitedMs: number }
  | { status: 'killed'; pid: number; reason: string }
  | { status: 'already-exited'; pid?: number }
  | { status: 'not-started' }
  | { status: 'left-alone'; pid: number; reason: string };

export interface StopOptions {
  config: CollectorConfig | undefined;
  ready: ReadyFile | undefined;
  /** The collector script's path and the run's instance id (run.json), to recognise our process by its command line. */
  script: string | undefined;
  instance: string | undefined;
  answerTimeoutMs?: number;
  exitTimeoutMs?: number;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // The collector's parent (the start step) is gone, so once it exits it may linger as a zombie
  // until the system reaps it: that is exited too.
  if (process.platform === 'linux') {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
    } catch {
      return false;
    }
  }
  return true;
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

/** Whether the process's command line shows our collector, this run's instance (Linux: /proc; macOS: ps). */
function looksLikeOurCollector(pid: number, script: string, instance: string): boolean | undefined {
  try {
    let commandLine: string;
    if (process.platform === 'linux') commandLine = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    else if (process.platform === 'darwin') commandLine = execFileSync('ps', ['-ww', '-p', String(pid), '-o', 'command='], { encoding: 'utf8' });
    else return undefined; // Windows: no cheap way; never kill what we cannot recognise
    // Empty for a process that just exited (a zombie): nothing to recognise.
    if (commandLine.trim() === '') return undefined;
    return commandLine.includes(script) && commandLine.split(/\s+/).includes(instanceArgument(instance));
  } catch {
    return undefined;
  }
}

export async function stopCollector(options: StopOptions): Promise<StopOutcome> {
  const { config, ready } = options;
  if (!config || !ready) return { status: 'not-started' };
  const answerTimeoutMs = options.answerTimeoutMs ?? 5_000;
  const exitTimeoutMs = options.exitTimeoutMs ?? 20_000;
  const pid = ready.pid;

  let answeredPid: number | undefined;
  try {
    answeredPid = await collectorPid(ready.port, SHUTDOWN_PATH, 'POST', config.controlSecret, answerTimeoutMs);
  } catch {
    answeredPid = undefined; // refused (gone) or hung: decided below
  }
  // The answer proves nothing: whatever holds the port now can answer 200 with any pid. Before
  // waiting for a process or killing it, check that it is ours wherever the OS lets us tell.
  const { script, instance } = options;
  const recognise = () => (script && instance ? looksLikeOurCollector(pid, script, instance) : undefined);
  if (answeredPid === pid && recognise() !== false) {
    const started = Date.now();
    if (await waitForExit(pid, exitTimeoutMs)) return { status: 'stopped', pid, waitedMs: Date.now() - started };
    // Still there: ours, or on an OS where we cannot tell, the process that answered as ours.
    if (recognise() !== false) {
      kill(pid);
      return { status: 'killed', pid, reason: `it did not exit within ${exitTimeoutMs} ms of the shutdown request` };
    }
  }
  if (!isAlive(pid)) return { status: 'already-exited', pid };
  const ours = recognise();
  if (ours) {
    kill(pid);
    await waitForExit(pid, 2_000);
    return { status: 'killed', pid, reason: 'it did not answer the shutdown request' };
  }
  return {
    status: 'left-alone',
    pid,
    reason: ours === false ? `process ${pid} is not our collector any more (a reused pid)` : `process ${pid} did not answer and cannot be recognised as our collector on this OS`,
  };
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
}
