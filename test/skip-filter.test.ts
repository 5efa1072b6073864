/**
 * The protobuf decoders' SkipFilter: records the harness rules would drop are skipped unread and
 * only counted. Whatever is skipped, keepAndMap must end with the same events (as written lines)
 * and the same received/dropped/rejected counts as when everything is decoded.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ProtobufLogsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { describe, expect, test } from 'vitest';
import { newEvent } from '../src/beacon/envelope.js';
import { MAX_EVENT_BYTES, MAX_RAW_STRING, serializeWithinLimits } from '../src/beacon/limits.js';
import { redactSecrets, redactSecretsUnfiltered } from '../src/beacon/redact.js';
import { decodeExportRequest } from '../src/collector/otlp/decode.js';
import {
  MalformedRequestError,
  type ExportLogsServiceRequest,
  type ExportMetricsServiceRequest,
  type ExportRequestBySignal,
  type Signal,
} from '../src/collector/otlp/types.js';
import { CODEX_TOKEN_METRIC as TOKEN_METRIC } from '../src/harness/codex/name.js';
import { logTimestamp } from '../src/harness/common.js';
import type { RecordContext } from '../src/harness/harness.js';
import { codexLogRecord, logsRequest } from './support/codex-records.js';
import { EXPECTED_EVENT_COUNTS, FIXTURES } from './support/otlp/fixtures.js';
import { ATTRIBUTION, decodedLogRecords, DROPPED_EVENTS, expectLogBatchSkipped, expectMetricsBatchSkipped, expectSameOutcome as expectSameOutcomeIn, freezeReceiveTime, KEPT_EVENTS, LOG_NOT_KEPT, METRIC_NOT_KEPT, metricNames, skippedOf, SKIP_FILTER } from './support/skip-check.js';
import { Prng } from './support/otlp/prng.js';
import { bytesOf, encodeMessage, field } from './support/otlp/proto-encode.js';

freezeReceiveTime();

const expectSameOutcome = <S extends Signal>(signal: S, body: Uint8Array) => expectSameOutcomeIn(signal, 'protobuf', body);

const PROTOBUF_FIXTURES = (() => {
  const out: { capture: string; signal: Signal; file: string }[] = [];
  for (const capture of readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    const lines = readFileSync(path.join(FIXTURES, capture, 'requests.jsonl'), 'utf8').split('\n').filter(Boolean);
    for (const line of lines) {
      const request = JSON.parse(line) as { path: string; content_type: string; body_file: string };
      if (request.content_type !== 'application/x-protobuf') continue;
      out.push({ capture, signal: request.path.slice('/v1/'.length) as Signal, file: request.body_file });
    }
  }
  return out;
})();

describe('real Codex captures', () => {
  test('every protobuf request: same events and counts with and without the filter', () => {
    expect(PROTOBUF_FIXTURES.map((f) => `${f.capture}/${f.file}`)).toEqual([
      'tool-call-protobuf/001-logs.pb',
      'tool-call-protobuf/002-traces.pb',
      'tool-call-protobuf/003-traces.pb',
      'tool-call-protobuf/004-metrics.pb',
      'tool-call-protobuf/005-logs.pb',
    ]);
    let logEvents = 0;
    let skippedLogs = 0;
    let decodedLogs = 0;
    for (const { capture, signal, file } of PROTOBUF_FIXTURES) {
      const body = readFileSync(path.join(FIXTURES, capture, file));
      const outcome = expectSameOutcome(signal, body);
      if (signal === 'logs') {
        logEvents += outcome.events;
        const skipping = outcome.skipping as ExportLogsServiceRequest;
        skippedLogs += skippedOf(skipping)[LOG_NOT_KEPT] ?? 0;
        decodedLogs += decodedLogRecords(skipping);
      } else if (signal === 'metrics') {
        const full = outcome.full as ExportMetricsServiceRequest;
        const skipping = outcome.skipping as ExportMetricsServiceRequest;
        // Only the token metric is decoded; every other metric's points are counted unread.
        expect(metricNames(skipping)).toEqual([TOKEN_METRIC]);
        let otherPoints = 0;
        for (const rm of full.resourceMetrics!) {
          for (const sm of rm.scopeMetrics!) {
            for (const m of sm.metrics!) {
              const data = m.gauge ?? m.sum ?? m.histogram ?? m.exponentialHistogram ?? m.summary;
              if (m.name !== TOKEN_METRIC) otherPoints += data?.dataPoints?.length ?? 0;
            }
          }
        }
        expect(otherPoints).toBeGreaterThan(0);
        expect(skippedOf(skipping)).toEqual({ [METRIC_NOT_KEPT]: otherPoints });
        expect(outcome.dropped[METRIC_NOT_KEPT]).toBe(otherPoints);
      }
    }
    // fixtures/README.md: the kept events are decoded, the record without event.name too (it has
    // no name to skip by), the other named records are skipped.
    const kept = KEPT_EVENTS.reduce((n, name) => n + (EXPECTED_EVENT_COUNTS[name as keyof typeof EXPECTED_EVENT_COUNTS] ?? 0), 0);
    const unnamed = EXPECTED_EVENT_COUNTS['(none)'];
    const all = Object.values(EXPECTED_EVENT_COUNTS).reduce((a, b) => a + b, 0);
    expect(logEvents).toBe(kept);
    expect(decodedLogs).toBe(kept + unnamed);
    expect(skippedLogs).toBe(all - kept - unnamed);
  });
});

// ---------------------------------------------------------------- randomized SDK batches

const CODEX_RESOURCE = resourceFromAttributes({ 'service.name': 'codex_exec', 'service.version': '0.169.0', env: 'ci' });
const OTHER_RESOURCE = resourceFromAttributes({ 'service.name': 'checkout-api', 'service.version': '2.1.0' });

describe('randomized SDK batches (@opentelemetry/otlp-transformer)', () => {
  test('logs: kept and dropped event names mixed, two services', () => {
    const rng = new Prng(0x5c_1f);
    let skipped = 0;
    let kept = 0;
    for (let i = 0; i < 200; i++) {
      const batch = expectLogBatchSkipped(rng, 'protobuf', { codex: CODEX_RESOURCE, other: OTHER_RESOURCE }, (records) => [ProtobufLogsSerializer.serializeRequest(records)!]);
      skipped += batch.skipped;
      kept += batch.kept;
    }
    // The batches reached both paths many times.
    expect(skipped).toBeGreaterThan(300);
    expect(kept).toBeGreaterThan(300);
  });

  test('metrics: the token metric and others, every data kind', () => {
    const rng = new Prng(0x3e_11);
    let skippedPoints = 0;
    let tokenMetrics = 0;
    for (let i = 0; i < 200; i++) {
      const batch = expectMetricsBatchSkipped(rng, 'protobuf', { codex: CODEX_RESOURCE, other: OTHER_RESOURCE }, (b) => [ProtobufMetricsSerializer.serializeRequest(b)!]);
      skippedPoints += batch.droppedPoints;
      tokenMetrics += batch.tokenMetrics;
    }
    expect(skippedPoints).toBeGreaterThan(200);
    expect(tokenMetrics).toBeGreaterThan(100);
  });

  test('logs and metrics with the fields of every message in random order', () => {
    const rng = new Prng(0x0d_de);
    let skipped = 0;
    for (let i = 0; i < 100; i++) {
      const names = Array.from({ length: rng.int(1, 8) }, () => rng.pick([...KEPT_EVENTS, ...DROPPED_EVENTS]));
      const logs = logsRequest(names.map((name) => codexLogRecord({ eventName: name as 'codex.tool_result', attributes: { tool_name: 'shell', arguments: '{"cmd":"ls"}' } })));
      const outcome = expectSameOutcome('logs', encodeMessage('ExportLogsServiceRequest', logs, { shuffle: rng }));
      const expected = names.filter((n) => !KEPT_EVENTS.includes(n)).length;
      expect(skippedOf(outcome.skipping as ExportLogsServiceRequest)).toEqual(expected === 0 ? {} : { [LOG_NOT_KEPT]: expected });
      skipped += expected;

      const metrics = metricsRequest(rng.pick([TOKEN_METRIC, 'codex.api_request']), rng.int(0, 4));
      expectSameOutcome('metrics', encodeMessage('ExportMetricsServiceRequest', metrics, { shuffle: rng }));
    }
    expect(skipped).toBeGreaterThan(100);
  });
});

// ---------------------------------------------------------------- edge cases

const CODEX_RESOURCE_JSON = { attributes: [{ key: 'service.name', value: { stringValue: 'codex_exec' } }] };
const SCOPE_JSON = { name: 'codex_otel', version: '0.169.0' };

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** A Codex-shaped record whose attributes are given whole (event.name included or not). */
function recordWith(attributes: unknown[]): Record<string, unknown> {
  return { observedTimeUnixNano: '1795984435610000000', severityText: 'INFO', attributes };
}

