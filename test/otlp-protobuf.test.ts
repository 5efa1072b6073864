import { describe, expect, test } from 'vitest';
import { decodeLogsRequest, decodeMetricsRequest, decodeTraceRequest, MAX_ANY_VALUE_DEPTH } from '../src/collector/otlp/protobuf/index.js';
import { MalformedRequestError } from '../src/collector/otlp/types.js';
import { EXPECTED_EVENT_COUNTS, EXPECTED_TOKEN_SUMS, countBy, eventNames, fixture, tokenUsage } from './support/otlp/fixtures.js';
import { Prng } from './support/otlp/prng.js';
import { bytesOf, double, field, fixed32, fixed64, tag, varint } from './support/otlp/proto-encode.js';
import { parseFields, truncateAt } from './support/otlp/truncate.js';

const CAPTURE = 'tool-call-protobuf';
type Decoder = (buf: Uint8Array) => unknown;

/** Runs `decode` and sorts the outcome: it must return or throw MalformedRequestError, nothing else. */
function outcome(decode: Decoder, body: Uint8Array): 'decoded' | 'malformed' {
  try {
    decode(body);
    return 'decoded';
  } catch (error) {
    if (error instanceof MalformedRequestError) return 'malformed';
    throw new Error(`not a MalformedRequestError: ${String(error)}`, { cause: error });
  }
}

function malformedMessage(decode: Decoder, body: Uint8Array): string {
  try {
    decode(body);
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedRequestError);
    return (error as Error).message;
  }
  throw new Error('decoded without error');
}

