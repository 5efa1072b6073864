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

function capStringsDeep(value: unknown, max: number, depth: number): { value: unknown; cut: boolean } {
  if (typeof value === 'string') {
    const capped = capString(value, max);
    return { value: capped, cut: capped !== value };
  }
  if (value === null || typeof value !== 'object' || depth > 32) return { value, cut: false };
  let cut = false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const r = capStringsDeep(value[i], max, depth + 1);
      value[i] = r.value;
      cut ||= r.cut;
    }
  } else {
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      const r = capStringsDeep(obj[key], max, depth + 1);
      obj[key] = r.value;
      cut ||= r.cut;
    }
  }
  return { value, cut };
}

/**
 * Caps the event's strings in place and returns its JSON line (with `\n`), shrunk under
 * MAX_EVENT_BYTES if needed (drop `raw`, then cut the texts harder), marking `field_truncated`.
 */
export function serializeWithinLimits(event: BeaconEvent): string {
  let cut = false;
  const capText = (s: string | undefined): string | undefined => {
    if (s === undefined) return s;
    const c = capString(s, MAX_TEXT);
    if (c !== s) cut = true;
    return c;
  };
  if (event.prompt) event.prompt.text = capText(event.prompt.text)!;
  if (event.command) event.command.command = capText(event.command.command)!;
  if (event.tool?.command !== undefined) event.tool.command = capText(event.tool.command);
  event.message = capText(event.message);
  if (event.raw) cut = capStringsDeep(event.raw, MAX_RAW_STRING, 0).cut || cut;
  if (cut) event.field_truncated = true;

  let line = JSON.stringify(event);
  if (Buffer.byteLength(line) <= MAX_EVENT_BYTES) return line + '\n';
  // Too big even with capped strings (many attributes): raw goes first, it is only context.
  event.field_truncated = true;
  delete event.raw;
  line = JSON.stringify(event);
  if (Buffer.byteLength(line) <= MAX_EVENT_BYTES) return line + '\n';
  for (const max of [1024, 256]) {
    if (event.prompt) event.prompt.text = capString(event.prompt.text, max);
    if (event.command) event.command.command = capString(event.command.command, max);
    if (event.tool?.command !== undefined) event.tool.command = capString(event.tool.command, max);
    if (event.message) event.message = capString(event.message, max);
    line = JSON.stringify(event);
    if (Buffer.byteLength(line) <= MAX_EVENT_BYTES) break;
  }
  return line + '\n';
}
