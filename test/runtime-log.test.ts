import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BeaconEvent } from '../src/beacon/event.js';
import { processCaptureLog } from '../src/finish/account-usage/process-capture.js';
import { StatsRecorder } from '../src/collector/stats.js';
import { USAGE_NOTES, buildUsageFile, writeUsageFile } from '../src/finish/publish/usage-file.js';
import { validateRun } from '../src/finish/validate/validate.js';
import type { CollectorStats } from '../src/handoff/collector-config.js';
import { CI_ATTRIBUTION, commandEvent, exportText, fixtureCaptureExports, logEvent, tokenEvent, turnTokens, writeCapture } from './support/capture-builder.js';
import { validateBeaconLog } from './support/schema-validator.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'process-log-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function paths() {
  counter += 1;
  return { capturePath: path.join(dir, `capture-${counter}.jsonl`), logPath: path.join(dir, `out-${counter}`, 'beacon-runtime.jsonl') };
}

/** Processes a capture and holds the resulting log against the schema. */
async function run(exports: (BeaconEvent[] | string)[], options: { chunkBytes?: number; maxExportLines?: number } = {}) {
  const p = paths();
  const capture = writeCapture(p.capturePath, exports);
  const report = await processCaptureLog({ ...p, ...options });
  const log = fs.readFileSync(p.logPath, 'utf8');
  const validation = await validateBeaconLog(p.logPath);
  expect(validation.errors).toEqual([]);
  return { report, log, capture, logLines: log.split('\n').slice(0, -1), ...p };
}

const parse = (line: string) => JSON.parse(line) as Record<string, any>;

describe('processCaptureLog on captures built from the real Codex fixtures', () => {
  it('tool-call capture: disjoint totals 450 / 2150 / 80 / 30, no cost, and the agent activity', async () => {
    const { report, logLines, capture } = await run(fixtureCaptureExports('tool-call-json'));
    const usage = buildUsageFile(report);
    expect(usage.totals).toEqual({
      input_tokens: 450,
      output_tokens: 80,
      cache_read_input_tokens: 2150,
      cache_creation_input_tokens: 0,
      reasoning_output_tokens: 30,
      cost_usd: null,
      events: 4,
      total_tokens: 2680,
    });
    expect(Object.keys(usage.by_model)).toEqual(['gpt-5.5']);
    expect(usage.token_data_points).toEqual({ cache_write_input: 1, cached_input: 1, input: 1, output: 1, reasoning_output: 1, total: 1 });

    expect(report.events).toBe(10);
    expect(report.codexEvents).toBe(10);
    expect(report.byAction).toEqual({ 'session.started': 1, 'prompt.submitted': 1, 'approval.requested': 1, 'command.executed': 1, 'token.usage': 6 });
    expect(report.sessions).toBe(1);
    expect(report.prompts).toBe(1);
    expect(report.tools).toEqual({ exec_command: { calls: 1, succeeded: 1, failed: 0, totalDurationMs: 159, maxDurationMs: 159 } });
    expect(report.commands).toEqual({ total: 1, listed: [{ command: 'echo hi', exitCode: 0, durationMs: 159, success: true }] });
    expect(report.toolDecisions).toEqual({ total: 1, denied: 0, byDecider: { configuration: 1 } });
    expect(report.models).toEqual(['gpt-5.5']);
    expect(report.codexVersions).toEqual(['0.169.0']);
    expect(report.malformedLines).toBe(0);

    // Log lines are copied byte for byte, in order; token lines follow them, in their order, with
    // their normalized usage and nothing else changed.
    const captureLines = capture.split('\n').slice(0, -1);
    const isToken = (line: string) => parse(line).event.action === 'token.usage';
    const inLogOrder = [...captureLines.filter((line) => !isToken(line)), ...captureLines.filter(isToken)];
    expect(logLines).toHaveLength(captureLines.length);
    logLines.forEach((line, i) => {
      const before = parse(inLogOrder[i]!);
      if (before.event.action !== 'token.usage') {
        expect(line).toBe(inLogOrder[i]);
        return;
      }
      const after = parse(line);
      const expected = { input: { input_tokens: 450 }, cached_input: { cache_read: { input_tokens: 2150 } }, output: { output_tokens: 80 }, reasoning_output: { reasoning: { output_tokens: 30 } } }[before.gen_ai.token.type as string] ?? {};
      expect(after.gen_ai.usage).toEqual(expected);
      after.gen_ai.usage = {};
      expect(after).toEqual(before);
    });
  });

  it('interval-exports capture (3 metrics exports in one turn): the same totals', async () => {
    const { report } = await run(fixtureCaptureExports('interval-exports-json'));
    expect(buildUsageFile(report).totals).toMatchObject({ input_tokens: 450, cache_read_input_tokens: 2150, output_tokens: 80, reasoning_output_tokens: 30, events: 4 });
  });
});

