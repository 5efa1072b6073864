/**
 * Codex-shaped OTLP traffic: the log records a long `codex exec` job sends, built from the real
 * records of the fixture capture (tool-call-json/004-logs.json: same attribute sets, same OTLP
 * eventName, severity and trace context), with fresh ids, times, commands and outputs. Serialized
 * by @opentelemetry/otlp-transformer to protobuf and to OTLP/JSON, pretty-printed like Codex's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { FIXTURES } from './env.js';

type AttributeValue = string | number | boolean;
type Attributes = Record<string, AttributeValue>;

interface Template {
  eventName: string;
  severityNumber: number;
  severityText: string;
  attributes: Attributes;
}

interface OtlpJsonRecord {
  severityNumber?: number;
  severityText?: string;
  eventName?: string;
  attributes?: { key: string; value: Record<string, unknown> }[];
}

/** Codex's kept events (schema page); everything else it sends is dropped by the collector. */
export const KEPT_EVENT_NAMES = new Set(['codex.conversation_starts', 'codex.user_prompt', 'codex.tool_decision', 'codex.tool_result']);

function loadTemplates(): Map<string, Template> {
  const body = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'tool-call-json', '004-logs.json'), 'utf8'));
  const templates = new Map<string, Template>();
  for (const scope of body.resourceLogs[0].scopeLogs) {
    for (const record of scope.logRecords as OtlpJsonRecord[]) {
      const attributes: Attributes = {};
      for (const { key, value } of record.attributes ?? []) {
        if ('stringValue' in value) attributes[key] = String(value.stringValue);
        else if ('boolValue' in value) attributes[key] = Boolean(value.boolValue);
        else if ('intValue' in value) attributes[key] = Number(value.intValue);
        else if ('doubleValue' in value) attributes[key] = Number(value.doubleValue);
      }
      const name = attributes['event.name'];
      if (typeof name !== 'string') continue;
      // sse_event: one template per kind; the completed one with token counts separately.
      const key = name === 'codex.sse_event' ? `${name}:${attributes['event.kind']}${'input_token_count' in attributes ? ':usage' : ''}` : name;
      if (!templates.has(key)) templates.set(key, { eventName: record.eventName ?? '', severityNumber: record.severityNumber ?? 9, severityText: record.severityText ?? 'INFO', attributes });
    }
  }
  return templates;
}

/** A small deterministic PRNG (mulberry32), so every run sends the same bytes. */
export class Prng {
  constructor(private state: number) {}
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  hex(length: number): string {
    let s = '';
    while (s.length < length) s += Math.floor(this.next() * 0x100000000).toString(16).padStart(8, '0');
    return s.slice(0, length);
  }
}

const COMMANDS = [
  'git status --short',
  'rg -n "TODO|FIXME" src',
  'sed -n 1,200p src/collector/server.ts',
  'npm test -- --run test/collector.test.ts',
  'ls -la src/finish',
  'git diff --stat HEAD~1',
  'cat package.json',
  'node --version && npm --version',
  'grep -rn "export function" src/beacon | head -50',
  'python3 -m pytest -q tests/test_api.py',
];

const OUTPUT_LINES = [
  'src/collector/server.ts:42:  const answer = (res: http.ServerResponse, status: number) => {',
  ' M src/finish/process-log.ts',
  '?? bench/run.mjs',
  'drwxr-xr-x  2 runner docker  4096 Nov 23 20:33 .',
  '-rw-r--r--  1 runner docker 12813 Nov 23 20:33 report.ts',
  '  ✓ test/collector.test.ts (18 tests) 2412ms',
  ' 3 files changed, 120 insertions(+), 14 deletions(-)',
  '    "typescript": "5.9.3",',
  'FAILED tests/test_api.py::test_timeout - AssertionError: expected 200, got 504',
  'export function redactDeep<T>(value: T): T {',
];

export interface CodexJobShape {
  turns: number;
  toolCalls: number;
  seed?: number;
  /** Epoch ms of the first record. */
  startMs?: number;
}

const RESOURCE = {
  attributes: {
    'service.name': 'codex_exec',
    'telemetry.sdk.language': 'rust',
    'host.name': 'runner-bench',
    'service.version': '0.169.0',
    'telemetry.sdk.version': '0.31.0',
    env: 'ci',
    'telemetry.sdk.name': 'opentelemetry',
  },
};
const SCOPE = { name: 'codex_otel.log_only', version: '' };

/**
 * The log records of one Codex job in the order Codex emits them: a session start, then per turn
 * a prompt and model responses (api_request + sse_events), each tool call's decision and result,
 * and a final answer. About 8 records per tool call, a quarter of them kept.
 */
