/**
 * The largest realistic Codex job, end to end: 2,000 tool calls in 500 turns (about 4 hours of
 * commands). Its telemetry as Codex sends it (logs flushed about every second, one protobuf export
 * per 1-second window; Codex's real metrics export every 60 s of job time) goes to the built
 * collector process over one keep-alive connection; then the post step runs on the capture and the
 * runtime log is uploaded through the fake artifact service (@actions/artifact against
 * test/support/fake-artifact-service.ts on loopback).
 *
 * Emits two rows. `large-job`: collector CPU time (from /proc, idle start-up excluded) and peak RSS
 * against a bare node:http server taking the same requests, capture size, post step time against
 * read + JSON.parse. `upload`: the upload of that runtime log against gzip of the same files.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { runtimeEnvFor, startFakeArtifactService } from '../../test/support/fake-artifact-service.js';
import { post, startCollector } from '../lib/collector.js';
import { codexJobRecords, exportsBySecond, fixtureMetricsProtobuf, KEPT_EVENT_NAMES } from '../lib/codex-traffic.js';
import { startEchoServer } from '../lib/echo.js';
import { NODE, QUICK, REPS, SCRATCH } from '../lib/env.js';
import { cpuMsOf, memoryOf, sleep, timedRun } from '../lib/proc.js';
import { emit, pairedRatios, progress, summarize } from '../lib/stats.js';
import { transpiled } from '../lib/transpile.js';

const SHAPE = QUICK ? { toolCalls: 20, turns: 5 } : { toolCalls: 2_000, turns: 500 };
const METRICS_INTERVAL_MS = 60_000;
/** Codex's token histogram: one data point per token type in each metrics export. */
const TOKEN_EVENTS_PER_METRICS_EXPORT = 6;

interface Request {
  path: '/v1/logs' | '/v1/metrics';
  body: Uint8Array;
}

// The job's requests in the order Codex sends them.
const records = codexJobRecords(SHAPE);
const metricsBody = fixtureMetricsProtobuf();
const requests: Request[] = [];
let nextMetricsAt = records[0]!.hrTimeObserved[0] * 1000 + METRICS_INTERVAL_MS;
for (const batch of exportsBySecond(records)) {
  const at = batch[0]!.hrTimeObserved[0] * 1000;
  for (; nextMetricsAt <= at; nextMetricsAt += METRICS_INTERVAL_MS) requests.push({ path: '/v1/metrics', body: metricsBody });
  requests.push({ path: '/v1/logs', body: ProtobufLogsSerializer.serializeRequest(batch)! });
}
requests.push({ path: '/v1/metrics', body: metricsBody }); // the final flush at exit
const jobMs = (records.at(-1)!.hrTimeObserved[0] - records[0]!.hrTimeObserved[0]) * 1000;
const logRequests = requests.filter((r) => r.path === '/v1/logs').length;
const metricsRequests = requests.length - logRequests;
const expectedEvents = records.filter((r) => KEPT_EVENT_NAMES.has(String(r.attributes['event.name']))).length + metricsRequests * TOKEN_EVENTS_PER_METRICS_EXPORT;
const requestBytes = requests.reduce((sum, r) => sum + r.body.length, 0);
progress(`job: ${records.length} log records in ${logRequests} log exports, ${metricsRequests} metrics exports, ${(requestBytes / 1e6).toFixed(1)} MB, ${(jobMs / 3_600_000).toFixed(1)} hours of job time`);

/** Sends every request in order on one connection; returns the receiver's CPU ms for them and the wall time. */
async function replay(port: number, pid: number, headers: Record<string, string>): Promise<{ cpuMs: number; wallMs: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const cpuBefore = cpuMsOf(pid);
  const started = performance.now();
  for (const request of requests) {
    const answer = await post(agent, port, request.path, request.body, headers);
    if (answer.status !== 200) throw new Error(`${request.path} answered ${answer.status}`);
  }
  const wallMs = performance.now() - started;
  agent.destroy();
  return { cpuMs: cpuMsOf(pid) - cpuBefore, wallMs };
}

interface WorkerResult {
  ms: number;
  hwmMb: number;
  events?: number;
  zipBytes?: number;
}

