/**
 * The start of one JSON line, read byte by byte without making it a string: the top-level
 * `"type"`, `"timestamp"` and `"payload"."type"`, wherever in the object those keys stand.
 * Used by ./lines.ts.
 */

/** What the scanner learnt of a line's top-level object before the caller decided. */
export interface LineHead {
  /** The top-level `"type"` string. */
  type?: string;
  /** `"type"` inside the top-level `"payload"` object. */
  payloadType?: string;
  /** The top-level `"timestamp"` string, when it comes before the caller decided (Codex writes it first); SOMETHING_ELSE when too long or malformed. */
  timestamp?: string;
  /** The `"payload"` object ended (so a missing `payloadType` is final). */
  payloadEnded: boolean;
  /** The line holds something other than a JSON object (the first character is not `{`). */
  notObject: boolean;
}

export const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;
/** Keys and values of interest are short; a longer string cannot be one of them. */
export const CAPTURE_LIMIT = 128;
/** Stands for a key that is none of `type`, `payload`, `timestamp`, and for a string too long or malformed to be a value of interest. */
export const SOMETHING_ELSE = '\u0000';

type Capture = 'key1' | 'key2' | 'type' | 'timestamp' | 'payloadType';

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0d;
}

/**
 * A resumable scan of one line's JSON structure, byte by byte, that follows only the depth, the
 * strings, and the keys at depth 1 and inside `"payload"` (depth 2). It stops at a newline.
 */
export class LineHeadScanner {
  readonly head: LineHead = { payloadEnded: false, notObject: false };
  /** The head changed since the caller last looked. */
  changed = false;
  /** The top-level object closed, or the line turned out not to be an object. */
  ended = false;
  /** Something other than white space came after the top-level object. */
  trailing = false;
  /** Anything other than white space was seen. */
  sawContent = false;

  private depth = 0;
  private inString = false;
  private escaped = false;
  private expectKey = false;
  private inPayload = false;
  private key1 = '';
  private key2 = '';
  private capture: Capture | undefined;
  private capturedLength = 0;
  private overflow = false;
  /** The captured string holds a backslash (an escape). */
  private escapes = false;

  /**
   * `captured` holds the strings of interest as they are read (at least CAPTURE_LIMIT bytes): one
   * buffer can serve all the scanners of a file, one line after another, rather than one each.
   */
  constructor(private readonly captured: Buffer = Buffer.alloc(CAPTURE_LIMIT)) {}

  /** Scans `data[from, to)`; returns where it stopped: at a newline (not consumed), after a change of the head, or `to`. */
  feed(data: Buffer, from: number, to: number): number {
    for (let at = from; at < to; at++) {
      const byte = data[at]!;
      if (byte === NEWLINE) return at;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === BACKSLASH) this.escaped = this.escapes = true;
        else if (byte === QUOTE) {
          this.inString = false;
          if (this.capture && this.endCapture()) return at + 1;
          continue;
        }
        if (this.capture) this.keep(byte);
        continue;
      }
      if (isWhitespace(byte)) continue;
      this.sawContent = true;
      if (this.ended) {
        this.trailing = true;
        continue;
      }
      if (this.depth === 0 && byte !== OPEN_OBJECT) {
        this.head.notObject = true;
        this.ended = this.changed = true;
        return at + 1;
      }
      if (this.structural(byte)) return at + 1;
    }
    return to;
  }

  /** One byte outside strings; true when the head changed. */
  private structural(byte: number): boolean {
    switch (byte) {
      case QUOTE:
        this.inString = true;
        this.capture = this.captureFor();
        this.capturedLength = 0;
        this.overflow = this.escapes = false;
        return false;
      case OPEN_OBJECT:
      case OPEN_ARRAY:
        this.depth++;
        if (this.depth === 1) this.expectKey = true;
        if (this.depth === 2 && byte === OPEN_OBJECT && this.key1 === 'payload') {
          this.inPayload = true;
          this.expectKey = true;
        }
        return false;
      case CLOSE_OBJECT:
      case CLOSE_ARRAY:
        this.depth--;
        if (this.depth === 1 && this.inPayload) {
          this.inPayload = false;
          this.head.payloadEnded = this.changed = true;
          return true;
        }
        if (this.depth <= 0) {
          this.ended = this.changed = true;
          return true;
        }
        return false;
      case COLON:
        this.expectKey = false;
        return false;
      case COMMA:
        this.expectKey = true;
        return false;
      default:
        return false;
    }
  }

  /** Which string of interest starts here, if any. */
  private captureFor(): Capture | undefined {
    if (this.depth === 1) {
      if (this.expectKey) return 'key1';
      if (this.key1 === 'type') return 'type';
      if (this.key1 === 'timestamp') return 'timestamp';
    } else if (this.depth === 2 && this.inPayload) {
      if (this.expectKey) return 'key2';
      if (this.key2 === 'type') return 'payloadType';
    }
    return undefined;
  }

  private keep(byte: number): void {
    if (this.capturedLength < CAPTURE_LIMIT) this.captured[this.capturedLength++] = byte;
    else this.overflow = true;
  }

  /** A captured string ended; true when the head changed. */
  private endCapture(): boolean {
    const which = this.capture!;
    this.capture = undefined;
    // A string too long to be a key or value of interest stands for "something else".
    if (this.overflow) return this.endString(which, SOMETHING_ELSE);
    const length = this.capturedLength;
    // Keys are only ever compared with KEYS_OF_INTEREST: one with no escape is matched byte by byte, no string made.
    if ((which === 'key1' || which === 'key2') && !this.escapes) return this.endString(which, keyOfInterest(this.captured, length));
    return this.endString(which, decodeJsonString(this.captured.toString('utf8', 0, length)));
  }

  /** Puts a captured string where it belongs; true when the head changed. */
  private endString(which: Capture, text: string): boolean {
    if (which === 'key1') this.key1 = text;
    else if (which === 'key2') this.key2 = text;
    else if (this.head[which] === undefined) {
      this.head[which] = text;
      this.changed = true;
      return true;
    }
    return false;
  }
}

const KEYS_OF_INTEREST = ['type', 'payload', 'timestamp'];

/** The key of interest spelt by `bytes[0, length)` (a key with no escape), else SOMETHING_ELSE. */
function keyOfInterest(bytes: Buffer, length: number): string {
  for (const key of KEYS_OF_INTEREST) {
    if (key.length !== length) continue;
    let at = 0;
    while (at < length && bytes[at] === key.charCodeAt(at)) at++;
    if (at === length) return key;
  }
  return SOMETHING_ELSE;
}

/** The value of a JSON string's inside (escapes included); a malformed one stands for "something else". */
function decodeJsonString(inside: string): string {
  if (!inside.includes('\\')) return inside;
  try {
    return JSON.parse(`"${inside}"`) as string;
  } catch {
    return SOMETHING_ELSE;
  }
}