function logsBody(records: Record<string, unknown>[], resource: unknown = CODEX_RESOURCE_JSON): Uint8Array {
  return encodeMessage('ExportLogsServiceRequest', { resourceLogs: [{ resource, scopeLogs: [{ scope: SCOPE_JSON, logRecords: records }] }] });
}

function histogramPoints(points: number): Record<string, unknown>[] {
  return Array.from({ length: points }, (_, i) => ({
    attributes: [str('token_type', i % 2 ? 'output' : 'input'), str('model', 'gpt-5.5')],
    startTimeUnixNano: '1795984400000000000',
    timeUnixNano: '1795984435610000000',
    count: '1',
    sum: 100 + i,
    bucketCounts: ['0', '1'],
    explicitBounds: [50],
  }));
}

function metricsRequest(name: string, points: number, resource: unknown = CODEX_RESOURCE_JSON): Record<string, unknown> {
  const dataPoints = histogramPoints(points);
  return {
    resourceMetrics: [
      { resource, scopeMetrics: [{ scope: SCOPE_JSON, metrics: [{ name, unit: '{token}', histogram: { dataPoints, aggregationTemporality: 1 } }] }] },
    ],
  };
}

const encodeRecord = (record: Record<string, unknown>) => encodeMessage('LogRecord', record);

