import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_COUNT } from '../src/beacon/integers.js';
import { processCaptureLog } from '../src/finish/account-usage/process-capture.js';
import { buildUsageFile, USAGE_NOTES } from '../src/finish/publish/usage-file.js';
import { validateRun } from '../src/finish/validate/validate.js';
import { tokenEvent, writeCapture } from './support/capture-builder.js';
import { codexLogRecord, logsRequestBody } from './support/codex-records.js';
import { CollectorProcesses, type RunningCollector } from './support/collector-process.js';
import { validateBeaconLine, validateBeaconLog } from './support/schema-validator.js';
import {
  CONTENT_TYPE,
  jsonTokenRequestWithRawSum,
  partialSuccessOf,
  statusOf,
  tokenRequestBody,
  type Encoding,
  type TokenRequestSpec,
} from './support/token-requests.js';

/**
 * Numbers that hold under hostile input. Token usage comes only from a histogram named
 * codex.turn.token_usage whose point has a numeric `sum` that is a whole number from 0 to 2^53-1:
 * every other point under that name is refused (OTLP partial success, or a 400 when nothing in the
 * request is usable), never counted, never written. Every integer written is a safe integer.
 */

const collectors = new CollectorProcesses();

const REFUSED = 'codex.turn.token_usage data point refused';
const notWhole = (value: string) => `${REFUSED}: sum ${value} is not a whole number from 0 to 2^53-1`;

interface Shape {
  name: string;
  /** The request's one token metric (protobuf and JSON alike), or, for JSON only, the sum as JSON text. */
  metric?: TokenRequestSpec['metrics'][number];
  json?: string;
  /** Sent in this encoding only (a boolean or a string has no protobuf double). */
  only?: Encoding;
  message: string;
}

const histogram = (sum: number | undefined) => ({ points: [{ tokenType: 'output', sum }] });

const SHAPES: Shape[] = [
  { name: 'sum 2^63', metric: histogram(2 ** 63), message: notWhole('9223372036854775808') },
  { name: 'sum 2^53', metric: histogram(2 ** 53), message: notWhole('9007199254740992') },
  { name: 'sum 1e300', metric: histogram(1e300), message: notWhole('1e+300') },
  { name: 'no sum', metric: histogram(undefined), message: `${REFUSED}: sum is missing` },
  { name: 'sum 1.5', metric: histogram(1.5), message: notWhole('1.5') },
  { name: 'sum -1', metric: histogram(-1), message: notWhole('-1') },
  { name: 'sum NaN', metric: histogram(NaN), only: 'protobuf', message: notWhole('NaN') },
  { name: 'sum Infinity', metric: histogram(Infinity), only: 'protobuf', message: notWhole('Infinity') },
  { name: 'sum "NaN"', json: '"NaN"', message: notWhole('"NaN"') },
  { name: 'sum "Infinity"', json: '"Infinity"', message: notWhole('"Infinity"') },
  { name: 'sum "-Infinity"', json: '"-Infinity"', message: notWhole('"-Infinity"') },
  { name: 'sum true', json: 'true', message: notWhole('true') },
  { name: 'sum "0x10"', json: '"0x10"', message: notWhole('"0x10"') },
  { name: 'sum "1e3"', json: '"1e3"', message: notWhole('"1e3"') },
  { name: 'sum "12"', json: '"12"', message: notWhole('"12"') },
  { name: 'sum null', json: 'null', message: notWhole('null') },
  { name: 'a Gauge', metric: { kind: 'gauge', points: [{ tokenType: 'output', sum: 100 }] }, message: `${REFUSED}: a Gauge, not a histogram (token usage is a histogram's sum)` },
  { name: 'a Sum', metric: { kind: 'sum', points: [{ tokenType: 'output', sum: 100 }] }, message: `${REFUSED}: a Sum, not a histogram (token usage is a histogram's sum)` },
];

/** The one good point sent beside a refused one: 80 output tokens. */
const GOOD = { points: [{ tokenType: 'output', sum: 80 }] };

function bodyOf(shape: Shape, encoding: Encoding, withGood: boolean): Buffer {
  if (shape.json !== undefined) return jsonTokenRequestWithRawSum(shape.json, withGood ? GOOD.points : []);
  return tokenRequestBody({ metrics: withGood ? [shape.metric!, GOOD] : [shape.metric!] }, encoding);
}

const tokenEvents = (c: RunningCollector) => c.events().filter((e) => e.event.action === 'token.usage');

/** The post step's runtime log and report over what the collector wrote; every line passes the schema. */
async function postStep(c: RunningCollector) {
  const logPath = path.join(c.dir, 'out', 'beacon-runtime.jsonl');
  const report = await processCaptureLog({ capturePath: c.config.capturePath, logPath });
  const validation = await validateBeaconLog(logPath);
  expect(validation.errors).toEqual([]);
  return { report, lines: fs.readFileSync(logPath, 'utf8').split('\n').filter(Boolean) };
}

