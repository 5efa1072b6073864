/**
 * The OTLP/JSON decoder that works on the bytes (src/collector/otlp/json-scan.ts + json-bytes.ts,
 * behind decodeExportRequest): it must give exactly what `decodeJsonRequest` gives for the body's
 * text (TextDecoder + JSON.parse + the checks of json.ts, kept as the oracle), refuse everything
 * that is not UTF-8 JSON, and with the SkipFilter end in the same events and counts as without.
 */
import { JsonLogsSerializer, JsonMetricsSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, test } from 'vitest';
import { decodeExportRequest } from '../src/collector/otlp/decode.js';
import { decodeJsonRequest } from '../src/collector/otlp/json.js';
import { MAX_JSON_NESTING } from '../src/collector/otlp/json-scan.js';
import {
  MalformedRequestError,
  type ExportLogsServiceRequest,
  type ExportMetricsServiceRequest,
  type ExportRequestBySignal,
  type Signal,
} from '../src/collector/otlp/types.js';
import { CODEX_TOKEN_METRIC as TOKEN_METRIC } from '../src/harness/codex/name.js';
import { FIXTURES } from './support/otlp/fixtures.js';
import { decodedLogRecords, expectLogBatchSkipped, expectMetricsBatchSkipped, expectSameOutcome as expectSameOutcomeIn, freezeReceiveTime, LOG_NOT_KEPT, METRIC_NOT_KEPT, metricNames, skippedOf, SKIP_FILTER, TWO_SERVICES } from './support/skip-check.js';
import { Prng } from './support/otlp/prng.js';
import { randomLogRecords, randomResourceMetrics, randomSpans } from './support/otlp/sdk-requests.js';


const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** The decoder as it was: the whole body as one string, JSON.parse, the checks of json.ts. */
function oracle<S extends Signal>(signal: S, body: Uint8Array): ExportRequestBySignal[S] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new MalformedRequestError('json: the body is not valid UTF-8');
  }
  return decodeJsonRequest(signal, text);
}

/** The new decoder gives what the oracle gives: values, absent-vs-undefined, key order. */
function expectSameAsOracle(signal: Signal, body: Uint8Array): ExportRequestBySignal[Signal] {
  const expected = oracle(signal, body);
  const actual = decodeExportRequest(signal, 'json', body);
  if (!isDeepStrictEqual(actual, expected)) {
    expect(actual).toStrictEqual(expected); // for a readable diff
    expect.fail('not deep-strictly equal');
  }
  // Key order too (isDeepStrictEqual does not look at it).
  expect(JSON.stringify(actual) === JSON.stringify(expected)).toBe(true);
  return actual;
}

/** The error both decoders throw (MalformedRequestError, else this fails). */
function errorOf(decode: () => unknown): string {
  try {
    decode();
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedRequestError);
    return (error as Error).message;
  }
  throw new Error('decoded without error');
}

/** Refused by the new decoder with and without the filter, and by the oracle. */
function expectRefused(signal: Signal, body: Uint8Array): string {
  const message = errorOf(() => decodeExportRequest(signal, 'json', body));
  expect(errorOf(() => decodeExportRequest(signal, 'json', body, SKIP_FILTER))).toBe(message);
  errorOf(() => oracle(signal, body));
  return message;
}

// ---------------------------------------------------------------- a JSON writer with every liberty JSON allows

interface WriteOptions {
  /** Random whitespace (space, tab, CR, LF) between every two tokens. */
  whitespace?: boolean;
  /** Characters of strings and member names written as \uXXXX (surrogate pairs as two), `/` as `\/`. */
  escapes?: boolean;
  /** Members in random order. */
  shuffle?: boolean;
  /** Unknown members (`__proto__` among them), and repeated members whose first value JSON.parse drops. */
  extras?: boolean;
  /** Numbers in exponent form where that keeps the value. */
  exponents?: boolean;
}

const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function writeString(rng: Prng, s: string, o: WriteOptions): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const hex = (unit: number) => `\\u${unit.toString(16).padStart(4, '0')}`;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
      // A pair: both halves escaped, or the character raw (one half alone is not UTF-8).
      out += o.escapes && rng.bool(0.3) ? hex(c) + hex(s.charCodeAt(i + 1)) : s.slice(i, i + 2);
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += hex(c); // a lone surrogate exists in JSON only escaped
    } else if (SHORT_ESCAPES[s[i]] !== undefined) {
      out += o.escapes && rng.bool(0.3) ? hex(c) : SHORT_ESCAPES[s[i]];
    } else if (c < 0x20 || (o.escapes && rng.bool(0.1))) {
      out += hex(c);
    } else if (s[i] === '/' && o.escapes && rng.bool(0.5)) {
      out += '\\/';
    } else {
      out += s[i];
    }
  }
  return `${out}"`;
}

