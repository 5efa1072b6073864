/**
 * A hand-written decoder of OTLP export requests in the protobuf wire format
 * (opentelemetry-proto v1: common, resource, logs, metrics, trace), producing the shape of
 * `./types.ts`: 64-bit integers as decimal strings, ids as lowercase hex, bytes as base64, enums
 * as numbers, fields at their proto3 default omitted (members of a oneof and `optional` fields are
 * kept: their presence is meaningful).
 *
 * Robustness: any malformed input throws MalformedRequestError. Every length is checked against the
 * bytes that remain before anything is read or allocated; a field must not run past the end of the
 * message that holds it; a known field with the wrong wire type, a varint over 10 bytes, a group
 * (wire types 3/4, deprecated), wire types 6/7, field number 0 and AnyValue nesting deeper than
 * MAX_ANY_VALUE_DEPTH are all rejected. Unknown fields are skipped.
 *
 * Deliberate leniencies, all matching what common protobuf runtimes do:
 * - invalid UTF-8 in a string decodes with U+FFFD replacement characters (not an error: a bad byte
 *   in one attribute should not cost the whole batch);
 * - repeated numeric fields are accepted packed and unpacked;
 * - a singular message field or oneof member that appears twice keeps the last occurrence (protobuf
 *   would merge two occurrences of a message; no OTLP sender splits messages).
 *
 * Speed: one Reader (a cursor over the Uint8Array) per request, a specialised decoder with a switch
 * on the whole tag for each message that repeats per record (only the few containers above the
 * records share one generic decoder), short repeated strings from an intern table and others
 * through Buffer's native UTF-8 decoder, hex ids through its native hex encoder, 64-bit decimal
 * strings without BigInt. With a SkipFilter, records the harness would drop are scanned for their
 * name and framing only, then counted instead of decoded.
 */
import { MAX_ANY_VALUE_DEPTH } from './values.js';
import {
  MalformedRequestError,
  type AnyValue,
  type Exemplar,
  type ExponentialHistogramBuckets,
  type ExponentialHistogramDataPoint,
  type ExportLogsServiceRequest,
  type ExportMetricsServiceRequest,
  type ExportTraceServiceRequest,
  type HistogramDataPoint,
  type InstrumentationScope,
  type Int64,
  type KeyValue,
  type LogRecord,
  type Metric,
  type NumberDataPoint,
  type RecordSkipper,
  type Resource,
  type ResourceLogs,
  type ResourceMetrics,
  type ResourceSpans,
  type ScopeLogs,
  type ScopeMetrics,
  type ScopeSpans,
  type SkipFilter,
  type Span,
  type SpanEvent,
  type SpanLink,
  type SummaryDataPoint,
} from './types.js';

export { MAX_ANY_VALUE_DEPTH };

// Wire types.
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

/**
 * Buffer's native slicers: `utf8Slice`/`base64Slice`/`hexSlice` have backed `toString` since early
 * Node and skip its argument checks (about 25% faster on short strings); `toString` stands in where
 * absent.
 */
interface NativeSlicers {
  utf8Slice(start: number, end: number): string;
  base64Slice(start: number, end: number): string;
  hexSlice(start: number, end: number): string;
}
const bufferProto = Buffer.prototype as unknown as Partial<NativeSlicers>;
const HAS_NATIVE_SLICERS =
  typeof bufferProto.utf8Slice === 'function' && typeof bufferProto.base64Slice === 'function' && typeof bufferProto.hexSlice === 'function';

function slicersOf(buf: Buffer): NativeSlicers {
  if (HAS_NATIVE_SLICERS) return buf as unknown as NativeSlicers;
  return {
    utf8Slice: (start, end) => buf.toString('utf8', start, end),
    base64Slice: (start, end) => buf.toString('base64', start, end),
    hexSlice: (start, end) => buf.toString('hex', start, end),
  };
}

function malformed(message: string): MalformedRequestError {
  return new MalformedRequestError(`protobuf: ${message}`);
}

/**
 * A small table of recently decoded short strings, shared by all requests (bounded: at most
 * INTERN_SLOTS strings of INTERN_MAX_BYTES bytes are kept alive). A hit skips the UTF-8 decoder
 * and the allocation: OTLP repeats the same keys and values in every data point.
 */
const INTERN_MAX_BYTES = 32;
const INTERN_SLOTS = 2048;
const internBytes = new Uint8Array(INTERN_SLOTS * INTERN_MAX_BYTES);
const internLengths = new Uint8Array(INTERN_SLOTS);
const internStrings: string[] = new Array<string>(INTERN_SLOTS).fill('');

/** Decimal strings of small counts: most histogram buckets hold 0 or a few. */
const SMALL_DECIMALS: string[] = [];
for (let i = 0; i < 1024; i++) SMALL_DECIMALS.push(String(i));