async function worker(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<WorkerResult> {
  const run = await timedRun(NODE, [transpiled(path.join(import.meta.dirname, file)), ...args], { env, timeoutMs: 120_000 });
  if (run.exitCode !== 0) throw new Error(`${file} ${args[0]} failed:\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as WorkerResult;
}

const fake = await startFakeArtifactService();
const artifactEnv = { ...process.env, ...runtimeEnvFor(fake) };
const figures = {
  bareCpu: [] as number[],
  cpu: [] as number[],
  bareWall: [] as number[],
  wall: [] as number[],
  bareHwm: [] as number[],
  hwm: [] as number[],
  captureMb: [] as number[],
  postMs: [] as number[],
  postHwm: [] as number[],
  parseMs: [] as number[],
  uploadMs: [] as number[],
  uploadHwm: [] as number[],
  gzipMs: [] as number[],
  zipMb: [] as number[],
  logMb: [] as number[],
};
try {
  for (let rep = 1; rep <= REPS; rep++) {
    const bare = await startEchoServer();
    await sleep(200);
    const bareRun = await replay(bare.port, bare.pid, { 'content-type': 'application/x-protobuf' });
    figures.bareCpu.push(bareRun.cpuMs);
    figures.bareWall.push(bareRun.wallMs);
    figures.bareHwm.push(memoryOf(bare.pid).hwmMb);
    await bare.stop();

    const collector = await startCollector();
    let capture: string;
    try {
      await sleep(200);
      const run = await replay(collector.port, collector.pid, collector.headers('application/x-protobuf'));
      figures.cpu.push(run.cpuMs);
      figures.wall.push(run.wallMs);
      figures.hwm.push(memoryOf(collector.pid).hwmMb);
      const stats = await collector.shutdown();
      if (stats.eventsWritten !== expectedEvents) throw new Error(`the collector wrote ${stats.eventsWritten} events, expected ${expectedEvents}`);
      capture = collector.config.capturePath;
      figures.captureMb.push(fs.statSync(capture).size / 1e6);
    } finally {
      collector.kill();
    }

    // The post step on that capture, then the upload of what it wrote, each in its own process.
    const dir = fs.mkdtempSync(path.join(SCRATCH, `job-${rep}-`));
    const logPath = path.join(dir, 'beacon-runtime.jsonl');
    figures.parseMs.push((await worker('post-step-worker.ts', ['baseline', capture, logPath])).ms);
    const postStep = await worker('post-step-worker.ts', ['subject', capture, logPath]);
    if (postStep.events !== expectedEvents) throw new Error(`the post step saw ${postStep.events} events, expected ${expectedEvents}`);
    figures.postMs.push(postStep.ms);
    figures.postHwm.push(postStep.hwmMb);
    figures.logMb.push(fs.statSync(logPath).size / 1e6);
    const files = [logPath, path.join(dir, 'beacon-usage.json')];
    figures.gzipMs.push((await worker('upload-worker.ts', ['baseline', 'unused', dir, ...files])).ms);
    const upload = await worker('upload-worker.ts', ['upload', `beacon-runtime-bench-${rep}`, dir, ...files], artifactEnv);
    figures.uploadMs.push(upload.ms);
    figures.uploadHwm.push(upload.hwmMb);
    figures.zipMb.push((upload.zipBytes ?? 0) / 1e6);
    const stored = fake.uploadedArtifacts().find((a) => a.name === `beacon-runtime-bench-${rep}`);
    if (!stored?.zip || stored.zip.length !== upload.zipBytes) throw new Error('the fake artifact service did not get the whole zip');
    fs.rmSync(dir, { recursive: true, force: true });
    progress(
      `large job ${rep}/${REPS}: collector CPU ${figures.cpu.at(-1)!.toFixed(0)} ms (bare ${figures.bareCpu.at(-1)!.toFixed(0)}), peak ${figures.hwm.at(-1)!.toFixed(0)} MB, ` +
        `capture ${figures.captureMb.at(-1)!.toFixed(1)} MB; post step ${figures.postMs.at(-1)!.toFixed(0)} ms (read+parse ${figures.parseMs.at(-1)!.toFixed(0)}); upload ${figures.uploadMs.at(-1)!.toFixed(0)} ms (gzip ${figures.gzipMs.at(-1)!.toFixed(0)})`,
    );
  }
} finally {
  await fake.close();
}

const f = figures;
const endToEnd = f.cpu.map((cpu, i) => cpu + f.postMs[i]! + f.uploadMs[i]!);
const bareEndToEnd = f.bareCpu.map((cpu, i) => cpu + f.parseMs[i]! + f.gzipMs[i]!);
const jobTitle = `${SHAPE.toolCalls.toLocaleString('en-US')} tool calls, ${SHAPE.turns} turns`;
emit({
  id: 'upload',
  title: `Upload of the runtime log of the largest job (${jobTitle}) through the fake artifact service`,
  measures: [
    { label: `upload (${summarize(f.logMb).median.toFixed(1)} MB log + usage file)`, unit: 'ms', subject: summarize(f.uploadMs), baselineLabel: 'gzip level 6 of the same files', baseline: summarize(f.gzipMs), ratio: summarize(pairedRatios(f.uploadMs, f.gzipMs)) },
    { label: 'zip uploaded', unit: 'MB', subject: summarize(f.zipMb) },
    { label: 'upload process peak RSS', unit: 'MB', subject: summarize(f.uploadHwm) },
  ],
  notes: ['uploadRuntimeArtifact (src/finish/artifact.ts, @actions/artifact 6) in a fresh plain-JS process; the fake service on loopback in the bench process keeps the blocks in memory; checked: the committed zip is the size the client reported.'],
});
emit({
  id: 'large-job',
  title: `Largest realistic Codex job end to end: ${jobTitle}, ${(jobMs / 3_600_000).toFixed(1)} h`,
  measures: [
    { label: 'collector CPU time for the whole job', unit: 'ms', subject: summarize(f.cpu), baselineLabel: 'bare node:http server, same requests', baseline: summarize(f.bareCpu), ratio: summarize(pairedRatios(f.cpu, f.bareCpu)) },
    { label: 'collector peak RSS (VmHWM)', unit: 'MB', subject: summarize(f.hwm), baselineLabel: 'bare node:http server', baseline: summarize(f.bareHwm), ratio: summarize(pairedRatios(f.hwm, f.bareHwm)) },
    { label: 'replay wall time (sent back to back)', unit: 'ms', subject: summarize(f.wall), baselineLabel: 'bare node:http server', baseline: summarize(f.bareWall), ratio: summarize(pairedRatios(f.wall, f.bareWall)) },
    { label: 'capture size', unit: 'MB', subject: summarize(f.captureMb) },
    { label: 'post step time', unit: 'ms', subject: summarize(f.postMs), baselineLabel: 'read + JSON.parse', baseline: summarize(f.parseMs), ratio: summarize(pairedRatios(f.postMs, f.parseMs)) },
    { label: 'post step peak RSS', unit: 'MB', subject: summarize(f.postHwm) },
    { label: 'upload time', unit: 'ms', subject: summarize(f.uploadMs), baselineLabel: 'gzip', baseline: summarize(f.gzipMs), ratio: summarize(pairedRatios(f.uploadMs, f.gzipMs)) },
    { label: 'our cost end to end: collector CPU + post step + upload', unit: 'ms', subject: summarize(endToEnd), baselineLabel: 'bare server CPU + read/parse + gzip', baseline: summarize(bareEndToEnd), ratio: summarize(pairedRatios(endToEnd, bareEndToEnd)) },
  ],
  notes: [
    `${records.length.toLocaleString('en-US')} log records in ${logRequests.toLocaleString('en-US')} log exports and ${metricsRequests} metrics exports (the real fixture export, 58 metric names) = ${(requestBytes / 1e6).toFixed(1)} MB of protobuf; ${expectedEvents.toLocaleString('en-US')} events kept (checked in the collector's stats and by the post step).`,
    'Requests sent back to back on one keep-alive connection (CPU time does not depend on the pace); the collector CPU excludes its start-up; the job summary, validation and usage file are in the post step time.',
  ],
});