/** Ends of the top-level fields (each a whole ResourceX message): the only prefixes that are complete requests. */
function topLevelBoundaries(buf: Uint8Array): Set<number> {
  const ends = new Set([0]);
  let pos = 0;
  while (pos < buf.length) {
    pos++; // tag 0x0a: field 1, LEN (one byte)
    let length = 0;
    for (let shift = 0; ; shift += 7) {
      const b = buf[pos++];
      length += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    pos += length;
    ends.add(pos);
  }
  return ends;
}

// Builders for hand-made requests: one record/point/span nested in the request's envelope.
const logsWith = (...record: Uint8Array[]) => field.len(1, field.len(2, field.len(2, bytesOf(...record))));
const spansWith = (...span: Uint8Array[]) => field.len(1, field.len(2, field.len(2, bytesOf(...span))));
const histogramPointWith = (...point: Uint8Array[]) => field.len(1, field.len(2, field.len(2, field.len(9, field.len(1, bytesOf(...point))))));
const anyValueAttribute = (value: Uint8Array) => field.len(6, bytesOf(field.string(1, 'k'), field.len(2, value)));

describe('the real Codex 0.169.0 protobuf capture', () => {
  test('the two logs bodies hold the documented records, counted by their event.name attribute', () => {
    const requests = ['001-logs.pb', '005-logs.pb'].map((file) => decodeLogsRequest(fixture(CAPTURE, file)));
    expect(countBy(eventNames(requests))).toEqual(EXPECTED_EVENT_COUNTS);

    // The one record without event.name is the DEBUG flush notice.
    const records = requests.flatMap((r) => r.resourceLogs!.flatMap((rl) => rl.scopeLogs!.flatMap((sl) => sl.logRecords!)));
    const unnamed = records.filter((r) => !r.attributes?.some((kv) => kv.key === 'event.name'));
    expect(unnamed).toHaveLength(1);
    expect(unnamed[0]).toMatchObject({ severityNumber: 5, severityText: 'DEBUG', body: { stringValue: 'flushing OTEL metrics' } });
    // Codex leaves timeUnixNano at 0 (omitted as the proto3 default) and fills observedTimeUnixNano.
    for (const record of records) {
      expect(record.timeUnixNano).toBeUndefined();
      expect(record.observedTimeUnixNano).toMatch(/^17\d{17}$/);
    }
  });

  test('the metrics body carries codex.turn.token_usage with the documented sums per token_type, delta temporality', () => {
    const { sums, temporalities } = tokenUsage(decodeMetricsRequest(fixture(CAPTURE, '004-metrics.pb')));
    expect(sums).toEqual(EXPECTED_TOKEN_SUMS);
    expect(temporalities).toEqual([1]);
  });

  test('the traces bodies decode, every span with 16-byte trace and 8-byte span ids in lowercase hex', () => {
    const spans = ['002-traces.pb', '003-traces.pb'].flatMap((file) =>
      decodeTraceRequest(fixture(CAPTURE, file)).resourceSpans!.flatMap((rs) => rs.scopeSpans!.flatMap((ss) => ss.spans!)),
    );
    expect(spans).toHaveLength(512 + 19);
    for (const span of spans) {
      expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
    }
    expect(spans.filter((s) => s.parentSpanId !== undefined).length).toBeGreaterThan(0);
  });
});

describe('exact decoding of hand-made messages', () => {
  test('64-bit integers, ids, bytes, enums and proto3 defaults', () => {
    const body = logsWith(
      field.fixed64(1, '18446744073709551615'), // time_unix_nano: uint64 max
      field.fixed64(11, 0), // observed_time_unix_nano at its default: omitted
      field.varint(2, 0), // severity_number at its default: omitted
      field.string(3, 'WARN'),
      field.len(5, field.varint(3, -1)), // body int_value -1: a 10-byte varint
      anyValueAttribute(field.varint(3, -(2n ** 63n))),
      anyValueAttribute(field.varint(3, 9007199254740993n)), // 2^53 + 1: not a double
      anyValueAttribute(field.len(7, [0xde, 0xad, 0xbe, 0xef])),
      anyValueAttribute(field.string(1, '')), // a oneof member at its default is kept
      anyValueAttribute(field.varint(2, 2n ** 35n)), // bool: any non-zero varint is true
      anyValueAttribute(field.double(4, -0.25)),
      field.fixed32(8, 0x01),
      field.len(9, [...Array(16).keys()]), // trace_id
      field.len(10, [0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89]),
      field.string(12, 'codex.tool_result'),
    );
    const record = decodeLogsRequest(body).resourceLogs![0].scopeLogs![0].logRecords![0];
    expect(record).toStrictEqual({
      timeUnixNano: '18446744073709551615',
      severityText: 'WARN',
      body: { intValue: '-1' },
      attributes: [
        { key: 'k', value: { intValue: '-9223372036854775808' } },
        { key: 'k', value: { intValue: '9007199254740993' } },
        { key: 'k', value: { bytesValue: '3q2+7w==' } },
        { key: 'k', value: { stringValue: '' } },
        { key: 'k', value: { boolValue: true } },
        { key: 'k', value: { doubleValue: -0.25 } },
      ],
      flags: 1,
      traceId: '000102030405060708090a0b0c0d0e0f',
      spanId: 'abcdef0123456789',
      eventName: 'codex.tool_result',
    });
  });

  test('histogram bucket counts and bounds are read packed and unpacked alike', () => {
    const counts = ['0', '7', '18446744073709551615'];
    const bounds = [0.5, 10];
    const packed = histogramPointWith(field.len(6, bytesOf(...counts.map((c) => fixed64(c)))), field.len(7, bytesOf(...bounds.map(double))), field.double(5, 0));
    const unpacked = histogramPointWith(...counts.map((c) => field.fixed64(6, c)), ...bounds.map((b) => field.double(7, b)), field.double(5, 0));
    for (const body of [packed, unpacked]) {
      const point = decodeMetricsRequest(body).resourceMetrics![0].scopeMetrics![0].metrics![0].histogram!.dataPoints![0];
      // `sum` is a proto3 `optional` double: present at 0 is kept.
      expect(point).toStrictEqual({ bucketCounts: counts, explicitBounds: bounds, sum: 0 });
    }
  });

  test('exponential histogram: sint32 scale and offsets, uint64 varint bucket counts', () => {
    const point = bytesOf(
      field.varint(6, 5), // scale: zigzag 5 = -3
      field.len(8, bytesOf(field.varint(1, 13), field.len(2, bytesOf(varint(1), varint(2n ** 64n - 1n))))), // offset zigzag 13 = -7
      field.len(9, field.varint(2, 300)), // unpacked single count
      field.double(14, 1e-9),
    );
    const body = field.len(1, field.len(2, field.len(2, field.len(10, field.len(1, point)))));
    const decoded = decodeMetricsRequest(body).resourceMetrics![0].scopeMetrics![0].metrics![0];
    expect(decoded).toStrictEqual({
      exponentialHistogram: { dataPoints: [{ scale: -3, positive: { offset: -7, bucketCounts: ['1', '18446744073709551615'] }, negative: { bucketCounts: ['300'] }, zeroThreshold: 1e-9 }] },
    });
  });

  test('span with events, links, status, flags (field 16: a two-byte tag)', () => {
    const body = spansWith(
      field.len(1, Array(16).fill(0xff)),
      field.len(2, Array(8).fill(0x0f)),
      field.len(4, Array(8).fill(0x10)),
      field.fixed32(16, 769),
      field.string(5, 'session_task.turn'),
      field.varint(6, 2),
      field.fixed64(7, '1795466043879719110'),
      field.len(11, bytesOf(field.fixed64(1, 5), field.string(2, 'ev'), field.varint(4, 3))),
      field.len(13, bytesOf(field.len(1, Array(16).fill(1)), field.len(2, Array(8).fill(2)), field.string(3, 'a=b'), field.fixed32(6, 256))),
      field.varint(14, 4),
      field.len(15, bytesOf(field.string(2, 'boom'), field.varint(3, 2))),
    );
    expect(decodeTraceRequest(body).resourceSpans![0].scopeSpans![0].spans![0]).toStrictEqual({
      traceId: 'ff'.repeat(16),
      spanId: '0f'.repeat(8),
      parentSpanId: '10'.repeat(8),
      flags: 769,
      name: 'session_task.turn',
      kind: 2,
      startTimeUnixNano: '1795466043879719110',
      events: [{ timeUnixNano: '5', name: 'ev', droppedAttributesCount: 3 }],
      links: [{ traceId: '01'.repeat(16), spanId: '02'.repeat(8), traceState: 'a=b', flags: 256 }],
      droppedLinksCount: 4,
      status: { message: 'boom', code: 2 },
    });
  });

  test('unknown fields of every wire type are skipped, in any message', () => {
    const unknown = bytesOf(field.varint(100, 2n ** 63n), field.fixed64(101, 1), field.len(102, [1, 2, 3]), field.fixed32(103, 9), field.varint(2000, 1));
    const body = bytesOf(logsWith(unknown, field.varint(2, 9), anyValueAttribute(bytesOf(unknown, field.string(1, 'v'))), unknown), unknown);
    expect(decodeLogsRequest(body)).toStrictEqual({
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ severityNumber: 9, attributes: [{ key: 'k', value: { stringValue: 'v' } }] }] }] }],
    });
  });

  test('invalid UTF-8 in a string decodes with replacement characters (documented choice)', () => {
    const body = logsWith(field.len(3, [0x66, 0xff, 0x6f, 0xe2, 0x82]));
    expect(decodeLogsRequest(body).resourceLogs![0].scopeLogs![0].logRecords![0].severityText).toBe('f\uFFFDo\uFFFD');
  });

  test('short strings shared across requests by the intern table stay exact: equal bytes, equal text; one byte apart, apart', () => {
    const severity = (text: Uint8Array | string) => {
      const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
      return decodeLogsRequest(logsWith(field.len(3, bytes))).resourceLogs![0].scopeLogs![0].logRecords![0].severityText;
    };
    const samples = ['model-a', 'model-b', 'model-a', 'gpt-5.5', 'gpt-5.6', 'é😀', 'x'.repeat(32), 'x'.repeat(31) + 'y', 'x'.repeat(33)];
    for (let round = 0; round < 3; round++) for (const text of samples) expect(severity(text)).toBe(text);
    for (let round = 0; round < 2; round++) expect(severity(Uint8Array.from([0x61, 0xc3]))).toBe('a\uFFFD');
    expect(severity(Uint8Array.from([0x61, 0xc3, 0xa9]))).toBe('aé');
  });

  test('a oneof member repeated on the wire: the last one wins', () => {
    const body = logsWith(field.len(5, bytesOf(field.string(1, 'first'), field.varint(3, 42))));
    expect(decodeLogsRequest(body).resourceLogs![0].scopeLogs![0].logRecords![0].body).toStrictEqual({ intValue: '42' });
  });
});