/** Decimal string of the unsigned 64-bit integer hi:lo (two uint32 halves). */
function uint64ToString(lo: number, hi: number): string {
  if (hi === 0 && lo < 1024) return SMALL_DECIMALS[lo];
  if (hi <= 0x1fffff) return String(hi * 4294967296 + lo); // below 2^53: exact as a double
  // Split into 24-bit pieces and reassemble in base 1e7 (each partial sum stays below 2^53):
  // 2^24 = 1·1e7 + 6777216, 2^48 = 28147497·1e7 + 6710656 = (2·1e7 + 8147497)·1e7 + 6710656.
  const low = lo & 0xffffff;
  const mid = ((lo >>> 24) | (hi << 8)) & 0xffffff;
  const high = (hi >>> 16) & 0xffff;
  let a = low + mid * 6777216 + high * 6710656;
  let b = mid + high * 8147497;
  let c = high * 2;
  if (a >= 1e7) {
    b += Math.floor(a / 1e7);
    a %= 1e7;
  }
  if (b >= 1e7) {
    c += Math.floor(b / 1e7);
    b %= 1e7;
  }
  // hi > 0x1fffff means high >= 0x20, so c is never 0.
  return String(c) + String(b).padStart(7, '0') + String(a).padStart(7, '0');
}

/** Decimal string of the two's-complement signed 64-bit integer hi:lo. */
function int64ToString(lo: number, hi: number): string {
  if ((hi & 0x80000000) === 0) return uint64ToString(lo, hi);
  const negLo = (~lo + 1) >>> 0;
  const negHi = (~hi + (negLo === 0 ? 1 : 0)) >>> 0;
  return '-' + uint64ToString(negLo, negHi);
}

/** A cursor over one request body. */
class Reader {
  readonly buf: Uint8Array;
  readonly len: number;
  pos = 0;
  readonly view: DataView;
  private readonly nodeBuf: NativeSlicers;
  /** The halves of the last 64-bit value read (avoids allocating a pair). */
  lo = 0;
  hi = 0;

  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.len = buf.length;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.nodeBuf = slicersOf(Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));
  }

  /** A varint whose low 32 bits are the value (tags, lengths, int32/uint32/enum/bool fields). */
  varint32(): number {
    const buf = this.buf;
    const len = this.len;
    let pos = this.pos;
    if (pos >= len) throw malformed('truncated varint');
    let b = buf[pos++];
    if (b < 0x80) {
      this.pos = pos;
      return b;
    }
    let value = b & 0x7f;
    for (let shift = 7; shift < 70; shift += 7) {
      if (pos >= len) throw malformed('truncated varint');
      b = buf[pos++];
      if (shift < 32) value |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    throw malformed('varint longer than 10 bytes');
  }

  /** A full 64-bit varint into lo/hi. */
  varint64(): void {
    const buf = this.buf;
    const len = this.len;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    let b = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= len) throw malformed('truncated varint');
      b = buf[pos++];
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        this.lo = lo >>> 0;
        this.hi = 0;
        return;
      }
    }
    if (pos >= len) throw malformed('truncated varint');
    b = buf[pos++];
    lo |= (b & 0x7f) << 28; // the 5th byte straddles the halves: 4 bits low, 3 bits high
    hi = (b & 0x7f) >>> 4;
    if (b >= 0x80) {
      for (let shift = 3; ; shift += 7) {
        if (shift > 31) throw malformed('varint longer than 10 bytes');
        if (pos >= len) throw malformed('truncated varint');
        b = buf[pos++];
        hi |= (b & 0x7f) << shift;
        if (b < 0x80) break;
      }
    }
    this.pos = pos;
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  /** Reads a length prefix and returns where the value ends, checked against the buffer. */
  lengthEnd(): number {
    const buf = this.buf;
    let pos = this.pos;
    let length: number;
    if (pos < this.len && buf[pos] < 0x80) {
      length = buf[pos];
      this.pos = ++pos;
    } else {
      // Kept as a double so a hostile 10-byte length compares as huge instead of wrapping.
      length = 0;
      let scale = 1;
      for (let i = 0; ; i++) {
        if (i === 10) throw malformed('varint longer than 10 bytes');
        if (pos >= this.len) throw malformed('truncated varint');
        const b = buf[pos++];
        length += (b & 0x7f) * scale;
        scale *= 128;
        if (b < 0x80) break;
      }
      this.pos = pos;
    }
    if (length > this.len - pos) throw malformed(`length ${length} at offset ${pos} runs past the end (${this.len - pos} bytes left)`);
    return pos + length;
  }

  bool(): boolean {
    this.varint64();
    return (this.lo | this.hi) !== 0;
  }

  int32(): number {
    return this.varint32() | 0;
  }

  sint32(): number {
    const n = this.varint32();
    return (n >>> 1) ^ -(n & 1);
  }

  /** int64 varint as a signed decimal string. */
  int64(): string {
    this.varint64();
    return int64ToString(this.lo, this.hi);
  }

  /** uint64 varint as a decimal string. */
  uint64(): string {
    this.varint64();
    return uint64ToString(this.lo, this.hi);
  }

  private need(n: number): number {
    const pos = this.pos;
    if (n > this.len - pos) throw malformed('truncated fixed-width value');
    this.pos = pos + n;
    return pos;
  }

  fixed32(): number {
    return this.view.getUint32(this.need(4), true);
  }

  /** fixed64 into lo/hi. */
  fixed64(): void {
    const at = this.need(8);
    this.lo = this.view.getUint32(at, true);
    this.hi = this.view.getUint32(at + 4, true);
  }

  /** fixed64 as a decimal string, or undefined for 0 (the proto3 default). */
  fixed64OrUndefined(): string | undefined {
    this.fixed64();
    return this.lo === 0 && this.hi === 0 ? undefined : uint64ToString(this.lo, this.hi);
  }

  fixed64String(): string {
    this.fixed64();
    return uint64ToString(this.lo, this.hi);
  }

  sfixed64String(): string {
    this.fixed64();
    return int64ToString(this.lo, this.hi);
  }

  double(): number {
    return this.view.getFloat64(this.need(8), true);
  }

  string(): string {
    const end = this.lengthEnd();
    const start = this.pos;
    this.pos = end;
    const n = end - start;
    if (n === 0) return '';
    if (n > INTERN_MAX_BYTES) return this.nodeBuf.utf8Slice(start, end);
    // Short strings repeat (attribute keys, model names, "true"): look them up by their bytes.
    const buf = this.buf;
    let h = n;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
    const slot = (h >>> 0) % INTERN_SLOTS;
    const at = slot * INTERN_MAX_BYTES;
    if (internLengths[slot] === n) {
      let i = 0;
      while (i < n && internBytes[at + i] === buf[start + i]) i++;
      if (i === n) return internStrings[slot];
    }
    // Invalid sequences become U+FFFD (see the header).
    const s = this.nodeBuf.utf8Slice(start, end);
    // A plain loop: a subarray for `set` would allocate a view per miss.
    for (let i = 0; i < n; i++) internBytes[at + i] = buf[start + i];
    internLengths[slot] = n;
    internStrings[slot] = s;
    return s;
  }

  /** bytes as lowercase hex (trace and span ids). */
  hex(): string {
    const end = this.lengthEnd();
    const start = this.pos;
    this.pos = end;
    if (start === end) return '';
    return this.nodeBuf.hexSlice(start, end);
  }

  base64(): string {
    const end = this.lengthEnd();
    const start = this.pos;
    this.pos = end;
    return start === end ? '' : this.nodeBuf.base64Slice(start, end);
  }

  /** Skips a field this decoder does not know; `known` has bit n set for each known field n. */
  skip(tag: number, known: number, message: string): void {
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 0) throw malformed(`field number 0 in ${message}`);
    if (field < 32 && ((known >>> field) & 1) !== 0) throw malformed(`wrong wire type ${wire} for field ${field} of ${message}`);
    this.skipWire(wire, message);
  }

  /**
   * Skips any field of a message that is scanned rather than decoded (SkipFilter): a known field
   * must have its wire type, `wires[n]` for field n (-1: unknown), as the decoder would demand.
   */
  skipScanned(tag: number, wires: Int8Array, message: string): void {
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 0) throw malformed(`field number 0 in ${message}`);
    if (field < wires.length && wires[field] !== -1 && wires[field] !== wire) throw malformed(`wrong wire type ${wire} for field ${field} of ${message}`);
    this.skipWire(wire, message);
  }

  private skipWire(wire: number, message: string): void {
    switch (wire) {
      case VARINT:
        this.varint64();
        return;
      case I64:
        this.need(8);
        return;
      case LEN:
        this.pos = this.lengthEnd();
        return;
      case I32:
        this.need(4);
        return;
      case 3:
      case 4:
        throw malformed(`group (wire type ${wire}) in ${message}`);
      default:
        throw malformed(`invalid wire type ${wire} in ${message}`);
    }
  }

  /** A message's fields must end exactly where its length said. */
  expectEnd(end: number, message: string): void {
    if (this.pos !== end) throw malformed(`a field of ${message} runs past the end of the message`);
  }
}

