/**
 * Session files in the post step: the post step of the largest realistic job (2,000 tool calls in
 * 500 turns, in 4 Codex sessions) as src/finish/main.ts runs it (the capture becomes the runtime
 * log, Codex's session files are read and paired with the token metric, the token events follow,
 * then the usage file, validation and summary), with the job's session files in CODEX_HOME, against
 * the same post step with none there (a CODEX_HOME with no sessions folder). The capture and the
 * session files come from one record stream (bench/lib/codex-sessions.ts): each session's token
 * metric equals its file's usage, so every export pairs exactly and nothing is recovered, the
 * normal case. Each pass runs in a fresh plain-JS process (post-step-worker.ts `sessions`, module
 * loading excluded from its time), in rotating order: no session files, the files, the files with
 * 4x the tool output volume. The 4x files show whether peak RSS grows with the files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { captureCompanions } from '../../src/handoff/workspace.js';
import { sessionJob, writeSessionCapture, writeSessionTree, type SessionTree } from '../lib/codex-sessions.js';
import { NODE, QUICK, REPS, SCRATCH } from '../lib/env.js';
import { timedRun } from '../lib/proc.js';
import { emit, pairedRatios, progress, summarize } from '../lib/stats.js';
import { transpiled } from '../lib/transpile.js';

const SHAPE = QUICK ? { toolCalls: 20, turns: 4, sessions: 2 } : { toolCalls: 2_000, turns: 500, sessions: 4 };
/** Tool output volume of the bigger session files, against the realistic one. */
const GROWTH_SCALE = 4;

interface SessionsPass {
  ms: number;
  hwmMb: number;
  events: number;
  malformed: number;
  linked: number;
  totalTokens: number;
  warnings: number;
  /** reconcileSessions alone: finding, reading and pairing the session files. */
  readMs: number;
  sessionsRead: number;
  exactExports: number;
  pairedExports: number;
  recovered: number;
  fileTrouble: number;
}

