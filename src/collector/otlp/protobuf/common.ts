/**
 * The OTLP messages every signal shares (opentelemetry-proto common and resource): AnyValue with
 * its arrays and kvlists (nested at most MAX_ANY_VALUE_DEPTH deep), KeyValue, Resource and
 * InstrumentationScope.
 */
import { MAX_ANY_VALUE_DEPTH } from '../values.js';
import type { AnyValue, InstrumentationScope, KeyValue, Resource } from '../types.js';
import { fields, malformed, type Reader } from './wire.js';

export { MAX_ANY_VALUE_DEPTH };

// The `case` labels below are whole tags, (field number << 3) | wire type, with the field named
// in a comment: 10 = field 1 LEN, 16 = field 2 VARINT, 25 = field 3 I64, 133 = field 16 I32, ...

const ANY_VALUE_FIELDS = fields(1, 2, 3, 4, 5, 6, 7);
export function decodeAnyValue(r: Reader, end: number, depth: number): AnyValue {
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
export function pushKeyValue(r: Reader, list: KeyValue[] | undefined): KeyValue[] {
  const kv = decodeKeyValue(r, r.lengthEnd(), 0);
  if (list === undefined) return [kv];
  list.push(kv);
  return list;
}

const RESOURCE_FIELDS = fields(1, 2); // 3 entity_refs: not part of types.ts, skipped
export function decodeResource(r: Reader, end: number): Resource {
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
export function decodeScope(r: Reader, end: number): InstrumentationScope {
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