/** Bit mask of known field numbers, for `Reader.skip`. */
function fields(...numbers: number[]): number {
  let mask = 0;
  for (const n of numbers) mask |= 1 << n;
  return mask;
}

// The `case` labels below are whole tags, (field number << 3) | wire type, with the field named
// in a comment: 10 = field 1 LEN, 16 = field 2 VARINT, 25 = field 3 I64, 133 = field 16 I32, ...

// ---------------------------------------------------------------- common

const ANY_VALUE_FIELDS = fields(1, 2, 3, 4, 5, 6, 7);
function decodeAnyValue(r: Reader, end: number, depth: number): AnyValue {
  if (depth > MAX_ANY_VALUE_DEPTH) throw malformed(`AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH}`);
  // A oneof: the last member on the wire wins, so each member replaces the object.
  let v: AnyValue | undefined;
  while (r.pos < end) {
    const tag = r.varint32();
    switch (tag) {
      case 10: // 1 string_value
        v = { stringValue: r.string() };
        break;
      case 16: // 2 bool_value
        v = { boolValue: r.bool() };
        break;
      case 24: // 3 int_value (int64)
        v = { intValue: r.int64() };
        break;
      case 33: // 4 double_value
        v = { doubleValue: r.double() };
        break;
      case 42: // 5 array_value
        v = { arrayValue: decodeValueList(r, r.lengthEnd(), depth + 1) };
        break;
      case 50: // 6 kvlist_value
        v = { kvlistValue: decodeKeyValueList(r, r.lengthEnd(), depth + 1) };
        break;
      case 58: // 7 bytes_value
        v = { bytesValue: r.base64() };
        break;
      default:
        r.skip(tag, ANY_VALUE_FIELDS, 'AnyValue');
    }
  }
  r.expectEnd(end, 'AnyValue');
  return v ?? {};
}

