/**
 * A strict JSON scanner over the bytes of an OTLP/JSON export request. It validates the whole
 * body against the JSON grammar (RFC 8259: strings with valid escapes and no raw control
 * characters, numbers, literals, nothing after the top value) without making a string of it, and
 * returns a plan: the byte ranges of the request's containers down to the records, so that
 * `./json-bytes.ts` can JSON.parse each record on its own. One string of a multi-megabyte body
 * is what it avoids: V8 puts a string that large in large-object space, on fresh pages each time.
 *
 * The body must already be valid UTF-8 (bytes >= 0x80 are not looked at here). A leading UTF-8
 * byte order mark is skipped, as TextDecoder does. Nesting deeper than MAX_JSON_NESTING
 * containers is refused.
 *
 * For each record the plan also carries what a SkipFilter needs to drop it unread (a log
 * record's `event.name` string value, a metric's name and its data point count) and whether the
 * record passes the structural checks of `./json.ts`: a record that would fail them is never
 * skipped, so it fails when it is decoded, exactly as it does without a filter.
 */
import { MalformedRequestError } from './types.js';

/**
 * Containers nested deeper than this are refused. The deepest place OTLP puts an AnyValue is an
 * exemplar's filtered attribute, 15 containers down; 64 AnyValue levels below it (the protobuf
 * decoder's limit) take 4 containers each as kvlists: 273 in all.
 */
export const MAX_JSON_NESTING = 512;

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const PLUS = 0x2b;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const COLON = 0x3a;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const LBRACKET = 0x5b;
const BACKSLASH = 0x5c;
const RBRACKET = 0x5d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LOWER_N = 0x6e;
const LOWER_T = 0x74;
const LOWER_F = 0x66;
const LOWER_U = 0x75;

/** Bytes that end a run of plain string content: the quote, the backslash, control characters. */
const STRING_STOP = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) STRING_STOP[c] = 1;
STRING_STOP[QUOTE] = 1;
STRING_STOP[BACKSLASH] = 1;

/** Valid characters after a backslash, `u` aside: " \ / b f n r t. */
const SIMPLE_ESCAPE = new Uint8Array(256);
for (const c of '"\\/bfnrt') SIMPLE_ESCAPE[c.charCodeAt(0)] = 1;

const HEX_DIGIT = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX_DIGIT[c.charCodeAt(0)] = 1;

const OBJECT = 1;
const ARRAY = 2;

/** A member name, as bytes (to compare unescaped names in place) and as text (for escaped ones). */
class Key {
  readonly bytes: Uint8Array;
  constructor(readonly text: string) {
    this.bytes = Buffer.from(text, 'latin1');
  }
}

// The scanning functions take the body and a byte index and return the index after what they
// read; what else they find goes into the module variables below. A scan never yields, so one
// set serves every request.

/** Whether the string `string` just read holds escapes. */
let stringEscaped = false;
/** The member name `memberKey` just read, without its quotes, and whether it holds escapes. */
let keyStart = 0;
let keyEnd = 0;
let keyEscaped = false;
/** Set by enterObject/nextMember/enterArray/nextElement: whether a member or element follows. */
let more = false;
/** Container kinds (OBJECT/ARRAY) open inside `value`. */
const openContainers = new Uint8Array(MAX_JSON_NESTING + 1);

function fail(b: Buffer, p: number, what: string): never {
  throw new MalformedRequestError(`json: ${p >= b.length ? 'unexpected end of the body' : `${what} at byte ${p}`}`);
}

function whitespace(b: Buffer, p: number): number {
  if (b[p] > SPACE) return p; // most often: no whitespace at all (undefined past the end)
  const end = b.length;
  while (p < end) {
    const c = b[p];
    if (c !== SPACE && c !== LF && c !== CR && c !== TAB) break;
    p++;
  }
  return p;
}

/** At a string's opening quote. */
function string(b: Buffer, p: number): number {
  const end = b.length;
  let escaped = false;
  p++;
  for (;;) {
    while (p < end && STRING_STOP[b[p]] === 0) p++;
    if (p >= end) fail(b, p, 'unterminated string');
    const c = b[p];
    if (c === QUOTE) break;
    if (c !== BACKSLASH) fail(b, p, 'control character in a string');
    escaped = true;
    const e = p + 1 < end ? b[p + 1] : 0;
    if (SIMPLE_ESCAPE[e] === 1) p += 2;
    else if (e === LOWER_U && p + 5 < end && (HEX_DIGIT[b[p + 2]] & HEX_DIGIT[b[p + 3]] & HEX_DIGIT[b[p + 4]] & HEX_DIGIT[b[p + 5]]) === 1) p += 6;
    else fail(b, p, 'invalid escape in a string');
  }
  stringEscaped = escaped;
  return p + 1;
}

