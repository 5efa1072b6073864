/**
 * Size of each bundle in dist/ (every file, and gzipped), and the cold start of each: a process
 * from spawn until it did the least work its entry can do on a real path, against `node -e 0`:
 *   collector: until its ready file is written (listening);
 *   start: until it exits on an invalid input (the bundle loaded, the input check, @actions/core
 *          loaded to fail the step); the full start step is the `start` row;
 *   finish: until it exits with "nothing to finish" (post step of a start that did not run).
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { actionDefaults, githubEnv } from '../../test/support/runner.js';
import { startCollector } from '../lib/collector.js';
import { DIST, NODE, QUICK, REPS, SCRATCH } from '../lib/env.js';
import { timedRun } from '../lib/proc.js';
import { emit, pairedRatios, progress, summarize, type Measure } from '../lib/stats.js';

const BUNDLES = ['start', 'finish', 'collector'] as const;
type Bundle = (typeof BUNDLES)[number];

function bundleSize(bundle: Bundle): { bytes: number; gzipBytes: number; files: string[] } {
  const dir = path.join(DIST, bundle);
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.js') || f.endsWith('.cjs') || f.endsWith('.mjs') || f.endsWith('.node'));
  let bytes = 0;
  let gzipBytes = 0;
  for (const file of files) {
    const content = fs.readFileSync(path.join(dir, file));
    bytes += content.length;
    gzipBytes += zlib.gzipSync(content, { level: 9 }).length;
  }
  return { bytes, gzipBytes, files: files.map((f) => `${f} ${(fs.statSync(path.join(dir, f)).size / 1024).toFixed(0)} kB`) };
}

function stepEnv(inputs: Record<string, string>): NodeJS.ProcessEnv {
  const root = fs.mkdtempSync(path.join(SCRATCH, 'size-'));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: root, ...githubEnv(), RUNNER_TEMP: root, GITHUB_WORKSPACE: root };
  for (const name of ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_STEP_SUMMARY']) {
    env[name] = path.join(root, name.toLowerCase());
    fs.writeFileSync(env[name]!, '');
  }
  for (const [name, value] of Object.entries({ ...actionDefaults(), ...inputs })) env[`INPUT_${name.toUpperCase()}`] = value;
  return env;
}

async function coldStart(bundle: Bundle): Promise<number> {
  if (bundle === 'collector') {
    const started = performance.now();
    const collector = await startCollector();
    const ms = performance.now() - started;
    await collector.shutdown();
    return ms;
  }
  const env = stepEnv(bundle === 'start' ? { 'otel-protocol': 'xml' } : {});
  const run = await timedRun(NODE, [path.join(DIST, bundle, 'index.js')], { env });
  const expected = bundle === 'start' ? { code: 1, text: 'Input "otel-protocol"' } : { code: 0, text: 'nothing to finish' };
  if (run.exitCode !== expected.code || !run.stdout.includes(expected.text)) throw new Error(`${bundle} did not take the expected path (${run.exitCode}):\n${run.stdout}\n${run.stderr}`);
  return run.ms;
}

const times: Record<Bundle | 'node', number[]> = { start: [], finish: [], collector: [], node: [] };
// Warm-up of each (page cache), unmeasured.
if (!QUICK) {
  await timedRun(NODE, ['-e', '0']);
  for (const bundle of BUNDLES) await coldStart(bundle);
}
for (let rep = 1; rep <= REPS; rep++) {
  for (const bundle of BUNDLES) {
    // A fresh node -e 0 before each, so every bundle has its own paired baseline.
    times.node.push((await timedRun(NODE, ['-e', '0'])).ms);
    times[bundle].push(await coldStart(bundle));
  }
  progress(`size ${rep}/${REPS}: start ${times.start.at(-1)!.toFixed(0)} ms, finish ${times.finish.at(-1)!.toFixed(0)} ms, collector ${times.collector.at(-1)!.toFixed(0)} ms, node -e 0 ${times.node.at(-1)!.toFixed(0)} ms`);
}

const measures: Measure[] = [];
const notes: string[] = [];
BUNDLES.forEach((bundle, index) => {
  const size = bundleSize(bundle);
  const baseline = times.node.filter((_, i) => i % BUNDLES.length === index);
  measures.push({
    label: `${bundle} bundle size (gzip ${(size.gzipBytes / 1024).toFixed(0)} kB)`,
    unit: 'kB',
    subject: summarize([size.bytes / 1024]),
    ...(bundle === 'collector' ? { target: { text: 'well under 200 kB', met: size.bytes / 1024 <= 150 } } : {}),
  });
  measures.push({ label: `${bundle} cold start`, unit: 'ms', subject: summarize(times[bundle]), baselineLabel: 'node -e 0', baseline: summarize(baseline), ratio: summarize(pairedRatios(times[bundle], baseline)) });
  notes.push(`dist/${bundle}: ${size.files.join(', ')}`);
});
notes.push('Cold start: collector until its ready file (listening); start until it exits on an invalid input (bundle loaded, @actions/core loaded to fail the step); finish until it exits with "nothing to finish". "well under 200 kB" is read as ≤ 150 kB.');
emit({ id: 'size', title: 'Bundle sizes and cold starts', measures, notes });
