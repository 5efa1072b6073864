import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive } from '../src/finish/stop-collector/stop-collector.js';
import { codexVersion } from './support/codex-cli.js';
import { commandLineOf, processesWhoseCommandLineHolds } from './support/processes.js';
import { ROOT } from './support/runner.js';
import { validateBeaconLog } from './support/schema-validator.js';

/**
 * `npm run demo`, the README's first command: fake model, start, the real Codex CLI, finish, all
 * on this machine. The demo's scenario (scripts/demo.mjs) reports two responses:
 *   tool call:    input 8,412, cached 6,144, output 212, reasoning 128
 *   final answer: input 8,702, cached 8,320, output  96, reasoning  32
 * so the disjoint totals are input 17,114 - 14,464 = 2,650, cached 14,464, output 308,
 * reasoning 160, total 2,650 + 14,464 + 308 = 17,422.
 */

const DEMO_TIMEOUT_MS = 45_000;
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function run(command: string, args: string[], env: Record<string, string>): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' }); // npm is npm.cmd on Windows
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), DEMO_TIMEOUT_MS);
    child.once('error', reject);
    child.once('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stdout, stderr });
    });
  });
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Processes whose command line names `dir`, or (Linux only: /proc/PID/cwd; macOS and Windows show
 * no other process's working directory cheaply) whose working directory is inside it.
 */
function processesUsing(dir: string): string[] {
  const found = processesWhoseCommandLineHolds(dir).map((pid) => `${pid}: ${commandLineOf(pid)}`);
  if (process.platform !== 'linux') return found;
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/cwd`).startsWith(dir) && isAlive(Number(pid))) found.push(`${pid}: ${commandLineOf(Number(pid))} (working directory)`);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

function testDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-demo-test-'));
  dirs.push(dir);
  return dir;
}

/** Runs the demo with `env` (BEACON_DEMO_DIR, or a temp folder), all of whose files are under `dir`; returns its output. */
async function expectCompleteDemo(command: string, args: string[], dir: string, env: Record<string, string>): Promise<string> {
  const demo = await run(command, args, { ...env, npm_config_update_notifier: 'false' });

  expect(demo.exitCode, demo.stdout + demo.stderr).toBe(0);
  expect(demo.stdout).toContain('4. finish (dist/finish, the post step): 10 events, 17422 tokens (input 2650, cached 14464, output 308, reasoning 160).');
  // The job summary, printed as Markdown.
  expect(demo.stdout).toContain(`**Total tokens:** 17,422 · **Events:** 10 (10 from Codex) · **Codex:** \`${codexVersion()}\``);
  expect(demo.stdout).toContain('| `gpt-5.5` | 2,650 | 14,464 | 308 | 160 | 17,422 |');
  expect(demo.stdout).toContain('| `echo "Hello from Codex, captured by Beacon"` | 0 |');
  expect(demo.stdout).toContain('All checks passed.');

  const logPath = /^Runtime log: (.+)$/m.exec(demo.stdout)?.[1];
  const usagePath = /^Usage file: +(.+)$/m.exec(demo.stdout)?.[1];
  expect(logPath?.startsWith(dir)).toBe(true);
  expect(usagePath).toBe(path.join(path.dirname(logPath!), 'beacon-usage.json'));
  expect(await validateBeaconLog(logPath!)).toEqual({ lines: 10, errors: [] });
  expect(JSON.parse(fs.readFileSync(usagePath!, 'utf8')).totals).toEqual({
    input_tokens: 2650,
    output_tokens: 308,
    cache_read_input_tokens: 14464,
    cache_creation_input_tokens: 0,
    reasoning_output_tokens: 160,
    cost_usd: null,
    events: 4,
    total_tokens: 17422,
  });
  // Nothing left running: not the collector, not Codex, not a shell it started.
  expect(processesUsing(dir)).toEqual([]);
  return demo.stdout;
}

describe('npm run demo', () => {
  it('--stop: Codex stopped mid tool call, after the first response; that response\'s usage recovered from its session file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-demo-test-'));
    dirs.push(dir);
    const demo = await run('npm', ['run', 'demo', '--', '--stop'], { BEACON_DEMO_DIR: dir, npm_config_update_notifier: 'false' });
    expect(demo.exitCode, demo.stdout + demo.stderr).toBe(0);
    expect(demo.stdout).toContain('was stopped with SIGTERM while `sleep 30` ran, after the first model response');
    // The first response alone: input 8,412 - 6,144 cached = 2,268, output 212 (128 reasoning): 8,624.
    expect(demo.stdout).toContain('Codex was stopped before it reported its token metric: 8,624 tokens of 1 session were recovered from its session files.');
    expect(demo.stdout).toContain('| `gpt-5.5` | 2,268 | 6,144 | 212 | 128 | 8,624 |');
    const usagePath = /^Usage file: +(.+)$/m.exec(demo.stdout)![1]!;
    const usage = JSON.parse(fs.readFileSync(usagePath, 'utf8'));
    const expected = { input_tokens: 2268, output_tokens: 212, cache_read_input_tokens: 6144, cache_creation_input_tokens: 0, reasoning_output_tokens: 128, cost_usd: null, events: 4, total_tokens: 8624 };
    expect(usage.totals).toEqual(expected);
    expect(usage.by_source).toEqual({ session_file: expected });
    expect(Object.values(usage.by_session)).toEqual([{ ...expected, models: ['gpt-5.5'], source: 'session_file' }]);
    expect(processesUsing(dir)).toEqual([]);
  });

  it('runs the whole flow once and prints the summary with the exact token numbers', async () => {
    const dir = testDir();
    const stdout = await expectCompleteDemo('npm', ['run', 'demo'], dir, { BEACON_DEMO_DIR: dir });
    expect(stdout).toMatch(new RegExp(`^Demo folder: ${escapeRegExp(dir)} \\(\\d+\\.\\d MB\\), BEACON_DEMO_DIR's: left for you to remove\\.$`, 'm'));
  });

  it('also works started with the node that runs the tests (handing over to Node 24 when that node cannot strip types); in a folder of its own, removing the older ones it made', async () => {
    // The demo's temp folder: an older demo's folder, one a demo still runs in (this process), and another's.
    const tmp = testDir();
    const older = path.join(tmp, 'beacon-demo-0ld3r1');
    fs.mkdirSync(path.join(older, 'runner-temp'), { recursive: true });
    fs.utimesSync(older, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    const running = path.join(tmp, 'beacon-demo-Runn1n');
    fs.mkdirSync(running);
    fs.writeFileSync(path.join(running, 'demo.pid'), String(process.pid));
    fs.mkdirSync(path.join(tmp, 'beacon-demo-test-n0tM1n3'));

    const stdout = await expectCompleteDemo(process.execPath, [path.join(ROOT, 'scripts', 'demo.mjs')], tmp, { TMPDIR: tmp, TEMP: tmp, TMP: tmp });
    const line = /^Demo folder: (.+) \(\d+\.\d MB\), kept so you can read the files above; the next `npm run demo` removes it \(this one removed 1 older demo folder\)\.$/m.exec(stdout);
    expect(line, stdout).not.toBeNull();
    const own = line![1]!;
    expect(path.dirname(own)).toBe(tmp);
    expect(path.basename(own)).toMatch(/^beacon-demo-[A-Za-z0-9]{6}$/);
    expect(fs.readdirSync(tmp).sort()).toEqual([path.basename(own), 'beacon-demo-Runn1n', 'beacon-demo-test-n0tM1n3'].sort());
    // Its own folder has no mark of a running demo left.
    expect(fs.existsSync(path.join(own, 'demo.pid'))).toBe(false);
  });
});
