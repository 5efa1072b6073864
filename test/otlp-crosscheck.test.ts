/**
 * The proof that the hand-written protobuf decoder reads OTLP exactly: the same randomized SDK
 * batches are serialized by @opentelemetry/otlp-transformer to protobuf and to OTLP/JSON; our
 * protobuf decoder's output must equal what our JSON decoder passes through, field by field, after
 * the normalization of ./support/otlp/normalize.ts (each rule documented there).
 * A second part covers what those serializers never write, through an independent test encoder.
 */
import {
  JsonLogsSerializer,
  JsonMetricsSerializer,
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { describe, expect, test } from 'vitest';
import { decodeExportRequest } from '../src/collector/otlp/decode.js';
import type { Signal } from '../src/collector/otlp/types.js';
import { normalize, diff } from './support/otlp/normalize.js';
import { Prng } from './support/otlp/prng.js';
import { encodeMessage } from './support/otlp/proto-encode.js';
import { randomLogRecords, randomResourceMetrics, randomSpans } from './support/otlp/sdk-requests.js';
import { randomOtlpLogsRequest, randomOtlpMetricsRequest, randomOtlpTraceRequest } from './support/otlp/otlp-requests.js';

const BATCHES_PER_SIGNAL = 250;
/** Every this many batches, one carries ~100 KB strings. */
const HUGE_EVERY = 25;

interface SignalCase {
  signal: Signal;
  seed: number;
  /** Serializes one fresh random batch both ways. */
  batch(rng: Prng, allowHuge: boolean): { protobuf: Uint8Array; json: Uint8Array };
}

const CASES: SignalCase[] = [
  {
    signal: 'logs',
    seed: 0x10_65,
    batch(rng, allowHuge) {
      const records = randomLogRecords(rng, allowHuge);
      return { protobuf: ProtobufLogsSerializer.serializeRequest(records)!, json: JsonLogsSerializer.serializeRequest(records)! };
    },
  },
  {
    signal: 'metrics',
    seed: 0x3e_7c,
    batch(rng) {
      const metrics = randomResourceMetrics(rng);
      return { protobuf: ProtobufMetricsSerializer.serializeRequest(metrics)!, json: JsonMetricsSerializer.serializeRequest(metrics)! };
    },
  },
  {
    signal: 'traces',
    seed: 0x7a_ce,
    batch(rng, allowHuge) {
      const spans = randomSpans(rng, allowHuge);
      return { protobuf: ProtobufTraceSerializer.serializeRequest(spans)!, json: JsonTraceSerializer.serializeRequest(spans)! };
    },
  },
];

/** What the decoded batches contained, so the test can show the random data reached every case. */
class Coverage {
  readonly counts = new Map<string, number>();

  add(what: string): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
  }

  /** Walks a decoded (protobuf) request and counts the interesting shapes it holds. */
  walk(value: unknown, key = ''): void {
    if (Array.isArray(value)) {
      for (const item of value) this.walk(item, key);
      return;
    }
    if (typeof value === 'string') {
      if (value.length >= 99_000) this.add('huge string');
      if (/[\u{10000}-\u{10FFFF}]/u.test(value)) this.add('astral character');
      if (key === 'stringValue' && value === '') this.add('empty string');
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const obj = value as Record<string, unknown>;
    if (key === 'value' || key === 'body' || key === 'values') {
      const members = Object.keys(obj);
      this.add(members.length === 0 ? 'AnyValue empty' : `AnyValue ${members[0]}`);
      if (typeof obj.intValue === 'string') {
        const n = BigInt(obj.intValue);
        if (n < 0n) this.add('negative int');
        if (n > 2n ** 53n || n < -(2n ** 53n)) this.add('int beyond 2^53');
      }
      if (typeof obj.doubleValue === 'number' && !Number.isInteger(obj.doubleValue) && obj.doubleValue < 0) this.add('negative fractional double');
    }
    for (const kind of ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary']) {
      const data = obj[kind] as { aggregationTemporality?: number; isMonotonic?: boolean } | undefined;
      if (data && typeof data === 'object' && 'dataPoints' in data) {
        this.add(`metric ${kind}`);
        if (kind === 'sum') this.add(`sum temporality ${data.aggregationTemporality} monotonic ${data.isMonotonic === true}`);
      }
    }
    if (key === 'spans') {
      if (obj.events) this.add('span with events');
      if (obj.links) this.add('span with links');
      if (obj.parentSpanId) this.add('span with parent');
      this.add(`span status ${(obj.status as { code?: number } | undefined)?.code ?? 0}`);
    }
    for (const [k, v] of Object.entries(obj)) this.walk(v, k === 'values' && key === 'kvlistValue' ? 'kv' : k);
  }
}

describe('protobuf and OTLP/JSON encodings of the same SDK batches decode to the same content', () => {
  for (const { signal, seed, batch } of CASES) {
    test(`${signal}: ${BATCHES_PER_SIGNAL} random batches (seed ${seed})`, () => {
      const rng = new Prng(seed);
      const coverage = new Coverage();
      for (let i = 0; i < BATCHES_PER_SIGNAL; i++) {
        const encoded = batch(rng, i % HUGE_EVERY === 0);
        const fromProtobuf = decodeExportRequest(signal, 'protobuf', encoded.protobuf);
        const fromJson = decodeExportRequest(signal, 'json', encoded.json);
        const mismatches = diff(normalize(fromProtobuf), normalize(fromJson));
        if (mismatches.length > 0) expect.fail(`batch #${i} of seed ${seed} differs (protobuf != json):\n${mismatches.join('\n')}`);
        coverage.walk(fromProtobuf);
      }
      const seen = (what: string) => coverage.counts.get(what) ?? 0;
      if (signal === 'metrics') {
        for (const kind of ['gauge', 'sum', 'histogram', 'exponentialHistogram']) expect(seen(`metric ${kind}`), kind).toBeGreaterThan(20);
        for (const temporality of [1, 2]) {
          for (const monotonic of [true, false]) expect(seen(`sum temporality ${temporality} monotonic ${monotonic}`)).toBeGreaterThan(0);
        }
      } else {
        for (const kind of ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'bytesValue', 'arrayValue', 'kvlistValue']) {
          expect(seen(`AnyValue ${kind}`), kind).toBeGreaterThan(20);
        }
        for (const what of ['AnyValue empty', 'empty string', 'huge string', 'astral character', 'negative int', 'int beyond 2^53', 'negative fractional double']) {
          expect(seen(what), what).toBeGreaterThan(0);
        }
      }
      if (signal === 'traces') {
        for (const what of ['span with events', 'span with links', 'span with parent', 'span status 0', 'span status 1', 'span status 2']) {
          expect(seen(what), what).toBeGreaterThan(10);
        }
      }
    });
  }

  test('the comparison reports a changed field with its path', () => {
    // A check that cannot fail proves nothing: alter one decoded value and expect the diff to name it.
    const rng = new Prng(7);
    let records = randomLogRecords(rng, false);
    while (!records.some((r) => Object.keys(r.attributes).length > 0)) records = randomLogRecords(rng, false);
    const fromProtobuf = decodeExportRequest('logs', 'protobuf', ProtobufLogsSerializer.serializeRequest(records)!);
    const fromJson = decodeExportRequest('logs', 'json', JsonLogsSerializer.serializeRequest(records)!);
    expect(diff(normalize(fromProtobuf), normalize(fromJson))).toEqual([]);

    const scopeLogs = fromProtobuf.resourceLogs!.flatMap((r) => r.scopeLogs ?? []);
    const target = scopeLogs.flatMap((s) => s.logRecords ?? []).find((r) => (r.attributes?.length ?? 0) > 0)!;
    target.attributes![0].key += '!';
    const mismatches = diff(normalize(fromProtobuf), normalize(fromJson));
    expect(mismatches).toHaveLength(1);
    expect(mismatches[0]).toMatch(/^\$\.resourceLogs\[\d+\]\.scopeLogs\[\d+\]\.logRecords\[\d+\]\.attributes\[0\]\.key: /);
  });
});