function writeNumber(rng: Prng, n: number, o: WriteOptions): string {
  const plain = JSON.stringify(n);
  if (!o.exponents || !Number.isSafeInteger(n) || Math.abs(n) >= 1e6 || !rng.bool(0.4)) return plain;
  return rng.pick([`${n}e0`, `${n}E+0`, `${n * 10}e-1`, `${n}.0`, `${n}.000E00`]);
}

const DECOYS: unknown[] = [null, 0, -1.5e-3, 'decoy', true, false, [], {}, [{}], [1, 'x'], { values: [{ stringValue: 'decoy' }] }];
// Not `constructor`: toStrictEqual would compare two such members by identity.
const EXTRA_NAMES = ['x-unknown', '__proto__', 'resource_logs', 'Logrecords', ''];

function writeJson(rng: Prng, value: unknown, o: WriteOptions): string {
  const ws = () => (o.whitespace ? rng.pick(['', ' ', '  ', '\n', '\n    ', '\t', '\r\n', ' \t\r\n ']) : '');
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return writeNumber(rng, value, o);
  if (typeof value === 'string') return writeString(rng, value, o);
  if (Array.isArray(value)) return `[${ws()}${value.map((v) => writeJson(rng, v, o)).join(`${ws()},${ws()}`)}${ws()}]`;
  const entries: [string, unknown][] = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (o.shuffle) {
    for (let i = entries.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [entries[i], entries[j]] = [entries[j], entries[i]];
    }
  }
  const members: [string, unknown][] = [];
  for (const entry of entries) {
    if (o.extras && rng.bool(0.15)) members.push([entry[0], rng.pick(DECOYS)]); // dropped by the later one
    members.push(entry);
    if (o.extras && rng.bool(0.05)) members.push([rng.pick(EXTRA_NAMES), rng.pick(DECOYS)]);
  }
  const body = members.map(([k, v]) => `${writeString(rng, k, o)}${ws()}:${ws()}${writeJson(rng, v, o)}`).join(`${ws()},${ws()}`);
  return `{${ws()}${body}${ws()}}`;
}

/** The serializer's compact bytes, the same pretty-printed as Codex sends it, and written with every liberty. */
function forms(rng: Prng, serialized: Uint8Array): [string, Uint8Array][] {
  const value = JSON.parse(Buffer.from(serialized).toString('utf8'));
  const liberal = { whitespace: true, escapes: true, shuffle: true, extras: true, exponents: true };
  return [
    ['compact', serialized],
    ['pretty', utf8(JSON.stringify(value, null, 2))],
    ['liberal', utf8(writeJson(rng, value, liberal))],
  ];
}

// ---------------------------------------------------------------- the same output as the oracle

