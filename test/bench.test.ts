import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * `npm run bench -- --quick` must keep running: every row on tiny sizes, one repetition, printed
 * and written as JSON. The figures themselves mean nothing in quick mode and are not checked; the
 * rows, their targets and the shape of every figure are.
 */

const ROOT = path.resolve(import.meta.dirname, '..');

/** Each row the bench prints, with the targets of the brief it is judged against. */
const ROWS: Record<string, string[]> = {
  start: ['≤ 3x'],
  size: ['well under 200 kB'],
  codex: ['≤ 1.05x'],
  'ingest-protobuf': ['≥ 1.0x'],
  memory: ['≤ 50 MB', '≤ 150 MB', 'flat (≤ 1.2x)'],
  'ingest-json': ['≥ 0.6x'],
  latency: ['≤ 10 ms', '≤ 10 ms', '≤ 10 ms', '≤ 10 ms'],
  'post-step': ['≤ 1.5x', '≤ 1.5x', 'not growing with log size (≤ 1.2x for 10x the events)'],
  'post-step-sessions': ['≤ 1.1x', 'flat (≤ 1.1x)'],
  upload: [],
  'large-job': [],
  forward: [],
  redaction: [],
};

interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

interface Result {
  id: string;
  measures: { label: string; unit: string; subject: Spread; baseline?: Spread; ratio?: Spread; target?: { text: string; met: boolean } }[];
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** The quick bench, its temp folder inside `dir` (the rows leave collector folders there), the results in `jsonPath`. */
function runQuickBench(dir: string, jsonPath: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, TMPDIR: dir, TEMP: dir, TMP: dir };
    // npm puts node_modules/.bin first on PATH, so the rows run on the action's Node 24.
    const child = spawn('npm', ['run', 'bench', '--', '--quick', '--json', jsonPath], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run bench -- --quick', () => {
  it('runs every row once and prints and writes each figure with its baseline, ratio and target', { timeout: 180_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-bench-test-'));
    dirs.push(dir);
    const jsonPath = path.join(dir, 'results.json');
    const run = await runQuickBench(dir, jsonPath);
    expect(run.code, run.stdout + run.stderr).toBe(0);

    const { results, failures, quick } = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as { results: Result[]; failures: string[]; quick: boolean };
    expect(quick).toBe(true);
    expect(failures).toEqual([]);
    expect(results.map((r) => r.id).sort()).toEqual(Object.keys(ROWS).sort());

    for (const result of results) {
      expect(result.measures.filter((m) => m.target).map((m) => m.target!.text), result.id).toEqual(ROWS[result.id]);
      for (const measure of result.measures) {
        // Quick mode: one repetition of everything.
        for (const spread of [measure.subject, measure.baseline, measure.ratio].filter((s): s is Spread => s !== undefined)) {
          expect(spread.n, `${result.id}: ${measure.label}`).toBe(1);
          expect(Number.isFinite(spread.median) && spread.median >= 0, `${result.id}: ${measure.label} = ${spread.median}`).toBe(true);
          expect(spread.min).toBe(spread.median);
          expect(spread.max).toBe(spread.median);
        }
        if (measure.ratio && measure.baseline) expect(measure.ratio.median).toBeCloseTo(measure.subject.median / measure.baseline.median, 6);
        if (measure.target) expect(typeof measure.target.met).toBe('boolean');
      }
    }

    // The printed table: a line per figure, row id first, in the summary too.
    const summary = run.stdout.slice(run.stdout.indexOf('== summary'));
    expect(summary.length).toBeGreaterThan(0);
    for (const result of results) {
      for (const measure of result.measures) {
        expect(summary).toContain(`${result.id.padEnd(16)} ${measure.label}: `);
      }
    }
    expect(summary).toMatch(/^start {12}start step wall time: [\d.]+ ms \| node -e 0: [\d.]+ ms \| ratio: [\d.]+x \| ≤ 3x: (met|MISSED)$/m);
  });
});
