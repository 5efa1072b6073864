/**
 * Truncation deep inside a protobuf body. Cutting a body short only trips the outermost length
 * (the top-level message claims more bytes than remain); to reach the inner decoders, `truncateAt`
 * cuts at a position and rewrites the length of every enclosing message so that each ends at the
 * cut. Messages are recognized without a schema, the way `protoc --decode_raw` does: a
 * length-delimited field whose content parses as fields is taken for a message.
 */
import { bytesOf, varint } from './proto-encode.js';

interface Field {
  start: number;
  /** Where the length-delimited content starts (message fields only). */
  contentStart: number;
  end: number;
  tagBytes: Uint8Array;
  children?: Field[];
}

function readVarint(buf: Uint8Array, pos: number, end: number): [value: number, next: number] | undefined {
  let value = 0;
  for (let i = 0; i < 10 && pos < end; i++) {
    const b = buf[pos++];
    value += (b & 0x7f) * 2 ** (7 * i);
    if (b < 0x80) return [value, pos];
  }
  return undefined;
}

/** The fields of buf[start, end), or undefined when those bytes are not a message. */
export function parseFields(buf: Uint8Array, start: number, end: number, depth = 0): Field[] | undefined {
  const fields: Field[] = [];
  let pos = start;
  while (pos < end) {
    const fieldStart = pos;
    const tagRead = readVarint(buf, pos, end);
    if (!tagRead || tagRead[0] >>> 3 === 0) return undefined;
    const [tag, afterTag] = tagRead;
    pos = afterTag;
    const tagBytes = buf.subarray(fieldStart, afterTag);
    switch (tag & 7) {
      case 0: {
        const v = readVarint(buf, pos, end);
        if (!v) return undefined;
        pos = v[1];
        fields.push({ start: fieldStart, contentStart: pos, end: pos, tagBytes });
        break;
      }
      case 1:
      case 5:
        pos += (tag & 7) === 1 ? 8 : 4;
        if (pos > end) return undefined;
        fields.push({ start: fieldStart, contentStart: pos, end: pos, tagBytes });
        break;
      case 2: {
        const l = readVarint(buf, pos, end);
        if (!l || l[1] + l[0] > end) return undefined;
        const contentStart = l[1];
        pos = contentStart + l[0];
        const children = depth < 100 && l[0] > 0 ? parseFields(buf, contentStart, pos, depth + 1) : undefined;
        fields.push({ start: fieldStart, contentStart, end: pos, tagBytes, children });
        break;
      }
      default:
        return undefined;
    }
  }
  return fields;
}

function emit(buf: Uint8Array, fields: Field[], cut: number, out: (number[] | Uint8Array)[]): void {
  for (const f of fields) {
    if (f.end <= cut) {
      out.push(buf.subarray(f.start, f.end));
      continue;
    }
    if (f.start >= cut) return;
    if (f.children && cut > f.contentStart) {
      const inner: (number[] | Uint8Array)[] = [];
      emit(buf, f.children, cut, inner);
      const content = bytesOf(...inner);
      out.push(f.tagBytes, varint(content.length), content);
    } else {
      out.push(buf.subarray(f.start, cut)); // a leaf, or a message cut inside its tag or length
    }
    return;
  }
}

/** `body` cut at `cut`, every enclosing message's length rewritten to end there. */
export function truncateAt(body: Uint8Array, fields: Field[], cut: number): Uint8Array {
  const out: (number[] | Uint8Array)[] = [];
  emit(body, fields, cut, out);
  return bytesOf(...out);
}
