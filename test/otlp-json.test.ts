import { describe, expect, test } from 'vitest';
import { decodeExportRequest } from '../src/collector/otlp/decode.js';
import { decodeJsonRequest } from '../src/collector/otlp/json.js';
import { MalformedRequestError, type ExportLogsServiceRequest, type Signal } from '../src/collector/otlp/types.js';
import {
  DEPTH_LIMIT_MARKER,
  MAX_ANY_VALUE_DEPTH,
  anyValueToJs,
  attributesToObject,
  getAttribute,
  nanosToIso,
  temporalityName,
  toInt64String,
  toNumber,
} from '../src/collector/otlp/values.js';
import { EXPECTED_EVENT_COUNTS, EXPECTED_TOKEN_SUMS, countBy, eventNames, fixture, tokenUsage } from './support/otlp/fixtures.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

function malformedMessage(signal: Signal, body: Uint8Array | string): string {
  try {
    decodeExportRequest(signal, 'json', typeof body === 'string' ? utf8(body) : body);
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedRequestError);
    return (error as Error).message;
  }
  throw new Error('decoded without error');
}

describe('the real Codex 0.169.0 OTLP/JSON captures', () => {
  const jsonLogs = () => [decodeExportRequest('logs', 'json', fixture('tool-call-json', '004-logs.json'))];
  const protobufLogs = () => ['001-logs.pb', '005-logs.pb'].map((f) => decodeExportRequest('logs', 'protobuf', fixture('tool-call-protobuf', f)));

  test('the logs body holds the documented records, counted by their event.name attribute', () => {
    expect(countBy(eventNames(jsonLogs()))).toEqual(EXPECTED_EVENT_COUNTS);
  });

  test('the metrics body carries the documented codex.turn.token_usage sums, delta temporality', () => {
    const { sums, temporalities } = tokenUsage(decodeExportRequest('metrics', 'json', fixture('tool-call-json', '003-metrics.json')));
    expect(sums).toEqual(EXPECTED_TOKEN_SUMS);
    expect(temporalities).toEqual([1]);
  });

  test('the protobuf and JSON captures of the same turn agree: event.name sequence and token sums', () => {
    const fromJson = eventNames(jsonLogs());
    const fromProtobuf = eventNames(protobufLogs());
    expect([...fromJson].map(String).sort()).toEqual([...fromProtobuf].map(String).sort());
    // The two runs interleave by timing: SSE event records race the turn_ttft record, and the
    // unnamed flush notice comes in its own scope. The rest arrives in the same order.
    const timingIndependent = (names: (string | undefined)[]) => names.filter((n) => n !== undefined && n !== 'codex.sse_event' && n !== 'codex.turn_ttft');
    expect(timingIndependent(fromJson)).toEqual([
      'codex.conversation_starts',
      'codex.startup_phase',
      'codex.startup_phase',
      'codex.user_prompt',
      'codex.api_request',
      'codex.tool_decision',
      'codex.tool_result',
      'codex.api_request',
    ]);
    expect(timingIndependent(fromProtobuf)).toEqual(timingIndependent(fromJson));

    const jsonTokens = tokenUsage(decodeExportRequest('metrics', 'json', fixture('tool-call-json', '003-metrics.json')));
    const protobufTokens = tokenUsage(decodeExportRequest('metrics', 'protobuf', fixture('tool-call-protobuf', '004-metrics.pb')));
    expect(protobufTokens).toEqual(jsonTokens);
  });

  test('interval exports: the three delta metrics bodies sum to the same token totals', () => {
    const totals: Record<string, number> = {};
    for (const file of ['002-metrics.json', '003-metrics.json', '007-metrics.json']) {
      const { sums, temporalities } = tokenUsage(decodeExportRequest('metrics', 'json', fixture('interval-exports-json', file)));
      for (const t of temporalities) expect(t).toBe(1);
      for (const [type, value] of Object.entries(sums)) totals[type] = (totals[type] ?? 0) + value;
    }
    expect(totals).toEqual(EXPECTED_TOKEN_SUMS);
  });

  test('"body": null (as Codex writes it) is read as an absent body', () => {
    const request = decodeExportRequest('logs', 'json', fixture('tool-call-json', '004-logs.json'));
    const records = request.resourceLogs![0].scopeLogs!.flatMap((s) => s.logRecords!);
    expect(records.filter((r) => r.body === undefined).length).toBe(20);
    expect(records.filter((r) => r.body !== undefined).map((r) => r.body)).toEqual([{ stringValue: 'flushing OTEL metrics' }]);
  });

  test('the traces bodies pass the shape check', () => {
    const spans = ['001-traces.json', '002-traces.json'].flatMap(
      (f) => decodeExportRequest('traces', 'json', fixture('tool-call-json', f)).resourceSpans!.flatMap((rs) => rs.scopeSpans!.flatMap((ss) => ss.spans!)),
    );
    expect(spans).toHaveLength(531);
  });
});