/** Every OTLP/JSON request of the real captures, from their requests.jsonl. */
const JSON_FIXTURES = (['interval-exports-json', 'tool-call-json', 'tool-call-protobuf'] as const).flatMap((capture) =>
  readFileSync(path.join(FIXTURES, capture, 'requests.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { path: string; content_type: string; body_file: string })
    .filter((request) => request.content_type === 'application/json')
    .map((request) => ({ capture, file: request.body_file, signal: request.path.slice('/v1/'.length) as Signal })),
);

describe('the same output as decodeJsonRequest', () => {
  test('every JSON request of the real Codex captures', () => {
    expect(JSON_FIXTURES.map((f) => `${f.capture}/${f.file}`)).toEqual([
      'interval-exports-json/001-logs.json',
      'interval-exports-json/002-metrics.json',
      'interval-exports-json/003-metrics.json',
      'interval-exports-json/004-traces.json',
      'interval-exports-json/005-logs.json',
      'interval-exports-json/006-traces.json',
      'interval-exports-json/007-metrics.json',
      'interval-exports-json/008-logs.json',
      'tool-call-json/001-traces.json',
      'tool-call-json/002-traces.json',
      'tool-call-json/003-metrics.json',
      'tool-call-json/004-logs.json',
    ]);
    const rng = new Prng(0xf1_7e);
    for (const { capture, file, signal } of JSON_FIXTURES) {
      const body = readFileSync(path.join(FIXTURES, capture, file));
      const decoded = expectSameAsOracle(signal, body);
      // As a Uint8Array that is not a Buffer, at an offset into a larger buffer.
      const shifted = new Uint8Array(body.length + 7);
      shifted.set(body, 3);
      expect(decodeExportRequest(signal, 'json', shifted.subarray(3, 3 + body.length))).toStrictEqual(decoded);
      // With a byte order mark (TextDecoder drops it), and rewritten with every liberty.
      expectSameAsOracle(signal, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]));
      for (const [, form] of forms(rng, body)) expectSameAsOracle(signal, form);
    }
  });

  const SERIALIZERS = {
    logs: (rng: Prng) => {
      const records = randomLogRecords(rng, rng.bool(0.04));
      // Lone surrogates: the JSON serializer keeps them (escaped); the shared generator leaves them out.
      if (rng.bool(0.3)) (records[0] as { attributes: Record<string, unknown> }).attributes['lone.surrogate'] = rng.pick(['\ud800', 'a\udfffb', '\udc00\ud800']);
      return JsonLogsSerializer.serializeRequest(records)!;
    },
    metrics: (rng: Prng) => JsonMetricsSerializer.serializeRequest(randomResourceMetrics(rng))!,
    traces: (rng: Prng) => JsonTraceSerializer.serializeRequest(randomSpans(rng, rng.bool(0.04)))!,
  };

  test.each(Object.keys(SERIALIZERS) as Signal[])('%s: 150 random SDK batches, compact, pretty-printed and written with every liberty', (signal) => {
    const rng = new Prng({ logs: 0x1065, metrics: 0x3e7c, traces: 0x7ace }[signal]);
    const seen = new Set<string>();
    for (let i = 0; i < 150; i++) {
      for (const [form, body] of forms(rng, SERIALIZERS[signal](rng))) {
        const text = Buffer.from(body).toString('utf8');
        if (text.includes('\\u')) seen.add('\\u escapes');
        if (/[\u{10000}-\u{10FFFF}]/u.test(text)) seen.add('astral characters');
        if (/\\ud[89ab][0-9a-f]{2}\\ud[c-f]/i.test(text)) seen.add('escaped surrogate pairs');
        if (form === 'liberal' && text.includes('"__proto__"')) seen.add('__proto__ members');
        for (const kind of ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'bytesValue', 'arrayValue', 'kvlistValue']) if (text.includes(`"${kind}"`)) seen.add(kind);
        expectSameAsOracle(signal, body);
      }
    }
    // The random data reached every case the test is about.
    expect([...seen].sort()).toEqual(
      ['\\u escapes', '__proto__ members', 'arrayValue', 'astral characters', 'boolValue', 'bytesValue', 'doubleValue', 'escaped surrogate pairs', 'intValue', 'kvlistValue', 'stringValue'].filter(
        (what) => signal !== 'metrics' || !['arrayValue', 'kvlistValue', 'bytesValue'].includes(what) || seen.has(what),
      ),
    );
  });

  test('null where a message or list may be, repeated members, escaped member names', () => {
    const bodies: [Signal, string][] = [
      ['logs', '{"resourceLogs":null}'],
      ['logs', '{"resourceLogs":[],"resourceLogs":null}'],
      ['logs', '{"resourceLogs":null,"resourceLogs":[{"resource":null,"scopeLogs":null}]}'],
      ['logs', '{"resourceLogs":[{"scopeLogs":[{"scope":null,"logRecords":null}]}]}'],
      ['logs', '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":null,"attributes":null}]}],"scopeLogs":[{"logRecords":[{"x":1}]}]}]}'],
      ['logs', '{"resource\\u004cogs":[{"scope\\u004cogs":[{"log\\u0052ecords":[{"attributes":[{"key":"k","value":null}]}]}]}]}'],
      ['logs', '{"__proto__":{"resourceLogs":[]},"resourceLogs":[{"__proto__":[],"scopeLogs":[]}]}'],
      ['metrics', '{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"m","gauge":null,"sum":{"dataPoints":null},"histogram":{"dataPoints":[{"bucketCounts":null,"exemplars":null}]}}]}]}]}'],
      ['traces', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"status":null,"events":null,"links":[{"attributes":null}]}]}]}]}'],
      ['traces', '{}'],
      ['traces', ' \r\n\t{ } \n'],
    ];
    for (const [signal, text] of bodies) expectSameAsOracle(signal, utf8(text));
    // The last of a repeated list wins, and null turns into undefined (a key, not absent).
    expect(decodeExportRequest('logs', 'json', utf8('{"resourceLogs":[{"scopeLogs":[{}]}],"resourceLogs":null}'))).toStrictEqual({ resourceLogs: undefined });
  });

  test(`nesting up to ${MAX_JSON_NESTING} levels decodes as before`, () => {
    // A record is 7 levels down: its member's value opens the 8th.
    const nested = (levels: number) => `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"deep":${'['.repeat(levels)}${']'.repeat(levels)}}]}]}]}`;
    const decoded = expectSameAsOracle('logs', utf8(nested(MAX_JSON_NESTING - 7))) as ExportLogsServiceRequest;
    let depth = 0;
    for (let v: unknown = (decoded.resourceLogs![0].scopeLogs![0].logRecords![0] as Record<string, unknown>).deep; Array.isArray(v); v = v[0]) depth++;
    expect(depth).toBe(MAX_JSON_NESTING - 7);
  });
});

