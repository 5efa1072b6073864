/**
 * OTLP traces: Span with its events, links and status, and ExportTraceServiceRequest, and the
 * traces' skip filter (a resource's spans are skipped all alike, by no name).
 */
import type { ExportTraceServiceRequest, RecordSkipper, ResourceSpans, ScopeSpans, Span, SpanEvent, SpanLink } from '../types.js';
import { I32, I64, LEN, VARINT, fields, wireTable, type Reader } from './wire.js';
import { pushKeyValue } from './common.js';
import { requestDecoder, setSkippedCount } from './request.js';

// The `case` labels below are whole tags, (field number << 3) | wire type, with the field named
// in a comment: 10 = field 1 LEN, 16 = field 2 VARINT, 25 = field 3 I64, 133 = field 16 I32, ...

const EVENT_FIELDS = fields(1, 2, 3, 4);
function decodeSpanEvent(r: Reader, end: number): SpanEvent {
  const out: SpanEvent = {};
  while (r.pos < end) {
    const tag = r.varint32();
    switch (tag) {
      case 9: {
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.timeUnixNano = v;
        else if (out.timeUnixNano !== undefined) delete out.timeUnixNano;
        break;
      }
      case 18: {
        const s = r.string();
        if (s !== '') out.name = s;
        else if (out.name !== undefined) delete out.name;
        break;
      }
      case 26:
        out.attributes = pushKeyValue(r, out.attributes);
        break;
      case 32: {
        const n = r.varint32();
        if (n !== 0) out.droppedAttributesCount = n;
        else if (out.droppedAttributesCount !== undefined) delete out.droppedAttributesCount;
        break;
      }
      default:
        r.skip(tag, EVENT_FIELDS, 'Span.Event');
    }
  }
  r.expectEnd(end, 'Span.Event');
  return out;
}

const LINK_FIELDS = fields(1, 2, 3, 4, 5, 6);
function decodeSpanLink(r: Reader, end: number): SpanLink {
  const out: SpanLink = {};
  while (r.pos < end) {
    const tag = r.varint32();
    switch (tag) {
      case 10: {
        const s = r.hex();
        if (s !== '') out.traceId = s;
        else if (out.traceId !== undefined) delete out.traceId;
        break;
      }
      case 18: {
        const s = r.hex();
        if (s !== '') out.spanId = s;
        else if (out.spanId !== undefined) delete out.spanId;
        break;
      }
      case 26: {
        const s = r.string();
        if (s !== '') out.traceState = s;
        else if (out.traceState !== undefined) delete out.traceState;
        break;
      }
      case 34:
        out.attributes = pushKeyValue(r, out.attributes);
        break;
      case 40: {
        const n = r.varint32();
        if (n !== 0) out.droppedAttributesCount = n;
        else if (out.droppedAttributesCount !== undefined) delete out.droppedAttributesCount;
        break;
      }
      case 53: {
        // 6 flags fixed32
        const n = r.fixed32();
        if (n !== 0) out.flags = n;
        else if (out.flags !== undefined) delete out.flags;
        break;
      }
      default:
        r.skip(tag, LINK_FIELDS, 'Span.Link');
    }
  }
  r.expectEnd(end, 'Span.Link');
  return out;
}

const STATUS_FIELDS = fields(2, 3);
function decodeStatus(r: Reader, end: number): { message?: string; code?: number } {
  const out: { message?: string; code?: number } = {};
  while (r.pos < end) {
    const tag = r.varint32();
    if (tag === 18) {
      const s = r.string();
      if (s !== '') out.message = s;
      else if (out.message !== undefined) delete out.message;
    } else if (tag === 24) {
      const n = r.int32();
      if (n !== 0) out.code = n;
      else if (out.code !== undefined) delete out.code;
    } else r.skip(tag, STATUS_FIELDS, 'Status');
  }
  r.expectEnd(end, 'Status');
  return out;
}

