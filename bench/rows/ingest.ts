/**
 * Ingest throughput: Codex-shaped log batches (1000 records each) posted by 4 concurrent senders
 * to the built collector process, until every request is answered (it answers only once the
 * request's events are on disk, and the capture is checked to hold them all), in records/s;
 * against `JSON.parse` alone of the same batches in their OTLP/JSON form, in this process.
 * Argument: `protobuf` or `json`.
 *
 * With `protobuf` the timed run is 1 million records and the collector's memory is read from
 * /proc/<pid>/status throughout, which makes the `memory` row too: VmRSS idle (a second after it
 * is ready), VmHWM at the end, VmRSS sampled every 20 ms by quarter of the records (flat or not),
 * against a bare node:http server (reads bodies, answers 200) idle and under 250 batches.
 */
import http from 'node:http';
import { countLines, post, startCollector } from '../lib/collector.js';
import { logBatches, type LogBatch } from '../lib/codex-traffic.js';
import { startEchoServer } from '../lib/echo.js';
import { QUICK, REPS } from '../lib/env.js';
import { memoryOf, sleep } from '../lib/proc.js';
import { emit, pairedRatios, progress, summarize } from '../lib/stats.js';

const encoding = process.argv[2] === 'json' ? 'json' : 'protobuf';
const withMemory = encoding === 'protobuf';
const SENDERS = 4;
const BATCH_RECORDS = 1000;
const DISTINCT_BATCHES = QUICK ? 2 : 8;
const BATCHES_PER_RUN = QUICK ? 4 : withMemory ? 1000 : 120;
const PARSE_BATCHES = QUICK ? 4 : 120;
const WARMUP_BATCHES = QUICK ? 1 : 8;
const BARE_SERVER_BATCHES = QUICK ? 4 : 250;
const IDLE_SETTLE_MS = QUICK ? 200 : 1000;

const batches = logBatches(DISTINCT_BATCHES, BATCH_RECORDS);
const batchAt = (i: number): LogBatch => batches[i % batches.length]!;
const contentType = encoding === 'json' ? 'application/json' : 'application/x-protobuf';

interface Sent {
  ms: number;
  /** Highest VmRSS in each quarter of the batches, when sampled. */
  quarterMaxRssMb: number[];
  maxAnonMb: number;
}

/** Posts batches [from, to) with SENDERS concurrent senders; samples `pid`'s memory every 20 ms if given. */
async function send(port: number, headers: Record<string, string>, from: number, to: number, pid?: number): Promise<Sent> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: SENDERS });
  let next = from;
  let answered = 0;
  const quarterMaxRssMb = [0, 0, 0, 0];
  let maxAnonMb = 0;
  const sample = () => {
    if (pid === undefined) return;
    const now = memoryOf(pid);
    const quarter = Math.min(3, Math.floor((answered / (to - from)) * 4));
    quarterMaxRssMb[quarter] = Math.max(quarterMaxRssMb[quarter]!, now.rssMb);
    maxAnonMb = Math.max(maxAnonMb, now.anonMb);
  };
  const sampler = setInterval(sample, 20);
  const started = performance.now();
  const sender = async () => {
    while (next < to) {
      const batch = batchAt(next++);
      const answer = await post(agent, port, '/v1/logs', encoding === 'json' ? batch.json : batch.protobuf, headers);
      if (answer.status !== 200) throw new Error(`answered ${answer.status}: ${answer.body.toString('utf8').slice(0, 300)}`);
      answered += 1;
    }
  };
  try {
    await Promise.all(Array.from({ length: SENDERS }, sender));
  } finally {
    clearInterval(sampler);
    agent.destroy();
  }
  const ms = performance.now() - started;
  sample();
  return { ms, quarterMaxRssMb, maxAnonMb };
}

function keptIn(from: number, to: number): number {
  let kept = 0;
  for (let i = from; i < to; i++) kept += batchAt(i).kept;
  return kept;
}

/**
 * records/s of JSON.parse over the JSON form of the batches: of the text (the brief's baseline), or
 * of the bytes as they arrive (UTF-8 decoding included, which any JSON receiver pays too).
 */