// ---------------------------------------------------------------- malformed bodies

/** A small logs body: a Codex resource, one dropped and one kept record. */
const SMALL_LOGS = JSON.stringify(
  {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'codex_exec' } }] },
        scopeLogs: [
          {
            scope: { name: 'codex_otel' },
            logRecords: [
              { severityNumber: 9, body: null, attributes: [{ key: 'event.name', value: { stringValue: 'codex.sse_event' } }, { key: 'n', value: { intValue: '-12' } }] },
              { timeUnixNano: '1', attributes: [{ key: 'event.name', value: { stringValue: 'codex.user_prompt' } }, { key: 'prompt', value: { stringValue: 'é "q" \\ 😀' } }] },
            ],
          },
        ],
      },
    ],
  },
  null,
  1,
);

describe('malformed bodies are refused (MalformedRequestError), with and without the filter', () => {
  test('every truncation of a small body', () => {
    const body = utf8(SMALL_LOGS);
    expectSameAsOracle('logs', body);
    for (let cut = 0; cut < body.length; cut++) expectRefused('logs', body.subarray(0, cut));
    expect(errorOf(() => decodeExportRequest('logs', 'json', body.subarray(0, body.length - 1)))).toBe('json: unexpected end of the body');
  });

  /** `bad` put where a value may be: in the dropped record (skipped with the filter), the kept one, the resource, the top. */
  function inEveryPlace(bad: string): string[] {
    const dropped = '{"attributes":[{"key":"event.name","value":{"stringValue":"codex.sse_event"}},{"key":"x","value":{"stringValue":"v"}}],"flags":BAD}';
    const kept = '{"attributes":[{"key":"event.name","value":{"stringValue":"codex.tool_result"}}],"body":{"kvlistValue":{"values":[{"key":"k","value":{"arrayValue":{"values":[{"intValue":BAD}]}}}]}}}';
    const wrap = (records: string, resource = '{"attributes":[{"key":"service.name","value":{"stringValue":"codex_exec"}}]}', top = '') =>
      `{${top}"resourceLogs":[{"resource":${resource},"scopeLogs":[{"logRecords":[${records}]}]}]}`;
    const fine = '{"attributes":[{"key":"event.name","value":{"stringValue":"codex.sse_event"}}]}';
    return [
      wrap(`${dropped.replace('BAD', bad)},${fine}`),
      wrap(`${fine},${kept.replace('BAD', bad)}`),
      wrap(fine, `{"attributes":[],"x":${bad}}`),
      wrap(fine, undefined, `"x":${bad},`),
    ];
  }

  test('invalid literals, numbers, strings and escapes, wherever they are', () => {
    for (const good of ['true', 'false', 'null', '0', '-0', '1.5e-3', '-12E+40', '"a\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00"', '[]', '{}']) {
      for (const body of inEveryPlace(good)) expectSameAsOracle('logs', utf8(body));
    }
    const bad = [
      'tru', 'nul', 'falsey', 'True', 'nulll', 'NaN', 'Infinity', 'undefined',
      '01', '-', '+1', '1.', '.5', '1e', '1e+', '0x10', '--1', '1.2.3', '- 1',
      '"\\x"', '"\\u12"', '"\\u12G4"', '"\\U0041"', "'single'", '"\\\'"', '"unterminated',
      '[1,]', '[,1]', '{"a":1,}', '{"a" 1}', '{"a":}', '{a:1}', '{"a":1 "b":2}', '[1 2]', '{"a":1]', '[1}', '/* c */ 1', '',
    ];
    let refusals = 0;
    for (const b of bad) {
      for (const body of inEveryPlace(b)) {
        try {
          expectRefused('logs', utf8(body));
        } catch (error) {
          throw new Error(`${JSON.stringify(b)} in ${body}: ${(error as Error).message}`);
        }
        refusals++;
      }
    }
    expect(refusals).toBe(bad.length * 4);
  });

  test('a raw control character inside a string, or outside one where only whitespace may be', () => {
    for (let c = 0; c < 0x20; c++) {
      const raw = String.fromCharCode(c);
      for (const body of inEveryPlace(`"a${raw}b"`)) expectRefused('logs', utf8(body));
      const outside = inEveryPlace(`${raw}1`);
      if (raw === ' ' || raw === '\t' || raw === '\n' || raw === '\r') for (const body of outside) expectSameAsOracle('logs', utf8(body));
      else for (const body of outside) expectRefused('logs', utf8(body));
    }
    // DEL and non-ASCII characters are allowed raw in strings.
    for (const body of inEveryPlace('"\u007f é 中 😀"')) expectSameAsOracle('logs', utf8(body));
  });

  test('a body that is not UTF-8, even inside a record the filter skips', () => {
    const sequences = [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80], [0x80]];
    for (const seq of sequences) {
      for (const body of inEveryPlace('"@@"')) {
        const bytes = utf8(body);
        const at = Buffer.from(bytes).indexOf('@@');
        const broken = Buffer.concat([bytes.subarray(0, at), Buffer.from(seq), bytes.subarray(at + 2)]);
        expect(expectRefused('logs', broken)).toBe('json: the body is not valid UTF-8');
      }
    }
    // Cut inside a four-byte character at the very end.
    expect(expectRefused('logs', utf8('{}😀').subarray(0, 5))).toBe('json: the body is not valid UTF-8');
  });

  test(`nesting deeper than ${MAX_JSON_NESTING} levels, in a skipped record too, without exhausting the stack`, () => {
    const records = (inner: string) =>
      `{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"codex_exec"}}]},"scopeLogs":[{"logRecords":[{"attributes":[{"key":"event.name","value":{"stringValue":"codex.sse_event"}}]},${inner}]}]}]}`;
    // The second record is 7 levels down; its `deep` value opens the 8th.
    const deep = (levels: number, open: string, innermost: string, close: string) =>
      `{"deep":${open.repeat(levels - 1)}${innermost}${close.repeat(levels - 1)},"attributes":[{"key":"event.name","value":{"stringValue":"codex.sse_event"}}]}`;
    for (const [open, innermost, close] of [
      ['[', '[]', ']'],
      ['{"a":', '{}', '}'],
    ]) {
      const limit = MAX_JSON_NESTING - 7;
      const atLimit = utf8(records(deep(limit, open, innermost, close)));
      expectSameAsOracle('logs', atLimit);
      expect(decodeExportRequest('logs', 'json', atLimit, SKIP_FILTER).resourceLogs![0].scopeLogs![0].skippedRecords).toEqual({ [LOG_NOT_KEPT]: 2 });
      for (const levels of [limit + 1, 100_000]) {
        const body = utf8(records(deep(levels, open, innermost, close)));
        expect(errorOf(() => decodeExportRequest('logs', 'json', body))).toMatch(new RegExp(`^json: nesting deeper than ${MAX_JSON_NESTING} at byte \\d+$`));
        expect(errorOf(() => decodeExportRequest('logs', 'json', body, SKIP_FILTER))).toMatch(/^json: nesting deeper than/);
      }
    }
    // The same limit at the top (JSON.parse itself has none).
    expect(errorOf(() => decodeExportRequest('logs', 'json', utf8(`{"x":${'['.repeat(MAX_JSON_NESTING)}${']'.repeat(MAX_JSON_NESTING)}}`)))).toMatch(/^json: nesting deeper than/);
    expectSameAsOracle('logs', utf8(`{"x":${'['.repeat(MAX_JSON_NESTING - 1)}${']'.repeat(MAX_JSON_NESTING - 1)}}`));
  });

  test('anything after the top value but whitespace', () => {
    for (const tail of [' x', '}', '{}', ',', ' 1', '\u0000', '\ufeff', ' "', ']']) {
      expect(expectRefused('logs', utf8(SMALL_LOGS + tail))).toMatch(/^json: unexpected data after the JSON value at byte \d+$/);
    }
    expectSameAsOracle('logs', utf8(`${SMALL_LOGS} \n\t\r`));
    // A byte order mark is dropped only at the very start.
    expectRefused('logs', utf8(` \ufeff${SMALL_LOGS}`));
  });

  test('the checks of json.ts give the same messages', () => {
    const cases: [Signal, string, string][] = [
      ['logs', '[]', 'json: $ is not an object'],
      ['logs', '"text"', 'json: $ is not an object'],
      ['logs', ' null ', 'json: $ is not an object'],
      ['logs', '42', 'json: $ is not an object'],
      ['logs', '{"resourceLogs":{}}', 'json: $.resourceLogs is not an array'],
      ['logs', '{"resourceLogs":[{}],"resourceLogs":"x"}', 'json: $.resourceLogs is not an array'],
      ['logs', '{"resourceLogs":[{},null]}', 'json: $.resourceLogs[1] is not an object'],
      ['logs', '{"resourceLogs":[{"resource":[]}]}', 'json: $.resourceLogs[0].resource is not an object'],
      ['logs', '{"resourceLogs":[{"scopeLogs":[{"scope":7}]}]}', 'json: $.resourceLogs[0].scopeLogs[0].scope is not an object'],
      ['logs', '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{},1]}]}]}', 'json: $.resourceLogs[0].scopeLogs[0].logRecords[1] is not an object'],
      ['logs', '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":"b"}]}]}]}', 'json: $.resourceLogs[0].scopeLogs[0].logRecords[0].body is not an object'],
      [
        'logs',
        '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[{"key":"event.name","value":{"stringValue":"codex.sse_event"}},{"key":"k","value":"v"}]}]}],"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"codex_exec"}}]}}]}',
        'json: $.resourceLogs[0].scopeLogs[0].logRecords[0].attributes[1].value is not an object',
      ],
      [
        'metrics',
        '{"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"codex_exec"}}]},"scopeMetrics":[{"metrics":[{"name":"dropped","histogram":{"dataPoints":[{"bucketCounts":"1,2"}]}}]}]}]}',
        'json: $.resourceMetrics[0].scopeMetrics[0].metrics[0].histogram.dataPoints[0].bucketCounts is not an array',
      ],
      [
        'metrics',
        '{"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"codex_exec"}}]},"scopeMetrics":[{"metrics":[{"name":"dropped","sum":{"dataPoints":[{"exemplars":[{"filteredAttributes":[{"key":"k","value":1}]}]}]}}]}]}]}',
        'json: $.resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[0].exemplars[0].filteredAttributes[0].value is not an object',
      ],
      [
        'metrics',
        '{"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"codex_exec"}}]},"scopeMetrics":[{"metrics":[{"name":"dropped","exponentialHistogram":{"dataPoints":[{"negative":{"bucketCounts":{}}}]}}]}]}]}',
        'json: $.resourceMetrics[0].scopeMetrics[0].metrics[0].exponentialHistogram.dataPoints[0].negative.bucketCounts is not an array',
      ],
      [
        'metrics',
        '{"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"codex_exec"}}]},"scopeMetrics":[{"metrics":[{"name":"dropped","summary":{"dataPoints":[{"quantileValues":[1]}]}}]}]}]}',
        'json: $.resourceMetrics[0].scopeMetrics[0].metrics[0].summary.dataPoints[0].quantileValues[0] is not an object',
      ],
      ['traces', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"events":[{"attributes":{}}]}]}]}]}', 'json: $.resourceSpans[0].scopeSpans[0].spans[0].events[0].attributes is not an array'],
      ['traces', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"links":7}]}]}]}', 'json: $.resourceSpans[0].scopeSpans[0].spans[0].links is not an array'],
    ];
    for (const [signal, text, message] of cases) {
      const body = utf8(text);
      expect(errorOf(() => oracle(signal, body))).toBe(message);
      expect(errorOf(() => decodeExportRequest(signal, 'json', body))).toBe(message);
      // A record the filter would skip is checked all the same.
      expect(errorOf(() => decodeExportRequest(signal, 'json', body, SKIP_FILTER))).toBe(message);
    }
  });
});