describe('fields the OpenTelemetry JS serializers never write (exemplars, summaries, metadata, flags, 64-bit extremes)', () => {
  const cases = [
    { signal: 'logs', type: 'ExportLogsServiceRequest', make: randomOtlpLogsRequest, seed: 11 },
    { signal: 'metrics', type: 'ExportMetricsServiceRequest', make: randomOtlpMetricsRequest, seed: 12 },
    { signal: 'traces', type: 'ExportTraceServiceRequest', make: randomOtlpTraceRequest, seed: 13 },
  ] as const;
  for (const { signal, type, make, seed } of cases) {
    test(`${signal}: 150 random requests, packed or unpacked, fields in any order`, () => {
      const rng = new Prng(seed);
      let metricKinds = new Set<string>();
      for (let i = 0; i < 150; i++) {
        const source = make(rng) as Record<string, unknown>;
        const expected = normalize(source);
        const bytes = encodeMessage(type, source, { packed: rng.bool(), shuffle: rng.bool() ? rng : undefined });
        const fromProtobuf = decodeExportRequest(signal, 'protobuf', bytes);
        const protobufMismatches = diff(normalize(fromProtobuf), expected);
        if (protobufMismatches.length > 0) expect.fail(`request #${i} (protobuf):\n${protobufMismatches.join('\n')}`);
        const fromJson = decodeExportRequest(signal, 'json', new TextEncoder().encode(JSON.stringify(source)));
        const jsonMismatches = diff(normalize(fromJson), expected);
        if (jsonMismatches.length > 0) expect.fail(`request #${i} (json):\n${jsonMismatches.join('\n')}`);
        if (signal === 'metrics') {
          for (const rm of (fromProtobuf as { resourceMetrics?: { scopeMetrics?: { metrics?: object[] }[] }[] }).resourceMetrics ?? []) {
            for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) for (const k of Object.keys(m)) metricKinds.add(k);
          }
        }
      }
      if (signal === 'metrics') {
        metricKinds = new Set([...metricKinds].filter((k) => !['name', 'description', 'unit'].includes(k)));
        expect([...metricKinds].sort()).toEqual(['exponentialHistogram', 'gauge', 'histogram', 'metadata', 'sum', 'summary']);
      }
    });
  }
});