function isDigit(b: Buffer, p: number): boolean {
  return p < b.length && b[p] >= ZERO && b[p] <= NINE;
}

function number(b: Buffer, p: number): number {
  if (b[p] === MINUS) p++;
  if (p < b.length && b[p] === ZERO) p++;
  else if (isDigit(b, p)) while (isDigit(b, p)) p++;
  else fail(b, p, 'invalid number');
  if (p < b.length && b[p] === DOT) {
    p++;
    if (!isDigit(b, p)) fail(b, p, 'invalid number');
    while (isDigit(b, p)) p++;
  }
  if (p < b.length && (b[p] === LOWER_E || b[p] === UPPER_E)) {
    p++;
    if (p < b.length && (b[p] === PLUS || b[p] === MINUS)) p++;
    if (!isDigit(b, p)) fail(b, p, 'invalid number');
    while (isDigit(b, p)) p++;
  }
  return p;
}

function literal(b: Buffer, p: number, text: Uint8Array): number {
  for (let i = 0; i < text.length; i++) if (p + i >= b.length || b[p + i] !== text[i]) fail(b, p + i, 'invalid literal');
  return p + text.length;
}

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

/**
 * Validates the value at `p` (whitespace before it allowed) and returns the index after it.
 * `depth`: the nesting level the value has if it is a container (the top value's is 1).
 * Iterative: deep nesting costs no call stack.
 */
function value(b: Buffer, p: number, depth: number): number {
  let top = 0;
  for (;;) {
    // A value is expected here.
    p = whitespace(b, p);
    let c = p < b.length ? b[p] : -1;
    if (c === QUOTE) {
      p = string(b, p);
    } else if (c === LBRACE || c === LBRACKET) {
      if (depth + top > MAX_JSON_NESTING) fail(b, p, `nesting deeper than ${MAX_JSON_NESTING}`);
      p = whitespace(b, p + 1);
      if (c === LBRACE) {
        if (p < b.length && b[p] === RBRACE) p++;
        else {
          openContainers[top++] = OBJECT;
          p = memberKey(b, p);
          continue;
        }
      } else if (p < b.length && b[p] === RBRACKET) {
        p++;
      } else {
        openContainers[top++] = ARRAY;
        continue;
      }
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      p = number(b, p);
    } else if (c === LOWER_T) {
      p = literal(b, p, TRUE);
    } else if (c === LOWER_F) {
      p = literal(b, p, FALSE);
    } else if (c === LOWER_N) {
      p = literal(b, p, NULL);
    } else {
      fail(b, p, 'expected a value');
    }
    // After a value: close the containers it ends, or go on to the next member or element.
    for (;;) {
      if (top === 0) return p;
      p = whitespace(b, p);
      c = p < b.length ? b[p] : -1;
      const inObject = openContainers[top - 1] === OBJECT;
      if (c === COMMA) {
        p = whitespace(b, p + 1);
        if (inObject) p = memberKey(b, p);
        break;
      }
      if (c !== (inObject ? RBRACE : RBRACKET)) fail(b, p, inObject ? "expected ',' or '}'" : "expected ',' or ']'");
      p++;
      top--;
    }
  }
}

/** At a member: reads its name (keyStart..keyEnd) and the colon; returns the index of its value. */
function memberKey(b: Buffer, p: number): number {
  if (p >= b.length || b[p] !== QUOTE) fail(b, p, 'expected a member name');
  keyStart = p + 1;
  p = string(b, p);
  keyEnd = p - 1;
  keyEscaped = stringEscaped;
  p = whitespace(b, p);
  if (p >= b.length || b[p] !== COLON) fail(b, p, "expected ':'");
  return whitespace(b, p + 1);
}

/** At '{': enters the object. When it has a member (`more`), returns the index of its value. */
function enterObject(b: Buffer, p: number, depth: number): number {
  if (depth > MAX_JSON_NESTING) fail(b, p, `nesting deeper than ${MAX_JSON_NESTING}`);
  p = whitespace(b, p + 1);
  more = p >= b.length || b[p] !== RBRACE;
  return more ? memberKey(b, p) : p + 1;
}

