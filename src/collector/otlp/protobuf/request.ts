/**
 * The containers above the records, alike in every signal: ExportXServiceRequest, ResourceX and
 * ScopeX, decoded by one generic decoder (they are few per request), and the SkipFilter path that
 * counts the records a signal's RecordSkipping drops instead of decoding them.
 */
import type { RecordSkipper, Resource, SkipFilter } from '../types.js';
import { LEN, Reader, fields, wireTable } from './wire.js';
import { decodeResource, decodeScope } from './common.js';

export type MessageDecoder<T> = (r: Reader, end: number) => T;

/**
 * A message made of an optional singular head message, one repeated child message and an optional
 * schema_url: the shape of the export request, ResourceX and ScopeX of every signal.
 */
interface ContainerLayout {
  /** The message's name, for errors. */
  message: string;
  head?: { field: number; key: string; decode: MessageDecoder<object> };
  children: { field: number; key: string; decode: MessageDecoder<object> };
  schemaUrlField?: number;
}

/** One decoder for every container: they are few per request, unlike the records they hold. */
function containerDecoder(layout: ContainerLayout): MessageDecoder<Record<string, unknown>> {
  const { message, head, children, schemaUrlField } = layout;
  // Tags that no varint can equal (-1) stand for the fields a container lacks.
  const headTag = head === undefined ? -1 : (head.field << 3) | LEN;
  const childTag = (children.field << 3) | LEN;
  const schemaUrlTag = schemaUrlField === undefined ? -1 : (schemaUrlField << 3) | LEN;
  const known = fields(...[head?.field, children.field, schemaUrlField].filter((n) => n !== undefined));
  const childKey = children.key;
  const decodeChild = children.decode;
  return (r, end) => {
    const out: Record<string, unknown> = {};
    let list: object[] | undefined;
    while (r.pos < end) {
      const tag = r.varint32();
      if (tag === childTag) {
        const child = decodeChild(r, r.lengthEnd());
        // The list joins `out` at the first child, so keys keep the order of the wire.
        if (list === undefined) out[childKey] = list = [child];
        else list.push(child);
      } else if (tag === headTag && head !== undefined) out[head.key] = head.decode(r, r.lengthEnd());
      else if (tag === schemaUrlTag) {
        const s = r.string();
        if (s !== '') out.schemaUrl = s;
        else if (out.schemaUrl !== undefined) delete out.schemaUrl;
      } else r.skip(tag, known, message);
    }
    r.expectEnd(end, message);
    return out;
  };
}

/** The names that tell one signal's three container levels apart (message names, then keys). */
interface SignalContainers<Request, ResourceX, ScopeX> {
  requestMessage: string;
  resourceMessage: string;
  scopeMessage: string;
  resourcesKey: keyof Request & string;
  scopesKey: keyof ResourceX & string;
  recordsKey: keyof ScopeX & string;
}

/**
 * How a signal's records may be skipped under a SkipFilter: `dropReason` scans the record at
 * r.pos (ending at `end`) and either returns the skipper's reason, having consumed the record and
 * called setSkippedCount, or returns undefined with r.pos unchanged, for the record to be decoded.
 */
export interface RecordSkipping {
  /** The RecordSkipper method this signal asks. */
  method: 'logDropReason' | 'metricDropReason' | 'spanDropReason';
  dropReason: (r: Reader, end: number, skipper: RecordSkipper) => string | undefined;
  /** Where ScopeX counts what it skipped. */
  skippedKey: 'skippedRecords' | 'skippedDataPoints' | 'skippedSpans';
}

/** What the last skipped record counts for: 1 log record or span, or a metric's data points. */
let skippedCount = 0;

/** Sets skippedCount: a RecordSkipping.dropReason calls it for the record it skips. */
export function setSkippedCount(count: number): void {
  skippedCount = count;
}

/** ResourceX and ScopeX fields (1 head message, 2 repeated children, 3 schema_url), for scans. */
const CONTAINER_WIRES = wireTable({ 1: LEN, 2: LEN, 3: LEN });

/**
 * Decodes a whole export request of one signal: ExportXServiceRequest { repeated ResourceX = 1 },
 * ResourceX { Resource = 1; repeated ScopeX = 2; schema_url = 3 },
 * ScopeX { InstrumentationScope = 1; repeated record = 2; schema_url = 3 }, the records by `decodeRecord`.
 * With `skipping` the decoder takes a SkipFilter (see ../types.ts); without a filter it decodes all.
 */
export function requestDecoder<Request, ResourceX, ScopeX>(
  names: SignalContainers<Request, ResourceX, ScopeX>,
  decodeRecord: MessageDecoder<object>,
  skipping?: RecordSkipping,
): (buf: Uint8Array, skip?: SkipFilter) => Request {
  const decodeScopeX = containerDecoder({
    message: names.scopeMessage,
    head: { field: 1, key: 'scope', decode: decodeScope },
    children: { field: 2, key: names.recordsKey, decode: decodeRecord },
    schemaUrlField: 3,
  });
  const decodeResourceX = containerDecoder({
    message: names.resourceMessage,
    head: { field: 1, key: 'resource', decode: decodeResource },
    children: { field: 2, key: names.scopesKey, decode: decodeScopeX },
    schemaUrlField: 3,
  });
  const decodeRequest = containerDecoder({
    message: names.requestMessage,
    children: { field: 1, key: names.resourcesKey, decode: decodeResourceX },
  });
  if (skipping === undefined) {
    return (buf) => {
      const r = new Reader(buf);
      return decodeRequest(r, r.len) as Request;
    };
  }
  return skippingRequestDecoder(names, decodeRecord, skipping, decodeScopeX, decodeRequest);
}