describe('processCaptureLog on damaged captures', () => {
  it('skips and counts bad lines and a torn last line, and keeps the rest', async () => {
    const good = commandEvent('ls', { exitCode: 0, durationMs: 3 });
    const wrongVendor = exportText([good]).replace('"vendor":"beacon"', '"vendor":"other"');
    const stringExitCode = exportText([good]).replace('"exit_code":0', '"exit_code":"0"');
    const arrayRaw = exportText([good]).replace(/"raw":\{.*\}\}\n$/, '"raw":[1]}\n');
    const torn = exportText([good]).slice(0, 50);
    const { report, logLines } = await run([[good], 'not json at all\n', wrongVendor, stringExitCode, '\n', arrayRaw, turnTokens(7, { input: 100, cached: 40, output: 9, reasoning: 2 }), torn]);
    expect(report.malformedLines).toBe(5);
    expect(report.lastLineTorn).toBe(true);
    expect(report.malformedExamples).toEqual([
      { line: 2, reason: 'not valid JSON' },
      { line: 3, reason: 'vendor is not "beacon"' },
      { line: 4, reason: 'command is not {command, exit_code (int), duration_ms (int)}' },
      { line: 6, reason: 'raw is not an object' },
      { line: 13, reason: 'torn last line (no newline, not valid JSON)' },
    ]);
    expect(report.linesRead).toBe(12);
    expect(report.events).toBe(7);
    expect(logLines).toHaveLength(7);
    expect(logLines[0]).toBe(exportText([good]).slice(0, -1));
    expect(report.usage.total).toMatchObject({ input_tokens: 60, cache_read_input_tokens: 40, output_tokens: 9, reasoning_output_tokens: 2 });
  });

  it('keeps a complete last event that lost only its newline', async () => {
    const event = commandEvent('pwd');
    const { report, log } = await run([exportText([event]).slice(0, -1)]);
    expect(report.malformedLines).toBe(0);
    expect(report.lastLineTorn).toBe(false);
    expect(log).toBe(exportText([event]));
  });

  it('writes a line with invalid UTF-8 re-serialized, never the bad bytes', async () => {
    const p = paths();
    const good = exportText([commandEvent('echo é', { exitCode: 0, durationMs: 12 })]);
    const at = good.indexOf('é'); // first in tool.command
    const badUtf8 = Buffer.concat([Buffer.from(good.slice(0, at), 'utf8'), Buffer.from([0xff, 0xfe]), Buffer.from(good.slice(at + 1), 'utf8')]);
    fs.writeFileSync(p.capturePath, Buffer.concat([Buffer.from(good), badUtf8, Buffer.from(good)]));
    const report = await processCaptureLog(p);
    const out = fs.readFileSync(p.logPath);
    expect(report.events).toBe(3);
    expect((await validateBeaconLog(p.logPath)).errors).toEqual([]);
    const lines = out.toString('utf8').split('\n');
    expect(lines[0]).toBe(good.slice(0, -1));
    expect(parse(lines[1]!).tool.command).toBe('{"cmd":"echo \uFFFD\uFFFD"}');
    expect(lines[2]).toBe(good.slice(0, -1));
    expect(out.includes(Buffer.from([0xff]))).toBe(false);
  });

  it('drops an over-long line without holding it, and reads lines across chunk boundaries', async () => {
    const events = Array.from({ length: 40 }, (_, i) => commandEvent(`echo ${'x'.repeat(i * 7)}`, { exitCode: i % 3, durationMs: i }));
    const long = exportText([commandEvent('y'.repeat(9000))]);
    const exports = [events.slice(0, 20), long, events.slice(20), turnTokens(3, { input: 10, cached: 4, output: 2, reasoning: 1 })];
    const small = await run(exports, { chunkBytes: 2048 });
    const large = await run(exports);
    expect(small.report.malformedExamples).toEqual([{ line: 21, reason: 'line longer than 2048 bytes' }]);
    expect(small.report.events).toBe(46);
    expect(small.log).toBe(large.log.split('\n').filter((l) => !l.includes('yyyy')).join('\n'));
    expect(large.report.malformedLines).toBe(0);
    expect(small.report.commands.total).toBe(40);
  });

  it('writes an empty log and says so when there is no capture', async () => {
    const p = paths();
    const report = await processCaptureLog(p);
    expect(report.captureFound).toBe(false);
    expect(report.events).toBe(0);
    expect(fs.readFileSync(p.logPath, 'utf8')).toBe('');
  });

  it('refuses to overwrite the capture with the log', async () => {
    const p = paths();
    await expect(processCaptureLog({ capturePath: p.capturePath, logPath: p.capturePath })).rejects.toThrow('must not overwrite');
  });
});