/** After a member's value: when another member follows (`more`), returns the index of its value. */
function nextMember(b: Buffer, p: number): number {
  p = whitespace(b, p);
  const c = p < b.length ? b[p] : -1;
  if (c === COMMA) {
    more = true;
    return memberKey(b, whitespace(b, p + 1));
  }
  if (c !== RBRACE) fail(b, p, "expected ',' or '}'");
  more = false;
  return p + 1;
}

/** At '[': enters the array. When it has an element (`more`), returns its index. */
function enterArray(b: Buffer, p: number, depth: number): number {
  if (depth > MAX_JSON_NESTING) fail(b, p, `nesting deeper than ${MAX_JSON_NESTING}`);
  p = whitespace(b, p + 1);
  more = p >= b.length || b[p] !== RBRACKET;
  return more ? p : p + 1;
}

/** After an element: when another element follows (`more`), returns its index. */
function nextElement(b: Buffer, p: number): number {
  p = whitespace(b, p);
  const c = p < b.length ? b[p] : -1;
  if (c === COMMA) {
    more = true;
    return whitespace(b, p + 1);
  }
  if (c !== RBRACKET) fail(b, p, "expected ',' or ']'");
  more = false;
  return p + 1;
}

/** Whether the string at start..end (without quotes) is `key`. */
function stringIs(b: Buffer, start: number, end: number, escaped: boolean, key: Key): boolean {
  if (escaped) return stringText(b, start, end, true) === key.text;
  const k = key.bytes;
  if (end - start !== k.length) return false;
  for (let i = 0; i < k.length; i++) if (b[start + i] !== k[i]) return false;
  return true;
}

/** Whether the member name just read is `key`. */
function keyIs(b: Buffer, key: Key): boolean {
  return stringIs(b, keyStart, keyEnd, keyEscaped, key);
}

interface NativeSlicer {
  utf8Slice(start: number, end: number): string;
}
/** Buffer's native `utf8Slice` backs `toString` and skips its argument checks; `toString` stands in where absent. */
const HAS_UTF8_SLICE = typeof (Buffer.prototype as unknown as Partial<NativeSlicer>).utf8Slice === 'function';

/** The text of bytes start..end of the body. */
export function textOf(b: Buffer, start: number, end: number): string {
  return HAS_UTF8_SLICE ? (b as unknown as NativeSlicer).utf8Slice(start, end) : b.toString('utf8', start, end);
}

/** The text of a string at start..end (without its quotes), escaped or not. */
export function stringText(b: Buffer, start: number, end: number, escaped: boolean): string {
  return escaped ? (JSON.parse(textOf(b, start - 1, end + 1)) as string) : textOf(b, start, end);
}

// ---------------------------------------------------------------- plans

/** One element of a list: its byte range (the whole value), and whether it is an object. */
export interface ElementPlan {
  start: number;
  end: number;
  isObject: boolean;
}

/**
 * An object above the records (the request, a resourceX, a scopeX). `holes`: byte ranges (start,
 * end pairs) of the values of its list key that were arrays, to leave out of its text. `list`: the
 * elements of the list key's last occurrence (the one JSON.parse keeps) when that is an array.
 */
export interface ContainerPlan extends ElementPlan {
  holes: number[];
  list: ElementPlan[] | undefined;
}

/**
 * A record with what a SkipFilter reads: `nameStart`..`nameEnd`, the bytes of the string that
 * names it (-1 when there is none: no `event.name` attribute whose value is a stringValue, a
 * metric name that is not a string, or a span), escaped or not; `points`, a metric's data point
 * count as keep-map counts it; `shapeOk`, whether it passes the structural checks of `./json.ts`.
 */
export interface RecordPlan extends ElementPlan {
  shapeOk: boolean;
  nameStart: number;
  nameEnd: number;
  nameEscaped: boolean;
  points: number;
}

export type RecordKind = 'log' | 'metric' | 'span';

const LIST_KEYS = {
  log: [new Key('resourceLogs'), new Key('scopeLogs'), new Key('logRecords')],
  metric: [new Key('resourceMetrics'), new Key('scopeMetrics'), new Key('metrics')],
  span: [new Key('resourceSpans'), new Key('scopeSpans'), new Key('spans')],
} as const;