function parseRate(from: 'text' | 'bytes'): number {
  const started = performance.now();
  let resources = 0;
  for (let i = 0; i < PARSE_BATCHES; i++) {
    const batch = batchAt(i);
    const text = from === 'text' ? batch.jsonText : Buffer.from(batch.json.buffer, batch.json.byteOffset, batch.json.length).toString('utf8');
    resources += (JSON.parse(text) as { resourceLogs: unknown[] }).resourceLogs.length;
  }
  const ms = performance.now() - started;
  if (resources === 0) throw new Error('nothing parsed');
  return (PARSE_BATCHES * BATCH_RECORDS) / (ms / 1000);
}

const rate = { base: [] as number[], baseBytes: [] as number[], subject: [] as number[], subjectMs: [] as number[] };
const memory = {
  idle: [] as number[],
  idleHwm: [] as number[],
  idleAnon: [] as number[],
  bareIdle: [] as number[],
  bareIdleAnon: [] as number[],
  loaded: [] as number[],
  loadedAnon: [] as number[],
  bareLoaded: [] as number[],
  bareLoadedAnon: [] as number[],
  growth: [] as number[],
  quarters: [] as number[][],
};

// The parser warms up as the collector gets its warm-up batches.
parseRate('text');
parseRate('bytes');
for (let rep = 1; rep <= REPS; rep++) {
  rate.base.push(parseRate('text'));
  rate.baseBytes.push(parseRate('bytes'));

  if (withMemory) {
    const bare = await startEchoServer();
    try {
      await sleep(IDLE_SETTLE_MS);
      const idle = memoryOf(bare.pid);
      memory.bareIdle.push(idle.rssMb);
      memory.bareIdleAnon.push(idle.anonMb);
      const loaded = await send(bare.port, { 'content-type': contentType }, 0, BARE_SERVER_BATCHES, bare.pid);
      memory.bareLoaded.push(memoryOf(bare.pid).hwmMb);
      memory.bareLoadedAnon.push(loaded.maxAnonMb);
    } finally {
      await bare.stop();
    }
  }

  const collector = await startCollector();
  try {
    const headers = collector.headers(contentType);
    if (withMemory) {
      await sleep(IDLE_SETTLE_MS);
      const idle = memoryOf(collector.pid);
      memory.idle.push(idle.rssMb);
      memory.idleHwm.push(idle.hwmMb);
      memory.idleAnon.push(idle.anonMb);
    }
    await send(collector.port, headers, 0, WARMUP_BATCHES);
    const run = await send(collector.port, headers, WARMUP_BATCHES, WARMUP_BATCHES + BATCHES_PER_RUN, withMemory ? collector.pid : undefined);
    rate.subjectMs.push(run.ms);
    rate.subject.push((BATCHES_PER_RUN * BATCH_RECORDS) / (run.ms / 1000));
    if (withMemory) {
      memory.loaded.push(memoryOf(collector.pid).hwmMb);
      memory.loadedAnon.push(run.maxAnonMb);
      memory.quarters.push(run.quarterMaxRssMb);
      memory.growth.push(run.quarterMaxRssMb[3]! / run.quarterMaxRssMb[0]!);
    }
    const stats = await collector.shutdown();
    // Every answered event must be on disk: the run counts only if the capture holds all of them.
    const expected = keptIn(0, WARMUP_BATCHES) + keptIn(WARMUP_BATCHES, WARMUP_BATCHES + BATCHES_PER_RUN);
    const lines = countLines(collector.config.capturePath);
    if (lines !== expected || stats.eventsWritten !== expected) throw new Error(`capture holds ${lines} lines (stats: ${stats.eventsWritten}), expected ${expected}`);
  } finally {
    collector.kill();
  }
  progress(
    `${encoding} ${rep}/${REPS}: JSON.parse ${Math.round(rate.base.at(-1)!)} records/s, collector ${Math.round(rate.subject.at(-1)!)} records/s` +
      (withMemory ? `; RSS idle ${memory.idle.at(-1)!.toFixed(1)} MB, peak ${memory.loaded.at(-1)!.toFixed(1)} MB, by quarter ${memory.quarters.at(-1)!.map((q) => q.toFixed(0)).join('/')} MB` : ''),
  );
}