/**
 * requestDecoder's decoder for a signal with RecordSkipping: without a SkipFilter it decodes all
 * (`decodeRequest`); with one it asks the filter about each resource and skips what it drops.
 */
function skippingRequestDecoder<Request, ResourceX, ScopeX>(
  names: SignalContainers<Request, ResourceX, ScopeX>,
  decodeRecord: MessageDecoder<object>,
  skipping: RecordSkipping,
  decodeScopeX: MessageDecoder<Record<string, unknown>>,
  decodeRequest: MessageDecoder<Record<string, unknown>>,
): (buf: Uint8Array, skip?: SkipFilter) => Request {
  const { method, dropReason, skippedKey } = skipping;
  const { requestMessage, resourceMessage, scopeMessage, resourcesKey, scopesKey, recordsKey } = names;
  const requestKnown = fields(1);
  const containerKnown = fields(1, 2, 3);

  /** ScopeX, as decodeScopeX builds it, less the skipped records, plus their counts by reason. */
  const decodeScopeXSkipping = (r: Reader, end: number, skipper: RecordSkipper): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    let list: object[] | undefined;
    let skipped: Record<string, number> | undefined;
    while (r.pos < end) {
      const tag = r.varint32();
      if (tag === 18) {
        // 2 the records
        const childEnd = r.lengthEnd();
        const reason = dropReason(r, childEnd, skipper);
        if (reason !== undefined) {
          skipped ??= {};
          skipped[reason] = (skipped[reason] ?? 0) + skippedCount;
          continue;
        }
        const child = decodeRecord(r, childEnd);
        if (list === undefined) out[recordsKey] = list = [child];
        else list.push(child);
      } else if (tag === 10) out.scope = decodeScope(r, r.lengthEnd());
      else if (tag === 26) {
        const s = r.string();
        if (s !== '') out.schemaUrl = s;
        else if (out.schemaUrl !== undefined) delete out.schemaUrl;
      } else r.skip(tag, containerKnown, scopeMessage);
    }
    r.expectEnd(end, scopeMessage);
    if (skipped !== undefined) out[skippedKey] = skipped;
    return out;
  };

  /** ResourceX, as decodeResourceX builds it; its Resource is decoded before any scope, wherever it sits. */
  const decodeResourceXSkipping = (r: Reader, end: number, skip: SkipFilter): Record<string, unknown> => {
    const start = r.pos;
    // Pre-scan for the Resource (the last one wins, as in decodeResourceX): usually the first field.
    let resourceAt = -1;
    while (r.pos < end) {
      const tag = r.varint32();
      if (tag === 10) {
        resourceAt = r.pos;
        r.pos = r.lengthEnd();
      } else r.skipScanned(tag, CONTAINER_WIRES, resourceMessage);
    }
    r.expectEnd(end, resourceMessage);
    let resource: Resource | undefined;
    if (resourceAt !== -1) {
      r.pos = resourceAt;
      resource = decodeResource(r, r.lengthEnd());
    }
    const skipper = skip.forResource(resource);
    const skipsHere = skipper !== undefined && typeof skipper[method] === 'function';

    r.pos = start;
    const out: Record<string, unknown> = {};
    let list: object[] | undefined;
    while (r.pos < end) {
      const tag = r.varint32();
      if (tag === 18) {
        const childEnd = r.lengthEnd();
        const child = skipsHere ? decodeScopeXSkipping(r, childEnd, skipper) : decodeScopeX(r, childEnd);
        if (list === undefined) out[scopesKey] = list = [child];
        else list.push(child);
      } else if (tag === 10) {
        if (r.pos === resourceAt) {
          out.resource = resource;
          r.pos = r.lengthEnd();
        } else out.resource = decodeResource(r, r.lengthEnd());
      } else if (tag === 26) {
        const s = r.string();
        if (s !== '') out.schemaUrl = s;
        else if (out.schemaUrl !== undefined) delete out.schemaUrl;
      } else r.skip(tag, containerKnown, resourceMessage);
    }
    r.expectEnd(end, resourceMessage);
    return out;
  };

  return (buf, skip) => {
    const r = new Reader(buf);
    if (skip === undefined) return decodeRequest(r, r.len) as Request;
    const out: Record<string, unknown> = {};
    let list: object[] | undefined;
    while (r.pos < r.len) {
      const tag = r.varint32();
      if (tag === 10) {
        const child = decodeResourceXSkipping(r, r.lengthEnd(), skip);
        if (list === undefined) out[resourcesKey] = list = [child];
        else list.push(child);
      } else r.skip(tag, requestKnown, requestMessage);
    }
    r.expectEnd(r.len, requestMessage);
    return out as Request;
  };
}