/** ExportLogsServiceRequest bytes around already encoded LogRecords (for hand-made records). */
function logsAround(records: Uint8Array[], resource: Uint8Array = encodeMessage('Resource', CODEX_RESOURCE_JSON)): Uint8Array {
  const scopeLogs = bytesOf(field.len(1, encodeMessage('InstrumentationScope', SCOPE_JSON)), ...records.map((r) => field.len(2, r)));
  return field.len(1, bytesOf(field.len(1, resource), field.len(2, scopeLogs)));
}

describe('edge cases', () => {
  test('event.name repeated: the last one decides, as getAttribute reads it', () => {
    const droppedLast = recordWith([str('event.name', 'codex.tool_result'), str('tool_name', 'shell'), str('event.name', 'codex.sse_event')]);
    const keptLast = recordWith([str('event.name', 'codex.sse_event'), str('tool_name', 'shell'), str('event.name', 'codex.tool_result')]);
    const outcome = expectSameOutcome('logs', logsBody([droppedLast, keptLast]));
    expect(skippedOf(outcome.skipping)).toEqual({ [LOG_NOT_KEPT]: 1 });
    expect(outcome.skipping.resourceLogs![0].scopeLogs![0].logRecords).toEqual([keptLast]);
    expect(outcome.events).toBe(1);
  });

  test('event.name that is not a string value: decoded, then dropped by the rules', () => {
    const records = [
      recordWith([str('event.name', 'codex.sse_event'), { key: 'event.name', value: { intValue: '7' } }]),
      recordWith([{ key: 'event.name', value: { arrayValue: { values: [{ stringValue: 'codex.sse_event' }] } } }]),
      recordWith([{ key: 'event.name' }]),
      recordWith([str('other', 'x')]),
    ];
    const outcome = expectSameOutcome('logs', logsBody(records));
    expect(skippedOf(outcome.skipping)).toEqual({});
    expect(decodedLogRecords(outcome.skipping)).toBe(4);
    expect(outcome.dropped).toEqual({ [LOG_NOT_KEPT]: 4 });
  });

  test('an AnyValue whose oneof ends on another member than the string is not a string', () => {
    // string_value "codex.sse_event", then int_value 7: the int wins.
    const anyValue = bytesOf(field.string(1, 'codex.sse_event'), field.varint(3, 7));
    const record = bytesOf(encodeRecord(recordWith([])), field.len(6, bytesOf(field.string(1, 'event.name'), field.len(2, anyValue))));
    const outcome = expectSameOutcome('logs', logsAround([record]));
    expect(skippedOf(outcome.skipping)).toEqual({});
    expect(outcome.skipping.resourceLogs![0].scopeLogs![0].logRecords![0].attributes).toEqual([{ key: 'event.name', value: { intValue: '7' } }]);
    // And the other way round: the string last wins, the record is skipped.
    const stringLast = bytesOf(field.varint(3, 7), field.string(1, 'codex.sse_event'));
    const skipped = bytesOf(encodeRecord(recordWith([])), field.len(6, bytesOf(field.string(1, 'event.name'), field.len(2, stringLast))));
    expect(skippedOf(expectSameOutcome('logs', logsAround([skipped])).skipping)).toEqual({ [LOG_NOT_KEPT]: 1 });
  });

  test('the resource after the scopes: still decoded first, its rules skip', () => {
    const scopeLogs = encodeMessage('ScopeLogs', {
      scope: SCOPE_JSON,
      logRecords: [recordWith([str('event.name', 'codex.sse_event')]), recordWith([str('event.name', 'codex.user_prompt'), str('prompt', 'hello')])],
    });
    const resourceLogs = bytesOf(field.len(2, scopeLogs), field.len(2, scopeLogs), field.len(1, encodeMessage('Resource', CODEX_RESOURCE_JSON)));
    const outcome = expectSameOutcome('logs', field.len(1, resourceLogs));
    expect(skippedOf(outcome.skipping)).toEqual({ [LOG_NOT_KEPT]: 2 });
    expect(outcome.skipping.resourceLogs![0].resource).toEqual(CODEX_RESOURCE_JSON);
    expect(outcome.events).toBe(2);
  });

  test('two resources in one ResourceLogs: the last one counts, wherever the scopes are', () => {
    const other = encodeMessage('Resource', { attributes: [str('service.name', 'checkout-api')] });
    const codex = encodeMessage('Resource', CODEX_RESOURCE_JSON);
    const scopeLogs = encodeMessage('ScopeLogs', { scope: SCOPE_JSON, logRecords: [recordWith([str('event.name', 'codex.sse_event')])] });
    // Codex first, then the other service last: generic rules, nothing skipped.
    const otherLast = expectSameOutcome('logs', field.len(1, bytesOf(field.len(1, codex), field.len(2, scopeLogs), field.len(1, other))));
    expect(skippedOf(otherLast.skipping)).toEqual({});
    expect(otherLast.events).toBe(1);
    const codexLast = expectSameOutcome('logs', field.len(1, bytesOf(field.len(1, other), field.len(2, scopeLogs), field.len(1, codex))));
    expect(skippedOf(codexLast.skipping)).toEqual({ [LOG_NOT_KEPT]: 1 });
    expect(codexLast.events).toBe(0);
  });

  test('events named like Object.prototype members are skipped, not mistaken for kept', () => {
    const names = ['toString', '__proto__', 'constructor', 'hasOwnProperty'];
    const outcome = expectSameOutcome('logs', logsBody(names.map((name) => recordWith([str('event.name', name)]))));
    expect(skippedOf(outcome.skipping)).toEqual({ [LOG_NOT_KEPT]: 4 });
    expect(outcome.events).toBe(0);
  });

  test('a metric whose name comes after its data', () => {
    const histogram = (points: number) => encodeMessage('Histogram', { aggregationTemporality: 1, dataPoints: histogramPoints(points) });
    const metricBytes = (name: string, points: number) => bytesOf(field.len(9, histogram(points)), field.string(3, '{token}'), field.string(1, name));
    const scopeMetrics = bytesOf(field.len(1, encodeMessage('InstrumentationScope', SCOPE_JSON)), field.len(2, metricBytes('codex.api_request', 3)), field.len(2, metricBytes(TOKEN_METRIC, 2)));
    const body = field.len(1, bytesOf(field.len(1, encodeMessage('Resource', CODEX_RESOURCE_JSON)), field.len(2, scopeMetrics)));
    const outcome = expectSameOutcome('metrics', body);
    expect(skippedOf(outcome.skipping)).toEqual({ [METRIC_NOT_KEPT]: 3 });
    expect(metricNames(outcome.skipping)).toEqual([TOKEN_METRIC]);
    expect(outcome.events).toBe(2);
    expect(outcome.dropped).toEqual({ [METRIC_NOT_KEPT]: 3 });
  });

  test('a dropped metric without data points still counts its reason (as mapping it does)', () => {
    const outcome = expectSameOutcome('metrics', encodeMessage('ExportMetricsServiceRequest', metricsRequest('codex.api_request', 0)));
    expect(skippedOf(outcome.skipping)).toEqual({ [METRIC_NOT_KEPT]: 0 });
    expect(outcome.dropped).toEqual({ [METRIC_NOT_KEPT]: 0 });
  });

  test('a resource of another service: generic rules, nothing skipped', () => {
    const resource = { attributes: [str('service.name', 'checkout-api')] };
    const records = [recordWith([str('event.name', 'codex.sse_event')]), recordWith([str('event.name', 'toString')])];
    const outcome = expectSameOutcome('logs', logsBody(records, resource));
    expect(skippedOf(outcome.skipping)).toEqual({});
    expect(decodedLogRecords(outcome.skipping)).toBe(2);
    expect(outcome.events).toBe(2);
    const metrics = expectSameOutcome('metrics', encodeMessage('ExportMetricsServiceRequest', metricsRequest('codex.api_request', 2, resource)));
    expect(skippedOf(metrics.skipping)).toEqual({});
    expect(metrics.events).toBe(2);
  });

  describe('a skipped record that is malformed in its framing is refused', () => {
    const dropped = encodeRecord(recordWith([str('event.name', 'codex.sse_event')]));
    const cases: [string, Uint8Array][] = [
      // A body whose length runs past the record (the record's own length still fits the buffer).
      ['a field running past the record', bytesOf(dropped, [0x2a, 0x05, 0x0a, 0x01])],
      ['a known field with the wrong wire type', bytesOf(dropped, field.varint(9, 1))],
      ['a group (an unknown field 13)', bytesOf(dropped, [0x6b])],
      ['field number 0', bytesOf(dropped, [0x02, 0x00])],
      ['a KeyValue field with the wrong wire type', bytesOf(dropped, field.len(6, field.fixed32(1, 7)))],
      ['a truncated fixed64', bytesOf(dropped, [0x09, 1, 2, 3])],
    ];
    test.each(cases)('%s', (_name, record) => {
      const body = logsAround([record, encodeRecord(recordWith([str('event.name', 'codex.tool_result')]))]);
      expect(() => decodeExportRequest('logs', 'protobuf', body)).toThrow(MalformedRequestError);
      expect(() => decodeExportRequest('logs', 'protobuf', body, SKIP_FILTER)).toThrow(MalformedRequestError);
    });

    test('a skipped metric whose data message is broken', () => {
      const metric = bytesOf(field.string(1, 'codex.api_request'), field.len(9, bytesOf(field.fixed32(1, 5))));
      const scopeMetrics = field.len(2, metric);
      const body = field.len(1, bytesOf(field.len(1, encodeMessage('Resource', CODEX_RESOURCE_JSON)), field.len(2, scopeMetrics)));
      expect(() => decodeExportRequest('metrics', 'protobuf', body)).toThrow(MalformedRequestError);
      expect(() => decodeExportRequest('metrics', 'protobuf', body, SKIP_FILTER)).toThrow(MalformedRequestError);
    });
  });
});

