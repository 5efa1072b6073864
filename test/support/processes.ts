import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { isAlive } from '../../src/finish/stop-collector/stop-collector.js';

/**
 * Other processes' command lines, on each OS the tests run on, so that a test can find the
 * processes it started and never kills one that is not its own (a pid may be reused): Linux reads
 * /proc, macOS asks `ps`, Windows asks PowerShell for Win32_Process (tasklist shows no command lines).
 * Liveness is `isAlive` (process.kill(pid, 0), and on Linux not a zombie), as the post step has it.
 */

interface ProcessLine {
  pid: number;
  commandLine: string;
}

const POWERSHELL = ['-NoProfile', '-NonInteractive', '-Command'];
/** PowerShell that prints `<pid> <command line>` per process of `Get-CimInstance Win32_Process ...`. */
const windowsList = (filter: string) => `Get-CimInstance Win32_Process ${filter} | ForEach-Object { '{0} {1}' -f $_.ProcessId, $_.CommandLine }`;

/** Parses `<pid> <command line>` lines (ps and the PowerShell above print these). */
function parseLines(text: string): ProcessLine[] {
  return text
    .split(/\r?\n/)
    .map((line) => /^\s*(\d+) ?(.*)$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => ({ pid: Number(match[1]), commandLine: match[2]!.trim() }));
}

function linuxCommandLine(pid: number | string): string {
  return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
}

/** The command line of a process, or undefined when it is gone (or a zombie) or cannot be read. */
export function commandLineOf(pid: number): string | undefined {
  try {
    let commandLine: string;
    if (process.platform === 'linux') commandLine = linuxCommandLine(pid);
    else if (process.platform === 'win32') commandLine = parseLines(execFileSync('powershell.exe', [...POWERSHELL, windowsList(`-Filter 'ProcessId = ${pid}'`)], { encoding: 'utf8', windowsHide: true }))[0]?.commandLine ?? '';
    else commandLine = execFileSync('ps', ['-ww', '-p', String(pid), '-o', 'command='], { encoding: 'utf8' }).trim();
    return commandLine === '' ? undefined : commandLine;
  } catch {
    return undefined; // gone (ps exits 1), or not ours to read
  }
}

/** Every process this user can see, with its command line (empty where it cannot be read). */
function allProcesses(): ProcessLine[] {
  if (process.platform === 'linux') {
    return fs
      .readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map((name) => {
        try {
          return { pid: Number(name), commandLine: linuxCommandLine(name) };
        } catch {
          return { pid: Number(name), commandLine: '' }; // gone meanwhile
        }
      });
  }
  if (process.platform === 'win32') return parseLines(execFileSync('powershell.exe', [...POWERSHELL, windowsList('')], { encoding: 'utf8', windowsHide: true, maxBuffer: 64 * 1024 * 1024 }));
  return parseLines(execFileSync('ps', ['-axww', '-o', 'pid=,command='], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }));
}

/** Live processes other than this one whose command line holds `text` (e.g. a folder of the test's). */
export function processesWhoseCommandLineHolds(text: string): number[] {
  return allProcesses()
    .filter(({ pid, commandLine }) => pid !== process.pid && commandLine.includes(text) && isAlive(pid))
    .map(({ pid }) => pid);
}

/** Whether `pid` is alive and still the process a test started: its command line holds `marker`. */
function isStillOurs(pid: number, marker: string): boolean {
  return isAlive(pid) && (commandLineOf(pid)?.includes(marker) ?? false);
}

/** Kills (SIGKILL) a process a test left behind, only if it is still that process (`isStillOurs`). */
export function killIfStillOurs(pid: number, marker: string): void {
  if (!isStillOurs(pid, marker)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
}

/**
 * Linux only (/proc/PID/environ; macOS and Windows show no other process's environment): live
 * processes whose environment holds `entry` (`NAME=value`), e.g. the collectors of one simulated
 * runner, which keep its RUNNER_TEMP, when nothing on their command line names the runner.
 */
export function processesWhoseEnvironmentHolds(entry: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)
    .filter((name) => {
      try {
        return fs.readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(entry) && isAlive(Number(name));
      } catch {
        return false; // gone meanwhile, or not ours to read
      }
    })
    .map(Number);
}
