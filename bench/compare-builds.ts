/**
 * The latency row's load (bench/lib/latency-load.ts) on this tree's collector and on another
 * build's, alternating, from one sender process: whether a change made answers slower, which the
 * row itself (each build against a bare server, in separate runs) cannot tell apart from the
 * machine's noise. The other build is a checkout with its own dist/ and bench/lib/collector.ts
 * (how it starts its collector is its own):
 *
 *   git worktree add /tmp/before <commit> && ln -s "$PWD/node_modules" /tmp/before/node_modules
 *   node_modules/node/bin/node --experimental-transform-types --disable-warning=ExperimentalWarning \
 *     --import ./bench/lib/ts-hooks.mjs bench/compare-builds.ts /tmp/before [pairs=30] [paced|saturating]
 *
 * Prints, for p99, p99 once warm, p50 and the mean answer time, each build's median over the
 * pairs and the median of the paired ratios (this tree / the other), with their interquartile range.
 */
import fs from 'node:fs';
import path from 'node:path';
import { load, onceWarm, p50, p99, type Load, type Sample } from './lib/latency-load.js';
import { pairedRatios, summarize } from './lib/stats.js';

const [otherTree, pairsArg = '30', modeArg = 'paced'] = process.argv.slice(2);
if (!otherTree || !fs.existsSync(path.join(otherTree, 'bench', 'lib', 'collector.ts'))) {
  throw new Error('usage: compare-builds.ts <other checkout, with dist/ and bench/lib/collector.ts> [pairs] [paced|saturating]');
}
const PAIRS = Number(pairsArg);
const MODE = modeArg as Load;

type CollectorModule = typeof import('./lib/collector.js');
/** Each tree's bench/lib/env.ts takes its dist/ from BENCH_ROOT when it is first loaded. */
async function collectorOf(root: string): Promise<CollectorModule> {
  delete process.env.BENCH_DIST;
  process.env.BENCH_ROOT = path.resolve(root);
  return (await import(path.join(path.resolve(root), 'bench', 'lib', 'collector.ts'))) as CollectorModule;
}
const builds = { other: await collectorOf(otherTree), this: await collectorOf(path.resolve(import.meta.dirname, '..')) };

async function measure(build: CollectorModule): Promise<Sample[]> {
  const collector = await build.startCollector();
  try {
    const samples = await load(collector.port, collector.headers, MODE, build.post);
    await collector.shutdown();
    return samples;
  } finally {
    collector.kill();
  }
}

const mean = (samples: Sample[]) => samples.reduce((sum, s) => sum + s.ms, 0) / samples.length;
const figures = { p99, 'p99 once warm': (s: Sample[]) => p99(onceWarm(s)), p50, mean };
const results = { this: [] as Sample[][], other: [] as Sample[][] };
await measure(builds.this); // warm-up: page cache, the sender's own JIT
for (let pair = 0; pair < PAIRS; pair++) {
  // Alternate which goes first, so a trend in the machine's load falls on both.
  for (const side of pair % 2 === 0 ? (['other', 'this'] as const) : (['this', 'other'] as const)) results[side].push(await measure(builds[side]));
}

const format = (n: number) => n.toFixed(2);
console.log(`${MODE} load, ${PAIRS} pairs; this tree against ${otherTree}`);
for (const [name, figure] of Object.entries(figures)) {
  const mine = results.this.map(figure);
  const theirs = results.other.map(figure);
  const ratio = summarize(pairedRatios(mine, theirs));
  console.log(`${name.padEnd(14)} this ${format(summarize(mine).median)} ms, other ${format(summarize(theirs).median)} ms, paired ratio ${format(ratio.median)}x (IQR ${format(ratio.q1)}–${format(ratio.q3)})`);
}