export function codexJobRecords(shape: CodexJobShape): ReadableLogRecord[] {
  const templates = loadTemplates();
  const rng = new Prng(shape.seed ?? 0xc0de);
  const conversation = `01a20a1d-${rng.hex(4)}-7f22-${rng.hex(4)}-${rng.hex(12)}`;
  let clock = shape.startMs ?? Date.UTC(2026, 10, 23, 20, 33, 55);
  const records: ReadableLogRecord[] = [];
  let callSeq = 0;

  const emit = (key: string, overrides: Attributes = {}, stepMs = 5) => {
    const template = templates.get(key);
    if (!template) throw new Error(`no fixture record for ${key}`);
    clock += stepMs;
    const attributes: Attributes = { ...template.attributes, ...overrides, 'event.timestamp': new Date(clock).toISOString(), 'conversation.id': conversation };
    records.push({
      hrTime: [0, 0],
      hrTimeObserved: [Math.floor(clock / 1000), (clock % 1000) * 1e6 + rng.int(0, 999_999)],
      severityNumber: template.severityNumber,
      severityText: template.severityText,
      body: undefined,
      eventName: template.eventName,
      attributes,
      droppedAttributesCount: 0,
      spanContext: { traceId: rng.hex(32), spanId: rng.hex(16), traceFlags: 1 },
      resource: RESOURCE,
      instrumentationScope: SCOPE,
    } as unknown as ReadableLogRecord);
  };

  const response = (toolCall: boolean) => {
    emit('codex.api_request', { duration_ms: String(rng.int(400, 9000)) }, rng.int(200, 4000));
    emit('codex.sse_event:response.created');
    emit('codex.sse_event:response.output_item.added');
    if (!toolCall) emit('codex.sse_event:response.output_text.delta');
    emit('codex.sse_event:response.output_item.done');
    emit('codex.sse_event:response.completed');
    const input = rng.int(8_000, 120_000);
    const output = rng.int(50, 3_000);
    emit('codex.sse_event:response.completed:usage', {
      input_token_count: String(input),
      cached_token_count: String(Math.floor(input * 0.8)),
      output_token_count: String(output),
      reasoning_token_count: String(Math.floor(output / 3)),
      tool_token_count: String(input + output),
    });
  };

  emit('codex.conversation_starts');
  emit('codex.startup_phase');
  const perTurn = Math.floor(shape.toolCalls / shape.turns);
  let extra = shape.toolCalls - perTurn * shape.turns;
  for (let turn = 0; turn < shape.turns; turn++) {
    emit('codex.user_prompt', { prompt: '[REDACTED]', prompt_length: String(rng.int(20, 2000)) });
    const calls = perTurn + (extra-- > 0 ? 1 : 0);
    for (let call = 0; call < calls; call++) {
      response(true);
      if (call === 0) emit('codex.turn_ttft', { duration_ms: String(rng.int(300, 3000)) });
      const callId = `call_${rng.hex(24)}`;
      const command = rng.pick(COMMANDS);
      emit('codex.tool_decision', { call_id: callId });
      const lines = Array.from({ length: rng.int(1, 24) }, () => rng.pick(OUTPUT_LINES));
      const exitCode = rng.next() < 0.1 ? 1 : 0;
      // Commands take 5 ms to 10 s: 2,000 tool calls make a job of about 4 hours.
      const durationMs = rng.int(5, 10_000);
      emit(
        'codex.tool_result',
        {
          tool_result_seq: ++callSeq,
          call_id: callId,
          duration_ms: String(durationMs),
          success: String(exitCode === 0),
          arguments: JSON.stringify({ cmd: command, workdir: '/home/runner/work/octo-repo/octo-repo', yield_time_ms: 10_000 }),
          output: `Chunk ID: ${rng.hex(6)}\nWall time: ${rng.next().toFixed(4)} seconds\nProcess exited with code ${exitCode}\nOriginal token count: ${lines.length * 12}\nOutput:\n${lines.join('\n')}\n`,
        },
        durationMs + 20,
      );
    }
    response(false);
  }
  return records;
}

export interface LogBatch {
  protobuf: Uint8Array;
  /** OTLP/JSON, pretty-printed with two spaces like Codex's exporter. */
  json: Uint8Array;
  /** The JSON as text, for the JSON.parse baseline. */
  jsonText: string;
  records: number;
  /** Records the collector keeps (one event each). */
  kept: number;
}

export function serializeBatch(records: ReadableLogRecord[]): LogBatch {
  const protobuf = ProtobufLogsSerializer.serializeRequest(records)!;
  const jsonText = JSON.stringify(JSON.parse(Buffer.from(JsonLogsSerializer.serializeRequest(records)!).toString('utf8')), null, 2);
  const kept = records.filter((r) => KEPT_EVENT_NAMES.has(String(r.attributes['event.name']))).length;
  return { protobuf, json: Buffer.from(jsonText, 'utf8'), jsonText, records: records.length, kept };
}

/** Codex's own log exports of a job: the records of each 1-second window in one export (it flushes logs about every second). */
export function exportsBySecond(records: ReadableLogRecord[]): ReadableLogRecord[][] {
  const exports: ReadableLogRecord[][] = [];
  let window = -1;
  for (const record of records) {
    const second = record.hrTimeObserved[0];
    if (second !== window) {
      exports.push([]);
      window = second;
    }
    exports.at(-1)!.push(record);
  }
  return exports;
}

/** `count` batches of `size` records from one long job's record stream. */
export function logBatches(count: number, size: number, seed = 0xc0de): LogBatch[] {
  const needed = count * size;
  // ~8 records per tool call, ~4 tool calls per turn.
  const toolCalls = Math.ceil(needed / 8) + 8;
  const records = codexJobRecords({ toolCalls, turns: Math.ceil(toolCalls / 4), seed });
  const batches: LogBatch[] = [];
  for (let i = 0; i < count; i++) batches.push(serializeBatch(records.slice(i * size, (i + 1) * size)));
  return batches;
}

/** Codex's own metrics export of the protobuf fixture (~58 metric names, the token histogram included). */
export function fixtureMetricsProtobuf(): Uint8Array {
  return fs.readFileSync(path.join(FIXTURES, 'tool-call-protobuf', '004-metrics.pb'));
}