describe('what JSON senders write is passed through as written', () => {
  test('int64 as strings or numbers, enums as numbers or names, ids as hex', () => {
    const text = JSON.stringify({
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                { name: 'a', sum: { aggregationTemporality: 'AGGREGATION_TEMPORALITY_CUMULATIVE', isMonotonic: true, dataPoints: [{ asInt: '9007199254740993', timeUnixNano: 1795466044054255000 }] } },
                { name: 'b', histogram: { aggregationTemporality: 1, dataPoints: [{ count: 3, sum: 2.5, bucketCounts: ['1', 2], explicitBounds: [1] }] } },
              ],
            },
          ],
        },
      ],
    });
    const metrics = decodeJsonRequest('metrics', text).resourceMetrics![0].scopeMetrics![0].metrics!;
    expect(metrics[0].sum).toEqual({ aggregationTemporality: 'AGGREGATION_TEMPORALITY_CUMULATIVE', isMonotonic: true, dataPoints: [{ asInt: '9007199254740993', timeUnixNano: 1795466044054255000 }] });
    expect(metrics[1].histogram!.dataPoints![0]).toEqual({ count: 3, sum: 2.5, bucketCounts: ['1', 2], explicitBounds: [1] });
    expect(temporalityName(metrics[0].sum!.aggregationTemporality)).toBe('Cumulative');
    expect(toInt64String(metrics[0].sum!.dataPoints![0].asInt)).toBe('9007199254740993');
  });

  test('null where a message or list may be absent becomes absent', () => {
    const request = decodeJsonRequest(
      'logs',
      '{"resourceLogs":[{"resource":null,"scopeLogs":[{"scope":null,"logRecords":[{"body":null,"attributes":null}]}]}]}',
    ) as ExportLogsServiceRequest;
    const rl = request.resourceLogs![0];
    expect(rl.resource).toBeUndefined();
    expect(rl.scopeLogs![0].scope).toBeUndefined();
    expect(rl.scopeLogs![0].logRecords![0]).toEqual({});
    expect(decodeJsonRequest('traces', '{"resourceSpans":null}')).toEqual({});
  });
});