describe('malformed input throws MalformedRequestError and nothing else', () => {
  const bodies: [string, Decoder, Buffer][] = [
    ['001-logs.pb', decodeLogsRequest, fixture(CAPTURE, '001-logs.pb')],
    ['005-logs.pb', decodeLogsRequest, fixture(CAPTURE, '005-logs.pb')],
    ['003-traces.pb', decodeTraceRequest, fixture(CAPTURE, '003-traces.pb')],
  ];
  for (const [name, decode, body] of bodies) {
    test(`${name} truncated at every length: only whole top-level messages decode`, () => {
      const boundaries = topLevelBoundaries(body);
      for (let length = 0; length < body.length; length++) {
        const expected = boundaries.has(length) ? 'decoded' : 'malformed';
        if (outcome(decode, body.subarray(0, length)) !== expected) expect.fail(`prefix of ${length} bytes: expected ${expected}`);
      }
      expect(outcome(decode, body)).toBe('decoded');
    });
  }

  test('004-metrics.pb (165 KB) truncated at 2,000 spread lengths', () => {
    const body = fixture(CAPTURE, '004-metrics.pb');
    const boundaries = topLevelBoundaries(body);
    for (let i = 0; i < 2000; i++) {
      const length = Math.floor((i * body.length) / 2000);
      const expected = boundaries.has(length) ? 'decoded' : 'malformed';
      if (outcome(decodeMetricsRequest, body.subarray(0, length)) !== expected) expect.fail(`prefix of ${length} bytes: expected ${expected}`);
    }
  });

  const deepTargets: [string, Decoder, number][] = [
    ['001-logs.pb', decodeLogsRequest, 1],
    ['003-traces.pb', decodeTraceRequest, 1],
    ['004-metrics.pb', decodeMetricsRequest, 331],
  ];
  for (const [name, decode, step] of deepTargets) {
    test(`${name} cut deep inside at ${step === 1 ? 'every position' : `every ${step}th position`}, enclosing lengths rewritten`, () => {
      const body = fixture(CAPTURE, name);
      const fields = parseFields(body, 0, body.length)!;
      const seen = { decoded: 0, malformed: 0 };
      for (let cut = 0; cut < body.length; cut += step) seen[outcome(decode, truncateAt(body, fields, cut))]++;
      // Cuts between two fields of the innermost message leave a valid, shorter request; cuts inside
      // a field (mostly inside strings) do not. Both must occur, or the cutting did not reach inside.
      const total = seen.decoded + seen.malformed;
      expect(seen.decoded / total).toBeGreaterThan(0.01);
      expect(seen.malformed / total).toBeGreaterThan(0.5);
    });
  }

  test('1,000 seeded single-bit flips in the logs and metrics bodies', () => {
    const rng = new Prng(0xb17f11b);
    const targets: [Decoder, Buffer][] = [
      [decodeLogsRequest, fixture(CAPTURE, '001-logs.pb')],
      [decodeMetricsRequest, fixture(CAPTURE, '004-metrics.pb')],
    ];
    const seen = { decoded: 0, malformed: 0 };
    for (let i = 0; i < 1000; i++) {
      const [decode, original] = targets[i % 2];
      const body = Buffer.from(original);
      const at = rng.int(0, body.length - 1);
      body[at] ^= 1 << rng.int(0, 7);
      seen[outcome(decode, body)]++;
    }
    // Both outcomes occur: a flip inside a string or number still decodes, one in framing does not.
    expect(seen.decoded + seen.malformed).toBe(1000);
    expect(seen.decoded).toBeGreaterThan(0);
    expect(seen.malformed).toBeGreaterThan(0);
  });

  test('a known field with the wrong wire type', () => {
    expect(malformedMessage(decodeLogsRequest, field.varint(1, 3))).toMatch(/wrong wire type 0 for field 1 of ExportLogsServiceRequest/);
    expect(malformedMessage(decodeLogsRequest, logsWith(field.varint(1, 5)))).toMatch(/wrong wire type 0 for field 1 of LogRecord/);
    expect(malformedMessage(decodeLogsRequest, logsWith(field.fixed64(6, 5)))).toMatch(/wrong wire type 1 for field 6 of LogRecord/);
    expect(malformedMessage(decodeLogsRequest, logsWith(field.len(6, field.fixed32(1, 7))))).toMatch(/wrong wire type 5 for field 1 of KeyValue/);
    expect(malformedMessage(decodeTraceRequest, spansWith(field.varint(16, 1)))).toMatch(/wrong wire type 0 for field 16 of Span/);
    expect(malformedMessage(decodeMetricsRequest, histogramPointWith(field.fixed32(6, 1)))).toMatch(/wrong wire type 5 for field 6 of HistogramDataPoint/);
  });

  test('a length prefix of 2^31 (and 2^63) throws at once, allocating nothing', () => {
    for (const claimed of [2n ** 31n, 2n ** 63n]) {
      const started = performance.now();
      const before = process.memoryUsage().arrayBuffers;
      const message = malformedMessage(decodeLogsRequest, bytesOf(tag(1, 2), varint(claimed), [1, 2, 3]));
      expect(message).toMatch(/length \d+ at offset \d+ runs past the end \(3 bytes left\)/);
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
      expect(performance.now() - started).toBeLessThan(50);
    }
    // The same inside a string deep in a record.
    expect(malformedMessage(decodeLogsRequest, logsWith(bytesOf(tag(3, 2), varint(2 ** 31), [0x41])))).toMatch(/runs past the end/);
  });

  test('varints longer than 10 bytes, and varints cut short', () => {
    const eleven = [...Array(10).fill(0x80), 0x01];
    expect(malformedMessage(decodeLogsRequest, bytesOf(eleven))).toMatch(/varint longer than 10 bytes/);
    expect(malformedMessage(decodeLogsRequest, logsWith(bytesOf(tag(2, 0), eleven)))).toMatch(/varint longer than 10 bytes/);
    expect(malformedMessage(decodeLogsRequest, logsWith(anyValueAttribute(bytesOf(tag(3, 0), eleven))))).toMatch(/varint longer than 10 bytes/);
    expect(malformedMessage(decodeLogsRequest, bytesOf(tag(1, 2), eleven))).toMatch(/varint longer than 10 bytes/);
    expect(malformedMessage(decodeLogsRequest, bytesOf([0x80, 0x80]))).toMatch(/truncated varint/);
  });

  test(`AnyValue nesting: ${MAX_ANY_VALUE_DEPTH} levels decode, one more throws, 2,000 throw without exhausting the stack`, () => {
    const nested = (levels: number, kind: 'array' | 'kvlist') => {
      let value = field.string(1, 'leaf');
      for (let i = 0; i < levels; i++) {
        value = kind === 'array' ? field.len(5, field.len(1, value)) : field.len(6, field.len(1, bytesOf(field.string(1, 'k'), field.len(2, value))));
      }
      return logsWith(field.len(5, value));
    };
    for (const kind of ['array', 'kvlist'] as const) {
      let body: unknown = decodeLogsRequest(nested(MAX_ANY_VALUE_DEPTH, kind)).resourceLogs![0].scopeLogs![0].logRecords![0].body;
      for (let i = 0; i < MAX_ANY_VALUE_DEPTH; i++) {
        body = kind === 'array' ? (body as { arrayValue: { values: unknown[] } }).arrayValue.values[0] : (body as { kvlistValue: { values: { value: unknown }[] } }).kvlistValue.values[0].value;
      }
      expect(body).toStrictEqual({ stringValue: 'leaf' });
      expect(malformedMessage(decodeLogsRequest, nested(MAX_ANY_VALUE_DEPTH + 1, kind))).toMatch(/AnyValue nested deeper than 64/);
    }
    expect(malformedMessage(decodeLogsRequest, nested(2_000, 'array'))).toMatch(/AnyValue nested deeper than 64/);
  });

  test('groups, invalid wire types, field number 0, fields overrunning their message, ragged packed lists', () => {
    expect(malformedMessage(decodeLogsRequest, logsWith(bytesOf(tag(50, 3), tag(50, 4))))).toMatch(/group \(wire type 3\) in LogRecord/);
    expect(malformedMessage(decodeLogsRequest, bytesOf(tag(9, 4)))).toMatch(/group \(wire type 4\)/);
    expect(malformedMessage(decodeLogsRequest, bytesOf(tag(9, 6), [0]))).toMatch(/invalid wire type 6/);
    expect(malformedMessage(decodeLogsRequest, bytesOf(tag(9, 7), [0]))).toMatch(/invalid wire type 7/);
    expect(malformedMessage(decodeLogsRequest, bytesOf(tag(0, 2), [0]))).toMatch(/field number 0/);
    // A KeyValue of 4 bytes whose key claims 5: the string reaches into the next bytes of the buffer.
    const overrun = logsWith(bytesOf(tag(6, 2), [4], tag(1, 2), [5, 0x61, 0x62], fixed32(0x65646362)));
    expect(malformedMessage(decodeLogsRequest, overrun)).toMatch(/a field of KeyValue runs past the end of the message/);
    expect(malformedMessage(decodeMetricsRequest, histogramPointWith(field.len(6, Array(12).fill(0))))).toMatch(/not a multiple of 8/);
    expect(malformedMessage(decodeMetricsRequest, histogramPointWith(field.len(7, Array(9).fill(0))))).toMatch(/not a multiple of 8/);
    // A fixed64 cut short at the end of the body.
    expect(malformedMessage(decodeLogsRequest, bytesOf(tag(9, 1), [1, 2, 3]))).toMatch(/truncated fixed-width value/);
  });
});
