/**
 * OTLP/HTTP response bodies, in the encoding of the request
 * (https://opentelemetry.io/docs/specs/otlp/#otlphttp-response):
 * - success: Export{Logs,Metrics,Trace}ServiceResponse, with `partial_success` (field 1) only when
 *   something was rejected or there is a message: `rejected_log_records` / `rejected_data_points` /
 *   `rejected_spans` (int64, field 1) and `error_message` (string, field 2);
 * - failure: google.rpc.Status, `code` (int32, field 1) and `message` (string, field 2).
 * Fields at their proto3 default are left out in both encodings; JSON writes int64 as a string,
 * as the proto3 JSON mapping does.
 */
import type { Encoding, Signal } from './types.js';

export interface EncodedBody {
  body: Uint8Array | string;
  contentType: string;
}

const CONTENT_TYPE: Record<Encoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

const REJECTED_FIELD: Record<Signal, string> = {
  logs: 'rejectedLogRecords',
  metrics: 'rejectedDataPoints',
  traces: 'rejectedSpans',
};

const utf8 = new TextEncoder();

/** A minimal protobuf writer: enough for these two small messages. */
class Writer {
  private readonly bytes: number[] = [];

  /** Non-negative integers up to 2^53 (int64/uint64 varints). */
  varint(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.bytes.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.bytes.push(v);
  }

  /** int32 varint: a negative value is sign-extended to 10 bytes, as protobuf requires. */
  int32(value: number): void {
    if (value >= 0) return this.varint(value);
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.bytes.push(Number(v));
  }

  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  lengthDelimited(field: number, content: Uint8Array): void {
    this.tag(field, 2);
    this.varint(content.length);
    for (const b of content) this.bytes.push(b);
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

function checkCount(rejected: number): void {
  if (!Number.isSafeInteger(rejected) || rejected < 0) throw new RangeError(`rejected must be a non-negative integer, got ${rejected}`);
}

/** The Export*ServiceResponse for a request of `signal` of which `rejected` records were refused. */
export function encodeExportResponse(signal: Signal, encoding: Encoding, rejected: number, message?: string): EncodedBody {
  checkCount(rejected);
  const hasPartialSuccess = rejected > 0 || (message !== undefined && message !== '');
  if (encoding === 'json') {
    if (!hasPartialSuccess) return { body: '{}', contentType: CONTENT_TYPE.json };
    const partialSuccess: Record<string, string> = {};
    if (rejected > 0) partialSuccess[REJECTED_FIELD[signal]] = String(rejected);
    if (message) partialSuccess.errorMessage = message;
    return { body: JSON.stringify({ partialSuccess }), contentType: CONTENT_TYPE.json };
  }
  if (!hasPartialSuccess) return { body: new Uint8Array(0), contentType: CONTENT_TYPE.protobuf };
  const partial = new Writer();
  if (rejected > 0) {
    partial.tag(1, 0);
    partial.varint(rejected);
  }
  if (message) partial.lengthDelimited(2, utf8.encode(message));
  const response = new Writer();
  response.lengthDelimited(1, partial.finish());
  return { body: response.finish(), contentType: CONTENT_TYPE.protobuf };
}

/** A google.rpc.Status body for a failed request. */
export function encodeStatus(encoding: Encoding, code: number, message: string): EncodedBody {
  if (!Number.isInteger(code) || code < -2147483648 || code > 2147483647) throw new RangeError(`code must be an int32, got ${code}`);
  if (encoding === 'json') {
    const status: { code?: number; message?: string } = {};
    if (code !== 0) status.code = code;
    if (message !== '') status.message = message;
    return { body: JSON.stringify(status), contentType: CONTENT_TYPE.json };
  }
  const w = new Writer();
  if (code !== 0) {
    w.tag(1, 0);
    w.int32(code);
  }
  if (message !== '') w.lengthDelimited(2, utf8.encode(message));
  return { body: w.finish(), contentType: CONTENT_TYPE.protobuf };
}
