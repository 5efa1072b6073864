/**
 * Forwarding: Codex-facing answer latency of the built collector with `forward-endpoint` set vs
 * not set. Two collector processes (one forwarding to a loopback OTLP receiver), the requests of a
 * real Codex turn replayed to each in turn, round after round, alternating which goes first; p50
 * and p99 per repetition, and their paired ratios (on / off).
 */
import { measureAnswerLatency } from '../lib/forward-latency.js';
import { startOtlpReceiver } from '../../test/support/otlp-receiver.js';
import { QUICK, REPS } from '../lib/env.js';
import { emit, pairedRatios, progress, summarize } from '../lib/stats.js';

const ROUNDS = QUICK ? 2 : 100;
const on = { p50: [] as number[], p99: [] as number[] };
const off = { p50: [] as number[], p99: [] as number[] };
let forwarded = 0;
for (let i = 1; i <= REPS; i++) {
  const receiver = await startOtlpReceiver();
  try {
    const result = await measureAnswerLatency({ forwardTo: receiver.baseUrl, rounds: ROUNDS });
    // Every kept event of every round (the warm-up included) reached the receiver.
    if (result.forwardedEvents !== (ROUNDS + 1) * 4) throw new Error(`forwarded ${result.forwardedEvents} events, expected ${(ROUNDS + 1) * 4}`);
    forwarded += result.forwardedEvents;
    on.p50.push(result.on.p50);
    on.p99.push(result.on.p99);
    off.p50.push(result.off.p50);
    off.p99.push(result.off.p99);
    progress(`forward ${i}/${REPS}: p99 on ${result.on.p99.toFixed(2)} ms, off ${result.off.p99.toFixed(2)} ms`);
  } finally {
    await receiver.close();
  }
}

const measure = (label: string, subject: number[], baseline: number[]) => ({
  label,
  unit: 'ms',
  subject: summarize(subject),
  baselineLabel: 'forwarding off',
  baseline: summarize(baseline),
  ratio: summarize(pairedRatios(subject, baseline)),
});
emit({
  id: 'forward',
  title: 'Forwarding: Codex-facing answer latency, forward-endpoint set vs not',
  measures: [measure('p50 answer time, forwarding on', on.p50, off.p50), measure('p99 answer time, forwarding on', on.p99, off.p99)],
  notes: [`${ROUNDS} rounds of the 5 tool-call-protobuf requests per repetition and mode, interleaved; ${forwarded} events forwarded in all.`],
});
