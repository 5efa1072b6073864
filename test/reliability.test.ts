import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive } from '../src/finish/stop-collector/stop-collector.js';
import type { CollectorStats } from '../src/handoff/collector-config.js';
import { workspacePaths } from '../src/handoff/workspace.js';
import { CollectorProcesses, controlHeaders, countBy, fixtureRequests, httpRequest } from './support/collector-process.js';
import { KeepAliveSender, runFileOf, slowRequest, startedCaptureIn, waitUntil, type Outcome } from './support/http-senders.js';
import { killIfStillOurs, processesWhoseEnvironmentHolds } from './support/processes.js';
import { instanceArgument } from '../src/handoff/collector-command-line.js';
import { spoilWorkDir } from './support/spoil-work-dir.js';
import { SimulatedRunner, actionDefaults, githubEnv } from './support/runner.js';
import { Prng } from './support/otlp/prng.js';
import { validateBeaconLine } from './support/schema-validator.js';
import { actionsByTag, fixtureTemplate, headersOf, render, requestTag, sumCounts, type BodyTemplate } from './support/tagged-bodies.js';

/**
 * "Nothing acknowledged is lost", proved against the built collector process and the built
 * start/finish bundles: every request answered 200 has all its events in the log, exactly once.
 * Each request carries its own tag (see support/tagged-bodies.ts), so events are traced to requests.
 */

const collectors = new CollectorProcesses();
afterEach(() => collectors.stopAll());

/** Small bodies mostly, every signal, both encodings, compressed and not; [template, weight]. */
function loadMix(): [BodyTemplate, number][] {
  return [
    [fixtureTemplate('interval-exports-json/001-logs.json', 'json'), 4],
    [fixtureTemplate('interval-exports-json/001-logs.json', 'protobuf'), 4],
    [fixtureTemplate('interval-exports-json/008-logs.json', 'json'), 3],
    [fixtureTemplate('interval-exports-json/008-logs.json', 'protobuf', 'gzip'), 2],
    [fixtureTemplate('interval-exports-json/003-metrics.json', 'json'), 2],
    [fixtureTemplate('interval-exports-json/003-metrics.json', 'protobuf', 'deflate'), 2],
    [fixtureTemplate('interval-exports-json/005-logs.json', 'json', 'gzip'), 1],
    [fixtureTemplate('interval-exports-json/005-logs.json', 'protobuf'), 1],
    [fixtureTemplate('tool-call-json/004-logs.json', 'protobuf'), 1],
    [fixtureTemplate('tool-call-json/004-logs.json', 'json', 'deflate'), 1],
    [fixtureTemplate('interval-exports-json/006-traces.json', 'protobuf'), 1],
    [fixtureTemplate('interval-exports-json/007-metrics.json', 'protobuf'), 1],
  ];
}

function picker(mix: [BodyTemplate, number][], rng: Prng): () => BodyTemplate {
  const total = mix.reduce((n, [, w]) => n + w, 0);
  return () => {
    let x = rng.next() * total;
    for (const [template, weight] of mix) if ((x -= weight) < 0) return template;
    return mix[mix.length - 1]![0];
  };
}

interface Sent {
  tag: string;
  template: BodyTemplate;
  wireBytes: number;
  outcome: Outcome;
}

/** Lines of a capture file, each checked against the schema; returns the parsed events. */
function validEvents(text: string): Record<string, any>[] {
  const lines = text.split(/(?<=\n)/).filter((l) => l !== '');
  const bad = lines.map((line, i) => ({ line: i + 1, errors: validateBeaconLine(line) })).filter((l) => l.errors.length > 0);
  expect(bad.slice(0, 3)).toEqual([]);
  return lines.map((line) => JSON.parse(line));
}