// ---------------------------------------------------------------- the other hot-path shortcuts

describe('hot-path shortcuts keep the behaviour', () => {
  test('redactSecrets (cheap checks first) equals the full pattern pass on 200,000 random strings', () => {
    const rng = new Prng(0x2ed_ac7);
    const fragments = [
      'key', 'KEY', 'api_key', 'access-key', 'secret', 'secret_key', 'private-key', 'token', 'Token', 'password', 'passwd', 'pass', 'pwd',
      'credential', 'credentials', 'cred', 'authorization', 'Authorization', 'auth', 'Bearer', 'basic', 'sk-', 'sk-proj-', 'ghp_', 'gho_',
      'github_pat_', 'AKIA', 'asia', 'xoxb-', '-----BEGIN ', 'RSA ', 'PRIVATE KEY-----', '-----END ', ' ', '\t', '\n', '=', ':', ' = ', '"',
      "'", '&', ',', ';', '}', ']', '[REDACTED]', 'abcdefgh', 'ABCDEFGHIJKLMNOP', '0123456789', 'x1y2z3w4v5u6t7s8r9q0', '_', '-', '.', '/',
      'Original token count: 108', 'token_type', 'max_tokens', 'é', '😀',
    ];
    let changed = 0;
    const differing: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      let text = '';
      for (let j = rng.int(1, 10); j > 0; j--) text += rng.bool(0.2) ? String.fromCharCode(rng.int(0x20, 0x7e)) : rng.pick(fragments);
      const full = redactSecretsUnfiltered(text);
      if (full !== text) changed++;
      if (redactSecrets(text) !== full) differing.push(text);
    }
    expect(differing.slice(0, 5)).toEqual([]);
    // The strings reached the redaction often, and left it alone often.
    expect(changed).toBeGreaterThan(10_000);
    expect(changed).toBeLessThan(190_000);
  });

  test('a Codex tool output with "token count" is left alone; a token in it is not', () => {
    const output = 'Chunk ID: 5730b5\nWall time: 0.1014 seconds\nProcess exited with code 0\nOriginal token count: 108\nOutput:\nok\n';
    expect(redactSecrets(output)).toBe(output);
    expect(redactSecrets(`${output}GITHUB_TOKEN: ghp_abcdefghijklmnopqrstuvwxyz0123456789\n`)).toBe(`${output}GITHUB_TOKEN: [REDACTED]\n`);
  });

  test('event.timestamp is read as Date would read it, canonical or not (100,000 random times)', () => {
    const rng = new Prng(0x7_1e5);
    const ctx = { receivedAt: 'received' } as RecordContext;
    const asDateReadsIt = (text: string) => (Number.isNaN(Date.parse(text)) ? 'received' : new Date(text).toISOString());
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    const differing: string[] = [];
    let unchanged = 0;
    for (let i = 0; i < 100_000; i++) {
      // Out-of-range fields on purpose: 31 April, 29 February of a common year, 24:00, :60.
      let text = `${pad(rng.int(0, 9999), 4)}-${pad(rng.int(0, 13), 2)}-${pad(rng.int(0, 32), 2)}T${pad(rng.int(0, 25), 2)}:${pad(rng.int(0, 61), 2)}:${pad(rng.int(0, 61), 2)}.${pad(rng.int(0, 999), 3)}Z`;
      if (rng.bool(0.05)) {
        const at = rng.int(0, text.length - 1);
        text = text.slice(0, at) + String.fromCharCode(rng.int(0x20, 0x7e)) + text.slice(at + 1);
      }
      const read = logTimestamp({}, { 'event.timestamp': text }, ctx);
      if (read === text) unchanged++;
      if (read !== asDateReadsIt(text)) differing.push(text);
    }
    expect(differing.slice(0, 5)).toEqual([]);
    expect(unchanged).toBeGreaterThan(20_000);
    expect(unchanged).toBeLessThan(90_000);
    for (const text of ['2026-04-31T10:00:00.000Z', '2026-02-29T10:00:00.000Z', '2026-11-23T24:00:00.000Z', '2026-11-23T20:33:55.610+01:00', '2026-11-23']) {
      expect(logTimestamp({}, { 'event.timestamp': text }, ctx)).toBe(new Date(text).toISOString());
    }
  });

  const event = () => newEvent(ATTRIBUTION, { timestamp: '2026-11-23T12:00:00.000Z', action: 'command.executed', category: 'command', harness: 'codex_cli' });

  test('a line short in characters but over 64 KiB in UTF-8 bytes is still shrunk', () => {
    const wide = event();
    // 12 × 2000 three-byte characters: ~24,000 characters, ~72,000 bytes.
    wide.raw = { attributes: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i}`, '中'.repeat(2000)])) };
    const line = serializeWithinLimits(wide);
    expect(line.length).toBeLessThan(MAX_EVENT_BYTES);
    expect(JSON.parse(line).raw).toBeUndefined();
    expect(JSON.parse(line).field_truncated).toBe(true);
    // The same in ASCII fits: raw stays, nothing is marked.
    const narrow = event();
    narrow.raw = { attributes: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i}`, 'z'.repeat(2000)])) };
    const parsed = JSON.parse(serializeWithinLimits(narrow));
    expect(parsed.raw.attributes.k11).toBe('z'.repeat(2000));
    expect(parsed.field_truncated).toBeUndefined();
  });

  test('strings in raw are capped down to 33 levels of objects, not below', () => {
    const long = 'y'.repeat(MAX_RAW_STRING + 10);
    // Long strings only around the depth limit (all of them would not fit one line).
    const raw: Record<string, unknown> = {};
    let level = raw;
    for (let depth = 0; depth < 36; depth++) {
      level.s = depth >= 29 ? long : 'short';
      level.list = [depth >= 29 ? long : 'short'];
      level.n = {};
      level = level.n as Record<string, unknown>;
    }
    const withRaw = event();
    withRaw.raw = raw;
    const parsed = JSON.parse(serializeWithinLimits(withRaw));
    const lengths: number[] = [];
    const listLengths: number[] = [];
    for (let at = parsed.raw, depth = 0; depth < 36; at = at.n, depth++) {
      if (depth < 29) continue;
      lengths.push(at.s.length);
      listLengths.push(at.list[0].length);
    }
    // Depths 29-35: an object's strings are capped up to depth 32.
    expect(lengths).toEqual([MAX_RAW_STRING, MAX_RAW_STRING, MAX_RAW_STRING, MAX_RAW_STRING, long.length, long.length, long.length]);
    // A list is one level further down than its object: capped while the list is at depth 32 or less.
    expect(listLengths).toEqual([MAX_RAW_STRING, MAX_RAW_STRING, MAX_RAW_STRING, long.length, long.length, long.length, long.length]);
    expect(parsed.field_truncated).toBe(true);
  });
});
