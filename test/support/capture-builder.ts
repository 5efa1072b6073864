import fs from 'node:fs';
import path from 'node:path';
import { newEvent } from '../../src/beacon/envelope.js';
import type { Attribution, BeaconEvent, TokenRaw } from '../../src/beacon/event.js';
import { toJsonLine } from '../../src/beacon/sanitize.js';

/**
 * Builds collector capture files by hand, from the event contract (src/beacon/event.ts and the
 * schema page), for the post step's tests: every line goes through the collector's own serializer
 * (`toJsonLine`), and each export request's lines are appended in one write, as the collector does.
 */

import { FIXTURES } from './fixtures-path.js';
export { FIXTURES };

export const CI_ATTRIBUTION: Attribution = {
  endpoint: { hostname: 'runner-1', os: 'linux' },
  origin: 'ci',
  run: { provider: 'github_actions', run_id: '9001', run_attempt: '1', workflow: 'ci', job: 'codex', repository: 'octo/app', branch: 'main', ephemeral: true },
  repository: 'https://github.com/octo/app',
  branch: 'main',
};

export interface TokenSpec {
  type: string;
  value: number;
  seq: number;
  timestamp?: string;
  model?: string;
  temporality?: 'Delta' | 'Cumulative';
  start?: string;
  attribution?: Attribution;
  harness?: string;
}

export function tokenEvent(spec: TokenSpec): BeaconEvent {
  const model = spec.model ?? 'gpt-5.5';
  const event = newEvent(spec.attribution ?? CI_ATTRIBUTION, {
    timestamp: spec.timestamp ?? '2026-11-23T20:33:56.241Z',
    action: 'token.usage',
    category: 'metric',
    harness: spec.harness ?? 'codex_cli',
  });
  event.message = 'codex.turn.token_usage';
  event.model = model;
  event.gen_ai = { token: { type: spec.type }, usage: {} };
  const raw: TokenRaw = {
    otel_signal: 'metrics',
    metric_name: 'codex.turn.token_usage',
    metric_type: 'Histogram',
    metric_temporality: spec.temporality ?? 'Delta',
    metric_count: 1,
    metric_value: spec.value,
    attributes: { 'app.version': '0.169.0', model, originator: 'codex_exec', session_source: 'exec', tmp_mem_enabled: 'false', token_type: spec.type },
    metric_start_time: spec.start ?? '2026-11-23T20:33:56.104Z',
    export_seq: spec.seq,
  };
  event.raw = raw as unknown as Record<string, unknown>;
  return event;
}

/** The six points of one Codex turn (one export). */
export function turnTokens(seq: number, values: { input: number; cached: number; output: number; reasoning: number }, extra: Partial<TokenSpec> = {}): BeaconEvent[] {
  return [
    tokenEvent({ type: 'input', value: values.input, seq, ...extra }),
    tokenEvent({ type: 'cached_input', value: values.cached, seq, ...extra }),
    tokenEvent({ type: 'cache_write_input', value: 0, seq, ...extra }),
    tokenEvent({ type: 'output', value: values.output, seq, ...extra }),
    tokenEvent({ type: 'reasoning_output', value: values.reasoning, seq, ...extra }),
    tokenEvent({ type: 'total', value: values.input + values.output, seq, ...extra }),
  ];
}

export interface LogSpec {
  action: string;
  category: string;
  timestamp?: string;
  attributes?: Record<string, unknown>;
  fields?: Partial<BeaconEvent>;
  attribution?: Attribution;
  harness?: string;
}

export function logEvent(spec: LogSpec): BeaconEvent {
  const event = newEvent(spec.attribution ?? CI_ATTRIBUTION, {
    timestamp: spec.timestamp ?? '2026-11-23T20:33:55.610Z',
    action: spec.action,
    category: spec.category,
    harness: spec.harness ?? 'codex_cli',
  });
  Object.assign(event, spec.fields);
  event.raw = { otel_signal: 'logs', severity: 'INFO', attributes: { 'app.version': '0.169.0', ...spec.attributes } };
  return event;
}

export function commandEvent(command: string, options: { exitCode?: number; durationMs?: number; success?: boolean; tool?: string; session?: string } = {}): BeaconEvent {
  const tool = options.tool ?? 'exec_command';
  const args = JSON.stringify({ cmd: command });
  const fields: Partial<BeaconEvent> = {
    message: tool,
    tool: { name: tool, command: args },
    command: { command, ...(options.exitCode !== undefined ? { exit_code: options.exitCode } : {}), ...(options.durationMs !== undefined ? { duration_ms: options.durationMs } : {}), ...(options.success !== undefined ? { success: options.success } : {}) },
    session: { id: options.session ?? 'conv-1' },
    model: 'gpt-5.5',
  };
  return logEvent({ action: 'command.executed', category: 'command', fields, attributes: { tool_name: tool, arguments: args, duration_ms: String(options.durationMs ?? 0), success: String(options.success ?? true) } });
}

/** Serializes each export request's events as one block of lines. */
export function exportText(events: BeaconEvent[]): string {
  return events.map((event) => toJsonLine(event)).join('');
}