describe.each(['protobuf', 'json'] as const)('refused token points, %s', (encoding) => {
  const shapes = SHAPES.filter((shape) => (shape.only ?? encoding) === encoding && (shape.json === undefined || encoding === 'json'));
  let c: RunningCollector;
  let goodSent = 0;
  beforeAll(async () => {
    c = await collectors.start();
  });
  afterAll(() => collectors.stopAll());

  it.each(shapes.map((shape) => [shape.name, shape] as const))('%s alone: 400 with why, nothing written', async (_name, shape) => {
    const before = c.captureText();
    const answer = await c.post({ path: '/v1/metrics', contentType: CONTENT_TYPE[encoding], body: bodyOf(shape, encoding, false) });
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe(CONTENT_TYPE[encoding]);
    // google.rpc.Status: INVALID_ARGUMENT and the reason.
    expect(statusOf(answer.body, encoding)).toEqual({ code: 3, message: shape.message });
    expect(c.captureText()).toBe(before);
  });

  it.each(shapes.map((shape) => [shape.name, shape] as const))('%s beside a good point: partial success, only the good point written', async (_name, shape) => {
    const before = tokenEvents(c).length;
    const answer = await c.post({ path: '/v1/metrics', contentType: CONTENT_TYPE[encoding], body: bodyOf(shape, encoding, true) });
    goodSent += 1;
    expect(answer.status).toBe(200);
    // As the SDK's exporter reads the answer.
    expect(partialSuccessOf(answer.body, encoding)).toEqual({ partialSuccess: { rejectedDataPoints: encoding === 'json' ? '1' : 1, errorMessage: shape.message } });
    const written = tokenEvents(c).slice(before);
    expect(written.map((e) => [e.gen_ai.token.type, e.raw.metric_value, e.raw.metric_type])).toEqual([['output', 80, 'Histogram']]);
  });

  it("the post step counts the good points only, and the collector's statistics say what was refused", async () => {
    const stats = await c.shutdown();
    const refusedAlone = shapes.length;
    expect(stats.rejected).toEqual({ '400': refusedAlone });
    expect(stats.dropped.rejected_record).toBe(2 * shapes.length);
    const { report, lines } = await postStep(c);
    expect(report.usage.total).toMatchObject({ input_tokens: 0, output_tokens: 80 * goodSent, cache_read_input_tokens: 0, reasoning_output_tokens: 0, events: goodSent });
    expect(report.unusableTokenEvents).toBe(0);
    expect(lines.filter((line) => line.includes('"token.usage"'))).toHaveLength(goodSent);
    const validation = validateRun(report, stats, { minEvents: 0, requireTelemetry: false });
    expect(validation.warnings).toContain(`The collector refused ${2 * shapes.length} records it could not use (such as a token data point whose value is not a whole number from 0 to 2^53-1); they were not counted.`);
  });
});

describe('cumulative series', () => {
  afterEach(() => collectors.stopAll());

  it('100, a point without sum, 150 counts 150: the missing value is refused, never a reset', async () => {
    const c = await collectors.start();
    for (const [sum, status] of [[100, 200], [undefined, 400], [150, 200]] as const) {
      const body = tokenRequestBody({ metrics: [{ cumulative: true, points: [{ tokenType: 'output', sum }] }] }, 'protobuf');
      expect((await c.post({ path: '/v1/metrics', contentType: CONTENT_TYPE.protobuf, body })).status).toBe(status);
    }
    await c.shutdown();
    const { report } = await postStep(c);
    expect(report.usage.total.output_tokens).toBe(150);
  });

  it("two Codex processes with the same start time: each process's tokens counted exactly once", async () => {
    const c = await collectors.start();
    const send = (instance: string, sum: number) =>
      c.post({ path: '/v1/metrics', contentType: CONTENT_TYPE.json, body: tokenRequestBody({ resource: { 'service.instance.id': instance }, metrics: [{ cumulative: true, points: [{ tokenType: 'output', sum }] }] }, 'json') });
    // Interleaved exit flushes: A 100, B 40, A 150, B 90 (the same series attributes and start time).
    for (const [instance, sum] of [['a', 100], ['b', 40], ['a', 150], ['b', 90]] as const) expect((await send(instance, sum)).status).toBe(200);
    const ids = tokenEvents(c).map((e) => e.raw.resource_id);
    expect(ids[0]).toMatch(/^[0-9a-f]{16}$/);
    expect([ids[0] === ids[2], ids[1] === ids[3], ids[0] === ids[1]]).toEqual([true, true, false]);
    await c.shutdown();
    const { report } = await postStep(c);
    // One merged series would read 100, a reset to 40, +110, a reset to 90: 340.
    expect(report.usage.total.output_tokens).toBe(150 + 90);
  });
});