/**
 * Scans a whole export request: the plan of its top object (levels: 0 the request, 1 resourceX,
 * 2 scopeX, whose list elements are RecordPlans), or an ElementPlan when the top value is not an
 * object. Throws MalformedRequestError on anything that is not JSON.
 */
export function scanExportRequest(b: Buffer, kind: RecordKind): ContainerPlan | ElementPlan {
  // TextDecoder drops a leading byte order mark: so does this.
  const start = whitespace(b, b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0);
  const plan: ContainerPlan | ElementPlan = start < b.length && b[start] === LBRACE ? scanContainer(b, start, 1, kind, 0) : { start, end: value(b, start, 1), isObject: false };
  const end = whitespace(b, plan.end);
  if (end !== b.length) fail(b, end, 'unexpected data after the JSON value');
  return plan;
}

function scanContainer(b: Buffer, p: number, depth: number, kind: RecordKind, level: number): ContainerPlan {
  const start = p;
  const listKey = LIST_KEYS[kind][level];
  const holes: number[] = [];
  let list: ElementPlan[] | undefined;
  p = enterObject(b, p, depth);
  while (more) {
    if (!keyIs(b, listKey)) {
      p = value(b, p, depth + 1);
    } else if (b[p] === LBRACKET) {
      const holeStart = p;
      list = [];
      p = scanList(b, p, depth + 1, kind, level + 1, list);
      holes.push(holeStart, p);
    } else {
      list = undefined;
      p = value(b, p, depth + 1);
    }
    p = nextMember(b, p);
  }
  return { start, end: p, isObject: true, holes, list };
}

function scanList(b: Buffer, p: number, depth: number, kind: RecordKind, level: number, elements: ElementPlan[]): number {
  p = enterArray(b, p, depth);
  while (more) {
    let element: ElementPlan;
    if (b[p] !== LBRACE) element = { start: p, end: value(b, p, depth + 1), isObject: false };
    else if (level < 3) element = scanContainer(b, p, depth + 1, kind, level);
    else if (kind === 'log') element = scanLogRecord(b, p, depth + 1);
    else if (kind === 'metric') element = scanMetric(b, p, depth + 1);
    else element = scanSpan(b, p, depth + 1);
    elements.push(element);
    p = nextElement(b, element.end);
  }
  return p;
}

// ---------------------------------------------------------------- records

const BODY = new Key('body');
const ATTRIBUTES = new Key('attributes');
const KEY = new Key('key');
const VALUE = new Key('value');
const STRING_VALUE = new Key('stringValue');
const EVENT_NAME = new Key('event.name');
const NAME = new Key('name');

/** Set by scanKeyValues and shapedObject: whether what they read passes the checks of `./json.ts`. */
let checksPass = false;
/** Set by scanKeyValues: the string value of the last KeyValue named as asked (start -1: none). */
let foundStart = -1;
let foundEnd = -1;
let foundEscaped = false;

/**
 * At an attributes-like list (any value): validates it and checks it as `checkKeyValues` does (an
 * array of objects whose `value`, when present, is an object; or null). With `wanted`, also finds
 * the string value of the last KeyValue whose key is `wanted`, as getAttribute reads it.
 */
