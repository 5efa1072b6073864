import { ACTION, type BeaconEvent } from './event.js';

/**
 * The integers of a line (schema page "What the reports compute", point 5): Beacon's readers take
 * a number as a Go int64 or float64, and a line holding `1e+300`, `10.5` or `4444.0` for a count
 * is dropped whole. JSON.stringify writes a safe integer (|n| <= 2^53-1) in plain decimal, exactly:
 * so every integer we write is one, and every total we add up stops at the largest.
 */

/** 2^53-1: the largest count that is written, and added up, exactly. */
export const MAX_COUNT = Number.MAX_SAFE_INTEGER;

/** A whole number from 0 to MAX_COUNT. */
export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** `a + b`, two counts, held at MAX_COUNT (saturated) rather than past it. */
export function addCount(a: number, b: number): number {
  const sum = a + b;
  return sum < MAX_COUNT ? sum : MAX_COUNT;
}

/** `raw.invalid_fields`: the fields of an event that were left out because their value could not be written. */
const INVALID_FIELDS = 'invalid_fields';

/** What an event is read as here: a BeaconEvent, or a parsed line of one. */
type EventLike = Partial<Pick<BeaconEvent, 'event' | 'command' | 'gen_ai' | 'raw'>>;

const notSafeInteger = (value: unknown) => value !== undefined && !(typeof value === 'number' && Number.isSafeInteger(value));
const notCount = (value: unknown) => value !== undefined && !isCount(value);
/** A metric's value (`raw.metric_value`): a token count, else any double but an integer too large to write exactly. */
const notMetricValue = (value: unknown, isToken: boolean) =>
  value !== undefined && (isToken ? !isCount(value) : typeof value !== 'number' || !Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value)));

/**
 * Leaves out, in place, each integer field of the event whose value is not a safe integer (or not
 * a count, where a count belongs), and names it in `raw.invalid_fields`: `command.exit_code`,
 * `command.duration_ms`, the token fields of `gen_ai.usage`, `raw.metric_count`, `raw.metric_value`.
 * Not `field_truncated`: the schema keeps that for an event shrunk to fit its size, and the list
 * says which number is missing (the sender's text of it stays in `raw.attributes`).
 */
export function leaveOutUnwritableIntegers(event: EventLike): void {
  let invalid: string[] | undefined;
  const command = event.command;
  if (command !== undefined && command !== null && typeof command === 'object') {
    if (notSafeInteger(command.exit_code)) (invalid ??= []).push(leaveOut(command, 'exit_code', 'command.'));
    if (notSafeInteger(command.duration_ms)) (invalid ??= []).push(leaveOut(command, 'duration_ms', 'command.'));
  }
  const usage = event.gen_ai?.usage as Record<string, any> | undefined;
  if (usage !== undefined && usage !== null && typeof usage === 'object') {
    if (notCount(usage.input_tokens)) (invalid ??= []).push(leaveOut(usage, 'input_tokens', 'gen_ai.usage.'));
    if (notCount(usage.output_tokens)) (invalid ??= []).push(leaveOut(usage, 'output_tokens', 'gen_ai.usage.'));
    for (const [nested, field] of NESTED_USAGE) {
      const holder = usage[nested];
      if (holder !== undefined && (holder === null || typeof holder !== 'object' || notCount(holder[field]))) (invalid ??= []).push(leaveOut(usage, nested, 'gen_ai.usage.', `.${field}`));
    }
  }
  const raw = event.raw;
  if (raw !== undefined && raw !== null && typeof raw === 'object') {
    if (notCount(raw.metric_count)) (invalid ??= []).push(leaveOut(raw, 'metric_count', 'raw.'));
    if (notMetricValue(raw.metric_value, event.event?.action === ACTION.tokenUsage)) (invalid ??= []).push(leaveOut(raw, 'metric_value', 'raw.'));
  }
  if (invalid === undefined) return;
  const holder = (event.raw ??= {});
  if (typeof holder !== 'object' || holder === null) return;
  const listed = holder[INVALID_FIELDS];
  holder[INVALID_FIELDS] = Array.isArray(listed) ? [...listed, ...invalid] : invalid;
}

const NESTED_USAGE = [
  ['cache_read', 'input_tokens'],
  ['cache_creation', 'input_tokens'],
  ['reasoning', 'output_tokens'],
] as const;

function leaveOut(holder: Record<string, any>, key: string, prefix: string, suffix = ''): string {
  delete holder[key];
  return prefix + key + suffix;
}