describe('integers that cannot be written exactly are left out and named', () => {
  afterEach(() => collectors.stopAll());

  it('an exit code of 1e300 and a duration of 2^60: left out, raw.invalid_fields, every line valid', async () => {
    const c = await collectors.start();
    const record = (exitCode: string, durationMs: string) =>
      codexLogRecord({ eventName: 'codex.tool_result', attributes: { tool_name: 'exec_command', call_id: 'c1', arguments: '{"cmd":"ls"}', duration_ms: durationMs, success: 'false', output: `Process exited with code ${exitCode}\nOutput:\n` } });
    const body = logsRequestBody([record(`1${'0'.repeat(300)}`, String(2n ** 60n)), record('-1', '12')], 'protobuf');
    expect((await c.post({ path: '/v1/logs', contentType: CONTENT_TYPE.protobuf, body })).status).toBe(200);
    // A token point whose count (uint64) is past 2^53-1: the point counts, its count is left out.
    const huge = tokenRequestBody({ metrics: [GOOD] }, 'json').toString('utf8').replace('"count":1', '"count":"18446744073709551615"');
    expect((await c.post({ path: '/v1/metrics', contentType: CONTENT_TYPE.json, body: huge })).status).toBe(200);

    const text = c.captureText();
    expect(text).not.toMatch(/e\+/);
    for (const line of text.split(/(?<=\n)/)) expect(validateBeaconLine(line)).toEqual([]);
    const [bad, good, token] = c.events();
    expect(bad.command).toEqual({ command: 'ls', success: false });
    expect(bad.raw.invalid_fields).toEqual(['command.exit_code', 'command.duration_ms']);
    expect(bad.raw.attributes.duration_ms).toBe('1152921504606846976');
    expect(bad.field_truncated).toBeUndefined();
    expect(good.command).toEqual({ command: 'ls', exit_code: -1, duration_ms: 12, success: false });
    expect(good.raw.invalid_fields).toBeUndefined();
    expect(token.raw.metric_count).toBeUndefined();
    expect(token.raw.invalid_fields).toEqual(['raw.metric_count']);

    await c.shutdown();
    const { report } = await postStep(c);
    expect(report.usage.total.output_tokens).toBe(80);
    expect(report.commands.listed).toEqual([{ command: 'ls', success: false }, { command: 'ls', exitCode: -1, durationMs: 12, success: false }]);
  });
});

describe('the post step re-checks what it reads', () => {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'hostile-numbers-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const run = async (exports: Parameters<typeof writeCapture>[1]) => {
    n += 1;
    const capturePath = path.join(dir, `capture-${n}.jsonl`);
    const logPath = path.join(dir, `log-${n}`, 'beacon-runtime.jsonl');
    writeCapture(capturePath, exports);
    const report = await processCaptureLog({ capturePath, logPath });
    expect((await validateBeaconLog(logPath)).errors).toEqual([]);
    return { report, text: fs.readFileSync(logPath, 'utf8') };
  };

  it('a token value that is not a safe count gives no usage, and is not written back as one', async () => {
    // Lines not of our collector's making: values it refuses, written by hand.
    const lines = [2 ** 63, 1e300, 1.5, -1].map((value, i) => JSON.stringify({ ...tokenEvent({ type: 'output', value: 1, seq: i + 1 }), raw: { ...tokenEvent({ type: 'output', value: 1, seq: i + 1 }).raw, metric_value: value } }) + '\n');
    const { report, text } = await run([...lines, [tokenEvent({ type: 'output', value: 80, seq: 9 })]]);
    expect(report.unusableTokenEvents).toBe(4);
    expect(report.usage.total.output_tokens).toBe(80);
    expect(text).not.toMatch(/e\+|9223372036854776000/);
  });

  it('holds every total at 2^53-1 and says so', async () => {
    const max = (seq: number) => [tokenEvent({ type: 'output', value: MAX_COUNT, seq }), tokenEvent({ type: 'input', value: MAX_COUNT, seq })];
    const { report } = await run([max(1), max(2)]);
    expect(report.usage.total).toMatchObject({ input_tokens: MAX_COUNT, output_tokens: MAX_COUNT });
    expect(report.totalsSaturated).toBe(true);
    const usage = buildUsageFile(report);
    expect(usage.totals.total_tokens).toBe(MAX_COUNT);
    expect(usage.notes).toContain(USAGE_NOTES.saturated);
    const validation = validateRun(report, undefined, { minEvents: 0, requireTelemetry: false });
    expect(validation.warnings).toContain('Some totals reached 9007199254740991 (2^53-1), the largest number this report holds exactly, and were held there: the true figures are larger.');
  });

  it('an ordinary run is not saturated', async () => {
    const { report } = await run([[tokenEvent({ type: 'output', value: 80, seq: 1 })]]);
    expect(report.totalsSaturated).toBe(false);
    expect(buildUsageFile(report).notes).not.toContain(USAGE_NOTES.saturated);
  });
});