const WORKER = transpiled(path.join(import.meta.dirname, 'post-step-worker.ts'));
const job = sessionJob(SHAPE);
const captureFile = path.join(SCRATCH, 'capture.jsonl');
const capture = { file: captureFile, ...writeSessionCapture(captureFile, job) };
// The start step ran a minute before Codex's first session; CODEX_HOME is the one it made.
const since = new Date(job.startMs - 60_000).toISOString();
const home = (name: string) => {
  const dir = path.join(SCRATCH, `codex-home-${name}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.toml'), '[otel]\nenvironment = "ci"\n');
  return dir;
};
const empty = home('empty');
const trees = { one: writeSessionTree(home('1x'), job, { outputScale: 1 }), grown: writeSessionTree(home(`${GROWTH_SCALE}x`), job, { outputScale: GROWTH_SCALE }) };
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
const describe = (tree: SessionTree) => `${tree.files.length} session files, ${mb(tree.bytes)}`;
progress(
  `job: ${job.sessions.length} sessions, ${job.turns} turns, ${job.toolCalls.toLocaleString('en-US')} tool calls, ${job.responses.toLocaleString('en-US')} model responses; ` +
    `capture ${capture.events.toLocaleString('en-US')} events (${mb(capture.bytes)}); session files ${mb(trees.one.bytes)} (${trees.one.lines.toLocaleString('en-US')} lines), ${GROWTH_SCALE}x tool output ${mb(trees.grown.bytes)}`,
);

async function pass(codexHome: string): Promise<SessionsPass> {
  const logPath = path.join(SCRATCH, 'beacon-runtime.jsonl');
  const run = await timedRun(NODE, [WORKER, 'sessions', capture.file, logPath, codexHome, since], { timeoutMs: 180_000 });
  fs.rmSync(logPath, { force: true });
  // The log was the capture itself with the token events appended: back to the collector's bytes.
  fs.truncateSync(capture.file, capture.captureBytes);
  fs.rmSync(captureCompanions(capture.file).captureLink, { force: true });
  if (run.exitCode !== 0) throw new Error(`post-step worker (sessions, ${codexHome}) failed:\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as SessionsPass;
}

/** Every pass: every event, none malformed, the capture linked; with files, each export paired exactly and nothing recovered; the same tokens either way. */
function check(result: SessionsPass, withFiles: boolean, reference: SessionsPass | undefined): void {
  const sessions = job.sessions.length;
  const problems: string[] = [];
  if (result.events !== capture.events || result.malformed !== 0 || result.linked !== 1) problems.push(`saw ${result.events} events (${result.malformed} malformed, linked ${result.linked}), expected ${capture.events}`);
  if (result.pairedExports !== sessions) problems.push(`${result.pairedExports} token metric exports, expected ${sessions}`);
  if (withFiles && (result.sessionsRead !== sessions || result.exactExports !== sessions || result.recovered !== 0 || result.fileTrouble !== 0)) {
    problems.push(`read ${result.sessionsRead} sessions, ${result.exactExports} exports paired exactly, ${result.recovered} recovered, ${result.fileTrouble} file problems; expected ${sessions}, ${sessions}, 0, 0`);
  }
  if (!withFiles && result.sessionsRead !== 0) problems.push(`read ${result.sessionsRead} sessions in a CODEX_HOME without any`);
  if (reference && (result.totalTokens !== reference.totalTokens || result.warnings !== reference.warnings)) problems.push(`${result.totalTokens} tokens and ${result.warnings} warnings, against ${reference.totalTokens} and ${reference.warnings} without session files`);
  if (problems.length) throw new Error(`post step with${withFiles ? '' : 'out'} session files: ${problems.join('; ')}`);
}

const runs = { none: [] as SessionsPass[], one: [] as SessionsPass[], grown: [] as SessionsPass[] };
const variants = [
  { key: 'none', codexHome: empty },
  { key: 'one', codexHome: trees.one.home },
  { key: 'grown', codexHome: trees.grown.home },
] as const;
for (let rep = 1; rep <= REPS; rep++) {
  // Rotating order, so that no variant always runs first (or right after another).
  for (let i = 0; i < variants.length; i++) {
    const variant = variants[(i + rep - 1) % variants.length]!;
    runs[variant.key].push(await pass(variant.codexHome));
  }
  check(runs.none.at(-1)!, false, undefined);
  check(runs.one.at(-1)!, true, runs.none.at(-1));
  check(runs.grown.at(-1)!, true, runs.none.at(-1));
  progress(
    `post step ${rep}/${REPS}: no session files ${runs.none.at(-1)!.ms.toFixed(0)} ms, peak ${runs.none.at(-1)!.hwmMb.toFixed(1)} MB; ` +
      `with them ${runs.one.at(-1)!.ms.toFixed(0)} ms (reading and pairing ${runs.one.at(-1)!.readMs.toFixed(0)}), peak ${runs.one.at(-1)!.hwmMb.toFixed(1)} MB; ` +
      `${GROWTH_SCALE}x tool output ${runs.grown.at(-1)!.ms.toFixed(0)} ms (${runs.grown.at(-1)!.readMs.toFixed(0)}), peak ${runs.grown.at(-1)!.hwmMb.toFixed(1)} MB`,
  );
}

const ms = (passes: SessionsPass[]) => passes.map((p) => p.ms);
const hwm = (passes: SessionsPass[]) => passes.map((p) => p.hwmMb);
const timeRatio = summarize(pairedRatios(ms(runs.one), ms(runs.none)));
const growth = summarize(pairedRatios(hwm(runs.grown), hwm(runs.one)));
const NO_FILES = 'same post step, no session files';
emit({
  id: 'post-step-sessions',
  title: `Post step of the largest job (${job.toolCalls.toLocaleString('en-US')} tool calls, ${job.turns} turns, ${job.sessions.length} sessions) with its Codex session files`,
  measures: [
    {
      label: `post step time, ${describe(trees.one)}`,
      unit: 'ms',
      subject: summarize(ms(runs.one)),
      baselineLabel: NO_FILES,
      baseline: summarize(ms(runs.none)),
      ratio: timeRatio,
      target: { text: '≤ 1.1x', met: timeRatio.median <= 1.1 },
    },
    { label: `post step time, ${GROWTH_SCALE}x tool output (${describe(trees.grown)})`, unit: 'ms', subject: summarize(ms(runs.grown)), baselineLabel: NO_FILES, baseline: summarize(ms(runs.none)), ratio: summarize(pairedRatios(ms(runs.grown), ms(runs.none))) },
    { label: `reading and pairing the session files (reconcileSessions), ${mb(trees.one.bytes)}`, unit: 'ms', subject: summarize(runs.one.map((p) => p.readMs)) },
    { label: `reading and pairing the session files (reconcileSessions), ${mb(trees.grown.bytes)}`, unit: 'ms', subject: summarize(runs.grown.map((p) => p.readMs)) },
    { label: `peak RSS, ${describe(trees.one)}`, unit: 'MB', subject: summarize(hwm(runs.one)), baselineLabel: 'no session files', baseline: summarize(hwm(runs.none)), ratio: summarize(pairedRatios(hwm(runs.one), hwm(runs.none))) },
    { label: `peak RSS, ${GROWTH_SCALE}x tool output (${mb(trees.grown.bytes)})`, unit: 'MB', subject: summarize(hwm(runs.grown)), baselineLabel: 'no session files', baseline: summarize(hwm(runs.none)), ratio: summarize(pairedRatios(hwm(runs.grown), hwm(runs.none))) },
    {
      label: `peak RSS growth, ${mb(trees.grown.bytes)} of session files / ${mb(trees.one.bytes)}`,
      unit: 'x',
      subject: growth,
      target: { text: 'flat (≤ 1.1x)', met: growth.median <= 1.1 },
    },
  ],
  notes: [
    `Capture: Codex-shaped traffic of the job (one protobuf export per 1-second window, each session's token metric in its exit flush: the real fixture export, its token histogram being the session's turns) through the collector's decode → keep/map → toJsonLine: ${capture.events.toLocaleString('en-US')} events, ${capture.tokenEvents} of them token events, ${mb(capture.bytes)}, ${capture.logExports.toLocaleString('en-US')} log and ${capture.metricsExports} metrics exports.`,
    `Session files: one per session, ${trees.one.lines.toLocaleString('en-US')} lines in Codex 0.169's shapes (session_meta, turn_context, response_item reasoning / function_call / function_call_output / message, event_msg item_completed / token_count / task_*, token_usage_record per response); tool outputs mostly a few kB, one in twenty 50–200 kB, written twice (item_completed and function_call_output), as Codex does; ${GROWTH_SCALE}x: every tool output ${GROWTH_SCALE} times as long. Written just before, so they are in the page cache, as they are on a runner right after Codex.`,
    `Each pass in a fresh plain-JS process running src/finish/main.ts's stages (RuntimeLogWriter.writeCapture, reconcileSessions, appendTokenEvents, usage file, validateRun, renderSummary), timed inside it (module loading excluded); VmHWM of that process. Checked in every pass: every event seen, none malformed, the capture linked; with the files, ${job.sessions.length} sessions read, each token metric export paired exactly, nothing recovered, no file problems, and the same token total and warnings as without them.`,
  ],
});
