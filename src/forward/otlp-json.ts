/**
 * OTLP/JSON writing (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): camelCase
 * keys, 64-bit integers as decimal strings, enums as numbers, trace and span ids as hex. Written by
 * hand: the SDK's serializers are not part of the action's runtime dependencies.
 */
import { SCHEMA_VERSION, type Attribution } from '../beacon/event.js';

export type JsonAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: JsonAnyValue[] } };

export interface JsonKeyValue {
  key: string;
  value: JsonAnyValue;
}

/** The scope of everything we send. */
export const SCOPE = { name: 'beacon-action' } as const;

/** A scalar (or an array of scalars) as an AnyValue; undefined for what OTLP cannot hold (NaN, nested objects). */
export function anyValue(value: unknown): JsonAnyValue | undefined {
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
    case 'number':
      if (Number.isSafeInteger(value)) return { intValue: String(value) };
      return Number.isFinite(value) ? { doubleValue: value } : undefined;
    case 'bigint':
      return { intValue: value.toString() };
    default:
      if (Array.isArray(value)) {
        const values = value.map(anyValue);
        if (values.every((v) => v !== undefined && !('arrayValue' in v))) return { arrayValue: { values: values as JsonAnyValue[] } };
        return { stringValue: JSON.stringify(value) };
      }
      return undefined;
  }
}

/** Adds `key` = `value` to a list when the value can be represented and is not empty. */
export function pushAttribute(list: JsonKeyValue[], key: string, value: unknown): void {
  if (value === undefined || value === null || value === '') return;
  const v = anyValue(value);
  if (v) list.push({ key, value: v });
}

const RFC3339_UTC = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/;

/** `2026-06-13T18:00:05.123456789Z` → nanoseconds since the epoch as a decimal string (every digit kept). */
export function isoToUnixNanos(iso: string): string | undefined {
  const match = RFC3339_UTC.exec(iso);
  if (!match) return undefined;
  const ms = Date.parse(`${match[1]}Z`);
  if (!Number.isFinite(ms)) return undefined;
  const fraction = (match[2] ?? '').slice(0, 9).padEnd(9, '0');
  return (BigInt(ms / 1000) * 1_000_000_000n + BigInt(fraction)).toString();
}

export function msToUnixNanos(ms: number): string {
  return (BigInt(Math.round(ms)) * 1_000_000n).toString();
}

/**
 * Resource attributes of a run: the CI/CD and VCS semantic conventions where they have a name
 * (cicd.pipeline.*, vcs.*, host.name, os.type), `service.name` = the harness, `beacon.*` for the rest.
 */
export function resourceAttributes(attribution: Attribution, serviceName: string): JsonKeyValue[] {
  const list: JsonKeyValue[] = [];
  const run = attribution.run;
  pushAttribute(list, 'service.name', serviceName);
  pushAttribute(list, 'cicd.pipeline.name', run?.workflow);
  pushAttribute(list, 'cicd.pipeline.run.id', run?.run_id);
  if (run?.provider === 'github_actions' && attribution.repository && run.run_id) {
    const attempt = run.run_attempt ? `/attempts/${run.run_attempt}` : '';
    pushAttribute(list, 'cicd.pipeline.run.url.full', `${attribution.repository}/actions/runs/${run.run_id}${attempt}`);
  }
  pushAttribute(list, 'cicd.pipeline.task.name', run?.job);
  pushAttribute(list, 'vcs.repository.url.full', attribution.repository);
  pushAttribute(list, 'vcs.ref.head.name', attribution.branch ?? run?.branch);
  pushAttribute(list, 'vcs.ref.head.revision', run?.commit);
  pushAttribute(list, 'vcs.change.id', run?.pr_number);
  if (run?.provider === 'github_actions') pushAttribute(list, 'vcs.provider.name', 'github');
  pushAttribute(list, 'host.name', attribution.endpoint.hostname);
  pushAttribute(list, 'os.type', attribution.endpoint.os);
  pushAttribute(list, 'beacon.origin', attribution.origin);
  if (run) {
    // Everything of the run not named above, under beacon.run.* (provider, attempt, event, actor, ...).
    const named = new Set(['workflow', 'run_id', 'job', 'commit', 'branch', 'pr_number']);
    for (const [key, value] of Object.entries(run)) {
      if (!named.has(key)) pushAttribute(list, `beacon.run.${key === 'run_attempt' ? 'attempt' : key}`, value);
    }
  }
  pushAttribute(list, 'beacon.schema_version', SCHEMA_VERSION);
  return list;
}