function scanKeyValues(b: Buffer, p: number, depth: number, wanted: Key | undefined): number {
  let ok = true;
  let wantedStart = -1;
  let wantedEnd = -1;
  let wantedEscaped = false;
  if (b[p] !== LBRACKET) {
    checksPass = b[p] === LOWER_N;
    foundStart = -1;
    return value(b, p, depth);
  }
  p = enterArray(b, p, depth);
  while (more) {
    if (b[p] !== LBRACE) {
      ok = false;
      p = nextElement(b, value(b, p, depth + 1));
      continue;
    }
    let isWanted = false;
    let valueOk = true; // of the last `value` member, the one JSON.parse keeps
    let valueStart = -1;
    let valueEnd = -1;
    let valueEscaped = false;
    const after = commonKeyValue(b, p, depth + 1);
    if (after >= 0) {
      if (wanted !== undefined && stringIs(b, commonKeyStart, commonKeyEnd, commonKeyEscaped, wanted)) {
        wantedStart = commonValueStart;
        wantedEnd = commonValueEnd;
        wantedEscaped = commonValueEscaped;
      }
      p = nextElement(b, after);
      continue;
    }
    p = enterObject(b, p, depth + 1);
    while (more) {
      if (wanted !== undefined && keyIs(b, KEY)) {
        // A key that is not a string matches nothing (getAttribute compares with ===).
        if (b[p] === QUOTE) {
          const start = p + 1;
          p = string(b, p);
          isWanted = stringIs(b, start, p - 1, stringEscaped, wanted);
        } else {
          isWanted = false;
          p = value(b, p, depth + 2);
        }
      } else if (keyIs(b, VALUE)) {
        valueStart = -1;
        const c = b[p];
        valueOk = c === LBRACE || c === LOWER_N;
        if (c !== LBRACE || wanted === undefined) {
          p = value(b, p, depth + 2);
        } else {
          // An AnyValue: anyValueToJs reads `stringValue` first, whatever else is there.
          p = enterObject(b, p, depth + 2);
          while (more) {
            if (!keyIs(b, STRING_VALUE)) {
              p = value(b, p, depth + 3);
            } else if (b[p] === QUOTE) {
              valueStart = p + 1;
              p = string(b, p);
              valueEnd = p - 1;
              valueEscaped = stringEscaped;
            } else {
              valueStart = -1;
              p = value(b, p, depth + 3);
            }
            p = nextMember(b, p);
          }
        }
      } else {
        p = value(b, p, depth + 2);
      }
      p = nextMember(b, p);
    }
    if (!valueOk) ok = false;
    if (isWanted) {
      wantedStart = valueStart;
      wantedEnd = valueEnd;
      wantedEscaped = valueEscaped;
    }
    p = nextElement(b, p);
  }
  checksPass = ok;
  foundStart = wantedStart;
  foundEnd = wantedEnd;
  foundEscaped = wantedEscaped;
  return p;
}

const KEY_MEMBER = Buffer.from('"key"');
const VALUE_MEMBER = Buffer.from('"value"');
const STRING_VALUE_MEMBER = Buffer.from('"stringValue"');

function bytesAt(b: Buffer, p: number, k: Uint8Array): boolean {
  if (p + k.length > b.length) return false;
  for (let i = 0; i < k.length; i++) if (b[p + i] !== k[i]) return false;
  return true;
}

/** Set by commonKeyValue: its key's and its string value's ranges (without quotes). */
let commonKeyStart = 0;
let commonKeyEnd = 0;
let commonKeyEscaped = false;
let commonValueStart = 0;
let commonValueEnd = 0;
let commonValueEscaped = false;

/**
 * At a KeyValue's '{': reads the common form `{"key": "k", "value": {"stringValue": "v"}}` (any
 * whitespace) straight through, and returns the index after it; -1 when it is written any other
 * way, for the general path to read it from the start.
 */
function commonKeyValue(b: Buffer, p: number, depth: number): number {
  if (depth + 1 > MAX_JSON_NESTING) return -1;
  p = memberValue(b, whitespace(b, p + 1), KEY_MEMBER);
  if (p < 0 || b[p] !== QUOTE) return -1;
  commonKeyStart = p + 1;
  p = string(b, p);
  commonKeyEnd = p - 1;
  commonKeyEscaped = stringEscaped;
  p = whitespace(b, p);
  if (b[p] !== COMMA) return -1;
  p = memberValue(b, whitespace(b, p + 1), VALUE_MEMBER);
  if (p < 0 || b[p] !== LBRACE) return -1;
  p = memberValue(b, whitespace(b, p + 1), STRING_VALUE_MEMBER);
  if (p < 0 || b[p] !== QUOTE) return -1;
  commonValueStart = p + 1;
  p = string(b, p);
  commonValueEnd = p - 1;
  commonValueEscaped = stringEscaped;
  p = whitespace(b, p);
  if (b[p] !== RBRACE) return -1;
  p = whitespace(b, p + 1);
  if (b[p] !== RBRACE) return -1;
  return p + 1;
}

/** At a member's quoted `name` (bytes with the quotes): the index of its value past the colon, or -1. */
function memberValue(b: Buffer, p: number, name: Uint8Array): number {
  if (!bytesAt(b, p, name)) return -1;
  p = whitespace(b, p + name.length);
  if (b[p] !== COLON) return -1;
  return whitespace(b, p + 1);
}