describe('processCaptureLog token handling', () => {
  it('normalizes an export whose token lines are interleaved with other metric lines, and writes its token events after the others', async () => {
    const otherMetric = logEvent({ action: 'otel.metric', category: 'metric', harness: 'other_service' });
    otherMetric.raw = { otel_signal: 'metrics', metric_name: 'other.requests', metric_value: 1.5, attributes: {} };
    const [input, cached, ...rest] = turnTokens(4, { input: 2600, cached: 2150, output: 80, reasoning: 30 });
    const session = logEvent({ action: 'session.started', category: 'session', fields: { session: { id: 'conv-1' } } });
    const { logLines, report } = await run([[session], [input!, otherMetric, cached!, ...rest], [commandEvent('ls')]]);
    expect(logLines.map((l) => `${parse(l).event.action}:${parse(l).gen_ai?.token?.type ?? ''}`)).toEqual([
      'session.started:',
      'otel.metric:',
      'command.executed:',
      'token.usage:input',
      'token.usage:cached_input',
      'token.usage:cache_write_input',
      'token.usage:output',
      'token.usage:reasoning_output',
      'token.usage:total',
    ]);
    expect(parse(logLines[3]!).gen_ai.usage).toEqual({ input_tokens: 450 });
    expect(report.byHarness).toEqual({ codex_cli: 8, other_service: 1 });
  });

  it('cumulative exports from two Codex processes: every token counted once', async () => {
    const a = { temporality: 'Cumulative' as const, start: '2026-11-23T20:00:00.000Z' };
    const b = { temporality: 'Cumulative' as const, start: '2026-11-23T20:05:00.000Z' };
    const { report } = await run([
      turnTokens(1, { input: 2600, cached: 2150, output: 80, reasoning: 30 }, { ...a, timestamp: '2026-11-23T20:01:00.000Z' }),
      turnTokens(2, { input: 1000, cached: 500, output: 20, reasoning: 5 }, { ...b, timestamp: '2026-11-23T20:06:00.000Z' }),
      // Process A again: one more turn of 1400/1150/30/10; then a repeat with nothing new.
      turnTokens(3, { input: 4000, cached: 3300, output: 110, reasoning: 40 }, { ...a, timestamp: '2026-11-23T20:07:00.000Z' }),
      turnTokens(4, { input: 4000, cached: 3300, output: 110, reasoning: 40 }, { ...a, timestamp: '2026-11-23T20:08:00.000Z' }),
    ]);
    expect(report.usage.total).toEqual({
      input_tokens: 450 + 500 + 250,
      cache_read_input_tokens: 2150 + 500 + 1150,
      output_tokens: 110 + 20,
      reasoning_output_tokens: 40 + 5,
      cache_creation_input_tokens: 0,
      // Like Beacon's reader, an event counts when a usage field is not zero: the repeat's four add nothing.
      events: 12,
    });
  });

  it('releases an export too large to hold and counts it', async () => {
    const { report } = await run([turnTokens(1, { input: 100, cached: 50, output: 5, reasoning: 1 })], { maxExportLines: 3 });
    expect(report.oversizedExports).toBe(1);
    expect(report.tokenEvents).toBe(6);
  });

  it('writes a token event whose raw has no value with an empty usage and counts it', async () => {
    const broken = tokenEvent({ type: 'input', value: 5, seq: 1 });
    delete (broken.raw as Record<string, unknown>).metric_value;
    const { report, logLines } = await run([[broken]]);
    expect(report.unusableTokenEvents).toBe(1);
    expect(parse(logLines[0]!).gen_ai).toEqual({ token: { type: 'input' }, usage: {} });
  });
});

