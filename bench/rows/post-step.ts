/**
 * Post step: normalize, validate and summarize a capture (src/finish: writeRuntimeLog, the usage
 * file, validateRun, renderSummary) against reading it and JSON.parse of every line. The capture is
 * the collector's two files: the capture and its token file. Each pass runs
 * in a fresh plain-JS process (post-step-worker.ts, transpiled: no TypeScript loader in it) so that
 * its time and VmHWM are its own. Five interleaved pairs on a 250,000-event capture give the ratio
 * and its spread; one pair on a 1,000,000-event capture gives the full-size figures; five passes on
 * a 25,000-event capture show whether peak RSS grows with the log.
 */
import fs from 'node:fs';
import path from 'node:path';
import { captureCompanions } from '../../src/handoff/workspace.js';
import { jobCapture, writeRepeated } from '../lib/capture.js';
import { NODE, QUICK, REPS, SCRATCH } from '../lib/env.js';
import { timedRun } from '../lib/proc.js';
import { emit, pairedRatios, progress, summarize } from '../lib/stats.js';
import { transpiled } from '../lib/transpile.js';

const SIZES = QUICK ? { small: 100, mid: 1_000, big: 2_000 } : { small: 25_000, mid: 250_000, big: 1_000_000 };

interface Pass {
  ms: number;
  hwmMb: number;
  events: number;
  malformed?: number;
  linked?: number;
  summaryBytes?: number;
  totalTokens?: number;
}

async function pass(mode: 'subject' | 'baseline', capture: { file: string; captureBytes: number }): Promise<Pass> {
  const logPath = path.join(SCRATCH, 'beacon-runtime.jsonl');
  const run = await timedRun(NODE, [WORKER, mode, capture.file, logPath], { timeoutMs: 180_000 });
  fs.rmSync(logPath, { force: true });
  // The log was the capture itself with the token events appended: back to the collector's bytes.
  fs.truncateSync(capture.file, capture.captureBytes);
  fs.rmSync(captureCompanions(capture.file).captureLink, { force: true });
  if (run.exitCode !== 0) throw new Error(`post-step worker (${mode}) failed:\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Pass;
}

const WORKER = transpiled(path.join(import.meta.dirname, 'post-step-worker.ts'));
// ~1,000 events a block: 400 tool calls in 100 turns, token exports every 20 log exports.
const block = jobCapture({ toolCalls: 400, turns: 100 });
const write = (name: string, events: number) => {
  const file = path.join(SCRATCH, `capture-${name}.jsonl`);
  return { file, ...writeRepeated(file, block, events) };
};
const small = write('small', SIZES.small);
const mid = write('mid', SIZES.mid);
const describe = (c: { events: number; bytes: number }) => `${c.events.toLocaleString('en-US')} events (${(c.bytes / 1e6).toFixed(0)} MB)`;

const check = (result: Pass, events: number) => {
  if (result.events !== events || (result.malformed ?? 0) !== 0) throw new Error(`a pass saw ${result.events} events (${result.malformed ?? 0} malformed), expected ${events}`);
  if (result.linked === 0) throw new Error('the post step copied the capture instead of linking it');
};
const removeCapture = (capture: { file: string; tokenPath: string }) => {
  fs.rmSync(capture.file);
  fs.rmSync(capture.tokenPath);
  fs.rmSync(captureCompanions(capture.file).suspectLines, { force: true });
};

const baseline: Pass[] = [];
const subject: Pass[] = [];
const smallSubject: Pass[] = [];
for (let rep = 1; rep <= REPS; rep++) {
  baseline.push(await pass('baseline', mid));
  subject.push(await pass('subject', mid));
  smallSubject.push(await pass('subject', small));
  check(baseline.at(-1)!, mid.events);
  check(subject.at(-1)!, mid.events);
  check(smallSubject.at(-1)!, small.events);
  progress(`post step ${rep}/${REPS}, ${describe(mid)}: read+JSON.parse ${baseline.at(-1)!.ms.toFixed(0)} ms, post step ${subject.at(-1)!.ms.toFixed(0)} ms, peak ${subject.at(-1)!.hwmMb.toFixed(0)} MB (${small.events} events: ${smallSubject.at(-1)!.hwmMb.toFixed(0)} MB)`);
}
removeCapture(mid);
const big = write('big', SIZES.big);
const bigBaseline = await pass('baseline', big);
const bigSubject = await pass('subject', big);
check(bigBaseline, big.events);
check(bigSubject, big.events);
progress(`post step, ${describe(big)}: read+JSON.parse ${bigBaseline.ms.toFixed(0)} ms, post step ${bigSubject.ms.toFixed(0)} ms, peak ${bigSubject.hwmMb.toFixed(0)} MB`);
removeCapture(big);
removeCapture(small);

const ms = (passes: Pass[]) => passes.map((p) => p.ms);
const hwm = (passes: Pass[]) => passes.map((p) => p.hwmMb);
const ratio = summarize(pairedRatios(ms(subject), ms(baseline)));
const growth = summarize(pairedRatios(hwm(subject), hwm(smallSubject)));
const count = (n: number) => n.toLocaleString('en-US');
emit({
  id: 'post-step',
  title: 'Post step: normalize, validate and summarize a capture',
  measures: [
    { label: `post step time, ${count(mid.events)} events`, unit: 'ms', subject: summarize(ms(subject)), baselineLabel: 'read + JSON.parse of every line', baseline: summarize(ms(baseline)), ratio, target: { text: '≤ 1.5x', met: ratio.median <= 1.5 } },
    {
      label: `post step time, ${count(big.events)} events (one pair)`,
      unit: 'ms',
      subject: summarize([bigSubject.ms]),
      baselineLabel: 'read + JSON.parse',
      baseline: summarize([bigBaseline.ms]),
      ratio: summarize([bigSubject.ms / bigBaseline.ms]),
      target: { text: '≤ 1.5x', met: bigSubject.ms / bigBaseline.ms <= 1.5 },
    },
    { label: `peak RSS, ${count(mid.events)} events`, unit: 'MB', subject: summarize(hwm(subject)), baselineLabel: 'read + JSON.parse', baseline: summarize(hwm(baseline)) },
    { label: `peak RSS, ${count(big.events)} events (one pair)`, unit: 'MB', subject: summarize([bigSubject.hwmMb]), baselineLabel: 'read + JSON.parse', baseline: summarize([bigBaseline.hwmMb]) },
    { label: `peak RSS, ${count(small.events)} events`, unit: 'MB', subject: summarize(hwm(smallSubject)) },
    {
      label: `peak RSS growth, ${count(mid.events)} events / ${count(small.events)}`,
      unit: 'x',
      subject: growth,
      target: { text: 'not growing with log size (≤ 1.2x for 10x the events)', met: growth.median <= 1.2 },
    },
  ],
  notes: [
    `Captures: the collector's own output for Codex-shaped traffic (decode → keep/map → toJsonLine), a block of ${block.events} events (${block.tokenEvents} of them token events, in the token file) repeated: ${describe(small)}, ${describe(mid)}, ${describe(big)}; ${Math.round(big.bytes / big.events)} bytes an event.`,
    'Each pass in a fresh plain-JS process, timed inside it (module loading excluded), VmHWM of that process; the runtime log is made beside the capture (the capture itself, hard-linked, with the normalized token events appended), then removed and the capture cut back to its own bytes. The baseline parses both files. Checked: every pass saw every event, none malformed, the capture linked, validation passed.',
    `Summary ${subject[0]!.summaryBytes} bytes; tokens counted ${subject[0]!.totalTokens?.toLocaleString('en-US')}.`,
  ],
});
