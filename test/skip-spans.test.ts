// Spans under the SkipFilter: unless the user asks for Codex spans (include-codex-spans), the
// Codex rules drop every span, so both decoders count them unread. The outcome (written lines,
// received and dropped counts, refusals) must be what full decoding gives.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { describe, expect, test } from 'vitest';
import { harnessSkipFilter } from '../src/collector/keep-map.js';
import { decodeExportRequest } from '../src/collector/otlp/decode.js';
import { MalformedRequestError, type Encoding, type ExportTraceServiceRequest } from '../src/collector/otlp/types.js';
import { FIXTURES } from './support/otlp/fixtures.js';
import { Prng } from './support/otlp/prng.js';
import { bytesOf, encodeMessage, field } from './support/otlp/proto-encode.js';
import { randomSpans } from './support/otlp/sdk-requests.js';
import { expectSameOutcome, freezeReceiveTime, TWO_SERVICES, WITHOUT_SPANS } from './support/skip-check.js';

freezeReceiveTime();

const SPAN_NOT_REQUESTED = 'codex_span_not_requested';
const WITHOUT_SPANS_FILTER = harnessSkipFilter(WITHOUT_SPANS);

function decodedSpans(request: ExportTraceServiceRequest): number {
  return (request.resourceSpans ?? []).reduce((n, rs) => n + (rs.scopeSpans ?? []).reduce((m, ss) => m + (ss.spans?.length ?? 0), 0), 0);
}

function skippedSpans(request: ExportTraceServiceRequest): Record<string, number> {
  const total: Record<string, number> = {};
  for (const rs of request.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) for (const [reason, n] of Object.entries(ss.skippedSpans ?? {})) total[reason] = (total[reason] ?? 0) + n;
  }
  return total;
}

const TRACE_FIXTURES = (() => {
  const out: { encoding: Encoding; file: string }[] = [];
  for (const capture of readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const line of readFileSync(path.join(FIXTURES, capture, 'requests.jsonl'), 'utf8').split('\n').filter(Boolean)) {
      const request = JSON.parse(line) as { path: string; content_type: string; body_file: string };
      if (request.path !== '/v1/traces') continue;
      out.push({ encoding: request.content_type === 'application/json' ? 'json' : 'protobuf', file: path.join(capture, request.body_file) });
    }
  }
  return out;
})();

describe('real Codex trace exports', () => {
  test('every span is counted unread when spans are not asked for, and decoded when they are', () => {
    expect(TRACE_FIXTURES.map((f) => `${f.encoding} ${f.file}`)).toEqual([
      'json interval-exports-json/004-traces.json',
      'json interval-exports-json/006-traces.json',
      'json tool-call-json/001-traces.json',
      'json tool-call-json/002-traces.json',
      'protobuf tool-call-protobuf/002-traces.pb',
      'protobuf tool-call-protobuf/003-traces.pb',
    ]);
    const spansBy: Record<Encoding, number> = { json: 0, protobuf: 0 };
    for (const { encoding, file } of TRACE_FIXTURES) {
      const body = readFileSync(path.join(FIXTURES, file));
      const skipping = expectSameOutcome('traces', encoding, body, WITHOUT_SPANS);
      const spans = decodedSpans(skipping.full as ExportTraceServiceRequest);
      expect(spans, file).toBeGreaterThan(0);
      expect(decodedSpans(skipping.skipping as ExportTraceServiceRequest), file).toBe(0);
      expect(skippedSpans(skipping.skipping as ExportTraceServiceRequest), file).toEqual({ [SPAN_NOT_REQUESTED]: spans });
      expect({ events: skipping.events, received: skipping.received, dropped: skipping.dropped }, file).toEqual({ events: 0, received: spans, dropped: { [SPAN_NOT_REQUESTED]: spans } });

      // include-codex-spans: every span decoded and written.
      const keeping = expectSameOutcome('traces', encoding, body);
      expect(skippedSpans(keeping.skipping as ExportTraceServiceRequest), file).toEqual({});
      expect(keeping.events, file).toBe(spans);
      spansBy[encoding] += spans;
    }
    // Each capture's two exports hold 512 and 19 spans (the JSON ones counted with Python's json module too).
    expect(spansBy).toEqual({ json: 2 * (512 + 19), protobuf: 512 + 19 });
  });
});


