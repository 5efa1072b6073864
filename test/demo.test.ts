import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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

/** Processes whose command line names `dir` or whose working directory is inside it (Linux: /proc). */
function processesUsing(dir: string): string[] {
  if (!fs.existsSync('/proc/self/cmdline')) return [];
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
      if (cmdline.includes(dir) || cwd.startsWith(dir)) found.push(`${pid}: ${cmdline}`);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

async function expectCompleteDemo(command: string, args: string[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-demo-test-'));
  dirs.push(dir);
  const demo = await run(command, args, { BEACON_DEMO_DIR: dir, npm_config_update_notifier: 'false' });

  expect(demo.exitCode, demo.stdout + demo.stderr).toBe(0);
  expect(demo.stdout).toContain('4. finish (dist/finish, the post step): 10 events, 17422 tokens (input 2650, cached 14464, output 308, reasoning 160).');
  // The job summary, printed as Markdown.
  expect(demo.stdout).toContain('**Total tokens:** 17,422 · **Events:** 10 (10 from Codex) · **Codex:** `0.169.0`');
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
}

describe('npm run demo', () => {
  it('runs the whole flow once and prints the summary with the exact token numbers', async () => {
    await expectCompleteDemo('npm', ['run', 'demo']);
  });

  it('also works started with the node that runs the tests (handing over to Node 24 when that node cannot strip types)', async () => {
    await expectCompleteDemo(process.execPath, [path.join(ROOT, 'scripts', 'demo.mjs')]);
  });
});
