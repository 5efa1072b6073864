import { afterEach, expect, it } from 'vitest';
import type { CollectorStats } from '../src/handoff/collector-config.js';
import { CollectorProcesses, type RunningCollector } from './support/collector-process.js';
import { KeepAliveSender, type Outcome, type PartOptions } from './support/http-senders.js';
import { actionsByTag, fixtureTemplate, headersOf, render, requestTag, sumCounts, type BodyTemplate } from './support/tagged-bodies.js';

/**
 * The collector receives bodies into reused buffers (src/collector/body-buffers.ts). Real HTTP to
 * the built collector: bodies sent in slow parts from concurrent senders, so their chunks interleave
 * in the collector, and every event must come out exactly as the fixtures say. Each body carries its
 * own tag (support/tagged-bodies.ts) at the same offsets as its twin sent beside it: two requests
 * writing into one buffer would swap tags or corrupt a body, and fail the exact counts.
 */

const collectors = new CollectorProcesses();
afterEach(() => collectors.stopAll());

// Per metrics export of a tool-call capture: the turn's token usage (test/fixtures/README.md).
const TURN_TOKENS = { input: 2600, cached_input: 2150, cache_write_input: 0, output: 80, reasoning_output: 30, total: 2680 };

const metricsJson = fixtureTemplate('tool-call-json/003-metrics.json', 'json'); // 774 kB
const metricsProtobuf = fixtureTemplate('tool-call-json/003-metrics.json', 'protobuf');
const metricsJsonGzip = fixtureTemplate('tool-call-json/003-metrics.json', 'json', 'gzip');
const metricsProtobufDeflate = fixtureTemplate('tool-call-json/003-metrics.json', 'protobuf', 'deflate');
const tracesJson = fixtureTemplate('tool-call-json/001-traces.json', 'json'); // 1.2 MB, no events kept
const logsJson = fixtureTemplate('tool-call-json/004-logs.json', 'json'); // 58 kB
const logsProtobuf = fixtureTemplate('tool-call-json/004-logs.json', 'protobuf');
const smallLogsJsonGzip = fixtureTemplate('interval-exports-json/005-logs.json', 'json', 'gzip');

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves `arrive()` for everyone once `count` have arrived. */
class Barrier {
  private arrived = 0;
  private release!: () => void;
  /** Resolves once all have arrived. */
  readonly passed = new Promise<void>((resolve) => (this.release = resolve));
  constructor(private readonly count: number) {}
  arrive(): Promise<void> {
    if (++this.arrived === this.count) this.release();
    return this.passed;
  }
}

/** A sender on one keep-alive connection that writes each body in slow parts; never rejects. */
class PartSender {
  private readonly sender: KeepAliveSender;
  constructor(private readonly collector: RunningCollector) {
    this.sender = new KeepAliveSender(collector.port);
  }

  send(template: BodyTemplate, body: Buffer, options: PartOptions): Promise<Outcome> {
    return this.sender.sendInParts(template.path, headersOf(template, this.collector.secret), body, options);
  }

  close(): void {
    this.sender.close();
  }
}

interface Sent {
  tag: string;
  template: BodyTemplate;
  outcome: Outcome;
}

/** Token sums by type, per request tag. */
function tokensByTag(events: Record<string, any>[]): Map<string, Record<string, number>> {
  const byTag = new Map<string, Record<string, number>>();
  for (const e of events.filter((e) => e.event.action === 'token.usage')) {
    const sums = byTag.get(e.model) ?? {};
    sums[e.gen_ai.token.type] = (sums[e.gen_ai.token.type] ?? 0) + e.raw.metric_value;
    byTag.set(e.model, sums);
  }
  return byTag;
}

/** Every request answered 200, and the capture holds exactly each request's events and token totals. */
function expectExactCapture(c: RunningCollector, sent: Sent[]): void {
  expect(sent.filter((s) => s.outcome.status !== 200).map((s) => ({ name: s.template.name, ...s.outcome, body: s.outcome.body?.toString() }))).toEqual([]);
  const events = c.events();
  const expectedByTag = new Map(sent.filter((s) => Object.keys(s.template.expected.kept).length > 0).map((s) => [s.tag, s.template.expected.kept]));
  expect(new Map([...actionsByTag(events)].sort())).toEqual(new Map([...expectedByTag].sort()));
  const metricsTags = sent.filter((s) => s.template.signal === 'metrics').map((s) => s.tag);
  expect(new Map([...tokensByTag(events)].sort())).toEqual(new Map(metricsTags.sort().map((tag) => [tag, TURN_TOKENS])));
}