describe('load', () => {
  const SENDERS = 20;
  const REQUESTS_PER_SENDER = 500;

  it(`${SENDERS} concurrent senders x ${REQUESTS_PER_SENDER} mixed requests: every event exactly once, every line valid, the stats add up`, async () => {
    const c = await collectors.start();
    const mix = loadMix();
    const sent: Sent[] = [];
    const started = Date.now();
    await Promise.all(
      Array.from({ length: SENDERS }, async (_, s) => {
        const next = picker(mix, new Prng(0x10ad + s));
        const sender = new KeepAliveSender(c.port);
        for (let i = 0; i < REQUESTS_PER_SENDER; i++) {
          const template = next();
          const tag = requestTag(s * REQUESTS_PER_SENDER + i);
          const body = render(template, tag);
          const outcome = await sender.send(template.path, headersOf(template, c.secret), body);
          sent.push({ tag, template, wireBytes: body.length, outcome });
        }
        sender.close();
      }),
    );
    const elapsedMs = Date.now() - started;
    const stats = await c.shutdown();

    expect(sent.length).toBe(SENDERS * REQUESTS_PER_SENDER);
    expect(sent.filter((s) => s.outcome.status !== 200).map((s) => s.outcome)).toEqual([]);

    // Each request's events, exactly, and nothing else.
    const events = validEvents(c.captureText());
    const byTag = actionsByTag(events);
    const expectedByTag = new Map(sent.filter((s) => Object.keys(s.template.expected.kept).length > 0).map((s) => [s.tag, s.template.expected.kept]));
    expect(byTag.size).toBe(expectedByTag.size);
    for (const [tag, kept] of expectedByTag) expect(byTag.get(tag), tag).toEqual(kept);
    const expectedActions: Record<string, number> = {};
    for (const s of sent) sumCounts(expectedActions, s.template.expected.kept);
    const actions: Record<string, number> = {};
    for (const counts of byTag.values()) sumCounts(actions, counts);
    expect(actions).toEqual(expectedActions);

    // The stats the post step reports: requests, bytes, encodings and records, per signal.
    const expectedSignals: CollectorStats['signals'] = {
      logs: { requests: 0, bytes: 0, byEncoding: {}, recordsReceived: 0, recordsKept: 0 },
      metrics: { requests: 0, bytes: 0, byEncoding: {}, recordsReceived: 0, recordsKept: 0 },
      traces: { requests: 0, bytes: 0, byEncoding: {}, recordsReceived: 0, recordsKept: 0 },
    };
    const dropped: Record<string, number> = {};
    const DROP_REASON = { logs: 'codex_log_not_kept', metrics: 'codex_metric_not_kept', traces: 'codex_span_not_requested' } as const;
    for (const { template, wireBytes } of sent) {
      const signal = expectedSignals[template.signal];
      const kept = Object.values(template.expected.kept).reduce((n, k) => n + k, 0);
      signal.requests += 1;
      signal.bytes += wireBytes;
      signal.byEncoding[template.encoding] = (signal.byEncoding[template.encoding] ?? 0) + 1;
      signal.recordsReceived += template.expected.records;
      signal.recordsKept += kept;
      if (template.expected.records > kept) dropped[DROP_REASON[template.signal]] = (dropped[DROP_REASON[template.signal]] ?? 0) + template.expected.records - kept;
    }
    expect(stats.signals).toEqual(expectedSignals);
    expect(stats.dropped).toEqual(dropped);
    expect(stats.eventsWritten).toBe(events.length);
    expect(stats.rejected).toEqual({});
    expect(stats.writeErrors).toBe(0);
    expect(stats.stopReason).toBe('shutdown request');
    console.info(`load: ${sent.length} requests, ${events.length} events in ${elapsedMs} ms`);
  });
});

