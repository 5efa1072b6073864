import {
  JsonLogsSerializer,
  JsonMetricsSerializer,
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { describe, expect, test } from 'vitest';
import { encodeExportResponse, encodeStatus } from '../src/collector/otlp/response.js';
import type { Signal } from '../src/collector/otlp/types.js';
import { readStatus } from './support/otlp/rpc-status.js';

const utf8 = new TextEncoder();
const asBytes = (body: Uint8Array | string) => (typeof body === 'string' ? utf8.encode(body) : body);

// The OpenTelemetry JS exporters' own response readers: what a real SDK client makes of our answer.
const READERS: Record<Signal, { protobuf: (b: Uint8Array) => unknown; json: (b: Uint8Array) => unknown; field: string }> = {
  logs: { protobuf: ProtobufLogsSerializer.deserializeResponse, json: JsonLogsSerializer.deserializeResponse, field: 'rejectedLogRecords' },
  metrics: { protobuf: ProtobufMetricsSerializer.deserializeResponse, json: JsonMetricsSerializer.deserializeResponse, field: 'rejectedDataPoints' },
  traces: { protobuf: ProtobufTraceSerializer.deserializeResponse, json: JsonTraceSerializer.deserializeResponse, field: 'rejectedSpans' },
};

describe('Export*ServiceResponse', () => {
  test('nothing rejected: an empty message in both encodings', () => {
    for (const signal of ['logs', 'metrics', 'traces'] as const) {
      const protobuf = encodeExportResponse(signal, 'protobuf', 0);
      expect(protobuf.contentType).toBe('application/x-protobuf');
      expect(asBytes(protobuf.body)).toEqual(new Uint8Array(0));
      expect(READERS[signal].protobuf(asBytes(protobuf.body))).toEqual({});
      const json = encodeExportResponse(signal, 'json', 0);
      expect(json).toEqual({ body: '{}', contentType: 'application/json' });
      expect(READERS[signal].json(asBytes(json.body))).toEqual({});
    }
  });

  test('exact bytes of a small partial success', () => {
    // ExportLogsServiceResponse{ partial_success(1): { rejected_log_records(1): 3, error_message(2): "x" } }
    expect(asBytes(encodeExportResponse('logs', 'protobuf', 3, 'x').body)).toEqual(Uint8Array.from([0x0a, 0x05, 0x08, 0x03, 0x12, 0x01, 0x78]));
    expect(encodeExportResponse('logs', 'json', 3, 'x').body).toBe('{"partialSuccess":{"rejectedLogRecords":"3","errorMessage":"x"}}');
    // 300 as a two-byte varint.
    expect(asBytes(encodeExportResponse('traces', 'protobuf', 300).body)).toEqual(Uint8Array.from([0x0a, 0x03, 0x08, 0xac, 0x02]));
  });

  test('the OpenTelemetry JS response readers read back the count and message of every signal', () => {
    for (const signal of ['logs', 'metrics', 'traces'] as const) {
      for (const [rejected, message] of [[1, 'one record could not be mapped'], [123456789, 'é 😀 unicode'], [7, undefined]] as const) {
        const expected = { partialSuccess: { [READERS[signal].field]: rejected, ...(message ? { errorMessage: message } : {}) } };
        expect(READERS[signal].protobuf(asBytes(encodeExportResponse(signal, 'protobuf', rejected, message).body))).toEqual(expected);
        // JSON keeps the int64 as a string, as the proto3 JSON mapping writes it.
        const json = READERS[signal].json(asBytes(encodeExportResponse(signal, 'json', rejected, message).body));
        expect(json).toEqual({ partialSuccess: { [READERS[signal].field]: String(rejected), ...(message ? { errorMessage: message } : {}) } });
      }
    }
  });

  test('a message with nothing rejected is a warning: partial_success carries only the message', () => {
    expect(READERS.metrics.protobuf(asBytes(encodeExportResponse('metrics', 'protobuf', 0, 'heads up').body))).toEqual({ partialSuccess: { errorMessage: 'heads up' } });
    expect(encodeExportResponse('metrics', 'json', 0, 'heads up').body).toBe('{"partialSuccess":{"errorMessage":"heads up"}}');
  });

  test('a rejected count that is not a non-negative integer is a programming error', () => {
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 60]) expect(() => encodeExportResponse('logs', 'json', bad)).toThrow(RangeError);
  });
});

describe('google.rpc.Status for failures', () => {
  test('exact bytes and JSON', () => {
    expect(asBytes(encodeStatus('protobuf', 3, 'bad').body)).toEqual(Uint8Array.from([0x08, 0x03, 0x12, 0x03, 0x62, 0x61, 0x64]));
    expect(encodeStatus('protobuf', 3, 'bad').contentType).toBe('application/x-protobuf');
    expect(encodeStatus('json', 3, 'bad')).toEqual({ body: '{"code":3,"message":"bad"}', contentType: 'application/json' });
  });

  test('read back: multi-byte and negative codes, unicode messages, defaults left out', () => {
    for (const [code, message] of [[400, 'malformed protobuf logs request: truncated varint'], [-2, 'négatif'], [2147483647, '😀'], [0, ''], [13, '']] as const) {
      const protobuf = readStatus(asBytes(encodeStatus('protobuf', code, message).body));
      const json = JSON.parse(encodeStatus('json', code, message).body as string);
      const expected = { ...(code !== 0 ? { code } : {}), ...(message !== '' ? { message } : {}) };
      expect(protobuf).toEqual(expected);
      expect(json).toEqual(expected);
    }
    expect(asBytes(encodeStatus('protobuf', -2, '').body)).toHaveLength(11); // int32 -2: tag + 10-byte varint
  });

  test('a code outside int32 is a programming error', () => {
    expect(() => encodeStatus('json', 2 ** 31, 'x')).toThrow(RangeError);
    expect(() => encodeStatus('protobuf', 1.5, 'x')).toThrow(RangeError);
  });
});
