/**
 * OTLP logs: LogRecord and ExportLogsServiceRequest, and the logs' skip filter (a record is
 * skipped by the string value of its `event.name` attribute).
 */
import type { ExportLogsServiceRequest, LogRecord, RecordSkipper, ResourceLogs, ScopeLogs } from '../types.js';
import { I32, I64, LEN, VARINT, fields, wireTable, type Reader } from './wire.js';
import { decodeAnyValue, pushKeyValue } from './common.js';
import { requestDecoder, setSkippedCount } from './request.js';

// The `case` labels below are whole tags, (field number << 3) | wire type, with the field named
// in a comment: 10 = field 1 LEN, 16 = field 2 VARINT, 25 = field 3 I64, 133 = field 16 I32, ...

const LOG_RECORD_FIELDS = fields(1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12);
function decodeLogRecord(r: Reader, end: number): LogRecord {
  const out: LogRecord = {};
  while (r.pos < end) {
    const tag = r.varint32();
    switch (tag) {
      case 9: {
        // 1 time_unix_nano fixed64
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.timeUnixNano = v;
        else if (out.timeUnixNano !== undefined) delete out.timeUnixNano;
        break;
      }
      case 89: {
        // 11 observed_time_unix_nano fixed64
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.observedTimeUnixNano = v;
        else if (out.observedTimeUnixNano !== undefined) delete out.observedTimeUnixNano;
        break;
      }
      case 16: {
        // 2 severity_number enum
        const n = r.int32();
        if (n !== 0) out.severityNumber = n;
        else if (out.severityNumber !== undefined) delete out.severityNumber;
        break;
      }
      case 26: {
        // 3 severity_text
        const s = r.string();
        if (s !== '') out.severityText = s;
        else if (out.severityText !== undefined) delete out.severityText;
        break;
      }
      case 42: // 5 body AnyValue
        out.body = decodeAnyValue(r, r.lengthEnd(), 0);
        break;
      case 50: // 6 attributes
        out.attributes = pushKeyValue(r, out.attributes);
        break;
      case 56: {
        // 7 dropped_attributes_count
        const n = r.varint32();
        if (n !== 0) out.droppedAttributesCount = n;
        else if (out.droppedAttributesCount !== undefined) delete out.droppedAttributesCount;
        break;
      }
      case 69: {
        // 8 flags fixed32
        const n = r.fixed32();
        if (n !== 0) out.flags = n;
        else if (out.flags !== undefined) delete out.flags;
        break;
      }
      case 74: {
        // 9 trace_id
        const s = r.hex();
        if (s !== '') out.traceId = s;
        else if (out.traceId !== undefined) delete out.traceId;
        break;
      }
      case 82: {
        // 10 span_id
        const s = r.hex();
        if (s !== '') out.spanId = s;
        else if (out.spanId !== undefined) delete out.spanId;
        break;
      }
      case 98: {
        // 12 event_name
        const s = r.string();
        if (s !== '') out.eventName = s;
        else if (out.eventName !== undefined) delete out.eventName;
        break;
      }
      default:
        r.skip(tag, LOG_RECORD_FIELDS, 'LogRecord');
    }
  }
  r.expectEnd(end, 'LogRecord');
  return out;
}

const LOG_RECORD_WIRES = wireTable({ 1: I64, 2: VARINT, 3: LEN, 5: LEN, 6: LEN, 7: VARINT, 8: I32, 9: LEN, 10: LEN, 11: I64, 12: LEN });
const KEY_VALUE_WIRES = wireTable({ 1: LEN, 2: LEN });
const ANY_VALUE_WIRES = wireTable({ 1: LEN, 2: VARINT, 3: VARINT, 4: I64, 5: LEN, 6: LEN, 7: LEN });
const EVENT_NAME_KEY = Buffer.from('event.name', 'utf8');

/** Whether buf[start, end) holds exactly `bytes`. */
function bytesEqual(buf: Uint8Array, start: number, end: number, bytes: Uint8Array): boolean {
  if (end - start !== bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (buf[start + i] !== bytes[i]) return false;
  return true;
}

/**
 * The string of the AnyValue in [start, end), or undefined when its oneof holds anything else
 * (the last member on the wire wins, as in decodeAnyValue). Leaves r.pos anywhere.
 */
function scanStringValue(r: Reader, start: number, end: number): string | undefined {
  r.pos = start;
  let stringAt = -1;
  while (r.pos < end) {
    const tag = r.varint32();
    if (tag === 10) {
      // 1 string_value
      stringAt = r.pos;
      r.pos = r.lengthEnd();
    } else {
      // Fields 2-7 are the other members: one of them after the string replaces it.
      const field = tag >>> 3;
      if (field >= 2 && field <= 7) stringAt = -1;
      r.skipScanned(tag, ANY_VALUE_WIRES, 'AnyValue');
    }
  }
  r.expectEnd(end, 'AnyValue');
  if (stringAt === -1) return undefined;
  r.pos = stringAt;
  return r.string();
}

/**
 * RecordSkipping.dropReason for a LogRecord: its last `event.name` attribute (keys compared as
 * bytes) when that is a string the skipper drops. The record's fields and its attributes'
 * KeyValue fields are checked for framing and wire types on the way; other values are not read.
 */
function logRecordDropReason(r: Reader, end: number, skipper: RecordSkipper): string | undefined {
  const start = r.pos;
  const buf = r.buf;
  // The value of the last KeyValue keyed `event.name`: -1 none; -2 one without a value.
  let nameValueStart = -1;
  let nameValueEnd = -1;
  while (r.pos < end) {
    const tag = r.varint32();
    if (tag !== 50) {
      r.skipScanned(tag, LOG_RECORD_WIRES, 'LogRecord');
      continue;
    }
    // 6 attributes: a KeyValue; a repeated key or value keeps the last, as decodeKeyValue does.
    const kvEnd = r.lengthEnd();
    let keyStart = 0;
    let keyEnd = 0;
    let valueStart = -2;
    let valueEnd = -2;
    while (r.pos < kvEnd) {
      const kvTag = r.varint32();
      if (kvTag === 10) {
        keyEnd = r.lengthEnd();
        keyStart = r.pos;
        r.pos = keyEnd;
      } else if (kvTag === 18) {
        valueEnd = r.lengthEnd();
        valueStart = r.pos;
        r.pos = valueEnd;
      } else r.skipScanned(kvTag, KEY_VALUE_WIRES, 'KeyValue');
    }
    r.expectEnd(kvEnd, 'KeyValue');
    if (bytesEqual(buf, keyStart, keyEnd, EVENT_NAME_KEY)) {
      nameValueStart = valueStart;
      nameValueEnd = valueEnd;
    }
  }
  r.expectEnd(end, 'LogRecord');
  const eventName = nameValueStart >= 0 ? scanStringValue(r, nameValueStart, nameValueEnd) : undefined;
  const reason = eventName === undefined ? undefined : skipper.logDropReason!(eventName);
  r.pos = reason === undefined ? start : end;
  setSkippedCount(1);
  return reason;
}

export const decodeLogsRequest = requestDecoder<ExportLogsServiceRequest, ResourceLogs, ScopeLogs>(
  {
    requestMessage: 'ExportLogsServiceRequest',
    resourceMessage: 'ResourceLogs',
    scopeMessage: 'ScopeLogs',
    resourcesKey: 'resourceLogs',
    scopesKey: 'scopeLogs',
    recordsKey: 'logRecords',
  },
  decodeLogRecord,
  { method: 'logDropReason', dropReason: logRecordDropReason, skippedKey: 'skippedRecords' },
);