const ratio = summarize(pairedRatios(rate.subject, rate.base));
const target = encoding === 'json' ? 0.6 : 1.0;
const batch = batches[0]!;
const records = (BATCHES_PER_RUN * BATCH_RECORDS).toLocaleString('en-US');
emit({
  id: `ingest-${encoding}`,
  title: `Ingest throughput, OTLP/${encoding === 'json' ? 'JSON' : 'protobuf'} (collector process, ${SENDERS} concurrent senders)`,
  measures: [
    {
      label: `collector, ${encoding}, ${records} records`,
      unit: 'records/s',
      subject: summarize(rate.subject),
      baselineLabel: 'JSON.parse of the JSON form',
      baseline: summarize(rate.base),
      ratio,
      target: { text: `≥ ${target.toFixed(1)}x`, met: ratio.median >= target },
    },
    {
      label: `collector, ${encoding}, against decoding + parsing the JSON bytes`,
      unit: 'records/s',
      subject: summarize(rate.subject),
      baselineLabel: 'UTF-8 decode + JSON.parse of the JSON bytes',
      baseline: summarize(rate.baseBytes),
      ratio: summarize(pairedRatios(rate.subject, rate.baseBytes)),
    },
    { label: 'collector wall time per run', unit: 'ms', subject: summarize(rate.subjectMs) },
  ],
  notes: [
    `${BATCHES_PER_RUN} batches × ${BATCH_RECORDS} records per run (${DISTINCT_BATCHES} distinct batches cycled) after ${WARMUP_BATCHES} warm-up batches; a fresh collector each run, keep-alive connections; JSON.parse timed over ${PARSE_BATCHES} of the same batches.`,
    `A batch: ${Math.round(batch.protobuf.length / 1024)} kB protobuf, ${Math.round(batch.json.length / 1024)} kB pretty-printed JSON (as Codex sends it), ${batch.kept} of ${batch.records} records kept (tool decisions and results, prompts); the rest mostly codex.sse_event.`,
    'Checked after each run: the capture holds exactly the kept events of every batch sent.',
  ],
});

if (withMemory) {
  const idle = summarize(memory.idle);
  const loaded = summarize(memory.loaded);
  const growth = summarize(memory.growth);
  const bare = { baselineLabel: 'bare node:http server' };
  emit({
    id: 'memory',
    title: `Collector memory, idle and during ${records} records (the ingest-protobuf runs)`,
    measures: [
      { label: 'idle VmRSS', unit: 'MB', subject: idle, ...bare, baseline: summarize(memory.bareIdle), ratio: summarize(pairedRatios(memory.idle, memory.bareIdle)), target: { text: '≤ 50 MB', met: idle.max <= 50 } },
      { label: 'idle RssAnon (private part)', unit: 'MB', subject: summarize(memory.idleAnon), ...bare, baseline: summarize(memory.bareIdleAnon), ratio: summarize(pairedRatios(memory.idleAnon, memory.bareIdleAnon)) },
      { label: `loaded VmHWM (${records} records)`, unit: 'MB', subject: loaded, ...bare, baseline: summarize(memory.bareLoaded), ratio: summarize(pairedRatios(memory.loaded, memory.bareLoaded)), target: { text: '≤ 150 MB', met: loaded.max <= 150 } },
      { label: 'loaded RssAnon, highest sample', unit: 'MB', subject: summarize(memory.loadedAnon), ...bare, baseline: summarize(memory.bareLoadedAnon), ratio: summarize(pairedRatios(memory.loadedAnon, memory.bareLoadedAnon)) },
      { label: 'RSS growth: peak in the last quarter of the records / the first', unit: 'x', subject: growth, target: { text: 'flat (≤ 1.2x)', met: growth.median <= 1.2 } },
    ],
    notes: [
      `Peak VmRSS per quarter of the records, each run (MB): ${memory.quarters.map((q) => q.map((v) => v.toFixed(0)).join('/')).join(', ')}.`,
      `The bare server takes ${BARE_SERVER_BATCHES} of the same batches (its peak is reached early). Idle and loaded targets are judged on the worst run (max).`,
      'VmRSS counts the pages of the node binary itself (RssFile, ~38 MB for Node 24, shared with every node process); RssAnon is what the process adds privately.',
    ],
  });
}
