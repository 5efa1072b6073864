/**
 * Start step: `node dist/start/index.js` under a simulated runner (GITHUB_* files, INPUT_* defaults
 * from action.yml), against `node -e 0`. Two figures per run:
 * - the step's wall time, from spawn until it exits and its pipes close: what the job waits for.
 *   The step binds the collector's socket and hands it over, so the endpoint takes connections
 *   once the step has exited; it does not wait for the collector's boot.
 * - from the same spawn until the collector answers a GET /health sent the moment the step
 *   exited (queued on the socket while the collector boots): when Codex's first export would be
 *   served. The answer must name the pid of the ready file, so every run also proves the endpoint
 *   works right after the step.
 * Each collector is then stopped through POST /shutdown with the control secret from collector.json.
 */
import fs from 'node:fs';
import type { CollectorConfig, ReadyFile } from '../../src/handoff/collector-config.js';
import { HEALTH_PATH } from '../../src/handoff/collector-config.js';
import { collectorPid } from '../../src/handoff/collector-client.js';
import { workspacePaths } from '../../src/handoff/workspace.js';
import { runStartStep, stopStartedCollector } from '../lib/action.js';
import { NODE, QUICK } from '../lib/env.js';
import { timedRun } from '../lib/proc.js';
import { emit, pairedRatios, progress, summarize } from '../lib/stats.js';

const REPS = QUICK ? 1 : 7;

/** The step, then /health at once: the step's wall time, and from its spawn until /health is answered, in ms. */
async function stepUntilServed(): Promise<{ stepMs: number; servedMs: number; workDir: string }> {
  const step = await runStartStep();
  // runStartStep resolves right after the exit (it only parses the GITHUB_* files): the time since
  // then is added to the step's own wall time.
  const exitedAt = performance.now();
  const paths = workspacePaths(step.workDir);
  const { controlSecret } = JSON.parse(fs.readFileSync(paths.collectorConfig, 'utf8')) as CollectorConfig;
  const ready = JSON.parse(fs.readFileSync(paths.ready, 'utf8')) as ReadyFile;
  const answeredPid = await collectorPid(ready.port, HEALTH_PATH, 'GET', controlSecret, 15_000);
  const servedMs = step.ms + (performance.now() - exitedAt);
  if (answeredPid !== ready.pid) throw new Error(`/health on port ${ready.port} answered pid ${answeredPid}, not the collector's ${ready.pid}`);
  return { stepMs: step.ms, servedMs, workDir: step.workDir };
}

const baseline: number[] = [];
const subject: number[] = [];
const served: number[] = [];
// One unmeasured warm-up of each (page cache for the bundles and node itself).
if (!QUICK) {
  await timedRun(NODE, ['-e', '0']);
  await stopStartedCollector((await stepUntilServed()).workDir);
}
for (let i = 1; i <= REPS; i++) {
  baseline.push((await timedRun(NODE, ['-e', '0'])).ms);
  const run = await stepUntilServed();
  subject.push(run.stepMs);
  served.push(run.servedMs);
  await stopStartedCollector(run.workDir);
  progress(`start ${i}/${REPS}: node -e 0 ${baseline.at(-1)!.toFixed(0)} ms, start step ${run.stepMs.toFixed(0)} ms, /health answered at ${run.servedMs.toFixed(0)} ms`);
}

const ratio = summarize(pairedRatios(subject, baseline));
emit({
  id: 'start',
  title: 'Start step (main step until it exits with the collector endpoint reachable)',
  measures: [
    {
      label: 'start step wall time',
      unit: 'ms',
      subject: summarize(subject),
      baselineLabel: 'node -e 0',
      baseline: summarize(baseline),
      ratio,
      target: { text: '≤ 3x', met: ratio.median <= 3 },
    },
    {
      label: 'step spawn until the collector answers /health',
      unit: 'ms',
      subject: summarize(served),
      baselineLabel: 'node -e 0',
      baseline: summarize(baseline),
      ratio: summarize(pairedRatios(served, baseline)),
    },
  ],
  notes: [
    `${REPS} interleaved pairs after one warm-up of each; action.yml defaults as INPUT_*; /health sent as soon as the step exited (queued on the socket while the collector boots); each collector stopped with POST /shutdown afterwards (not timed).`,
  ],
});