/** The records the collector must have counted per signal for these requests. */
function recordsBySignal(sent: Sent[]): Record<string, number> {
  const records: Record<string, number> = { logs: 0, metrics: 0, traces: 0 };
  for (const s of sent) records[s.template.signal]! += s.template.expected.records;
  return records;
}

function recordsReceived(stats: CollectorStats): Record<string, number> {
  return { logs: stats.signals.logs.recordsReceived, metrics: stats.signals.metrics.recordsReceived, traces: stats.signals.traces.recordsReceived };
}

it('8 concurrent senders whose bodies interleave in slow parts: every event exactly once, with its own tag', async () => {
  const c = await collectors.start();
  // Each round, sender pairs (2p, 2p+1) send the same body with different tags: same size, tags at
  // the same offsets. Sizes run from 58 kB to 1.2 MB, JSON and protobuf, compressed and not.
  const rounds: BodyTemplate[][] = [
    [metricsJson, tracesJson, metricsProtobuf, logsJson],
    [tracesJson, logsJson, metricsJson, metricsProtobuf],
    [metricsJsonGzip, metricsJson, logsProtobuf, tracesJson],
    [logsJson, metricsProtobufDeflate, tracesJson, metricsJsonGzip],
  ];
  const senders = Array.from({ length: 8 }, () => new PartSender(c));
  const sent: Sent[] = [];
  for (const [round, pairs] of rounds.entries()) {
    // Every sender has written its first part before any writes the rest: all 8 bodies are being
    // received at once, and none is complete until its last part.
    const barrier = new Barrier(senders.length);
    const afterFirstPart = async () => {
      await barrier.arrive();
      await sleep(20);
    };
    sent.push(
      ...(await Promise.all(
        senders.map(async (sender, s) => {
          const template = pairs[s >> 1]!;
          const tag = requestTag(round * 100 + s);
          const outcome = await sender.send(template, render(template, tag), { parts: 24, afterFirstPart, pauseMs: 1 + (s % 3) });
          return { tag, template, outcome };
        }),
      )),
    );
  }
  for (const sender of senders) sender.close();

  expectExactCapture(c, sent);
  expect(c.events().filter((e) => e.event.action === 'token.usage').length).toBe(6 * sent.filter((s) => s.template.signal === 'metrics').length);
  const stats = await c.shutdown();
  expect(recordsReceived(stats)).toEqual(recordsBySignal(sent));
  expect(stats.rejected).toEqual({});
  expect(stats.eventsWritten).toBe(c.events().length);
});

it('a big body, then small ones and compressed ones into the same buffer: exact events for each', async () => {
  const c = await collectors.start();
  const sender = new PartSender(c);
  // One connection, one request at a time: each later body reuses the buffer the 1.2 MB one grew,
  // with that body's bytes still past its own end.
  const sequence = [tracesJson, metricsJson, logsJson, logsProtobuf, metricsProtobuf, smallLogsJsonGzip, metricsJsonGzip, metricsProtobufDeflate, logsJson];
  const sent: Sent[] = [];
  for (const [i, template] of sequence.entries()) {
    const tag = requestTag(i + 1);
    sent.push({ tag, template, outcome: await sender.send(template, render(template, tag), { parts: 6 }) });
  }
  sender.close();

  expectExactCapture(c, sent);
  expect(actionsByTag(c.events()).size).toBe(sent.filter((s) => s.template.signal !== 'traces').length);
  const stats = await c.shutdown();
  expect(recordsReceived(stats)).toEqual(recordsBySignal(sent));
  expect(stats.rejected).toEqual({});
});

