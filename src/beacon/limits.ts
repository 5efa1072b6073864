import type { BeaconEvent } from './event.js';

/** Size rules of the schema page: cap long strings, shrink oversized events. */
export const MAX_TEXT = 4096; // prompt text, commands, messages
export const MAX_RAW_STRING = 2048; // strings inside `raw`
export const MAX_EVENT_BYTES = 64 * 1024;
export const TRUNCATED_SUFFIX = '...[truncated]';

export function capString(text: string, max: number): string {
  if (text.length <= max) return text;
  // Do not split a surrogate pair: a lone surrogate would become U+FFFD when written.
  let end = max - TRUNCATED_SUFFIX.length;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return text.slice(0, end) + TRUNCATED_SUFFIX;
}

/** Caps the strings inside `container` (an object or array, at `depth`) in place; whether one was cut. */
function capStringsIn(container: object, max: number, depth: number): boolean {
  let cut = false;
  if (Array.isArray(container)) {
    for (let i = 0; i < container.length; i++) cut = capValueAt(container as unknown[], i, max, depth) || cut;
  } else {
    for (const key of Object.keys(container)) cut = capValueAt(container as Record<string, unknown>, key, max, depth) || cut;
  }
  return cut;
}

/** Caps `holder[key]`: a string in place, an object or array through its strings; whether one was cut. */
function capValueAt(holder: Record<string, unknown> | unknown[], key: string | number, max: number, depth: number): boolean {
  const slots = holder as Record<string | number, unknown>;
  const v = slots[key];
  if (typeof v === 'string') {
    if (v.length <= max) return false;
    slots[key] = capString(v, max);
    return true;
  }
  return v !== null && typeof v === 'object' && depth < 32 && capStringsIn(v, max, depth + 1);
}

/** capString, recording in `state.cut` whether it cut. */
function capText(text: string | undefined, state: { cut: boolean }): string | undefined {
  if (text === undefined || text.length <= MAX_TEXT) return text;
  state.cut = true;
  return capString(text, MAX_TEXT);
}

/** Whether a JSON line fits MAX_EVENT_BYTES; counting its UTF-8 bytes only when it might not. */
function fits(line: string): boolean {
  // A UTF-16 unit is at most 3 UTF-8 bytes (a surrogate pair, 2 units, is 4).
  return line.length * 3 <= MAX_EVENT_BYTES || Buffer.byteLength(line) <= MAX_EVENT_BYTES;
}

/**
 * Caps the event's strings in place and returns its JSON line (with `\n`), shrunk under
 * MAX_EVENT_BYTES if needed (drop `raw`, then cut the texts harder), marking `field_truncated`.
 */
export function serializeWithinLimits(event: BeaconEvent): string {
  const state = { cut: false };
  if (event.prompt) event.prompt.text = capText(event.prompt.text, state)!;
  if (event.command) event.command.command = capText(event.command.command, state)!;
  if (event.tool?.command !== undefined) event.tool.command = capText(event.tool.command, state);
  event.message = capText(event.message, state);
  // `raw` is an object (a plain value there has no strings to cap).
  if (event.raw !== null && typeof event.raw === 'object' && capStringsIn(event.raw, MAX_RAW_STRING, 0)) state.cut = true;
  if (state.cut) event.field_truncated = true;

  let line = JSON.stringify(event);
  if (fits(line)) return line + '\n';
  // Too big even with capped strings (many attributes): raw goes first, it is only context.
  event.field_truncated = true;
  delete event.raw;
  line = JSON.stringify(event);
  if (fits(line)) return line + '\n';
  for (const max of [1024, 256]) {
    if (event.prompt) event.prompt.text = capString(event.prompt.text, max);
    if (event.command) event.command.command = capString(event.command.command, max);
    if (event.tool?.command !== undefined) event.tool.command = capString(event.tool.command, max);
    if (event.message) event.message = capString(event.message, max);
    line = JSON.stringify(event);
    if (fits(line)) break;
  }
  return line + '\n';
}