describe('malformed OTLP/JSON throws MalformedRequestError', () => {
  test('not JSON, or not an object at the top', () => {
    expect(malformedMessage('logs', '{"resourceLogs": [')).toMatch(/^json: /);
    expect(malformedMessage('logs', '')).toMatch(/^json: /);
    for (const top of ['[]', '"text"', 'null', '42', 'true']) expect(malformedMessage('logs', top)).toBe('json: $ is not an object');
  });

  test('a list that is not an array, a message that is not an object', () => {
    expect(malformedMessage('logs', '{"resourceLogs":{}}')).toBe('json: $.resourceLogs is not an array');
    expect(malformedMessage('logs', '{"resourceLogs":"x"}')).toBe('json: $.resourceLogs is not an array');
    expect(malformedMessage('logs', '{"resourceLogs":[null]}')).toBe('json: $.resourceLogs[0] is not an object');
    expect(malformedMessage('logs', '{"resourceLogs":[{"scopeLogs":{}}]}')).toBe('json: $.resourceLogs[0].scopeLogs is not an array');
    expect(malformedMessage('logs', '{"resourceLogs":[{"scopeLogs":[{"logRecords":[1]}]}]}')).toBe('json: $.resourceLogs[0].scopeLogs[0].logRecords[0] is not an object');
    expect(malformedMessage('logs', '{"resourceLogs":[{"resource":[]}]}')).toBe('json: $.resourceLogs[0].resource is not an object');
    expect(malformedMessage('logs', '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[{"key":"k","value":"v"}]}]}]}]}')).toBe(
      'json: $.resourceLogs[0].scopeLogs[0].logRecords[0].attributes[0].value is not an object',
    );
    expect(malformedMessage('metrics', '{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"histogram":{"dataPoints":[{"bucketCounts":"1,2"}]}}]}]}]}')).toBe(
      'json: $.resourceMetrics[0].scopeMetrics[0].metrics[0].histogram.dataPoints[0].bucketCounts is not an array',
    );
    expect(malformedMessage('metrics', '{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"gauge":[]}]}]}]}')).toBe(
      'json: $.resourceMetrics[0].scopeMetrics[0].metrics[0].gauge is not an object',
    );
    expect(malformedMessage('traces', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"events":[{"attributes":{}}]}]}]}]}')).toBe(
      'json: $.resourceSpans[0].scopeSpans[0].spans[0].events[0].attributes is not an array',
    );
    expect(malformedMessage('traces', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"links":7}]}]}]}')).toBe(
      'json: $.resourceSpans[0].scopeSpans[0].spans[0].links is not an array',
    );
  });

  test('a body that is not UTF-8', () => {
    expect(malformedMessage('logs', Uint8Array.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))).toBe('json: the body is not valid UTF-8');
    // A lone surrogate encoded as UTF-8 bytes (CESU-style) is not valid UTF-8 either.
    expect(malformedMessage('logs', Uint8Array.from([0x7b, 0x7d, 0xed, 0xa0, 0x80]))).toBe('json: the body is not valid UTF-8');
  });
});