it('a compressed body keeps its buffer while it is decompressed: bodies completed meanwhile get buffers of their own', async () => {
  const c = await collectors.start();
  // A fresh collector keeps no buffer: the gzip body's (48 kB, in a 64 kB buffer) is the only one it
  // could lend. Six 58 kB requests wait half sent, then finish at staggered times just after the
  // gzip body's last part, while zlib reads it (774 kB inflated, in many steps of the event loop).
  // Lent meanwhile, its buffer would be overwritten under zlib: a 400, or the wrong tags.
  const waiting = Array.from({ length: 6 }, () => new PartSender(c));
  const gate = new Barrier(waiting.length + 1);
  // Time for the collector to read every first part: a later part must arrive as a chunk of its own.
  const lastGzipPart = gate.passed.then(() => sleep(50));
  const sent: Sent[] = [];
  const gzipTag = requestTag(1);
  const gzipSender = new PartSender(c);
  const compressed = gzipSender.send(metricsJsonGzip, render(metricsJsonGzip, gzipTag), { parts: 2, afterFirstPart: () => gate.arrive().then(() => lastGzipPart) });
  const others = waiting.map(async (sender, i) => {
    const tag = requestTag(10 + i);
    const afterFirstPart = async () => {
      await gate.arrive();
      await lastGzipPart;
      if (i > 0) await sleep(i);
    };
    return { tag, template: logsJson, outcome: await sender.send(logsJson, render(logsJson, tag), { parts: 2, afterFirstPart }) };
  });
  sent.push({ tag: gzipTag, template: metricsJsonGzip, outcome: await compressed }, ...(await Promise.all(others)));
  for (const sender of [gzipSender, ...waiting]) sender.close();
  expectExactCapture(c, sent);
});

it('over the body limit is 413 with nothing written, declared or found mid-body; malformed is 400; the collector keeps serving', async () => {
  const limit = 200_000;
  const c = await collectors.start({ maxBodyBytes: limit });
  const senders: PartSender[] = [];
  // A new connection each: a 413 closes its connection.
  const sender = () => senders[senders.push(new PartSender(c)) - 1]!;
  const tooBig = render(metricsJson, requestTag(1)); // 774 kB
  const declared = await sender().send(metricsJson, tooBig, { parts: 8 });
  expect(declared.status).toBe(413);
  // Chunked: the limit is found while the body is copied into a buffer.
  const midBody = await sender().send(metricsJson, tooBig, { parts: 40, chunked: true });
  expect(midBody.status).toBe(413);
  const truncated = render(logsJson, requestTag(2)).subarray(0, 40_000);
  const malformed = await sender().send(logsJson, truncated, { parts: 5 });
  expect(malformed.status).toBe(400);
  expect(c.captureText()).toBe('');

  // Bodies under the limit, in parts and chunked, are received whole.
  const sent: Sent[] = [];
  for (const [i, template] of [metricsProtobuf, logsJson, metricsProtobufDeflate].entries()) {
    const tag = requestTag(10 + i);
    const body = render(template, tag);
    expect(body.length).toBeLessThan(limit);
    sent.push({ tag, template, outcome: await sender().send(template, body, { parts: 7, chunked: i === 1 }) });
  }
  for (const s of senders) s.close();
  expectExactCapture(c, sent);
  const stats = await c.shutdown();
  expect(stats.rejected).toEqual({ '400': 1, '413': 2 });
  expect(recordsReceived(stats)).toEqual(recordsBySignal(sent));
});

it('a body declared over the limit is answered 413 every time, even while the client is still sending it: the answer is never cut off by a reset', async () => {
  const c = await collectors.start({ maxBodyBytes: 200_000 });
  const tooBig = render(metricsJson, requestTag(1)); // 774 kB
  // Without the linger, 3–6% of these saw ECONNRESET instead of the 413 (the collector closed with
  // the body unread, and the kernel's reset overtook the answer).
  const outcomes: Record<string, number> = {};
  for (let i = 0; i < 150; i++) {
    const sender = new PartSender(c);
    const outcome = await sender.send(metricsJson, tooBig, { parts: i % 2 === 0 ? 8 : 2, pauseMs: 0 });
    sender.close();
    const key = String(outcome.status ?? outcome.error);
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  }
  expect(outcomes).toEqual({ '413': 150 });
  expect(c.captureText()).toBe('');
  // Still serving.
  const fine = render(metricsProtobuf, requestTag(2));
  const sender = new PartSender(c);
  expect((await sender.send(metricsProtobuf, fine, { parts: 1 })).status).toBe(200);
  sender.close();
  expect((await c.shutdown()).rejected).toEqual({ '413': 150 });
});