const LIST_FIELDS = fields(1);
function decodeValueList(r: Reader, end: number, depth: number): { values?: AnyValue[] } {
  const out: { values?: AnyValue[] } = {};
  while (r.pos < end) {
    const tag = r.varint32();
    if (tag === 10) (out.values ??= []).push(decodeAnyValue(r, r.lengthEnd(), depth));
    else r.skip(tag, LIST_FIELDS, 'ArrayValue');
  }
  r.expectEnd(end, 'ArrayValue');
  return out;
}

function decodeKeyValueList(r: Reader, end: number, depth: number): { values?: KeyValue[] } {
  const out: { values?: KeyValue[] } = {};
  while (r.pos < end) {
    const tag = r.varint32();
    if (tag === 10) (out.values ??= []).push(decodeKeyValue(r, r.lengthEnd(), depth));
    else r.skip(tag, LIST_FIELDS, 'KeyValueList');
  }
  r.expectEnd(end, 'KeyValueList');
  return out;
}

const KEY_VALUE_FIELDS = fields(1, 2);
function decodeKeyValue(r: Reader, end: number, depth: number): KeyValue {
  let key = '';
  let value: AnyValue | undefined;
  while (r.pos < end) {
    const tag = r.varint32();
    if (tag === 10) key = r.string();
    else if (tag === 18) value = decodeAnyValue(r, r.lengthEnd(), depth);
    else r.skip(tag, KEY_VALUE_FIELDS, 'KeyValue');
  }
  r.expectEnd(end, 'KeyValue');
  return value === undefined ? { key } : { key, value };
}

/** Appends one repeated KeyValue field (attributes, metadata, ...) to `list`. */
function pushKeyValue(r: Reader, list: KeyValue[] | undefined): KeyValue[] {
  const kv = decodeKeyValue(r, r.lengthEnd(), 0);
  if (list === undefined) return [kv];
  list.push(kv);
  return list;
}

const RESOURCE_FIELDS = fields(1, 2); // 3 entity_refs: not part of types.ts, skipped
function decodeResource(r: Reader, end: number): Resource {
  const out: Resource = {};
  while (r.pos < end) {
    const tag = r.varint32();
    switch (tag) {
      case 10: // 1 attributes
        out.attributes = pushKeyValue(r, out.attributes);
        break;
      case 16: {
        // 2 dropped_attributes_count
        const n = r.varint32();
        if (n !== 0) out.droppedAttributesCount = n;
        else if (out.droppedAttributesCount !== undefined) delete out.droppedAttributesCount;
        break;
      }
      default:
        r.skip(tag, RESOURCE_FIELDS, 'Resource');
    }
  }
  r.expectEnd(end, 'Resource');
  return out;
}