describe('randomized SDK span batches (@opentelemetry/otlp-transformer), Codex and another service', () => {
  test.each([
    ['protobuf', (spans: ReadableSpan[]) => ProtobufTraceSerializer.serializeRequest(spans)!],
    ['json', (spans: ReadableSpan[]) => JsonTraceSerializer.serializeRequest(spans)!],
  ] as const)('%s: the Codex spans are skipped, the others decoded and written', (encoding, serialize) => {
    const rng = new Prng(encoding === 'json' ? 71 : 72);
    let codexSpans = 0;
    let otherSpans = 0;
    for (let batch = 0; batch < 150; batch++) {
      const spans = randomSpans(rng, rng.bool(0.03)).map((span) => {
        const codex = rng.bool(0.7);
        if (codex) codexSpans++;
        else otherSpans++;
        return { ...span, resource: codex ? TWO_SERVICES.codex : TWO_SERVICES.other } as unknown as ReadableSpan;
      });
      const outcome = expectSameOutcome('traces', encoding, serialize(spans), WITHOUT_SPANS);
      const codexHere = spans.filter((s) => s.resource === TWO_SERVICES.codex).length;
      expect(skippedSpans(outcome.skipping as ExportTraceServiceRequest)).toEqual(codexHere > 0 ? { [SPAN_NOT_REQUESTED]: codexHere } : {});
      expect(decodedSpans(outcome.skipping as ExportTraceServiceRequest)).toBe(spans.length - codexHere);
      expect(outcome.events).toBe(spans.length - codexHere);
    }
    // Both kinds were exercised, many times.
    expect(codexSpans).toBeGreaterThan(300);
    expect(otherSpans).toBeGreaterThan(100);
  });
});

const CODEX_RESOURCE_JSON = { attributes: [{ key: 'service.name', value: { stringValue: 'codex_exec' } }] };

describe('a skipped span is still checked', () => {
  const good = encodeMessage('Span', { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'session_task.turn', kind: 1 });
  const tracesAround = (span: Uint8Array): Uint8Array => {
    const scopeSpans = bytesOf(field.len(2, good), field.len(2, span));
    const resourceSpans = bytesOf(field.len(1, encodeMessage('Resource', CODEX_RESOURCE_JSON)), field.len(2, scopeSpans));
    return field.len(1, resourceSpans);
  };
  const protobufCases: [string, Uint8Array][] = [
    ['a field running past the span', bytesOf(good, [0x2a, 0x05, 0x0a, 0x01])],
    ['a known field with the wrong wire type (kind as bytes)', bytesOf(good, field.len(6, [1]))],
    ['a group (an unknown field 20)', bytesOf(good, [0xa3, 0x01])],
    ['field number 0', bytesOf(good, [0x02, 0x00])],
    ['a truncated fixed64 start time', bytesOf(good, [0x39, 1, 2, 3])],
    ['flags (field 16) as a varint', bytesOf(good, [0x80, 0x01, 0x01])],
  ];
  test.each(protobufCases)('protobuf, refused with and without the filter: %s', (_name, span) => {
    const body = tracesAround(span);
    expect(() => decodeExportRequest('traces', 'protobuf', body)).toThrow(MalformedRequestError);
    expect(() => decodeExportRequest('traces', 'protobuf', body, WITHOUT_SPANS_FILTER)).toThrow(MalformedRequestError);
  });

  test('protobuf: a well-framed span with unknown fields is skipped and counted', () => {
    const body = tracesAround(bytesOf(good, field.varint(40, 5), field.len(41, [1, 2, 3])));
    const outcome = expectSameOutcome('traces', 'protobuf', body, WITHOUT_SPANS);
    expect(skippedSpans(outcome.skipping as ExportTraceServiceRequest)).toEqual({ [SPAN_NOT_REQUESTED]: 2 });
  });

  const jsonBody = (span: string) => Buffer.from(`{"resourceSpans":[{"resource":${JSON.stringify(CODEX_RESOURCE_JSON)},"scopeSpans":[{"spans":[{"name":"ok"},${span}]}]}]}`);
  const jsonCases: [string, string][] = [
    ['attributes not an array', '{"attributes": 5}'],
    ['an attribute value not an object', '{"attributes": [{"key": "a", "value": "b"}]}'],
    ['status an array', '{"status": []}'],
    ['an event not an object', '{"events": [1]}'],
    ['an event attribute value not an object', '{"events": [{"attributes": [{"key": "a", "value": 1}]}]}'],
    ['links attributes an object', '{"links": [{"attributes": {}}]}'],
    ['the last of a repeated member broken', '{"attributes": [], "attributes": "x"}'],
  ];
  test.each(jsonCases)('json, refused with the same message with and without the filter: %s', (_name, span) => {
    const body = jsonBody(span);
    let message = '';
    try {
      decodeExportRequest('traces', 'json', body);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^json: \$\.resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[1\]/);
    expect(() => decodeExportRequest('traces', 'json', body, WITHOUT_SPANS_FILTER)).toThrow(message);
  });

  test('json: a span of odd but valid shape (nulls, unknown members, repeated members) is skipped and counted', () => {
    const body = jsonBody('{"attributes": "x", "attributes": null, "status": null, "events": [{"attributes": null}], "links": null, "other": [1, {"a": [null]}]}');
    const outcome = expectSameOutcome('traces', 'json', body, WITHOUT_SPANS);
    expect(skippedSpans(outcome.skipping as ExportTraceServiceRequest)).toEqual({ [SPAN_NOT_REQUESTED]: 2 });
    expect(outcome.received).toBe(2);
  });
});
