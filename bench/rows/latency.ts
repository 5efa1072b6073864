/**
 * Response latency: the real fixture requests (every request of the three captures under
 * test/fixtures/codex-0.169.0, traces included) replayed by 8 concurrent senders, each on
 * its own keep-alive connection like 8 Codex processes; p99 answer time. Two loads: paced (each
 * sender waits 0-100 ms between requests, ~10x Codex's own pace of about one export a second) and
 * saturating (back to back: 8 requests always in flight, both cores busy). Baseline: a bare
 * node:http server that only reads the bodies, under the same load.
 */
import http from 'node:http';
import { fixtureRequests, type FixtureRequest } from '../../test/support/collector-process.js';
import { post, startCollector } from '../lib/collector.js';
import { startEchoServer } from '../lib/echo.js';
import { Prng } from '../lib/codex-traffic.js';
import { QUICK, REPS } from '../lib/env.js';
import { sleep } from '../lib/proc.js';
import { emit, pairedRatios, percentile, progress, summarize } from '../lib/stats.js';

const SENDERS = 8;
const ROUNDS = QUICK ? 1 : 3;
const CAPTURES = QUICK ? ['tool-call-protobuf'] : ['tool-call-protobuf', 'tool-call-json', 'interval-exports-json'];
const requests: FixtureRequest[] = CAPTURES.flatMap((capture) => fixtureRequests(capture));

interface Sample {
  ms: number;
  path: string;
  /** Its place in the order the answers came in, over all senders of the run. */
  order: number;
}
/**
 * A fresh collector's first answers run cold code (lazily compiled, not yet optimized) and fault in
 * fresh memory; they are where its p99 comes from. The "once warm" figures leave them out, on both
 * sides, to show the rest.
 */
const COLD_ANSWERS = 3 * SENDERS;

type Load = 'paced' | 'saturating';
const PACED_MAX_GAP_MS = QUICK ? 10 : 100;

/** Every sender replays all requests ROUNDS times, each starting at its own offset. */
async function load(port: number, headers: (contentType: string) => Record<string, string>, mode: Load): Promise<Sample[]> {
  const samples: Sample[] = [];
  const sender = async (index: number) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const gaps = new Prng(index + 1);
    for (let i = 0; i < ROUNDS * requests.length; i++) {
      if (mode === 'paced') await sleep(gaps.next() * PACED_MAX_GAP_MS);
      const request = requests[(i + index * 3) % requests.length]!;
      const answer = await post(agent, port, request.path, request.body, headers(request.contentType));
      if (answer.status !== 200) throw new Error(`${request.path} answered ${answer.status}: ${answer.body.toString('utf8').slice(0, 200)}`);
      samples.push({ ms: answer.ms, path: request.path, order: samples.length });
    }
    agent.destroy();
  };
  await Promise.all(Array.from({ length: SENDERS }, (_, i) => sender(i)));
  return samples;
}

const p99 = (samples: Sample[]) => percentile(samples.map((s) => s.ms).sort((a, b) => a - b), 0.99);
const p50 = (samples: Sample[]) => percentile(samples.map((s) => s.ms).sort((a, b) => a - b), 0.5);
const withoutTraces = (samples: Sample[]) => samples.filter((s) => s.path !== '/v1/traces');
const onceWarm = (samples: Sample[]) => samples.filter((s) => s.order >= COLD_ANSWERS);

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