describe('shutdown under load', () => {
  it('answers 200 only for requests whose events are written, 503 + Retry-After while draining, then refuses connections', async () => {
    const c = await collectors.start();
    const mix = loadMix();
    const sent: Sent[] = [];
    let acked = 0;
    let n = 0;
    // Senders run until the port is closed: the last thing each sees is a refused connection.
    const senders = Array.from({ length: 10 }, async (_, s) => {
      const next = picker(mix, new Prng(0x5d + s));
      const sender = new KeepAliveSender(c.port);
      let last: Outcome | undefined;
      while (last?.error !== 'ECONNREFUSED' && n < 200_000) {
        const template = next();
        const tag = requestTag(n++);
        const body = render(template, tag);
        last = await sender.send(template.path, headersOf(template, c.secret), body);
        if (last.status === 200) acked += 1;
        sent.push({ tag, template, wireBytes: body.length, outcome: last });
      }
      sender.close();
      return last;
    });

    // A request in flight across the shutdown: its headers and half its body arrive before the
    // shutdown request, the rest after. The collector must finish it (200) before closing.
    await waitUntil(() => acked >= 500, 10_000);
    const slowTemplate = fixtureTemplate('tool-call-json/004-logs.json', 'json');
    const slowTag = requestTag(999_999);
    const slowBody = render(slowTemplate, slowTag);
    const slow = slowRequest(c.port, slowTemplate.path, headersOf(slowTemplate, c.secret), slowBody);
    await new Promise((r) => setTimeout(r, 50));
    const shutdown = await httpRequest(c.port, { path: '/shutdown', headers: controlHeaders(c.controlSecret) });
    expect(shutdown.status).toBe(200);
    const ackedAtShutdown = acked;
    await new Promise((r) => setTimeout(r, 300));
    const slowOutcome = await slow.finish();
    const lastOutcomes = await Promise.all(senders);
    expect(await c.exited).toBe(0);

    expect(slowOutcome.status).toBe(200);
    expect(lastOutcomes.map((o) => o?.error)).toEqual(Array(10).fill('ECONNREFUSED'));
    const byStatus = countBy(sent, (s) => String(s.outcome.status ?? s.outcome.error));
    console.info('shutdown under load: outcomes', byStatus);
    expect(byStatus['200']).toBeGreaterThanOrEqual(ackedAtShutdown);
    expect(byStatus['503']).toBeGreaterThan(0);
    // Nothing but 200, 503 and connection errors (refused, or reset by the final close).
    expect(Object.keys(byStatus).filter((k) => !['200', '503', 'ECONNREFUSED', 'ECONNRESET', 'socket hang up'].includes(k))).toEqual([]);
    // A 503 that closes the connection says so: a keep-alive sender is told, not reset on its next
    // request. Only the final close can reset a sender, once at most.
    expect((byStatus.ECONNRESET ?? 0) + (byStatus['socket hang up'] ?? 0)).toBeLessThanOrEqual(10);

    const events = validEvents(c.captureText());
    const byTag = actionsByTag(events);
    expect(byTag.get(slowTag)).toEqual(slowTemplate.expected.kept);
    for (const s of sent) {
      const found = byTag.get(s.tag);
      if (s.outcome.status === 200) {
        expect(found ?? {}, s.tag).toEqual(s.template.expected.kept);
      } else if (s.outcome.status === 503) {
        expect(s.outcome.headers!['retry-after']).toBe('1');
        expect(found, s.tag).toBeUndefined();
      } else if (found) {
        // Cut off by the close: written whole or not at all.
        expect(found, s.tag).toEqual(s.template.expected.kept);
      }
    }
    const stats = JSON.parse(fs.readFileSync(c.config.statsPath, 'utf8')) as CollectorStats;
    expect(stats.stopReason).toBe('shutdown request');
    expect(stats.eventsWritten).toBe(events.length);
    expect(stats.rejected['503']).toBeGreaterThanOrEqual(byStatus['503']!);
  });
});

// ---------------------------------------------------------------- the action around the collector