/** At a log record's '{'. */
function scanLogRecord(b: Buffer, p: number, depth: number): RecordPlan {
  const start = p;
  let bodyOk = true;
  let attributesOk = true;
  let nameStart = -1;
  let nameEnd = -1;
  let nameEscaped = false;
  p = enterObject(b, p, depth);
  while (more) {
    if (keyIs(b, ATTRIBUTES)) {
      p = scanKeyValues(b, p, depth + 1, EVENT_NAME);
      attributesOk = checksPass;
      nameStart = foundStart;
      nameEnd = foundEnd;
      nameEscaped = foundEscaped;
    } else if (keyIs(b, BODY)) {
      // optionalObject: an object or null.
      bodyOk = b[p] === LBRACE || b[p] === LOWER_N;
      p = value(b, p, depth + 1);
    } else {
      p = value(b, p, depth + 1);
    }
    p = nextMember(b, p);
  }
  return { start, end: p, isObject: true, shapeOk: bodyOk && attributesOk, nameStart, nameEnd, nameEscaped, points: 0 };
}

// Metrics: what `checkMetric` checks below a metric, as a small schema.

/** How a member is checked: an object, an array of objects, an array, or a KeyValue list (each may be null). */
type Field = { key: Key; type: 'object' | 'objectArray'; shape: Shape } | { key: Key; type: 'array' | 'keyValues' };
type Shape = readonly Field[];

const ANY_OBJECT: Shape = [];
const EXEMPLAR: Shape = [{ key: new Key('filteredAttributes'), type: 'keyValues' }];
const POINT_ATTRIBUTES: Field = { key: ATTRIBUTES, type: 'keyValues' };
const EXEMPLARS: Field = { key: new Key('exemplars'), type: 'objectArray', shape: EXEMPLAR };
const BUCKETS: Shape = [{ key: new Key('bucketCounts'), type: 'array' }];
const NUMBER_POINT: Shape = [POINT_ATTRIBUTES, EXEMPLARS];
const HISTOGRAM_POINT: Shape = [POINT_ATTRIBUTES, EXEMPLARS, { key: new Key('bucketCounts'), type: 'array' }, { key: new Key('explicitBounds'), type: 'array' }];
const EXPONENTIAL_POINT: Shape = [POINT_ATTRIBUTES, EXEMPLARS, { key: new Key('positive'), type: 'object', shape: BUCKETS }, { key: new Key('negative'), type: 'object', shape: BUCKETS }];
const SUMMARY_POINT: Shape = [POINT_ATTRIBUTES, { key: new Key('quantileValues'), type: 'objectArray', shape: ANY_OBJECT }];

/** In keep-map's `dataPointCount` order: the first kind with data points gives the count. */
const METRIC_KINDS: readonly { key: Key; point: Shape }[] = [
  { key: new Key('gauge'), point: NUMBER_POINT },
  { key: new Key('sum'), point: NUMBER_POINT },
  { key: new Key('histogram'), point: HISTOGRAM_POINT },
  { key: new Key('exponentialHistogram'), point: EXPONENTIAL_POINT },
  { key: new Key('summary'), point: SUMMARY_POINT },
];
const METADATA = new Key('metadata');
const DATA_POINTS = new Key('dataPoints');

/** At an object: validates it; `checksPass` when it passes `shape` (the last of a repeated member counts). */
function shapedObject(b: Buffer, p: number, depth: number, shape: Shape): number {
  if (shape.length === 0) {
    checksPass = true;
    return value(b, p, depth);
  }
  let failing = 0; // bit i: the last occurrence of shape[i] failed
  p = enterObject(b, p, depth);
  while (more) {
    let i = 0;
    while (i < shape.length && !keyIs(b, shape[i].key)) i++;
    if (i === shape.length) {
      p = value(b, p, depth + 1);
    } else {
      p = field(b, p, depth + 1, shape[i]);
      failing = checksPass ? failing & ~(1 << i) : failing | (1 << i);
    }
    p = nextMember(b, p);
  }
  checksPass = failing === 0;
  return p;
}

/** At a member's value: validates it; `checksPass` when it passes `f`. */
function field(b: Buffer, p: number, depth: number, f: Field): number {
  const c = b[p];
  if (f.type === 'keyValues') return scanKeyValues(b, p, depth, undefined);
  if (f.type === 'object' && c === LBRACE) return shapedObject(b, p, depth, f.shape);
  if (f.type === 'objectArray' && c === LBRACKET) {
    let ok = true;
    p = enterArray(b, p, depth);
    while (more) {
      if (b[p] === LBRACE) {
        p = shapedObject(b, p, depth + 1, f.shape);
        ok = ok && checksPass;
      } else {
        ok = false;
        p = value(b, p, depth + 1);
      }
      p = nextElement(b, p);
    }
    checksPass = ok;
    return p;
  }
  checksPass = c === LOWER_N || (f.type === 'array' && c === LBRACKET);
  return value(b, p, depth);
}

