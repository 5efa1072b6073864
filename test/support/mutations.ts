import { field, tag, varint } from './otlp/proto-encode.js';
import type { Prng } from './otlp/prng.js';
import { parseFields, truncateAt } from './otlp/truncate.js';

/**
 * Mutations of OTLP bodies for the fuzz test: blind ones (bit flips, byte noise, cuts, splices)
 * and protobuf-aware ones (a field's wire type changed, a length that claims far more than the
 * body holds, invalid UTF-8 inside a string, a cut deep inside with every enclosing length fixed),
 * plus AnyValues nested to any depth in both encodings. All driven by a seeded Prng.
 */

type Field = NonNullable<ReturnType<typeof parseFields>>[number];

/** Every field of a protobuf body, nested ones included, in byte order. */
export function flattenFields(fields: Field[], out: Field[] = []): Field[] {
  for (const f of fields) {
    out.push(f);
    if (f.children) flattenFields(f.children, out);
  }
  return out;
}

export interface ProtobufLayout {
  fields: Field[];
  all: Field[];
  lengthDelimited: Field[];
  /** Length-delimited fields that are not messages: strings and bytes. */
  leaves: Field[];
}

export function layoutOf(body: Uint8Array): ProtobufLayout {
  const fields = parseFields(body, 0, body.length);
  if (!fields) throw new Error('not a protobuf message');
  const all = flattenFields(fields);
  const lengthDelimited = all.filter((f) => ((f.tagBytes[0] ?? 0) & 7) === 2);
  return { fields, all, lengthDelimited, leaves: lengthDelimited.filter((f) => !f.children && f.end > f.contentStart) };
}

const splice = (body: Uint8Array, start: number, end: number, insert: Uint8Array | number[]) => Buffer.concat([body.subarray(0, start), Uint8Array.from(insert), body.subarray(end)]);

export function flipBits(rng: Prng, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body); // a copy
  for (let n = rng.int(1, 8); n > 0; n--) out[rng.int(0, out.length - 1)]! ^= 1 << rng.int(0, 7);
  return out;
}

export function noiseBytes(rng: Prng, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body); // a copy
  for (let n = rng.int(1, 16); n > 0; n--) out[rng.int(0, out.length - 1)] = rng.int(0, 255);
  return out;
}

export function cut(rng: Prng, body: Uint8Array): Uint8Array {
  return body.subarray(0, rng.int(0, body.length - 1));
}

/** A random range deleted, duplicated or replaced by random bytes. */
export function spliceRange(rng: Prng, body: Uint8Array): Uint8Array {
  const start = rng.int(0, body.length - 1);
  const end = Math.min(body.length, start + rng.int(1, 64));
  switch (rng.int(0, 2)) {
    case 0:
      return splice(body, start, end, []);
    case 1:
      return splice(body, start, start, body.subarray(start, end));
    default:
      return splice(body, start, end, rng.bytes(rng.int(0, 64)));
  }
}

/** A field's tag rewritten with another wire type (0-7: groups and the undefined 6/7 included). */
export function wrongWireType(rng: Prng, body: Uint8Array, layout: ProtobufLayout): Uint8Array {
  const f = rng.pick(layout.all);
  let tagValue = 0;
  for (let i = f.tagBytes.length - 1; i >= 0; i--) tagValue = tagValue * 128 + (f.tagBytes[i]! & 0x7f);
  const wire = tagValue & 7;
  let other = rng.int(0, 7);
  if (other === wire) other = (other + 1) % 8;
  return splice(body, f.start, f.start + f.tagBytes.length, tag(Math.floor(tagValue / 8), other));
}

const HUGE_LENGTHS = [2 ** 31 - 1, 2 ** 31, 2 ** 32 + 7, 2 ** 40, 2 ** 53, 2n ** 63n - 1n, 2n ** 64n - 1n];

/** A length-delimited field whose length claims far more bytes than the body holds. */
export function hugeLength(rng: Prng, body: Uint8Array, layout: ProtobufLayout): Uint8Array {
  const f = rng.pick(layout.lengthDelimited);
  const lengthStart = f.start + f.tagBytes.length;
  return splice(body, lengthStart, f.contentStart, varint(rng.pick(HUGE_LENGTHS)));
}

