/**
 * User-facing overhead: the real `codex exec` (the native binary of node_modules/@openai/codex) on a
 * fake-model scenario with one tool call, with our collector (CODEX_HOME from a real start step)
 * against the same run with every Codex exporter "none". Paired runs, rotating the order; wall time
 * of `codex exec` from spawn to exit, which includes Codex's final telemetry flush (it waits for the
 * answers before it exits). A third run per round sends the same telemetry to a bare node:http
 * receiver (answers at once, keeps nothing): what Codex's own exporting costs, whoever receives.
 */
import fs from 'node:fs';
import path from 'node:path';
import { workspacePaths } from '../../src/handoff/workspace.js';
import { providerConfigArgs, runCodexExec } from '../../test/support/codex-cli.js';
import { startFakeModel, type ModelCall } from '../../test/support/fake-model.js';
import { runStartStep, stopStartedCollector, type StartStep } from '../lib/action.js';
import { startEchoServer } from '../lib/echo.js';
import { QUICK, REPS, SCRATCH } from '../lib/env.js';
import { emit, pairedRatios, progress, summarize } from '../lib/stats.js';

const SCENARIO: ModelCall[] = [
  { kind: 'tool_call', command: 'echo beacon-bench', usage: { input: 1200, cached: 1000, output: 50, reasoning: 20, total: 1250 } },
  { kind: 'final_answer', text: 'Printed it.', usage: { input: 1400, cached: 1150, output: 30, reasoning: 10, total: 1430 } },
];
const PROMPT = 'Print beacon-bench, then say so.';
const RUN_TIMEOUT_MS = 60_000;

let runs = 0;

async function codexRun(codexHome: string): Promise<number> {
  const home = fs.mkdtempSync(path.join(SCRATCH, `home-${++runs}-`));
  const model = await startFakeModel({ calls: SCENARIO });
  try {
    const result = await runCodexExec({ codexHome, home, prompt: PROMPT, timeoutMs: RUN_TIMEOUT_MS, extraArgs: providerConfigArgs({ baseUrl: model.baseUrl }) });
    if (result.exitCode !== 0 || result.timedOut) throw new Error(`codex exec failed (${result.exitCode}${result.timedOut ? ', timed out' : ''}):\n${result.stderr.slice(-2000)}`);
    if (model.responsesRequests().length !== SCENARIO.length) throw new Error(`codex made ${model.responsesRequests().length} model calls, expected ${SCENARIO.length}`);
    return result.durationMs;
  } finally {
    await model.close();
  }
}

/** Without telemetry: every exporter off, the same provider settings (as -c overrides). */
async function baselineRun(): Promise<number> {
  const codexHome = fs.mkdtempSync(path.join(SCRATCH, 'codex-home-none-'));
  fs.writeFileSync(path.join(codexHome, 'config.toml'), '[otel]\nexporter = "none"\nmetrics_exporter = "none"\ntrace_exporter = "none"\n');
  return codexRun(codexHome);
}

/** With our start step's CODEX_HOME and collector; checks the run's events reached the capture. */
async function subjectRun(start: StartStep): Promise<number> {
  const ms = await codexRun(start.outputs['codex-home']!);
  await stopStartedCollector(start.workDir);
  // The collector writes token events to a file of their own beside the capture.
  const paths = workspacePaths(start.workDir);
  const capture = fs.readFileSync(paths.capture, 'utf8') + (fs.existsSync(paths.tokenPoints) ? fs.readFileSync(paths.tokenPoints, 'utf8') : '');
  for (const action of ['"command.executed"', '"token.usage"']) {
    if (!capture.includes(action)) throw new Error(`the capture has no ${action} event: the collector did not get Codex's telemetry`);
  }
  return ms;
}

/** The start step's config.toml, pointed at a bare receiver instead of our collector. */
async function bareReceiverRun(start: StartStep): Promise<number> {
  const bare = await startEchoServer();
  try {
    const codexHome = fs.mkdtempSync(path.join(SCRATCH, 'codex-home-bare-'));
    const ours = fs.readFileSync(path.join(start.outputs['codex-home']!, 'config.toml'), 'utf8');
    const pointed = ours.replaceAll(start.outputs['collector-endpoint']!, `http://127.0.0.1:${bare.port}`);
    if (pointed === ours) throw new Error('the start step config does not name its collector endpoint');
    fs.writeFileSync(path.join(codexHome, 'config.toml'), pointed);
    return await codexRun(codexHome);
  } finally {
    await bare.stop();
  }
}

const baseline: number[] = [];
const subject: number[] = [];
const bare: number[] = [];
async function round(order: number, counted = true): Promise<void> {
  const start = await runStartStep({ 'upload-artifact': 'false' });
  try {
    const runs: Record<string, () => Promise<number>> = {
      baseline: async () => baselineRun(),
      subject: async () => subjectRun(start),
      bare: async () => bareReceiverRun(start),
    };
    // Rotate the order, so a drift in machine load does not favour one side.
    const names = ['baseline', 'subject', 'bare'];
    const rotated = [...names.slice(order % 3), ...names.slice(0, order % 3)];
    const ms: Record<string, number> = {};
    for (const name of rotated) ms[name] = await runs[name]!();
    if (!counted) return;
    baseline.push(ms.baseline!);
    subject.push(ms.subject!);
    bare.push(ms.bare!);
  } finally {
    await stopStartedCollector(start.workDir).catch(() => undefined);
  }
}

// One unmeasured round first: the first codex run of a machine pays for cold caches.
if (!QUICK) await round(0, false);
const ROUNDS = QUICK ? 1 : REPS;
for (let rep = 1; rep <= ROUNDS; rep++) {
  await round(rep);
  progress(`codex ${rep}/${ROUNDS}: exporters none ${baseline.at(-1)} ms, with our collector ${subject.at(-1)} ms, bare receiver ${bare.at(-1)} ms`);
}

const ratio = summarize(pairedRatios(subject, baseline));
emit({
  id: 'codex',
  title: 'User-facing overhead: real codex exec, one tool call',
  measures: [
    {
      label: 'codex exec wall time',
      unit: 'ms',
      subject: summarize(subject),
      baselineLabel: 'all Codex exporters "none"',
      baseline: summarize(baseline),
      ratio,
      target: { text: '≤ 1.05x', met: ratio.median <= 1.05 },
    },
    {
      label: 'codex exec, telemetry to a bare receiver',
      unit: 'ms',
      subject: summarize(bare),
      baselineLabel: 'all Codex exporters "none"',
      baseline: summarize(baseline),
      ratio: summarize(pairedRatios(bare, baseline)),
    },
    {
      label: 'codex exec, our collector vs a bare receiver',
      unit: 'ms',
      subject: summarize(subject),
      baselineLabel: 'bare receiver',
      baseline: summarize(bare),
      ratio: summarize(pairedRatios(subject, bare)),
    },
  ],
  notes: [
    `${subject.length} rounds of three runs in rotating order, after one unmeasured round; a fresh fake model, HOME and CODEX_HOME each run; provider settings as -c overrides on every side.`,
    'With our collector: CODEX_HOME and config.toml from a real start step (binary OTLP, logs and metrics, traces off); each run checked to have put command.executed and token.usage events in the capture.',
  ],
});