const SCOPE_FIELDS = fields(1, 2, 3, 4);
function decodeScope(r: Reader, end: number): InstrumentationScope {
  const out: InstrumentationScope = {};
  while (r.pos < end) {
    const tag = r.varint32();
    switch (tag) {
      case 10: {
        const s = r.string();
        if (s !== '') out.name = s;
        else if (out.name !== undefined) delete out.name;
        break;
      }
      case 18: {
        const s = r.string();
        if (s !== '') out.version = s;
        else if (out.version !== undefined) delete out.version;
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
        r.skip(tag, SCOPE_FIELDS, 'InstrumentationScope');
    }
  }
  r.expectEnd(end, 'InstrumentationScope');
  return out;
}

// ---------------------------------------------------------------- containers

type MessageDecoder<T> = (r: Reader, end: number) => T;

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
 * set `skippedCount`, or returns undefined with r.pos unchanged, for the record to be decoded.
 */
interface RecordSkipping {
  /** The RecordSkipper method this signal asks. */
  method: 'logDropReason' | 'metricDropReason' | 'spanDropReason';
  dropReason: (r: Reader, end: number, skipper: RecordSkipper) => string | undefined;
  /** Where ScopeX counts what it skipped. */
  skippedKey: 'skippedRecords' | 'skippedDataPoints' | 'skippedSpans';
}

/** What the last skipped record counts for: 1 log record or span, or a metric's data points. */
let skippedCount = 0;

/** ResourceX and ScopeX fields (1 head message, 2 repeated children, 3 schema_url), for scans. */
const CONTAINER_WIRES = wireTable({ 1: LEN, 2: LEN, 3: LEN });

/**
 * Decodes a whole export request of one signal: ExportXServiceRequest { repeated ResourceX = 1 },
 * ResourceX { Resource = 1; repeated ScopeX = 2; schema_url = 3 },
 * ScopeX { InstrumentationScope = 1; repeated record = 2; schema_url = 3 }, the records by `decodeRecord`.
 * With `skipping` the decoder takes a SkipFilter (see ./types.ts); without a filter it decodes all.
 */
function requestDecoder<Request, ResourceX, ScopeX>(
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

/** Wire type of each known field number (-1: unknown), for `Reader.skipScanned`. */
function wireTable(wires: Record<number, number>): Int8Array {
  const numbers = Object.keys(wires).map(Number);
  const table = new Int8Array(Math.max(...numbers) + 1).fill(-1);
  for (const n of numbers) table[n] = wires[n];
  return table;
}

// ---------------------------------------------------------------- logs

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
  skippedCount = 1;
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

// ---------------------------------------------------------------- metrics

const EXEMPLAR_FIELDS = fields(2, 3, 4, 5, 6, 7);
function decodeExemplar(r: Reader, end: number): Exemplar {
  const out: Exemplar = {};
  while (r.pos < end) {
    const tag = r.varint32();
    switch (tag) {
      case 58: // 7 filtered_attributes
        out.filteredAttributes = pushKeyValue(r, out.filteredAttributes);
        break;
      case 17: {
        // 2 time_unix_nano fixed64
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.timeUnixNano = v;
        else if (out.timeUnixNano !== undefined) delete out.timeUnixNano;
        break;
      }
      case 25: // 3 as_double (oneof value)
        if (out.asInt !== undefined) delete out.asInt;
        out.asDouble = r.double();
        break;
      case 49: // 6 as_int sfixed64 (oneof value)
        if (out.asDouble !== undefined) delete out.asDouble;
        out.asInt = r.sfixed64String();
        break;
      case 34: {
        // 4 span_id
        const s = r.hex();
        if (s !== '') out.spanId = s;
        else if (out.spanId !== undefined) delete out.spanId;
        break;
      }
      case 42: {
        // 5 trace_id
        const s = r.hex();
        if (s !== '') out.traceId = s;
        else if (out.traceId !== undefined) delete out.traceId;
        break;
      }
      default:
        r.skip(tag, EXEMPLAR_FIELDS, 'Exemplar');
    }
  }
  r.expectEnd(end, 'Exemplar');
  return out;
}

const NUMBER_POINT_FIELDS = fields(2, 3, 4, 5, 6, 7, 8);
function decodeNumberDataPoint(r: Reader, end: number): NumberDataPoint {
  const out: NumberDataPoint = {};
  while (r.pos < end) {
    const tag = r.varint32();
    switch (tag) {
      case 58: // 7 attributes
        out.attributes = pushKeyValue(r, out.attributes);
        break;
      case 17: {
        // 2 start_time_unix_nano
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.startTimeUnixNano = v;
        else if (out.startTimeUnixNano !== undefined) delete out.startTimeUnixNano;
        break;
      }
      case 25: {
        // 3 time_unix_nano
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.timeUnixNano = v;
        else if (out.timeUnixNano !== undefined) delete out.timeUnixNano;
        break;
      }
      case 33: // 4 as_double (oneof value)
        if (out.asInt !== undefined) delete out.asInt;
        out.asDouble = r.double();
        break;
      case 49: // 6 as_int sfixed64 (oneof value)
        if (out.asDouble !== undefined) delete out.asDouble;
        out.asInt = r.sfixed64String();
        break;
      case 42: // 5 exemplars
        (out.exemplars ??= []).push(decodeExemplar(r, r.lengthEnd()));
        break;
      case 64: {
        // 8 flags uint32
        const n = r.varint32();
        if (n !== 0) out.flags = n;
        else if (out.flags !== undefined) delete out.flags;
        break;
      }
      default:
        r.skip(tag, NUMBER_POINT_FIELDS, 'NumberDataPoint');
    }
  }
  r.expectEnd(end, 'NumberDataPoint');
  return out;
}

/** Appends packed (LEN) or one unpacked (I64) fixed64 element as decimal strings. */
function readFixed64List(r: Reader, tag: number, list: Int64[] | undefined): Int64[] {
  if ((tag & 7) === I64) {
    const out = list ?? [];
    out.push(r.fixed64String());
    return out;
  }
  const end = r.lengthEnd();
  const start = r.pos;
  if ((end - start) % 8 !== 0) throw malformed('packed fixed64 field length is not a multiple of 8');
  // Bounds were checked once for the whole list: read the elements straight from the view.
  const count = (end - start) / 8;
  const out = list ?? new Array<Int64>(count);
  const base = list === undefined ? 0 : list.length;
  const view = r.view;
  for (let i = 0, at = start; i < count; i++, at += 8) out[base + i] = uint64ToString(view.getUint32(at, true), view.getUint32(at + 4, true));
  r.pos = end;
  return out;
}

/** Appends packed (LEN) or one unpacked (I64) double element. */
function readDoubleList(r: Reader, tag: number, list: number[] | undefined): number[] {
  if ((tag & 7) === I64) {
    const out = list ?? [];
    out.push(r.double());
    return out;
  }
  const end = r.lengthEnd();
  const start = r.pos;
  if ((end - start) % 8 !== 0) throw malformed('packed double field length is not a multiple of 8');
  const count = (end - start) / 8;
  const out = list ?? new Array<number>(count);
  const base = list === undefined ? 0 : list.length;
  const view = r.view;
  for (let i = 0, at = start; i < count; i++, at += 8) out[base + i] = view.getFloat64(at, true);
  r.pos = end;
  return out;
}

/** Appends packed (LEN) or one unpacked (VARINT) uint64 element as decimal strings. */
function readUint64List(r: Reader, tag: number, list: Int64[] | undefined): Int64[] {
  const out = list ?? [];
  if ((tag & 7) === VARINT) {
    out.push(r.uint64());
    return out;
  }
  const end = r.lengthEnd();
  while (r.pos < end) out.push(r.uint64());
  r.expectEnd(end, 'packed uint64 list');
  return out;
}

const HISTOGRAM_POINT_FIELDS = fields(2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
function decodeHistogramDataPoint(r: Reader, end: number): HistogramDataPoint {
  const out: HistogramDataPoint = {};
  while (r.pos < end) {
    const tag = r.varint32();
    switch (tag) {
      case 74: // 9 attributes
        out.attributes = pushKeyValue(r, out.attributes);
        break;
      case 17: {
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.startTimeUnixNano = v;
        else if (out.startTimeUnixNano !== undefined) delete out.startTimeUnixNano;
        break;
      }
      case 25: {
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.timeUnixNano = v;
        else if (out.timeUnixNano !== undefined) delete out.timeUnixNano;
        break;
      }
      case 33: {
        // 4 count fixed64
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.count = v;
        else if (out.count !== undefined) delete out.count;
        break;
      }
      case 41: // 5 optional double sum
        out.sum = r.double();
        break;
      case 50: // 6 bucket_counts, packed
      case 49: // 6 bucket_counts, unpacked
        out.bucketCounts = readFixed64List(r, tag, out.bucketCounts);
        break;
      case 58: // 7 explicit_bounds, packed
      case 57: // 7 explicit_bounds, unpacked
        out.explicitBounds = readDoubleList(r, tag, out.explicitBounds);
        break;
      case 66: // 8 exemplars
        (out.exemplars ??= []).push(decodeExemplar(r, r.lengthEnd()));
        break;
      case 80: {
        // 10 flags
        const n = r.varint32();
        if (n !== 0) out.flags = n;
        else if (out.flags !== undefined) delete out.flags;
        break;
      }
      case 89: // 11 optional double min
        out.min = r.double();
        break;
      case 97: // 12 optional double max
        out.max = r.double();
        break;
      default:
        r.skip(tag, HISTOGRAM_POINT_FIELDS, 'HistogramDataPoint');
    }
  }
  r.expectEnd(end, 'HistogramDataPoint');
  return out;
}

const BUCKETS_FIELDS = fields(1, 2);
function decodeBuckets(r: Reader, end: number): ExponentialHistogramBuckets {
  const out: ExponentialHistogramBuckets = {};
  while (r.pos < end) {
    const tag = r.varint32();
    switch (tag) {
      case 8: {
        // 1 offset sint32
        const n = r.sint32();
        if (n !== 0) out.offset = n;
        else if (out.offset !== undefined) delete out.offset;
        break;
      }
      case 18: // 2 bucket_counts uint64, packed
      case 16: // 2 bucket_counts, unpacked
        out.bucketCounts = readUint64List(r, tag, out.bucketCounts);
        break;
      default:
        r.skip(tag, BUCKETS_FIELDS, 'ExponentialHistogramDataPoint.Buckets');
    }
  }
  r.expectEnd(end, 'ExponentialHistogramDataPoint.Buckets');
  return out;
}

const EXP_POINT_FIELDS = fields(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14);
function decodeExponentialHistogramDataPoint(r: Reader, end: number): ExponentialHistogramDataPoint {
  const out: ExponentialHistogramDataPoint = {};
  while (r.pos < end) {
    const tag = r.varint32();
    switch (tag) {
      case 10: // 1 attributes
        out.attributes = pushKeyValue(r, out.attributes);
        break;
      case 17: {
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.startTimeUnixNano = v;
        else if (out.startTimeUnixNano !== undefined) delete out.startTimeUnixNano;
        break;
      }
      case 25: {
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.timeUnixNano = v;
        else if (out.timeUnixNano !== undefined) delete out.timeUnixNano;
        break;
      }
      case 33: {
        // 4 count fixed64
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.count = v;
        else if (out.count !== undefined) delete out.count;
        break;
      }
      case 41: // 5 optional double sum
        out.sum = r.double();
        break;
      case 48: {
        // 6 scale sint32
        const n = r.sint32();
        if (n !== 0) out.scale = n;
        else if (out.scale !== undefined) delete out.scale;
        break;
      }
      case 57: {
        // 7 zero_count fixed64
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.zeroCount = v;
        else if (out.zeroCount !== undefined) delete out.zeroCount;
        break;
      }
      case 66: // 8 positive
        out.positive = decodeBuckets(r, r.lengthEnd());
        break;
      case 74: // 9 negative
        out.negative = decodeBuckets(r, r.lengthEnd());
        break;
      case 80: {
        // 10 flags
        const n = r.varint32();
        if (n !== 0) out.flags = n;
        else if (out.flags !== undefined) delete out.flags;
        break;
      }
      case 90: // 11 exemplars
        (out.exemplars ??= []).push(decodeExemplar(r, r.lengthEnd()));
        break;
      case 97: // 12 optional double min
        out.min = r.double();
        break;
      case 105: // 13 optional double max
        out.max = r.double();
        break;
      case 113: {
        // 14 zero_threshold double
        const d = r.double();
        if (d !== 0) out.zeroThreshold = d;
        else if (out.zeroThreshold !== undefined) delete out.zeroThreshold;
        break;
      }
      default:
        r.skip(tag, EXP_POINT_FIELDS, 'ExponentialHistogramDataPoint');
    }
  }
  r.expectEnd(end, 'ExponentialHistogramDataPoint');
  return out;
}

const QUANTILE_FIELDS = fields(1, 2);
function decodeValueAtQuantile(r: Reader, end: number): { quantile?: number; value?: number } {
  const out: { quantile?: number; value?: number } = {};
  while (r.pos < end) {
    const tag = r.varint32();
    if (tag === 9) {
      const d = r.double();
      if (d !== 0) out.quantile = d;
      else if (out.quantile !== undefined) delete out.quantile;
    } else if (tag === 17) {
      const d = r.double();
      if (d !== 0) out.value = d;
      else if (out.value !== undefined) delete out.value;
    } else r.skip(tag, QUANTILE_FIELDS, 'SummaryDataPoint.ValueAtQuantile');
  }
  r.expectEnd(end, 'SummaryDataPoint.ValueAtQuantile');
  return out;
}

const SUMMARY_POINT_FIELDS = fields(2, 3, 4, 5, 6, 7, 8);
function decodeSummaryDataPoint(r: Reader, end: number): SummaryDataPoint {
  const out: SummaryDataPoint = {};
  while (r.pos < end) {
    const tag = r.varint32();
    switch (tag) {
      case 58: // 7 attributes
        out.attributes = pushKeyValue(r, out.attributes);
        break;
      case 17: {
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.startTimeUnixNano = v;
        else if (out.startTimeUnixNano !== undefined) delete out.startTimeUnixNano;
        break;
      }
      case 25: {
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.timeUnixNano = v;
        else if (out.timeUnixNano !== undefined) delete out.timeUnixNano;
        break;
      }
      case 33: {
        const v = r.fixed64OrUndefined();
        if (v !== undefined) out.count = v;
        else if (out.count !== undefined) delete out.count;
        break;
      }
      case 41: {
        // 5 sum: a plain double here (not `optional`)
        const d = r.double();
        if (d !== 0) out.sum = d;
        else if (out.sum !== undefined) delete out.sum;
        break;
      }
      case 50: // 6 quantile_values
        (out.quantileValues ??= []).push(decodeValueAtQuantile(r, r.lengthEnd()));
        break;
      case 64: {
        // 8 flags
        const n = r.varint32();
        if (n !== 0) out.flags = n;
        else if (out.flags !== undefined) delete out.flags;
        break;
      }
      default:
        r.skip(tag, SUMMARY_POINT_FIELDS, 'SummaryDataPoint');
    }
  }
  r.expectEnd(end, 'SummaryDataPoint');
  return out;
}

type DataPointDecoder<P> = (r: Reader, end: number) => P;

/** Gauge, Sum, Histogram, ExponentialHistogram and Summary share one layout: points=1, temporality=2, monotonic=3. */
function decodeMetricData<P>(
  r: Reader,
  end: number,
  decodePoint: DataPointDecoder<P>,
  message: string,
  known: number,
): { dataPoints?: P[]; aggregationTemporality?: number; isMonotonic?: boolean } {
  const out: { dataPoints?: P[]; aggregationTemporality?: number; isMonotonic?: boolean } = {};
  while (r.pos < end) {
    const tag = r.varint32();
    if (tag === 10) (out.dataPoints ??= []).push(decodePoint(r, r.lengthEnd()));
    else if (tag === 16 && (known & 4) !== 0) {
      const n = r.int32();
      if (n !== 0) out.aggregationTemporality = n;
      else if (out.aggregationTemporality !== undefined) delete out.aggregationTemporality;
    } else if (tag === 24 && (known & 8) !== 0) {
      if (r.bool()) out.isMonotonic = true;
      else if (out.isMonotonic !== undefined) delete out.isMonotonic;
    } else r.skip(tag, known, message);
  }
  r.expectEnd(end, message);
  return out;
}

const POINTS_ONLY = fields(1);
const POINTS_AND_TEMPORALITY = fields(1, 2);
const SUM_FIELDS = fields(1, 2, 3);

const METRIC_FIELDS = fields(1, 2, 3, 5, 7, 9, 10, 11, 12);
function decodeMetric(r: Reader, end: number): Metric {
  const out: Metric = {};
  while (r.pos < end) {
    const tag = r.varint32();
    switch (tag) {
      case 10: {
        const s = r.string();
        if (s !== '') out.name = s;
        else if (out.name !== undefined) delete out.name;
        break;
      }
      case 18: {
        const s = r.string();
        if (s !== '') out.description = s;
        else if (out.description !== undefined) delete out.description;
        break;
      }
      case 26: {
        const s = r.string();
        if (s !== '') out.unit = s;
        else if (out.unit !== undefined) delete out.unit;
        break;
      }
      case 98: // 12 metadata
        out.metadata = pushKeyValue(r, out.metadata);
        break;
      // The data kinds form a oneof: the last one on the wire wins.
      case 42: // 5 gauge
        clearMetricData(out);
        out.gauge = decodeMetricData(r, r.lengthEnd(), decodeNumberDataPoint, 'Gauge', POINTS_ONLY);
        break;
      case 58: // 7 sum
        clearMetricData(out);
        out.sum = decodeMetricData(r, r.lengthEnd(), decodeNumberDataPoint, 'Sum', SUM_FIELDS);
        break;
      case 74: // 9 histogram
        clearMetricData(out);
        out.histogram = decodeMetricData(r, r.lengthEnd(), decodeHistogramDataPoint, 'Histogram', POINTS_AND_TEMPORALITY);
        break;
      case 82: // 10 exponential_histogram
        clearMetricData(out);
        out.exponentialHistogram = decodeMetricData(
          r,
          r.lengthEnd(),
          decodeExponentialHistogramDataPoint,
          'ExponentialHistogram',
          POINTS_AND_TEMPORALITY,
        );
        break;
      case 90: // 11 summary
        clearMetricData(out);
        out.summary = decodeMetricData(r, r.lengthEnd(), decodeSummaryDataPoint, 'Summary', POINTS_ONLY);
        break;
      default:
        r.skip(tag, METRIC_FIELDS, 'Metric');
    }
  }
  r.expectEnd(end, 'Metric');
  return out;
}

function clearMetricData(m: Metric): void {
  // Only a malformed-but-legal request sets two kinds; the common case deletes nothing.
  if (m.gauge !== undefined) delete m.gauge;
  if (m.sum !== undefined) delete m.sum;
  if (m.histogram !== undefined) delete m.histogram;
  if (m.exponentialHistogram !== undefined) delete m.exponentialHistogram;
  if (m.summary !== undefined) delete m.summary;
}

const METRIC_WIRES = wireTable({ 1: LEN, 2: LEN, 3: LEN, 5: LEN, 7: LEN, 9: LEN, 10: LEN, 11: LEN, 12: LEN });
/** The fields of each data kind, by the Metric tag that holds it (as decodeMetricData knows them). */
const METRIC_DATA_WIRES: Record<number, { message: string; wires: Int8Array }> = {
  42: { message: 'Gauge', wires: wireTable({ 1: LEN }) },
  58: { message: 'Sum', wires: wireTable({ 1: LEN, 2: VARINT, 3: VARINT }) },
  74: { message: 'Histogram', wires: wireTable({ 1: LEN, 2: VARINT }) },
  82: { message: 'ExponentialHistogram', wires: wireTable({ 1: LEN, 2: VARINT }) },
  90: { message: 'Summary', wires: wireTable({ 1: LEN }) },
};

/**
 * RecordSkipping.dropReason for a Metric: its name (wherever it sits) when the skipper drops it;
 * the data points of its data kind (the last one, a oneof) are then counted, not decoded. The
 * metric's fields and its data message's fields are checked for framing and wire types.
 */
function metricDropReason(r: Reader, end: number, skipper: RecordSkipper): string | undefined {
  const start = r.pos;
  let nameAt = -1;
  let dataTag = 0;
  let dataStart = 0;
  let dataEnd = 0;
  while (r.pos < end) {
    const tag = r.varint32();
    switch (tag) {
      case 10: // 1 name
        nameAt = r.pos;
        r.pos = r.lengthEnd();
        break;
      case 42: // 5 gauge, 7 sum, 9 histogram, 10 exponential_histogram, 11 summary
      case 58:
      case 74:
      case 82:
      case 90:
        dataTag = tag;
        dataEnd = r.lengthEnd();
        dataStart = r.pos;
        r.pos = dataEnd;
        break;
      default:
        r.skipScanned(tag, METRIC_WIRES, 'Metric');
    }
  }
  r.expectEnd(end, 'Metric');
  let reason: string | undefined;
  if (nameAt !== -1) {
    r.pos = nameAt;
    // An empty name is no name (decodeMetric leaves it out): such a metric is decoded.
    const name = r.string();
    if (name !== '') reason = skipper.metricDropReason!(name);
  }
  if (reason === undefined) {
    r.pos = start;
    return undefined;
  }
  let points = 0;
  if (dataTag !== 0) {
    const { message, wires } = METRIC_DATA_WIRES[dataTag];
    r.pos = dataStart;
    while (r.pos < dataEnd) {
      const tag = r.varint32();
      if (tag === 10) {
        // 1 data_points
        r.pos = r.lengthEnd();
        points++;
      } else r.skipScanned(tag, wires, message);
    }
    r.expectEnd(dataEnd, message);
  }
  r.pos = end;
  skippedCount = points;
  return reason;
}

export const decodeMetricsRequest = requestDecoder<ExportMetricsServiceRequest, ResourceMetrics, ScopeMetrics>(
  {
    requestMessage: 'ExportMetricsServiceRequest',
    resourceMessage: 'ResourceMetrics',
    scopeMessage: 'ScopeMetrics',
    resourcesKey: 'resourceMetrics',
    scopesKey: 'scopeMetrics',
    recordsKey: 'metrics',
  },
  decodeMetric,
  { method: 'metricDropReason', dropReason: metricDropReason, skippedKey: 'skippedDataPoints' },
);

// ---------------------------------------------------------------- traces

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
  skippedCount = 1;
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