describe('the usage file', () => {
  it('holds exact totals and breakdowns by model, run, repository and harness', async () => {
    const other = { ...CI_ATTRIBUTION, run: { ...CI_ATTRIBUTION.run!, run_id: '9002' }, repository: 'https://github.com/octo/lib' };
    const local = { endpoint: { hostname: 'laptop', os: 'darwin' as const }, origin: 'local' as const };
    const { report, logPath } = await run([
      turnTokens(1, { input: 2600, cached: 2150, output: 80, reasoning: 30 }),
      turnTokens(2, { input: 300, cached: 100, output: 20, reasoning: 0 }, { model: 'gpt-5-mini', attribution: other }),
      turnTokens(3, { input: 50, cached: 0, output: 5, reasoning: 5 }, { attribution: local }),
    ]);
    const file = path.join(path.dirname(logPath), 'beacon-usage.json');
    writeUsageFile(file, buildUsageFile(report, { logName: 'beacon-runtime.jsonl' }));
    const entry = (input: number, cached: number, output: number, reasoning: number, events: number) => ({
      input_tokens: input,
      output_tokens: output,
      cache_read_input_tokens: cached,
      cache_creation_input_tokens: 0,
      reasoning_output_tokens: reasoning,
      cost_usd: null,
      events,
      total_tokens: input + cached + output,
    });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({
      source: 'beacon-action',
      log: 'beacon-runtime.jsonl',
      // Like Beacon's reader, an event counts when a usage field is not zero: the zero reasoning of
      // turn 2 and the zero cached input of turn 3 are no events.
      totals: entry(450 + 200 + 50, 2250, 105, 35, 10),
      by_model: { 'gpt-5-mini': entry(200, 100, 20, 0, 3), 'gpt-5.5': entry(500, 2150, 85, 35, 7) },
      by_run: { 'github_actions/9001': entry(450, 2150, 80, 30, 4), 'github_actions/9002': entry(200, 100, 20, 0, 3), local: entry(50, 0, 5, 5, 3) },
      by_repository: { '(none)': entry(50, 0, 5, 5, 3), 'https://github.com/octo/app': entry(450, 2150, 80, 30, 4), 'https://github.com/octo/lib': entry(200, 100, 20, 0, 3) },
      by_harness: { codex_cli: entry(700, 2250, 105, 35, 10) },
      by_session: { '(none)': { ...entry(700, 2250, 105, 35, 10), models: ['gpt-5.5', 'gpt-5-mini'], source: 'metric' } },
      by_source: { metric: entry(700, 2250, 105, 35, 10) },
      token_data_points: { cache_write_input: 3, cached_input: 3, input: 3, output: 3, reasoning_output: 3, total: 3 },
      notes: ['no cost: Codex emits none', USAGE_NOTES.perSession],
    });
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^\{\n {2}"source": "beacon-action",\n {2}"log": "beacon-runtime.jsonl",\n {2}"totals"/);
  });
});

