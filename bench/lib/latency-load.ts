/**
 * The latency row's load (bench/rows/latency.ts): the real fixture requests (every request of the
 * three captures under test/fixtures/codex-0.169.0, traces included) replayed by 8 concurrent
 * senders, each on its own keep-alive connection like 8 Codex processes, paced or back to back.
 * Also used by bench/compare-builds.ts to put two builds of the collector under the same load.
 */
import http from 'node:http';
import { fixtureRequests, type FixtureRequest } from '../../test/support/collector-process.js';
import { post } from './collector.js';
import { Prng } from './codex-traffic.js';
import { QUICK } from './env.js';
import { sleep } from './proc.js';
import { percentile } from './stats.js';

export const SENDERS = 8;
export const ROUNDS = QUICK ? 1 : 3;
const CAPTURES = QUICK ? ['tool-call-protobuf'] : ['tool-call-protobuf', 'tool-call-json', 'interval-exports-json'];
export const requests: FixtureRequest[] = CAPTURES.flatMap((capture) => fixtureRequests(capture));

export interface Sample {
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
export const COLD_ANSWERS = 3 * SENDERS;

export type Load = 'paced' | 'saturating';
export const PACED_MAX_GAP_MS = QUICK ? 10 : 100;

/**
 * Every sender replays all requests ROUNDS times, each starting at its own offset. `send` is the
 * POST of bench/lib/collector.ts, or another build's (bench/compare-builds.ts).
 */
export async function load(port: number, headers: (contentType: string) => Record<string, string>, mode: Load, send: typeof post = post): Promise<Sample[]> {
  const samples: Sample[] = [];
  const sender = async (index: number) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const gaps = new Prng(index + 1);
    for (let i = 0; i < ROUNDS * requests.length; i++) {
      if (mode === 'paced') await sleep(gaps.next() * PACED_MAX_GAP_MS);
      const request = requests[(i + index * 3) % requests.length]!;
      const answer = await send(agent, port, request.path, request.body, headers(request.contentType));
      if (answer.status !== 200) throw new Error(`${request.path} answered ${answer.status}: ${answer.body.toString('utf8').slice(0, 200)}`);
      samples.push({ ms: answer.ms, path: request.path, order: samples.length });
    }
    agent.destroy();
  };
  await Promise.all(Array.from({ length: SENDERS }, (_, i) => sender(i)));
  return samples;
}

export const p99 = (samples: Sample[]) => percentile(samples.map((s) => s.ms).sort((a, b) => a - b), 0.99);
export const p50 = (samples: Sample[]) => percentile(samples.map((s) => s.ms).sort((a, b) => a - b), 0.5);
export const withoutTraces = (samples: Sample[]) => samples.filter((s) => s.path !== '/v1/traces');
export const onceWarm = (samples: Sample[]) => samples.filter((s) => s.order >= COLD_ANSWERS);
