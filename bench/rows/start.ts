/**
 * Start step: `node dist/start/index.js` under a simulated runner (GITHUB_* files, INPUT_* defaults
 * from action.yml) from spawn until it exits with the collector ready, against `node -e 0`.
 * Each collector is then stopped through POST /shutdown with the secret from collector.json.
 */
import { runStartStep, stopStartedCollector } from '../lib/action.js';
import { NODE, QUICK } from '../lib/env.js';
import { timedRun } from '../lib/proc.js';
import { emit, pairedRatios, progress, summarize } from '../lib/stats.js';

const REPS = QUICK ? 1 : 7;

const baseline: number[] = [];
const subject: number[] = [];
// One unmeasured warm-up of each (page cache for the bundles and node itself).
if (!QUICK) {
  await timedRun(NODE, ['-e', '0']);
  await stopStartedCollector((await runStartStep()).workDir);
}
for (let i = 1; i <= REPS; i++) {
  baseline.push((await timedRun(NODE, ['-e', '0'])).ms);
  const step = await runStartStep();
  subject.push(step.ms);
  // The step waits for the collector's answer before it exits; this checks it is still there.
  await stopStartedCollector(step.workDir);
  progress(`start ${i}/${REPS}: node -e 0 ${baseline.at(-1)!.toFixed(0)} ms, start step ${step.ms.toFixed(0)} ms`);
}

const ratio = summarize(pairedRatios(subject, baseline));
emit({
  id: 'start',
  title: 'Start step (main step until it exits with the collector ready)',
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
  ],
  notes: [`${REPS} interleaved pairs after one warm-up of each; action.yml defaults as INPUT_*; each collector stopped with POST /shutdown afterwards (not timed).`],
});