/** At a metric's '{'. */
function scanMetric(b: Buffer, p: number, depth: number): RecordPlan {
  const start = p;
  let nameStart = -1;
  let nameEnd = -1;
  let nameEscaped = false;
  let failing = 0; // bit 0: metadata; bit 1 + k: METRIC_KINDS[k]
  // Data points of each kind's last occurrence; -1: the kind or its dataPoints absent or null.
  const points = [-1, -1, -1, -1, -1];
  p = enterObject(b, p, depth);
  while (more) {
    if (keyIs(b, NAME)) {
      if (b[p] === QUOTE) {
        nameStart = p + 1;
        p = string(b, p);
        nameEnd = p - 1;
        nameEscaped = stringEscaped;
      } else {
        nameStart = -1;
        p = value(b, p, depth + 1);
      }
    } else if (keyIs(b, METADATA)) {
      p = scanKeyValues(b, p, depth + 1, undefined);
      failing = checksPass ? failing & ~1 : failing | 1;
    } else {
      let k = 0;
      while (k < METRIC_KINDS.length && !keyIs(b, METRIC_KINDS[k].key)) k++;
      if (k === METRIC_KINDS.length) {
        p = value(b, p, depth + 1);
      } else {
        p = scanMetricData(b, p, depth + 1, METRIC_KINDS[k].point);
        points[k] = dataPoints;
        failing = checksPass ? failing & ~(2 << k) : failing | (2 << k);
      }
    }
    p = nextMember(b, p);
  }
  let count = 0;
  for (const n of points) {
    if (n >= 0) {
      count = n;
      break;
    }
  }
  return { start, end: p, isObject: true, shapeOk: failing === 0, nameStart, nameEnd, nameEscaped, points: count };
}

// Spans: what `checkSpan` checks. A SkipFilter drops spans by no name.
const SPAN_LINK_OR_EVENT: Shape = [{ key: ATTRIBUTES, type: 'keyValues' }];
const SPAN: Shape = [
  { key: ATTRIBUTES, type: 'keyValues' },
  { key: new Key('status'), type: 'object', shape: ANY_OBJECT },
  { key: new Key('events'), type: 'objectArray', shape: SPAN_LINK_OR_EVENT },
  { key: new Key('links'), type: 'objectArray', shape: SPAN_LINK_OR_EVENT },
];

/** At a span's '{'. */
function scanSpan(b: Buffer, p: number, depth: number): RecordPlan {
  const end = shapedObject(b, p, depth, SPAN);
  return { start: p, end, isObject: true, shapeOk: checksPass, nameStart: -1, nameEnd: -1, nameEscaped: false, points: 0 };
}

/** Set by scanMetricData: the data points of its last `dataPoints` array (-1: none, or null). */
let dataPoints = -1;

/** At a metric's gauge/sum/...: validates it; `checksPass` as checkMetric checks it, `dataPoints` counted. */
function scanMetricData(b: Buffer, p: number, depth: number, point: Shape): number {
  let count = -1;
  let ok = true;
  if (b[p] !== LBRACE) {
    checksPass = b[p] === LOWER_N;
    dataPoints = -1;
    return value(b, p, depth);
  }
  p = enterObject(b, p, depth);
  while (more) {
    if (!keyIs(b, DATA_POINTS)) {
      p = value(b, p, depth + 1);
    } else if (b[p] !== LBRACKET) {
      count = -1;
      ok = b[p] === LOWER_N;
      p = value(b, p, depth + 1);
    } else {
      count = 0;
      ok = true;
      p = enterArray(b, p, depth + 1);
      while (more) {
        count++;
        if (b[p] === LBRACE) {
          p = shapedObject(b, p, depth + 2, point);
          ok = ok && checksPass;
        } else {
          ok = false;
          p = value(b, p, depth + 2);
        }
        p = nextElement(b, p);
      }
    }
    p = nextMember(b, p);
  }
  checksPass = ok;
  dataPoints = count;
  return p;
}
