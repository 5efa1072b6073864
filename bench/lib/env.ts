/** Where the row runs: the dist snapshot, quick mode, repetitions. Set by bench/run.mjs. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = process.env.BENCH_ROOT ?? path.resolve(import.meta.dirname, '..', '..');
// Workers run from a plain-JS copy elsewhere (./transpile.ts): they find the repository through this.
process.env.BENCH_ROOT = ROOT;
/** The bundles under test: a snapshot of dist/ taken when the run began (others may rebuild dist/ meanwhile). */
export const DIST = process.env.BENCH_DIST ?? path.join(ROOT, 'dist');
export const QUICK = process.env.BENCH_QUICK === '1';
export const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'codex-0.169.0');
/** Paired repetitions: at least 5 for a figure, 1 in quick mode (the test only checks the bench runs). */
export const REPS = QUICK ? 1 : 5;
export const NODE = process.execPath;
/** Scratch space of this run; bench/run.mjs removes it at the end. */
export const SCRATCH = process.env.BENCH_SCRATCH ?? ownScratch();
process.env.BENCH_SCRATCH = SCRATCH;

/** A row run on its own (not by bench/run.mjs) makes its own scratch folder and removes it at exit. */
function ownScratch(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-bench-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