const SPAN_FIELDS = fields(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
function decodeSpan(r: Reader, end: number): Span {
  const out: Span = {};
  while (r.pos < end) {
    const tag = r.varint32();
    switch (tag) {
      case 10: {
        const s = r.hex();
        if (s !== '') out.traceId = s;
        else if (out.traceId !== undefined) delete out.traceId;
        break;
      }
      case 18: {
        const s = r.hex();
        if (s !== '') out.spanId = s;
        else if (out.spanId !== undefined) delete out.spanId;
        break;
      }
      case 26: {
        const s = r.string();
        if (s !== '') out.traceState = s;
        else if (out.traceState !== undefined) delete out.traceState;
        break;
      }
      case 34: {
        const s = r.hex();
        if (s !== '') out.parentSpanId = s;
        else if (out.parentSpanId !== undefined) delete out.parentSpanId;
        break;
      }
      case 133: {
        // 16 flags fixed32 (a two-byte tag)
        const n = r.fixed32();
        if (n !== 0) out.flags = n;
        else if (out.flags !== undefined) delete out.flags;
        break;
      }
      case 42: {
        const s = r.string();
        if (s !== '') out.name = s;
        else if (out.name !== undefined) delete out.name;
        break;
      }
      case 48: {
        // 6 kind enum
        const n = r.int32();
        if (n !== 0) out.kind = n;
        else if (out.kind !== undefined) delete out.kind;
        break;
      }
      case 57: {
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.startTimeUnixNano = v;
        else if (out.startTimeUnixNano !== undefined) delete out.startTimeUnixNano;
        break;
      }
      case 65: {
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.endTimeUnixNano = v;
        else if (out.endTimeUnixNano !== undefined) delete out.endTimeUnixNano;
        break;
      }
      case 74:
        out.attributes = pushKeyValue(r, out.attributes);
        break;
      case 80: {
        const n = r.varint32();
        if (n !== 0) out.droppedAttributesCount = n;
        else if (out.droppedAttributesCount !== undefined) delete out.droppedAttributesCount;
        break;
      }
      case 90:
        (out.events ??= []).push(decodeSpanEvent(r, r.lengthEnd()));
        break;
      case 96: {
        const n = r.varint32();
        if (n !== 0) out.droppedEventsCount = n;
        else if (out.droppedEventsCount !== undefined) delete out.droppedEventsCount;
        break;
      }
      case 106:
        (out.links ??= []).push(decodeSpanLink(r, r.lengthEnd()));
        break;
      case 112: {
        const n = r.varint32();
        if (n !== 0) out.droppedLinksCount = n;
        else if (out.droppedLinksCount !== undefined) delete out.droppedLinksCount;
        break;
      }
      case 122: // 15 status
        out.status = decodeStatus(r, r.lengthEnd());
        break;
      default:
        r.skip(tag, SPAN_FIELDS, 'Span');
    }
  }
  r.expectEnd(end, 'Span');
  return out;
}

const SPAN_WIRES = wireTable({ 1: LEN, 2: LEN, 3: LEN, 4: LEN, 5: LEN, 6: VARINT, 7: I64, 8: I64, 9: LEN, 10: VARINT, 11: LEN, 12: VARINT, 13: LEN, 14: VARINT, 15: LEN, 16: I32 });

/**
 * RecordSkipping.dropReason for a Span: the skipper drops all of a resource's spans alike, by no
 * name. A dropped span's fields are checked for framing and wire types; none is read.
 */
function spanDropReason(r: Reader, end: number, skipper: RecordSkipper): string | undefined {
  const reason = skipper.spanDropReason!();
  if (reason === undefined) return undefined;
  while (r.pos < end) r.skipScanned(r.varint32(), SPAN_WIRES, 'Span');
  r.expectEnd(end, 'Span');
  setSkippedCount(1);
  return reason;
}

export const decodeTraceRequest = requestDecoder<ExportTraceServiceRequest, ResourceSpans, ScopeSpans>(
  {
    requestMessage: 'ExportTraceServiceRequest',
    resourceMessage: 'ResourceSpans',
    scopeMessage: 'ScopeSpans',
    resourcesKey: 'resourceSpans',
    scopesKey: 'scopeSpans',
    recordsKey: 'spans',
  },
  decodeSpan,
  { method: 'spanDropReason', dropReason: spanDropReason, skippedKey: 'skippedSpans' },
);
