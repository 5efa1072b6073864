import { fixtureRequests, startCollectorProcess, type RunningCollector } from '../../test/support/collector-process.js';

/**
 * Codex-facing answer latency of the built collector with forwarding on and off, measured in one
 * run: two collector processes (one forwarding to `forwardTo`), the fixture requests of a real
 * Codex turn replayed to each in turn, round after round, alternating which goes first.
 */

export interface LatencyFigures {
  samples: number;
  p50: number;
  p99: number;
}

export interface ForwardBenchResult {
  on: LatencyFigures;
  off: LatencyFigures;
  /** Events the forwarding collector sent (its counters), the warm-up round included. */
  forwardedEvents: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function figures(samples: number[]): LatencyFigures {
  const sorted = [...samples].sort((a, b) => a - b);
  return { samples: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

async function replayOnce(collector: RunningCollector, requests: ReturnType<typeof fixtureRequests>, into: number[]): Promise<void> {
  for (const request of requests) {
    const sent = performance.now();
    const answer = await collector.post(request);
    into.push(performance.now() - sent);
    if (answer.status !== 200) throw new Error(`the collector answered ${answer.status}`);
  }
}

export async function measureAnswerLatency(options: { forwardTo: string; rounds: number; capture?: string }): Promise<ForwardBenchResult> {
  const requests = fixtureRequests(options.capture ?? 'tool-call-protobuf');
  const on = await startCollectorProcess({ forward: { endpoint: options.forwardTo, headers: {}, required: false, shutdownLimitMs: 10_000 } });
  const off = await startCollectorProcess();
  const latencies = { on: [] as number[], off: [] as number[] };
  try {
    // One warm-up round each, not measured (the first requests load code paths).
    await replayOnce(on, requests, []);
    await replayOnce(off, requests, []);
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
      for (const which of order) await replayOnce(which === 'on' ? on : off, requests, latencies[which]);
    }
  } catch (error) {
    on.child.kill();
    off.child.kill();
    throw error;
  }
  const [onStats] = await Promise.all([on.shutdown(), off.shutdown()]);
  return { on: figures(latencies.on), off: figures(latencies.off), forwardedEvents: onStats.forward?.recordsSent ?? 0 };
}