/** Writes a capture: one append per export request, like the collector's CaptureWriter. */
export function writeCapture(file: string, exports: (BeaconEvent[] | string)[]): string {
  fs.writeFileSync(file, '');
  for (const item of exports) fs.appendFileSync(file, typeof item === 'string' ? item : exportText(item));
  return fs.readFileSync(file, 'utf8');
}

// ---- From the real Codex request bodies (fixtures/codex-0.169.0) ----

type OtlpAttribute = { key: string; value: Record<string, unknown> };

function attributesOf(list: OtlpAttribute[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list ?? []) {
    const v = value.stringValue ?? value.boolValue ?? value.intValue ?? value.doubleValue;
    out[key] = typeof v === 'string' && 'intValue' in value ? Number(v) : v;
  }
  return out;
}

function nanosToIso(nanos: string): string {
  return new Date(Number(BigInt(nanos) / 1_000_000n)).toISOString();
}

/** Token events of a metrics request, the way the collector maps `codex.turn.token_usage`. */
function tokenEventsOfMetricsBody(body: any, seq: number): BeaconEvent[] {
  const events: BeaconEvent[] = [];
  for (const rm of body.resourceMetrics ?? []) {
    for (const sm of rm.scopeMetrics ?? []) {
      for (const metric of sm.metrics ?? []) {
        if (metric.name !== 'codex.turn.token_usage') continue;
        for (const point of metric.histogram.dataPoints) {
          const attributes = attributesOf(point.attributes);
          const event = newEvent(CI_ATTRIBUTION, { timestamp: nanosToIso(point.timeUnixNano), action: 'token.usage', category: 'metric', harness: 'codex_cli' });
          event.message = metric.name;
          event.model = String(attributes.model);
          event.gen_ai = { token: { type: String(attributes.token_type) }, usage: {} };
          const raw: TokenRaw = {
            otel_signal: 'metrics',
            metric_name: metric.name,
            metric_type: 'Histogram',
            metric_temporality: metric.histogram.aggregationTemporality === 2 ? 'Cumulative' : 'Delta',
            metric_count: Number(point.count),
            metric_value: Math.round(point.sum),
            attributes,
            metric_start_time: nanosToIso(point.startTimeUnixNano),
            export_seq: seq,
          };
          event.raw = raw as unknown as Record<string, unknown>;
          events.push(event);
        }
      }
    }
  }
  return events;
}

/** The kept Codex log events of a logs request (schema page mapping table). */
function logEventsOfLogsBody(body: any): BeaconEvent[] {
  const events: BeaconEvent[] = [];
  for (const rl of body.resourceLogs ?? []) {
    for (const sl of rl.scopeLogs ?? []) {
      for (const record of sl.logRecords ?? []) {
        const attributes = attributesOf(record.attributes);
        const name = attributes['event.name'];
        const base = (action: string, category: string, message: string) => {
          const event = newEvent(CI_ATTRIBUTION, { timestamp: new Date(String(attributes['event.timestamp'])).toISOString(), action, category, harness: 'codex_cli' });
          event.message = message;
          event.session = { id: String(attributes['conversation.id']) };
          event.model = String(attributes.model);
          const rawAttributes = { ...attributes };
          delete rawAttributes.prompt;
          event.raw = { otel_signal: 'logs', severity: record.severityText ?? '', attributes: rawAttributes };
          return event;
        };
        if (name === 'codex.conversation_starts') events.push(base('session.started', 'session', 'Codex session started'));
        if (name === 'codex.user_prompt') events.push(base('prompt.submitted', 'prompt', 'Codex prompt submitted'));
        if (name === 'codex.tool_decision') {
          const decision = String(attributes.decision);
          const event = base(/^den/.test(decision) ? 'approval.denied' : 'approval.requested', 'approval', 'Codex tool decision');
          event.approval = { required: true, decision, reason: String(attributes.source) };
          event.tool = { name: String(attributes.tool_name) };
          events.push(event);
        }
        if (name === 'codex.tool_result') {
          const args = String(attributes.arguments);
          const event = base('command.executed', 'command', String(attributes.tool_name));
          event.tool = { name: String(attributes.tool_name), command: args };
          const exit = /Process exited with code (-?\d+)/.exec(String(attributes.output));
          event.command = { command: JSON.parse(args).cmd, duration_ms: Number(attributes.duration_ms), success: attributes.success === 'true' };
          if (exit) event.command.exit_code = Number(exit[1]);
          events.push(event);
        }
      }
    }
  }
  return events;
}

/**
 * A capture of one of the JSON fixtures: every request in arrival order, its export sequence
 * number its position, the events written in one block per request (traces: spans not kept).
 */
export function fixtureCaptureExports(capture: 'tool-call-json' | 'interval-exports-json'): BeaconEvent[][] {
  const dir = path.join(FIXTURES, capture);
  const requests = fs
    .readFileSync(path.join(dir, 'requests.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { seq: number; path: string; body_file: string });
  const exports: BeaconEvent[][] = [];
  for (const request of requests) {
    if (request.path === '/v1/traces') continue;
    const body = JSON.parse(fs.readFileSync(path.join(dir, request.body_file), 'utf8'));
    const events = request.path === '/v1/metrics' ? tokenEventsOfMetricsBody(body, request.seq) : logEventsOfLogsBody(body);
    if (events.length) exports.push(events);
  }
  return exports;
}
