/**
 * Response latency: the real fixture requests (every request of the three captures under
 * test/fixtures/codex-0.169.0, traces included) replayed by 8 concurrent senders, each on
 * its own keep-alive connection like 8 Codex processes; p99 answer time. Two loads: paced (each
 * sender waits 0-100 ms between requests, ~10x Codex's own pace of about one export a second) and
 * saturating (back to back: 8 requests always in flight, both cores busy). Baseline: a bare
 * node:http server that only reads the bodies, under the same load.
 */
import { startCollector } from '../lib/collector.js';
import { startEchoServer } from '../lib/echo.js';
import { COLD_ANSWERS, load, p50, p99, PACED_MAX_GAP_MS, requests, ROUNDS, SENDERS, onceWarm, withoutTraces, type Load, type Sample } from '../lib/latency-load.js';
import { QUICK, REPS } from '../lib/env.js';
import { emit, pairedRatios, progress, summarize } from '../lib/stats.js';

interface Series {
  base: number[];
  subject: number[];
}
const series = () => ({ base: [] as number[], subject: [] as number[] });
const figures: Record<Load, { p99: Series; p99NoTraces: Series; p99Warm: Series; p50: Series }> = {
  paced: { p99: series(), p99NoTraces: series(), p99Warm: series(), p50: series() },
  saturating: { p99: series(), p99NoTraces: series(), p99Warm: series(), p50: series() },
};

async function pair(mode: Load, counted: boolean): Promise<void> {
  const echo = await startEchoServer();
  const base = await load(echo.port, (contentType) => ({ 'content-type': contentType }), mode);
  await echo.stop();
  const collector = await startCollector();
  let subject: Sample[];
  try {
    subject = await load(collector.port, collector.headers, mode);
    await collector.shutdown();
  } finally {
    collector.kill();
  }
  if (!counted) return;
  const f = figures[mode];
  f.p99.base.push(p99(base));
  f.p99.subject.push(p99(subject));
  f.p99NoTraces.base.push(p99(withoutTraces(base)));
  f.p99NoTraces.subject.push(p99(withoutTraces(subject)));
  f.p99Warm.base.push(p99(onceWarm(base)));
  f.p99Warm.subject.push(p99(onceWarm(subject)));
  f.p50.base.push(p50(base));
  f.p50.subject.push(p50(subject));
  progress(`latency ${mode}: p99 bare server ${f.p99.base.at(-1)!.toFixed(1)} ms, collector ${f.p99.subject.at(-1)!.toFixed(1)} ms (without traces ${f.p99NoTraces.subject.at(-1)!.toFixed(1)} ms, once warm ${f.p99Warm.subject.at(-1)!.toFixed(1)} ms)`);
}

// One unmeasured warm-up pair (JIT, page cache), then interleaved pairs of each load.
if (!QUICK) await pair('saturating', false);
for (let rep = 1; rep <= REPS; rep++) {
  await pair('paced', true);
  await pair('saturating', true);
}

const measuresOf = (mode: Load) => {
  const f = figures[mode];
  const all = summarize(f.p99.subject);
  const noTraces = summarize(f.p99NoTraces.subject);
  return [
    {
      label: `${mode}: p99, every fixture request`,
      unit: 'ms',
      subject: all,
      baselineLabel: 'bare node:http server',
      baseline: summarize(f.p99.base),
      ratio: summarize(pairedRatios(f.p99.subject, f.p99.base)),
      target: { text: '≤ 10 ms', met: all.median <= 10 },
    },
    {
      label: `${mode}: p99, logs and metrics only`,
      unit: 'ms',
      subject: noTraces,
      baselineLabel: 'bare node:http server',
      baseline: summarize(f.p99NoTraces.base),
      ratio: summarize(pairedRatios(f.p99NoTraces.subject, f.p99NoTraces.base)),
      target: { text: '≤ 10 ms', met: noTraces.median <= 10 },
    },
    {
      label: `${mode}: p99 once warm (each run's first ${COLD_ANSWERS} answers left out)`,
      unit: 'ms',
      subject: summarize(f.p99Warm.subject),
      baselineLabel: 'bare node:http server',
      baseline: summarize(f.p99Warm.base),
      ratio: summarize(pairedRatios(f.p99Warm.subject, f.p99Warm.base)),
    },
    { label: `${mode}: p50, every fixture request`, unit: 'ms', subject: summarize(f.p50.subject), baselineLabel: 'bare node:http server', baseline: summarize(f.p50.base), ratio: summarize(pairedRatios(f.p50.subject, f.p50.base)) },
  ];
};

const bytes = requests.reduce((sum, r) => sum + r.body.length, 0);
emit({
  id: 'latency',
  title: 'Response latency, real fixture requests, 8 concurrent senders',
  measures: [...measuresOf('paced'), ...measuresOf('saturating')],
  notes: [
    `${requests.length} real requests (${(bytes / 1e6).toFixed(1)} MB: logs, metrics and traces, protobuf and pretty JSON, up to 1.2 MB each) × ${ROUNDS} rounds × ${SENDERS} senders = ${requests.length * ROUNDS * SENDERS} requests per run; p99 of each run; a fresh collector and bare server each run, interleaved.`,
    `paced: each sender waits 0-${PACED_MAX_GAP_MS} ms (uniform) before each request; saturating: back to back, so 8 requests are always in flight and the senders and the receiver share the 2 cores: there even the bare server queues.`,
    `once warm: the same runs without the first ${COLD_ANSWERS} answers of each (a fresh collector runs cold code then), on both sides.`,
    'The start step sets trace_exporter = "none", so Codex sends no traces unless include-codex-spans is on: the second line is what a default run sees.',
  ],
});