/** Bytes that are never valid UTF-8: a stray continuation, an overlong NUL, a surrogate, 0xFF. */
const INVALID_UTF8 = [[0x80], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xff], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]];

/** Invalid UTF-8 written over the inside of a string field (same length: the framing stays intact). */
export function invalidUtf8InString(rng: Prng, body: Uint8Array, layout: ProtobufLayout): Uint8Array {
  const out = new Uint8Array(body); // a copy
  const f = rng.pick(layout.leaves);
  const bad = rng.pick(INVALID_UTF8).slice(0, f.end - f.contentStart);
  out.set(bad, rng.int(f.contentStart, f.end - bad.length));
  return out;
}

/** Cut inside, with every enclosing message's length rewritten to end at the cut. */
export function deepCut(rng: Prng, body: Uint8Array, layout: ProtobufLayout): Uint8Array {
  return truncateAt(body, layout.fields, rng.int(1, body.length - 1));
}

/** Invalid UTF-8 placed inside a JSON string literal (the JSON stays well formed otherwise). */
export function invalidUtf8InJson(rng: Prng, body: Uint8Array): Uint8Array {
  const text = Buffer.from(body);
  for (let tries = 0; tries < 20; tries++) {
    const at = text.indexOf('"', rng.int(0, text.length - 1));
    if (at < 0 || at + 2 >= text.length) continue;
    return splice(body, at + 1, at + 1, rng.pick(INVALID_UTF8));
  }
  return body;
}

const JSON_REPLACEMENTS = ['[]', '{}', 'null', 'true', '1e999', '-0', '"x"', '""', '[[[[[[[[', '{"a":', '"\\ud800"', '18446744073709551616', '{"stringValue":{}}'];

/** A random JSON value (from a `:` or `[` to the next `,`) replaced by one of another type. */
export function wrongJsonType(rng: Prng, body: Uint8Array): Uint8Array {
  const text = Buffer.from(body);
  const at = text.indexOf(':', rng.int(0, text.length - 1));
  if (at < 0) return cut(rng, body);
  let end = at + 1;
  while (end < text.length && text[end] !== 0x2c /* , */ && text[end] !== 0x7d /* } */ && end - at < 200) end++;
  return splice(body, at + 1, end, Buffer.from(rng.pick(JSON_REPLACEMENTS)));
}

export type NestKind = 'array' | 'kvlist';

/**
 * An AnyValue (protobuf) nested `depth` levels deep, a string at the bottom. Written backwards from
 * the innermost value, each level's lengths known by then, so a depth of 100,000 costs linear time.
 */
export function nestedAnyValueProtobuf(depth: number, kind: NestKind, leaf: string): Uint8Array {
  const inner = field.string(1, leaf); // AnyValue.string_value
  const out = Buffer.alloc(inner.length + depth * 40);
  let pos = out.length - inner.length;
  out.set(inner, pos);
  const end = out.length;
  const prepend = (bytes: number[]) => {
    pos -= bytes.length;
    out.set(bytes, pos);
  };
  for (let level = 0; level < depth; level++) {
    if (kind === 'array') {
      // AnyValue.array_value (5) { ArrayValue.values (1) { AnyValue } }
      prepend([...tag(1, 2), ...varint(end - pos)]);
      prepend([...tag(5, 2), ...varint(end - pos)]);
    } else {
      // AnyValue.kvlist_value (6) { KeyValueList.values (1) { KeyValue.key (1) "k", KeyValue.value (2) { AnyValue } } }
      prepend([...tag(2, 2), ...varint(end - pos)]);
      prepend([...tag(1, 2), 1, 0x6b]);
      prepend([...tag(1, 2), ...varint(end - pos)]);
      prepend([...tag(6, 2), ...varint(end - pos)]);
    }
  }
  return out.subarray(pos);
}

/** The same in OTLP/JSON. */
export function nestedAnyValueJson(depth: number, kind: NestKind, leaf: string): string {
  const open = kind === 'array' ? '{"arrayValue":{"values":[' : '{"kvlistValue":{"values":[{"key":"k","value":';
  const close = kind === 'array' ? ']}}' : '}]}}';
  return open.repeat(depth) + JSON.stringify({ stringValue: leaf }) + close.repeat(depth);
}