describe('processCaptureLog at scale', () => {
  it('processes a 200,000-line capture with bounded memory', async () => {
    const p = paths();
    const turns = 2_000;
    const linesPerTurn = 100; // 94 commands, then the turn's 6 token points
    const fd = fs.openSync(p.capturePath, 'w');
    for (let t = 0; t < turns; t++) {
      const events: BeaconEvent[] = [];
      for (let c = 0; c < linesPerTurn - 6; c++) events.push(commandEvent(`make test-${t}-${c}`, { exitCode: c % 5 === 0 ? 1 : 0, durationMs: c, success: c % 5 !== 0, session: `conv-${t % 10}` }));
      events.push(...turnTokens(t + 1, { input: 2600, cached: 2150, output: 80, reasoning: 30 }, { timestamp: new Date(Date.UTC(2026, 10, 23) + t * 1000).toISOString() }));
      fs.writeSync(fd, exportText(events));
    }
    fs.closeSync(fd);

    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 5);
    const started = performance.now();
    const report = await processCaptureLog(p);
    const elapsedMs = performance.now() - started;
    clearInterval(sampler);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);

    expect(report.events).toBe(turns * linesPerTurn);
    expect(report.usage.total).toEqual({ input_tokens: 450 * turns, cache_read_input_tokens: 2150 * turns, output_tokens: 80 * turns, reasoning_output_tokens: 30 * turns, cache_creation_input_tokens: 0, events: 4 * turns });
    expect(report.commands.total).toBe(turns * 94);
    expect(report.commands.listed).toHaveLength(200);
    expect(report.tools.exec_command).toEqual({ calls: turns * 94, succeeded: turns * 75, failed: turns * 19, totalDurationMs: turns * ((93 * 94) / 2), maxDurationMs: 93 });
    expect(report.sessions).toBe(10);
    expect(fs.statSync(p.logPath).size).toBeGreaterThan(fs.statSync(p.capturePath).size);
    expect(rssPeak - rssBefore).toBeLessThan(60 * 1024 * 1024);
    expect(elapsedMs).toBeLessThan(15_000);

    const validation = await validateBeaconLog(p.logPath, 5);
    expect(validation).toEqual({ lines: turns * linesPerTurn, errors: [] });
  });
});