// ---------------------------------------------------------------- the SkipFilter

freezeReceiveTime();

const expectSameOutcome = <S extends Signal>(signal: S, body: Uint8Array) => expectSameOutcomeIn(signal, 'json', body);


describe('with the SkipFilter: the same events and counts, dropped records counted unread', () => {
  test('the real captures: every JSON request; the records Codex rules drop are skipped', () => {
    let skippedLogs = 0;
    let skippedPoints = 0;
    let events = 0;
    for (const { capture, file, signal } of JSON_FIXTURES) {
      const outcome = expectSameOutcome(signal, readFileSync(path.join(FIXTURES, capture, file)));
      events += outcome.events;
      if (signal === 'logs') skippedLogs += skippedOf(outcome.skipping as ExportLogsServiceRequest)[LOG_NOT_KEPT] ?? 0;
      if (signal === 'metrics') {
        const skipping = outcome.skipping as ExportMetricsServiceRequest;
        skippedPoints += skippedOf(skipping)[METRIC_NOT_KEPT] ?? 0;
        expect(new Set(metricNames(skipping))).toEqual(new Set(metricNames(outcome.full as ExportMetricsServiceRequest).includes(TOKEN_METRIC) ? [TOKEN_METRIC] : []));
      }
    }
    // tool-call-json/004-logs.json: 21 records, 4 kept and 1 without event.name decoded (fixtures/README.md).
    expect(skippedOf(expectSameOutcome('logs', readFileSync(path.join(FIXTURES, 'tool-call-json', '004-logs.json'))).skipping)).toEqual({ [LOG_NOT_KEPT]: 16 });
    expect(skippedLogs).toBeGreaterThan(16);
    expect(skippedPoints).toBeGreaterThan(100);
    expect(events).toBeGreaterThan(10);
  });

  test('random Codex log batches, every form: kept and dropped names, two services', () => {
    const rng = new Prng(0x5c_1f);
    let skipped = 0;
    let kept = 0;
    for (let i = 0; i < 120; i++) {
      const serialize = (records: ReadableLogRecord[]) => forms(rng, JsonLogsSerializer.serializeRequest(records)!).map(([, body]) => body);
      const batch = expectLogBatchSkipped(rng, 'json', TWO_SERVICES, serialize);
      skipped += batch.skipped;
      kept += batch.kept;
    }
    expect(skipped).toBeGreaterThan(200);
    expect(kept).toBeGreaterThan(300);
  });

  test('random metrics batches, every form: the token metric and others, every data kind', () => {
    const rng = new Prng(0x3e_11);
    let skippedPoints = 0;
    for (let i = 0; i < 120; i++) {
      const serialize = (batch: ResourceMetrics) => forms(rng, JsonMetricsSerializer.serializeRequest(batch)!).map(([, body]) => body);
      skippedPoints += expectMetricsBatchSkipped(rng, 'json', TWO_SERVICES, serialize).droppedPoints;
    }
    expect(skippedPoints).toBeGreaterThan(200);
  });

  const CODEX = '{"attributes":[{"key":"service.name","value":{"stringValue":"codex_exec"}}]}';
  const attribute = (key: string, value: string) => `{"key":"${key}","value":${value}}`;
  const named = (name: string) => attribute('event.name', `{"stringValue":"${name}"}`);
  const logs = (records: string[], resourceFirst = true) =>
    utf8(
      resourceFirst
        ? `{"resourceLogs":[{"resource":${CODEX},"scopeLogs":[{"scope":{"name":"codex_otel"},"logRecords":[${records.join(',')}]}]}]}`
        : `{"resourceLogs":[{"scopeLogs":[{"logRecords":[${records.join(',')}]}],"schemaUrl":"s","resource":${CODEX}}]}`,
    );
  const record = (...attributes: string[]) => `{"severityText":"INFO","attributes":[${attributes.join(',')}]}`;

  test('event.name: the last one decides; a value that is not a stringValue is decoded and left to the rules', () => {
    const lastDropped = expectSameOutcome('logs', logs([record(named('codex.tool_result'), attribute('x', '{"intValue":1}'), named('codex.sse_event'))]));
    expect(skippedOf(lastDropped.skipping)).toEqual({ [LOG_NOT_KEPT]: 1 });
    const lastKept = expectSameOutcome('logs', logs([record(named('codex.sse_event'), named('codex.user_prompt'))]));
    expect(skippedOf(lastKept.skipping)).toEqual({});
    expect(lastKept.events).toBe(1);
    const notStrings = [
      record(named('codex.sse_event'), attribute('event.name', '{"intValue":"7"}')),
      record(attribute('event.name', '{"stringValue":null}')),
      record(attribute('event.name', '{"stringValue":"codex.sse_event","stringValue":7}')),
      record(attribute('event.name', 'null')),
      record('{"key":"event.name"}'),
      record(attribute('event.name', '{"arrayValue":{"values":[{"stringValue":"codex.sse_event"}]}}')),
      record(attribute('x', '{"stringValue":"codex.sse_event"}')),
      record('{"key":7,"value":{"stringValue":"codex.sse_event"}}'),
    ];
    const outcome = expectSameOutcome('logs', logs(notStrings));
    expect(skippedOf(outcome.skipping)).toEqual({});
    expect(decodedLogRecords(outcome.skipping)).toBe(notStrings.length);
    expect(outcome.dropped).toEqual({ [LOG_NOT_KEPT]: notStrings.length });
  });

  test('what anyValueToJs and JSON.parse read is what the scanner reads', () => {
    const records = [
      // stringValue is read first, whatever else the AnyValue holds.
      record(attribute('event.name', '{"intValue":"7","stringValue":"codex.sse_event"}')),
      // Escapes in the member names and in the name itself.
      record('{"k\\u0065y":"event\\u002ename","v\\u0061lue":{"string\\u0056alue":"codex.sse\\u005fevent"}}'),
      // Repeated key, value and stringValue members: the last ones count.
      record('{"key":"event.name","key":"other","value":{"stringValue":"codex.sse_event"}}', '{"key":"x","key":"event.name","value":{"stringValue":"codex.tool_result"},"value":{"stringValue":"codex.api_request"}}'),
      record(attribute('event.name', '{"stringValue":"codex.tool_result","stringValue":"codex.turn_ttft"}')),
      // A repeated attributes list: the last one.
      `{"attributes":[${named('codex.user_prompt')}],"attributes":[${named('codex.sse_event')}]}`,
      `{"attributes":[${named('codex.sse_event')}],"attributes":null}`,
    ];
    const outcome = expectSameOutcome('logs', logs(records));
    expect(skippedOf(outcome.skipping)).toEqual({ [LOG_NOT_KEPT]: 5 });
    expect(decodedLogRecords(outcome.skipping)).toBe(1);
  });

  test('the resource after the scopes, or repeated: the last one is decoded first and decides', () => {
    const records = [record(named('codex.sse_event')), record(named('codex.user_prompt'), attribute('prompt', '{"stringValue":"hello"}'))];
    const after = expectSameOutcome('logs', logs(records, false));
    expect(skippedOf(after.skipping)).toEqual({ [LOG_NOT_KEPT]: 1 });
    expect(after.events).toBe(1);
    const scopes = `"scopeLogs":[{"logRecords":[${records.join(',')}]}]`;
    const other = '{"attributes":[{"key":"service.name","value":{"stringValue":"checkout-api"}}]}';
    const otherLast = expectSameOutcome('logs', utf8(`{"resourceLogs":[{"resource":${CODEX},${scopes},"resource":${other}}]}`));
    expect(skippedOf(otherLast.skipping)).toEqual({});
    expect(otherLast.events).toBe(2);
    const codexLast = expectSameOutcome('logs', utf8(`{"resourceLogs":[{"resource":${other},${scopes},"resource":${CODEX}}]}`));
    expect(skippedOf(codexLast.skipping)).toEqual({ [LOG_NOT_KEPT]: 1 });
    // A repeated scopeLogs list: the last one only, its skipped records only.
    const twice = expectSameOutcome('logs', utf8(`{"resourceLogs":[{"resource":${CODEX},${scopes},"scopeLogs":[{"logRecords":[${record(named('codex.sse_event'))}]}]}]}`));
    expect(skippedOf(twice.skipping)).toEqual({ [LOG_NOT_KEPT]: 1 });
    expect(twice.events).toBe(0);
  });

  test('metrics: the name anywhere, the data point count as keep-map counts it, a dropped metric without points', () => {
    const points = (n: number) => `[${Array.from({ length: n }, (_, i) => `{"asInt":"${i}","attributes":[{"key":"token_type","value":{"stringValue":"input"}}]}`).join(',')}]`;
    const metric = (name: string, data: string) => `{${data},"unit":"1","name":"${name}"}`;
    const body = (metrics: string[]) => utf8(`{"resourceMetrics":[{"scopeMetrics":[{"metrics":[${metrics.join(',')}]}],"resource":${CODEX}}]}`);
    const outcome = expectSameOutcome(
      'metrics',
      body([
        metric('codex.api_request', `"sum":{"dataPoints":${points(3)}}`),
        // gauge without points: keep-map counts the sum's.
        metric('codex.a', `"gauge":{},"sum":{"dataPoints":${points(2)},"dataPoints":${points(4)}}`),
        metric('codex.b', `"gauge":null,"histogram":{"dataPoints":null},"summary":{"dataPoints":${points(5)}}`),
        metric('codex.c', `"sum":{"dataPoints":[]}`),
        // Two kinds with points: keep-map counts the first in its order (gauge), wherever it is.
        metric('codex.d', `"summary":{"dataPoints":${points(2)}},"gauge":{"dataPoints":${points(1)}}`),
        metric(TOKEN_METRIC, `"histogram":{"dataPoints":[{"sum":7,"count":"1","attributes":[{"key":"token_type","value":{"stringValue":"output"}}]}],"aggregationTemporality":1}`),
        `{"name":7,"gauge":{"dataPoints":${points(1)}}}`,
        `{"gauge":{"dataPoints":${points(1)}}}`,
      ]),
    );
    expect(skippedOf(outcome.skipping)).toEqual({ [METRIC_NOT_KEPT]: 3 + 4 + 5 + 0 + 1 });
    expect(metricNames(outcome.skipping)).toEqual([TOKEN_METRIC, 7, undefined]);
    expect(outcome.events).toBe(1);
    expect(outcome.dropped).toEqual({ [METRIC_NOT_KEPT]: 3 + 4 + 5 + 0 + 1 + 1 + 1 });
    // A dropped metric without any data point still counts its reason, as mapping it does.
    const empty = expectSameOutcome('metrics', body([metric('codex.api_request', '"unit":"ms"')]));
    expect(skippedOf(empty.skipping)).toEqual({ [METRIC_NOT_KEPT]: 0 });
    expect(empty.dropped).toEqual({ [METRIC_NOT_KEPT]: 0 });
  });

  test('names like Object.prototype members are skipped, not mistaken for kept; another service skips nothing', () => {
    const names = ['toString', '__proto__', 'constructor', 'hasOwnProperty'];
    const outcome = expectSameOutcome('logs', logs(names.map((name) => record(named(name)))));
    expect(skippedOf(outcome.skipping)).toEqual({ [LOG_NOT_KEPT]: 4 });
    const other = '{"attributes":[{"key":"service.name","value":{"stringValue":"checkout-api"}}]}';
    const generic = expectSameOutcome('logs', utf8(`{"resourceLogs":[{"resource":${other},"scopeLogs":[{"logRecords":[${record(named('codex.sse_event'))}]}]}]}`));
    expect(skippedOf(generic.skipping)).toEqual({});
    expect(generic.events).toBe(1);
  });
});