describe('value readers (src/collector/otlp/values.ts)', () => {
  test('toInt64String and toNumber accept strings and numbers', () => {
    expect(toInt64String('123')).toBe('123');
    expect(toInt64String('-0042')).toBe('-42');
    expect(toInt64String('-0')).toBe('0');
    expect(toInt64String(-0)).toBe('0');
    expect(toInt64String(2 ** 60)).toBe('1152921504606846976');
    expect(toInt64String(1795466044054255000)).toBe('1795466044054255104'); // the double's exact value
    expect(toInt64String(1.5)).toBeUndefined();
    expect(toInt64String('1e3')).toBeUndefined();
    expect(toInt64String(undefined)).toBeUndefined();
    expect(toNumber('2600')).toBe(2600);
    expect(toNumber(-7)).toBe(-7);
    expect(toNumber('x')).toBeUndefined();
    expect(toNumber(null)).toBeUndefined();
  });

  test('anyValueToJs: every kind, ints exact beyond 2^53, depth-limited', () => {
    expect(anyValueToJs({ stringValue: '' })).toBe('');
    expect(anyValueToJs({ boolValue: false })).toBe(false);
    expect(anyValueToJs({ intValue: '42' })).toBe(42);
    expect(anyValueToJs({ intValue: 42 })).toBe(42);
    expect(anyValueToJs({ intValue: '9007199254740993' })).toBe('9007199254740993');
    expect(anyValueToJs({ doubleValue: -0.5 })).toBe(-0.5);
    expect(anyValueToJs({ bytesValue: '3q2+7w==' })).toBe('3q2+7w==');
    expect(anyValueToJs({})).toBeUndefined();
    expect(anyValueToJs(null)).toBeUndefined();
    expect(
      anyValueToJs({ arrayValue: { values: [{ intValue: '1' }, { kvlistValue: { values: [{ key: 'a', value: { boolValue: true } }, { key: 'b' }] } }, {}] } }),
    ).toEqual([1, { a: true, b: undefined }, undefined]);
    expect(anyValueToJs({ arrayValue: {} })).toEqual([]);

    let deep: object = { stringValue: 'leaf' };
    for (let i = 0; i < MAX_ANY_VALUE_DEPTH + 5; i++) deep = { arrayValue: { values: [deep] } };
    let js = anyValueToJs(deep);
    for (let i = 0; i < MAX_ANY_VALUE_DEPTH; i++) js = (js as unknown[])[0];
    expect(js).toBe(DEPTH_LIMIT_MARKER);
  });

  test('attributesToObject and getAttribute: the last repeated key wins, "__proto__" is a plain key', () => {
    const attributes = [
      { key: 'event.name', value: { stringValue: 'codex.tool_result' } },
      { key: 'n', value: { intValue: '1' } },
      { key: 'n', value: { intValue: '2' } },
      { key: '__proto__', value: { stringValue: 'polluted?' } },
    ];
    const obj = attributesToObject(attributes);
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
    expect(Object.keys(obj)).toEqual(['event.name', 'n', '__proto__']);
    expect(obj.n).toBe(2);
    expect(Object.getOwnPropertyDescriptor(obj, '__proto__')?.value).toBe('polluted?');
    expect(getAttribute(attributes, 'n')).toBe(2);
    expect(getAttribute(attributes, 'event.name')).toBe('codex.tool_result');
    expect(getAttribute(attributes, 'missing')).toBeUndefined();
    expect(attributesToObject(undefined)).toEqual({});
  });

  test('nanosToIso: RFC 3339 UTC in milliseconds (the rest cut), absent for 0', () => {
    expect(nanosToIso('1781373605123456789')).toBe('2026-06-13T18:00:05.123Z');
    expect(nanosToIso('1781373605120000000')).toBe('2026-06-13T18:00:05.120Z');
    expect(nanosToIso('1781373605123999000')).toBe('2026-06-13T18:00:05.123Z');
    expect(nanosToIso(1781373605000000000)).toBe('2026-06-13T18:00:05.000Z');
    expect(nanosToIso('1795466044054255153')).toBe('2026-11-23T20:34:04.054Z');
    expect(nanosToIso('5')).toBe('1970-01-01T00:00:00.000Z');
    expect(nanosToIso('0')).toBeUndefined();
    expect(nanosToIso(0)).toBeUndefined();
    expect(nanosToIso(undefined)).toBeUndefined();
    expect(nanosToIso('-5')).toBeUndefined();
    expect(nanosToIso('18446744073709551615')).toBe('2554-07-21T23:34:33.709Z'); // uint64 max
    expect(nanosToIso('253402300799999999999')).toBe('9999-12-31T23:59:59.999Z');
    expect(nanosToIso('253402300800000000000')).toBeUndefined(); // year 10000 has no RFC 3339 form
  });

  test('temporalityName: numbers, numeric strings and enum names', () => {
    expect([1, '1', 'AGGREGATION_TEMPORALITY_DELTA'].map((t) => temporalityName(t))).toEqual(['Delta', 'Delta', 'Delta']);
    expect([2, '2', 'AGGREGATION_TEMPORALITY_CUMULATIVE'].map((t) => temporalityName(t))).toEqual(['Cumulative', 'Cumulative', 'Cumulative']);
    expect([0, undefined, 'AGGREGATION_TEMPORALITY_UNSPECIFIED', 3].map((t) => temporalityName(t))).toEqual(['Unspecified', 'Unspecified', 'Unspecified', 'Unspecified']);
  });
});