describe('validateRun on processed captures', () => {
  /** Collector statistics as the real recorder writes them at exit. */
  /** `stopReason` null: a stats file without one (written by something that was cut short). */
  function statsFile(record: (stats: StatsRecorder) => void, stopReason: string | null = 'shutdown request'): CollectorStats {
    const recorder = new StatsRecorder();
    record(recorder);
    const file = path.join(dir, `stats-${++counter}.json`);
    recorder.writeTo(file, stopReason ?? 'x');
    const stats = JSON.parse(fs.readFileSync(file, 'utf8')) as CollectorStats;
    if (stopReason === null) delete stats.stopReason;
    return stats;
  }
  const healthy = (s: StatsRecorder) => {
    s.request('logs', 'json', 58_200);
    s.request('metrics', 'json', 774_108);
  };

  it('passes a complete run without a word', async () => {
    const { report } = await run(fixtureCaptureExports('tool-call-json'));
    expect(validateRun(report, statsFile(healthy), { minEvents: 1, requireTelemetry: true, collectorExit: { status: 'stopped' } })).toEqual({ ok: true, failures: [], warnings: [], diagnoses: [] });
  });

  it('fails on too few Codex events only when telemetry is required, else warns', async () => {
    const { report } = await run([[commandEvent('ls')]]);
    const expected = '1 event from Codex (harness codex_cli) were captured; at least 5 are required (min-events).';
    const required = validateRun(report, statsFile(healthy), { minEvents: 5, requireTelemetry: true });
    expect(required.ok).toBe(false);
    expect(required.failures).toEqual([expected]);
    const optional = validateRun(report, statsFile(healthy), { minEvents: 5, requireTelemetry: false });
    expect(optional.ok).toBe(true);
    expect(optional.warnings[0]).toBe(expected);
  });

  it('explains a collector that no request reached', async () => {
    const { report } = await run([]);
    const result = validateRun(report, statsFile(() => {}), { minEvents: 1, requireTelemetry: false });
    expect(result.warnings).toEqual(['0 events from Codex (harness codex_cli) were captured; at least 1 is required (min-events).', 'No telemetry request ever reached the collector.']);
    expect(result.diagnoses).toEqual(['The usual cause: `codex-home` was not passed to openai/codex-action, or Codex did not run.']);
  });

  it('blames a collector that failed at boot, not the workflow, when no request reached it', async () => {
    const { report } = await run([]);
    const stats = statsFile(() => {}, 'failed to start: EACCES: permission denied');
    const result = validateRun(report, stats, { minEvents: 1, requireTelemetry: false });
    expect(result.warnings).toEqual([
      '0 events from Codex (harness codex_cli) were captured; at least 1 is required (min-events).',
      `The collector stopped on its own (failed to start: EACCES: permission denied) at ${stats.stoppedAt}, not at the post step's request: telemetry sent after that was lost. What it wrote is still used.`,
    ]);
    expect(result.diagnoses).toEqual(['The collector failed at boot, after the start step had handed it the socket: its log (collector.log in the work folder) has the details.']);
  });

  it('says plainly when Codex telemetry arrived that looks like nothing it knows, naming the version', async () => {
    const { report } = await run([]);
    const unknown = (s: StatsRecorder) => {
      s.request('logs', 'json', 20_000);
      s.records('logs', 30, 0, { codex_log_not_kept: 30 }, 0);
      s.request('metrics', 'json', 500_000);
      s.records('metrics', 58, 0, { codex_metric_not_kept: 58 }, 0);
    };
    const sessions = { versions: ['0.172.0'], recovered: [], withoutUsage: [], exports: [], sessionFiles: { read: 1, olderLeftOut: 0, unreadable: [], problems: [] }, harness: 'codex_cli' };
    const result = validateRun(report, statsFile(unknown), { minEvents: 0, requireTelemetry: false, sessions });
    expect(result.warnings).toEqual([
      "Codex's telemetry looks like nothing this action knows: 30 log records from Codex 0.172.0 arrived, none of them an event it keeps (codex.conversation_starts, codex.user_prompt, codex.tool_decision, codex.tool_result).",
      "Codex's metrics arrived (58 metrics from Codex 0.172.0) but no codex.turn.token_usage among them: this Codex may report its token usage differently.",
    ]);
    // A known run says nothing of the kind.
    const { report: known } = await run(fixtureCaptureExports('tool-call-json'));
    expect(validateRun(known, statsFile(unknown), { minEvents: 1, requireTelemetry: true }).warnings).toEqual([]);
  });

  it('explains events without a token metric', async () => {
    const { report } = await run([[commandEvent('ls')]]);
    const result = validateRun(report, statsFile(healthy), { minEvents: 1, requireTelemetry: true });
    expect(result).toEqual({
      ok: true,
      failures: [],
      warnings: ['Codex events were captured but no token usage metric.'],
      diagnoses: ['Codex sends its metrics only at a normal exit: it was cancelled or killed, or `metrics_exporter` was overridden in its configuration.'],
    });
  });

  it('reports a collector that died, stopped by itself, or had to be killed, says when, and still uses its events', async () => {
    const { report } = await run(fixtureCaptureExports('tool-call-json'));
    const options = { minEvents: 1, requireTelemetry: true };
    const lastWrite = '2026-06-13T18:00:07.250Z';
    expect(validateRun(report, undefined, { ...options, collectorExit: { status: 'already-exited' }, collectorLastWrite: lastWrite }).warnings).toEqual([
      `The collector left no statistics: it died or was killed before it could stop cleanly; it stopped after ${lastWrite}, when its capture last changed. What it wrote is still used.`,
    ]);
    expect(validateRun(report, undefined, { ...options, collectorExit: { status: 'already-exited' } }).warnings).toEqual([
      'The collector left no statistics: it died or was killed before it could stop cleanly; when it stopped is unknown (it left no capture). What it wrote is still used.',
    ]);
    const unexplained = statsFile(healthy, null);
    expect(validateRun(report, unexplained, options).warnings).toEqual([`The collector did not record why it stopped: it was likely killed at ${unexplained.stoppedAt}. What it wrote is still used.`]);
    const expired = statsFile(healthy, 'maximum lifetime reached');
    expect(validateRun(report, expired, options).warnings).toEqual([
      `The collector stopped on its own (maximum lifetime reached) at ${expired.stoppedAt}, not at the post step's request: telemetry sent after that was lost. What it wrote is still used.`,
    ]);
    // Stopped cleanly, but by a shutdown request before the post step's (which found it gone).
    const early = statsFile(healthy);
    expect(validateRun(report, early, { ...options, collectorExit: { status: 'already-exited' } }).warnings).toEqual([
      `The collector had already stopped at ${early.stoppedAt}, on a shutdown request sent before this step: telemetry sent after that was lost. What it wrote is still used.`,
    ]);
    expect(validateRun(report, statsFile(healthy), { ...options, collectorExit: { status: 'killed', reason: 'it did not exit within 20000 ms of the shutdown request' } }).warnings).toEqual([
      'The collector had to be killed (it did not exit within 20000 ms of the shutdown request). What it wrote is still used.',
    ]);
    expect(validateRun(report, undefined, { ...options, collectorExit: { status: 'not-started' } })).toEqual({
      ok: true,
      failures: [],
      warnings: ['No collector was started for this job, so nothing could be captured.'],
      diagnoses: ['Run this action (mode start) before the step that runs Codex, in the same job.'],
    });
  });

  it('counts rejected requests by status and names their usual causes', async () => {
    const { report } = await run(fixtureCaptureExports('tool-call-json'));
    const stats = statsFile((s) => {
      healthy(s);
      s.rejectedRequest(401, 'missing or wrong x-beacon-secret header');
      s.rejectedRequest(401, 'missing or wrong x-beacon-secret header');
      s.rejectedRequest(413, 'body exceeds the limit of 10 bytes');
    });
    const result = validateRun(report, stats, { minEvents: 1, requireTelemetry: true });
    expect(result.warnings).toEqual(['The collector rejected 3 requests (2 with status 401, 1 with status 413).']);
    expect(result.diagnoses).toEqual([
      'Status 401 means a missing or wrong secret header (a stale config, another process sending to the port, or a shutdown or health request without the control secret, such as one with the telemetry secret of config.toml).',
      'Status 413 means a body larger than the collector accepts.',
      'First error: 401: missing or wrong x-beacon-secret header',
    ]);
  });

  it('reports skipped malformed lines and a torn end', async () => {
    const { report } = await run([[commandEvent('ls')], 'garbage\n', turnTokens(1, { input: 1, cached: 0, output: 1, reasoning: 0 }), '{"timest']);
    expect(validateRun(report, statsFile(healthy), { minEvents: 1, requireTelemetry: true }).warnings).toEqual([
      '2 malformed lines of the capture were skipped (the last one was cut off: the collector stopped in the middle of a write).',
    ]);
  });
});