const runners: SimulatedRunner[] = [];
function runner(env = githubEnv()) {
  const r = new SimulatedRunner(env);
  runners.push(r);
  return r;
}
const strays: number[] = [];
afterEach(() => {
  for (const r of runners.splice(0)) {
    // A collector a test left behind (a failed assertion before its post step): its command line
    // holds the instance id of its run.json. (A start that failed stops its collector itself.)
    for (const entry of fs.existsSync(r.runnerTemp) ? fs.readdirSync(r.runnerTemp) : []) {
      try {
        const { collector } = runFileOf(path.join(r.runnerTemp, entry));
        killIfStillOurs(collector.pid, instanceArgument(collector.instance));
      } catch {
        // no collector there
      }
    }
    r.cleanup();
  }
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

const NO_UPLOAD = { 'upload-artifact': 'false' };

/** A started use of the action: its working folder and the collector it runs. */
function startedCapture(start: { state: Record<string, string> }) {
  return startedCaptureIn(start.state.workDir!);
}

/** Per metrics export of the fixtures: the normalized usage the post step must report. */
const TURN_USAGE = { input_tokens: 450, cache_read_input_tokens: 2150, output_tokens: 80, reasoning_output_tokens: 30 };

function logLines(file: string): Record<string, any>[] {
  return validEvents(fs.readFileSync(file, 'utf8'));
}

describe('crash', () => {
  it('SIGKILL in the middle of heavy ingest: whole lines only, every acknowledged event kept, and the post step still reports and warns', async () => {
    const r = runner();
    const start = await r.main({ inputs: NO_UPLOAD });
    expect(start.exitCode).toBe(0);
    const capture = startedCapture(start);
    const heavy: [BodyTemplate, number][] = [
      [fixtureTemplate('tool-call-json/004-logs.json', 'json'), 2],
      [fixtureTemplate('tool-call-json/004-logs.json', 'protobuf'), 2],
      [fixtureTemplate('interval-exports-json/007-metrics.json', 'protobuf'), 1],
      [fixtureTemplate('interval-exports-json/007-metrics.json', 'json'), 1],
    ];
    const sent: Sent[] = [];
    let acked = 0;
    let n = 0;
    const senders = Array.from({ length: 10 }, async (_, s) => {
      const next = picker(heavy, new Prng(0xc4a5 + s));
      const sender = new KeepAliveSender(capture.port);
      for (;;) {
        const template = next();
        const tag = requestTag(n++);
        const body = render(template, tag);
        const outcome = await sender.send(template.path, headersOf(template, capture.secret), body);
        sent.push({ tag, template, wireBytes: body.length, outcome });
        if (outcome.status !== 200) break;
        acked += 1;
      }
      sender.close();
    });
    expect(await waitUntil(() => acked >= 300, 20_000)).toBe(true);
    process.kill(capture.pid, 'SIGKILL');
    await Promise.all(senders);

    // The capture and the token file as the kill left them: whole lines, but for at most a last one
    // cut by the kill (in one of them: a request's events go to one file or the other).
    const asKilled = (file: string) => {
      const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      const lines = text.split(/(?<=\n)/).filter((l) => l !== '');
      const torn = text !== '' && !text.endsWith('\n');
      expect(lines.slice(0, torn ? -1 : undefined).filter((l) => validateBeaconLine(l).length > 0)).toEqual([]);
      return { whole: lines.length - (torn ? 1 : 0), torn };
    };
    const captureFile = asKilled(capture.paths.capture);
    const tokenFile = asKilled(capture.paths.tokenPoints);
    expect(tokenFile.whole).toBeGreaterThan(0);
    const tornAtEnd = captureFile.torn || tokenFile.torn;
    const lastChange = new Date(Math.max(...[capture.paths.capture, capture.paths.tokenPoints].filter((f) => fs.existsSync(f)).map((f) => fs.statSync(f).mtimeMs))).toISOString();

    const post = await start.post();
    expect(post.exitCode).toBe(0);
    // When: the last change of what it wrote, as the kill left it (the post step then links and appends to the capture).
    expect(post.stdout).toContain(`::warning::beacon: The collector left no statistics: it died or was killed before it could stop cleanly; it stopped after ${lastChange}, when its capture last changed. What it wrote is still used.`);
    if (tornAtEnd) expect(post.stdout).toContain('was cut off');

    // The runtime log: every line valid; every acknowledged request's events, exactly.
    const events = logLines(capture.run.logPath);
    const byTag = actionsByTag(events);
    const ackedSent = sent.filter((s) => s.outcome.status === 200);
    expect(ackedSent.length).toBe(acked);
    for (const s of ackedSent) expect(byTag.get(s.tag), s.tag).toEqual(s.template.expected.kept);
    // Written but not answered (the kill came in between): whole too.
    for (const s of sent.filter((x) => x.outcome.status !== 200)) if (byTag.has(s.tag)) expect(byTag.get(s.tag)).toEqual(s.template.expected.kept);
    expect(events.length).toBe(captureFile.whole + tokenFile.whole);
    expect(events.slice(captureFile.whole).every((e) => e.event.action === 'token.usage')).toBe(true);
    // Whole capture lines only: the capture itself became the log; a torn one made the log a copy.
    expect(fs.statSync(capture.run.logPath).ino === fs.statSync(capture.paths.capture).ino).toBe(!captureFile.torn);

    // Usage file and summary from what was written: one turn's usage per metrics export in the log.
    const metricsExports = [...byTag.values()].filter((counts) => counts['token.usage']).length;
    expect(metricsExports).toBeGreaterThan(0);
    const usage = JSON.parse(fs.readFileSync(capture.run.usagePath, 'utf8'));
    expect(usage.totals).toMatchObject(Object.fromEntries(Object.entries(TURN_USAGE).map(([k, v]) => [k, v * metricsExports])));
    expect(r.summary()).toContain('The collector left no statistics');
  });
});

// Linux only: the disk is "filled" with prlimit's file-size limit on the collector process.
describe.runIf(process.platform === 'linux')('disk trouble', () => {
  it('a write that fails (to the capture or the token file) is answered 503, never 200, leaves no partial line, and is reported in the summary', async () => {
    const r = runner();
    const start = await r.main({ inputs: NO_UPLOAD });
    const capture = startedCapture(start);
    const logs = fixtureTemplate('tool-call-json/004-logs.json', 'protobuf');
    const sender = new KeepAliveSender(capture.port);
    const send = (tag: string) => sender.send(logs.path, headersOf(logs, capture.secret), render(logs, tag));

    expect((await send(requestTag(1))).status).toBe(200);
    const sizeBefore = fs.statSync(capture.paths.capture).size;
    // The disk "fills": the collector may write 100 more bytes, less than one request's events.
    execFileSync('prlimit', ['--pid', String(capture.pid), `--fsize=${sizeBefore + 100}:unlimited`]);
    const refused = [await send(requestTag(2)), await send(requestTag(3)), await send(requestTag(4))];
    expect(refused.map((o) => [o.status, o.headers?.['retry-after']])).toEqual(Array(3).fill([503, '1']));
    expect(fs.statSync(capture.paths.capture).size).toBe(sizeBefore); // the partial writes were undone
    // Space again: the next request is written after the last whole line.
    execFileSync('prlimit', ['--pid', String(capture.pid), '--fsize=unlimited:unlimited']);
    expect((await send(requestTag(5))).status).toBe(200);

    // The token file likewise: a metrics export whose token events do not all fit is taken back whole.
    const metrics = fixtureTemplate('interval-exports-json/007-metrics.json', 'protobuf');
    const sendMetrics = (tag: string) => sender.send(metrics.path, headersOf(metrics, capture.secret), render(metrics, tag));
    expect((await sendMetrics(requestTag(6))).status).toBe(200);
    const tokenSizeBefore = fs.statSync(capture.paths.tokenPoints).size;
    const captureSize = fs.statSync(capture.paths.capture).size;
    execFileSync('prlimit', ['--pid', String(capture.pid), `--fsize=${tokenSizeBefore + 100}:unlimited`]);
    const refusedMetrics = await sendMetrics(requestTag(7));
    expect([refusedMetrics.status, refusedMetrics.headers?.['retry-after']]).toEqual([503, '1']);
    expect(fs.statSync(capture.paths.tokenPoints).size).toBe(tokenSizeBefore);
    expect(fs.statSync(capture.paths.capture).size).toBe(captureSize);
    execFileSync('prlimit', ['--pid', String(capture.pid), '--fsize=unlimited:unlimited']);
    expect((await sendMetrics(requestTag(8))).status).toBe(200);
    sender.close();

    const post = await start.post();
    expect(post.exitCode).toBe(0);
    const events = logLines(capture.run.logPath);
    // The capture's events, then the token events (the capture itself is the log).
    expect([...actionsByTag(events).keys()]).toEqual([requestTag(1), requestTag(5), requestTag(6), requestTag(8)]);
    expect(metrics.expected.kept).toEqual({ 'token.usage': 6 });
    expect(events.length).toBe(2 * Object.values(logs.expected.kept).reduce((a, b) => a + b, 0) + 2 * 6);
    expect(fs.statSync(capture.run.logPath).ino).toBe(fs.statSync(capture.paths.capture).ino);
    const usage = JSON.parse(fs.readFileSync(capture.run.usagePath, 'utf8'));
    expect(usage.totals).toMatchObject(Object.fromEntries(Object.entries(TURN_USAGE).map(([k, v]) => [k, v * 2])));
    const summary = r.summary();
    expect(summary).toContain('The collector failed to write events 4 times; those requests were refused so the sender could retry.');
    expect(summary).toContain('The collector rejected 4 requests (4 with status 503).');
    expect(post.stdout).toContain('::warning::beacon: The collector failed to write events 4 times');
  });
});

describe('lifecycle', () => {
  /** Replays a capture's fixture requests to a started use of the action. */
  async function replay(capture: ReturnType<typeof startedCapture>, fixture: string) {
    for (const request of fixtureRequests(fixture)) {
      const answer = await httpRequest(capture.port, { path: request.path, body: request.body, headers: { 'content-type': request.contentType, 'x-beacon-secret': capture.secret } });
      expect(answer.status).toBe(200);
    }
  }

  it('a post step without a start (no state) does nothing and does not fail', async () => {
    const r = runner();
    const post = await r.run('finish', actionDefaults(), {}, {});
    expect(post.exitCode).toBe(0);
    expect(post.stdout).toContain('beacon: nothing to finish: the start step of this action failed or did not run.');
    expect(post.stdout).not.toContain('::error::');
    expect(r.summary()).toBe('');
    expect(post.durationMs).toBeLessThan(10_000);
  });

  /**
   * A start that fails half way, faithfully: the start step cannot write the collector's ready
   * file when it hands the listening socket over (a directory already takes the name, put there
   * the moment the step creates its working folder), stops the collector it has just spawned, and
   * fails.
   */
  async function failedStart() {
    const r = runner();
    const start = await r.main({ inputs: NO_UPLOAD, env: spoilWorkDir({ mkdir: path.join('collector-ready.json', 'taken') }) });
    const post = await start.post();
    return { r, start, post, workDir: start.state.workDir! };
  }

  it('a start that failed half way (its ready file could not be written): the post step does not hang and finds nothing to stop', async () => {
    const { r, start, post, workDir } = await failedStart();
    expect(start.exitCode).toBe(1);
    const ready = workspacePaths(workDir).ready;
    // A rename onto a directory: EISDIR on Linux and macOS; Windows refuses it as EPERM.
    const refused = process.platform === 'win32' ? 'EPERM: operation not permitted' : 'EISDIR: illegal operation on a directory';
    expect(start.stdout).toContain(`::error::${refused}, rename '${ready}.tmp' -> '${ready}'`);
    // The collector it had spawned was stopped: nothing of this use is left running. (Linux only:
    // its command line names no folder of the runner, and only /proc shows its environment.)
    if (process.platform === 'linux') expect(await waitUntil(() => processesWhoseEnvironmentHolds(`RUNNER_TEMP=${r.runnerTemp}`).length === 0, 5_000, 100)).toBe(true);
    expect(post.durationMs).toBeLessThan(10_000);
    expect(post.stdout).toContain('beacon: collector not-started.');
    expect(post.stdout).toContain('::warning::beacon: the start step did not complete (see its error), so nothing was captured in this job.');
  });

  // The start already failed the job with its reason; the post step warns and does not fail it again.
  it('after a start that failed half way, the post step does not fail the job a second time', async () => {
    const { post } = await failedStart();
    expect(post.stdout).not.toContain('::error::');
    expect(post.exitCode).toBe(0);
  });

  it('two uses of the action in one job: each post step finishes its own capture', async () => {
    const r = runner();
    const first = await r.main({ inputs: NO_UPLOAD });
    const second = await r.main({ inputs: NO_UPLOAD });
    expect([first.exitCode, second.exitCode]).toEqual([0, 0]);
    const a = startedCapture(first);
    const b = startedCapture(second);
    expect(a.workDir).not.toBe(b.workDir);
    expect(a.pid).not.toBe(b.pid);
    await replay(a, 'tool-call-json');
    await replay(b, 'tool-call-protobuf');
    await replay(b, 'tool-call-protobuf');

    // Post steps run in reverse order of their uses.
    const postB = await second.post();
    expect(postB.exitCode).toBe(0);
    expect(isAlive(a.pid)).toBe(true); // the other use's collector is untouched
    const postA = await first.post();
    expect(postA.exitCode).toBe(0);
    expect(await waitUntil(() => !isAlive(a.pid) && !isAlive(b.pid), 5_000)).toBe(true);

    const KEPT = { 'session.started': 1, 'prompt.submitted': 1, 'approval.requested': 1, 'command.executed': 1, 'token.usage': 6 };
    expect(countBy(logLines(a.run.logPath), (e) => e.event.action)).toEqual(KEPT);
    expect(countBy(logLines(b.run.logPath), (e) => e.event.action)).toEqual(Object.fromEntries(Object.entries(KEPT).map(([k, v]) => [k, 2 * v])));
    expect(JSON.parse(fs.readFileSync(a.run.usagePath, 'utf8')).totals).toMatchObject(TURN_USAGE);
    expect(JSON.parse(fs.readFileSync(b.run.usagePath, 'utf8')).totals).toMatchObject(Object.fromEntries(Object.entries(TURN_USAGE).map(([k, v]) => [k, 2 * v])));
    expect(r.summary().match(/^## Codex telemetry$/gm)).toHaveLength(2);
  });

  // Not on Windows, which has no signals: process.kill(pid, 'SIGTERM') ends the process at once, so it
  // cannot record why it stopped (the post step then finds no statistics, as after a crash above).
  it.skipIf(process.platform === 'win32')('a collector that already exited (stopped by SIGTERM): the post step uses what it wrote and says why it stopped', async () => {
    const r = runner();
    const start = await r.main({ inputs: NO_UPLOAD });
    const capture = startedCapture(start);
    await replay(capture, 'tool-call-protobuf');
    process.kill(capture.pid, 'SIGTERM');
    expect(await waitUntil(() => !isAlive(capture.pid), 5_000)).toBe(true);

    const post = await start.post();
    expect(post.exitCode).toBe(0);
    expect(post.durationMs).toBeLessThan(10_000);
    expect(post.stdout).toContain('beacon: collector already-exited.');
    const { stoppedAt } = JSON.parse(fs.readFileSync(capture.paths.stats, 'utf8')) as CollectorStats;
    expect(post.stdout).toContain(`::warning::beacon: The collector stopped on its own (SIGTERM) at ${stoppedAt}, not at the post step's request: telemetry sent after that was lost. What it wrote is still used.`);
    expect(logLines(capture.run.logPath)).toHaveLength(10);
  });

  const staleCases: [string, boolean][] = [
    ['its port is closed', false],
    // Not on Windows: there the post step cannot read a command line, so it trusts a process that
    // answers the shutdown request with the pid (stop-collector.ts) and kills it if it does not exit.
    ...(process.platform === 'win32' ? [] : [['its port now answers for someone else, claiming the pid', true] as [string, boolean]]),
  ];
  it.each(staleCases)('a stale pid that now belongs to another process (%s) is never killed', async (_name, impostor) => {
    const r = runner();
    const start = await r.main({ inputs: NO_UPLOAD });
    const capture = startedCapture(start);
    await replay(capture, 'tool-call-protobuf');
    process.kill(capture.pid, 'SIGKILL');
    expect(await waitUntil(() => !isAlive(capture.pid), 5_000)).toBe(true);

    // The pid in the ready file is now a process of someone else (any program: node runs on every OS).
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    strays.push(sleeper.pid!);
    let port = capture.port;
    let server: http.Server | undefined;
    if (impostor) {
      // And the port is someone else's server, answering anything with 200 and that pid, as our
      // collector would. (Its own free port stands in for the old one, which may be taken.)
      server = http.createServer((_req, res) => res.end(JSON.stringify({ ok: true, pid: sleeper.pid })));
      port = await new Promise<number>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(0, '127.0.0.1', () => resolve((server!.address() as import('node:net').AddressInfo).port));
      });
    }
    fs.writeFileSync(capture.paths.ready, JSON.stringify({ port, pid: sleeper.pid }));
    try {
      const post = await start.post();
      expect(post.exitCode).toBe(0);
      expect(post.durationMs).toBeLessThan(10_000);
      // Windows cannot tell whose the process is, and so leaves it alone too, for that reason.
      const reason = process.platform === 'win32' ? 'did not answer and cannot be recognised as our collector on this OS' : 'is not our collector any more (a reused pid)';
      expect(post.stdout).toContain(`beacon: collector left-alone: process ${sleeper.pid} ${reason}.`);
      expect(isAlive(sleeper.pid!)).toBe(true);
      expect(sleeper.exitCode).toBeNull();
      expect(logLines(capture.run.logPath)).toHaveLength(10);
    } finally {
      server?.close();
    }
  });
});
