/**
 * A long Codex job with its session files, and the capture the collector made of it, built from one
 * record stream so that the two agree as they do for a job that ended normally:
 *
 * - the job is a few Codex sessions one after another (one `codex exec` process each), each the
 *   log records of ./codex-traffic.ts (`codexJobRecords`: prompts, model responses with their token
 *   counts, tool decisions and results);
 * - the capture: those records in one protobuf export per 1-second window, as Codex sends them,
 *   through the collector's own decode → keep/map → serialize (./capture.ts `exportLines`), and at
 *   each session's exit the token metric flush: Codex's real metrics export (the JSON fixture,
 *   encoded to protobuf) whose `codex.turn.token_usage` histogram is that session's usage, turn by
 *   turn. Codex's periodic metrics exports (every 60 s) carry no token points and leave no line in
 *   the capture: only their export numbers are taken;
 * - the session files, `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl`, one per
 *   session, in the line shapes of the real Codex CLI 0.169.0 (codex-session-files.md,
 *   test/support/codex-session-lines.ts, and a file the real CLI wrote against the fake model):
 *   session_meta, then per turn task_started, turn_context, the prompt, and per model response a
 *   reasoning item, the function call (or the answer), its token_usage_record, the command's
 *   item_completed and function_call_output (the tool's output, twice, as Codex writes it) and a
 *   token_count event. The session id is the records' `conversation.id`, the call ids and times are
 *   theirs, and each token_usage_record holds the usage of its response's
 *   `response.completed` record, so the metric equals the files' usage exactly.
 *
 * Tool outputs in the files are bigger than the 1.5 kB the log records carry: most a few kB, some
 * tens of kB, one in twenty 50–200 kB, times `outputScale`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { captureCompanions } from '../../src/handoff/workspace.js';
import { CODEX_TOKEN_METRIC as TOKEN_METRIC } from '../../src/harness/codex/name.js';
import { SESSION_ID, rolloutName, sessionMeta, taskComplete, taskStarted, tokenCount, turnContext, usageRecord, type Usage } from '../../test/support/codex-session-lines.js';
import { encodeMessage } from '../../test/support/otlp/proto-encode.js';
import { exportLines } from './capture.js';
import { codexJobRecords, exportsBySecond, Prng } from './codex-traffic.js';
import { FIXTURES } from './env.js';

export interface SessionJobShape {
  /** Over the whole job, shared out between the sessions. */
  turns: number;
  toolCalls: number;
  sessions: number;
  seed?: number;
}

export interface JobSession {
  /** session_meta id = the records' conversation.id. */
  id: string;
  model: string;
  records: ReadableLogRecord[];
  startMs: number;
  endMs: number;
  /** Usage of each turn, summed over its responses (what the token histogram records). */
  turnUsage: Usage[];
}

export interface SessionJob {
  sessions: JobSession[];
  startMs: number;
  endMs: number;
  toolCalls: number;
  turns: number;
  responses: number;
}

/** Codex's periodic metrics export interval. */
const METRICS_INTERVAL_MS = 60_000;
/** Idle time between two sessions of the job. */
const SESSION_GAP_MS = 30_000;
/** The token metric flush comes this long after a session's last record (the process exiting). */
const EXIT_FLUSH_MS = 400;
const TOKEN_TYPES = ['input', 'cached_input', 'cache_write_input', 'output', 'reasoning_output', 'total'] as const;

type Attributes = Record<string, unknown>;

const attributesOf = (record: ReadableLogRecord) => record.attributes as Attributes;
const eventName = (record: ReadableLogRecord) => String(attributesOf(record)['event.name']);
const recordMs = (record: ReadableLogRecord) => Date.parse(String(attributesOf(record)['event.timestamp']));
/** A `response.completed` record with the response's token counts. */
const isUsage = (record: ReadableLogRecord) => eventName(record) === 'codex.sse_event' && 'input_token_count' in attributesOf(record);

function usageOf(record: ReadableLogRecord): Usage {
  const a = attributesOf(record);
  return { input: Number(a.input_token_count), cached: Number(a.cached_token_count), output: Number(a.output_token_count), reasoning: Number(a.reasoning_token_count) };
}

function addUsage(into: Usage, usage: Usage): void {
  into.input += usage.input;
  into.cached += usage.cached;
  into.output += usage.output;
  into.reasoning += usage.reasoning;
}

const noUsage = (): Usage => ({ input: 0, cached: 0, output: 0, reasoning: 0 });

/** The job: `shape.sessions` sessions one after another, the turns and tool calls shared out evenly. */
export function sessionJob(shape: SessionJobShape): SessionJob {
  const sessions: JobSession[] = [];
  let startMs = Date.UTC(2026, 10, 23, 20, 33, 55);
  for (let i = 0; i < shape.sessions; i++) {
    const share = (total: number) => Math.floor(total / shape.sessions) + (i < total % shape.sessions ? 1 : 0);
    const records = codexJobRecords({ turns: share(shape.turns), toolCalls: share(shape.toolCalls), seed: (shape.seed ?? 0x5e55) + i, startMs });
    const turnUsage: Usage[] = [];
    for (const record of records) {
      if (eventName(record) === 'codex.user_prompt') turnUsage.push(noUsage());
      else if (isUsage(record)) addUsage(turnUsage.at(-1)!, usageOf(record));
    }
    const first = attributesOf(records[0]!);
    const endMs = recordMs(records.at(-1)!);
    sessions.push({ id: String(first['conversation.id']), model: String(first.model), records, startMs: recordMs(records[0]!), endMs, turnUsage });
    startMs = endMs + SESSION_GAP_MS;
  }
  const count = (name: string) => sessions.reduce((n, s) => n + s.records.filter((r) => eventName(r) === name).length, 0);
  return {
    sessions,
    startMs: sessions[0]!.startMs,
    endMs: sessions.at(-1)!.endMs,
    toolCalls: count('codex.tool_result'),
    turns: count('codex.user_prompt'),
    responses: sessions.reduce((n, s) => n + s.records.filter(isUsage).length, 0),
  };
}

// ---- the capture ----

type Json = Record<string, any>;

function metricsFixture(): Json {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, 'tool-call-json', '003-metrics.json'), 'utf8')) as Json;
}

const nanos = (ms: number) => (BigInt(ms) * 1_000_000n).toString();

/** Histogram points of one token type: one value a turn, in the fixture's buckets. */
function histogramPoint(template: Json, values: number[], attributes: Json[], startMs: number, atMs: number): Json {
  const bounds = template.explicitBounds as number[];
  const bucketCounts = new Array<number>(bounds.length + 1).fill(0);
  for (const value of values) {
    const bucket = bounds.findIndex((bound) => value <= bound);
    bucketCounts[bucket < 0 ? bounds.length : bucket]! += 1;
  }
  return {
    ...template,
    attributes,
    startTimeUnixNano: nanos(startMs),
    timeUnixNano: nanos(atMs),
    count: values.length,
    sum: values.reduce((a, b) => a + b, 0),
    bucketCounts,
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

/** Codex's metrics export at a session's exit: the fixture's metrics, the token histogram being the session's. */
function exitFlush(fixture: Json, session: JobSession): Uint8Array {
  const body = structuredClone(fixture);
  const metrics = body.resourceMetrics[0].scopeMetrics[0].metrics as Json[];
  const tokens = metrics.find((m) => m.name === TOKEN_METRIC)!;
  const template = tokens.histogram.dataPoints[0] as Json;
  const value: Record<(typeof TOKEN_TYPES)[number], (u: Usage) => number> = {
    input: (u) => u.input,
    cached_input: (u) => u.cached,
    cache_write_input: () => 0,
    output: (u) => u.output,
    reasoning_output: (u) => u.reasoning,
    total: (u) => u.input + u.output,
  };
  tokens.histogram.dataPoints = TOKEN_TYPES.map((type) => {
    const attributes = (template.attributes as Json[]).map((kv) => (kv.key === 'token_type' ? { key: kv.key, value: { stringValue: type } } : kv.key === 'model' ? { key: kv.key, value: { stringValue: session.model } } : kv));
    return histogramPoint(template, session.turnUsage.map(value[type]), attributes, session.startMs, session.endMs + EXIT_FLUSH_MS);
  });
  return encodeMessage('ExportMetricsServiceRequest', body);
}

export interface SessionCapture {
  events: number;
  tokenEvents: number;
  /** Capture + token file. */
  bytes: number;
  captureBytes: number;
  tokenPath: string;
  logExports: number;
  metricsExports: number;
}

/** Writes the capture of `job` at `file` and its token file beside it, one write per export request as the collector does. */
export function writeSessionCapture(file: string, job: SessionJob): SessionCapture {
  const fixture = metricsFixture();
  const periodic = structuredClone(fixture);
  periodic.resourceMetrics[0].scopeMetrics[0].metrics = (periodic.resourceMetrics[0].scopeMetrics[0].metrics as Json[]).filter((m) => m.name !== TOKEN_METRIC);
  if (exportLines('metrics', encodeMessage('ExportMetricsServiceRequest', periodic), 1).events !== 0) throw new Error('a metrics export without token points left lines in the capture');

  const tokenPath = captureCompanions(file).tokenPoints;
  const capture = fs.openSync(file, 'w', 0o600);
  const tokens = fs.openSync(tokenPath, 'w', 0o600);
  const notes = fs.openSync(captureCompanions(file).suspectLines, 'w', 0o600);
  const result: SessionCapture = { events: 0, tokenEvents: 0, bytes: 0, captureBytes: 0, tokenPath, logExports: 0, metricsExports: 0 };
  let seq = 0;
  const write = (lines: ReturnType<typeof exportLines>) => {
    // The collector's notes of suspect lines, before the lines, as it writes them.
    if (lines.suspectStarts.length > 0) fs.writeSync(notes, lines.suspectStarts.map((start) => `${result.captureBytes + start}\n`).join(''));
    if (lines.text) result.captureBytes += fs.writeSync(capture, lines.text);
    if (lines.tokenText) result.bytes += fs.writeSync(tokens, lines.tokenText);
    result.events += lines.events;
    result.tokenEvents += lines.tokenEvents;
  };
  try {
    for (const session of job.sessions) {
      let nextMetricsAt = session.startMs + METRICS_INTERVAL_MS;
      for (const batch of exportsBySecond(session.records)) {
        const at = batch[0]!.hrTimeObserved[0] * 1000;
        for (; nextMetricsAt <= at; nextMetricsAt += METRICS_INTERVAL_MS) {
          seq++; // periodic metrics export: no token points, no line
          result.metricsExports++;
        }
        write(exportLines('logs', ProtobufLogsSerializer.serializeRequest(batch)!, ++seq));
        result.logExports++;
      }
      write(exportLines('metrics', exitFlush(fixture, session), ++seq));
      result.metricsExports++;
    }
  } finally {
    fs.closeSync(capture);
    fs.closeSync(tokens);
    fs.closeSync(notes);
  }
  if (result.tokenEvents !== TOKEN_TYPES.length * job.sessions.length) throw new Error(`the exit flushes made ${result.tokenEvents} token events, expected ${TOKEN_TYPES.length * job.sessions.length}`);
  result.bytes += result.captureBytes;
  return result;
}

// ---- the session files ----

/** Text to cut tool outputs from: command output of the kinds a coding job reads (listings, searches, tests, diffs, sources). */
function outputCorpus(rng: Prng, bytes: number): string {
  const files = ['src/collector/server.ts', 'src/finish/main.ts', 'test/collector.test.ts', 'src/beacon/event.ts', 'package.json', 'README.md', 'src/harness/codex/rules.ts', 'tests/test_api.py'];
  const words = ['const', 'export', 'function', 'return', 'await', 'if', 'event', 'options', 'buffer', 'length', 'session', 'token', 'usage', 'error', 'path', 'value'];
  const phrase = (n: number) => Array.from({ length: n }, () => rng.pick(words)).join(' ');
  const kinds: (() => string)[] = [
    () => `${rng.pick(files)}:${rng.int(1, 900)}:  ${phrase(rng.int(3, 10))} = "${rng.hex(rng.int(4, 16))}";`,
    () => `-rw-r--r--  1 runner docker ${String(rng.int(100, 99_999)).padStart(6)} Nov 23 20:${String(rng.int(10, 59))} ${rng.pick(files).split('/').at(-1)}`,
    () => `  ${rng.next() < 0.9 ? '✓' : '×'} ${rng.pick(files)} > ${phrase(rng.int(2, 6))} ${rng.int(1, 900)}ms`,
    () => `${rng.pick(['+', '-', ' '])}    ${phrase(rng.int(2, 9))}(${rng.pick(words)}, { ${rng.pick(words)}: ${rng.int(0, 4096)} });`,
    () => `    at ${rng.pick(words)}${rng.pick(words)} (file:///home/runner/work/octo-repo/octo-repo/${rng.pick(files)}:${rng.int(1, 900)}:${rng.int(1, 80)})`,
    () => `FAILED tests/test_api.py::test_${rng.pick(words)}_${rng.pick(words)} - AssertionError: expected ${rng.int(100, 599)}, got ${rng.int(100, 599)}`,
    () => `\t"${rng.pick(words)}": "${rng.int(0, 9)}.${rng.int(0, 30)}.${rng.int(0, 20)}",`,
  ];
  const lines: string[] = [];
  let size = 0;
  while (size < bytes) {
    const line = rng.pick(kinds)();
    lines.push(line);
    size += line.length + 1;
  }
  return `${lines.join('\n')}\n`;
}

/** Base64 text to cut reasoning items' encrypted content from. */
function base64Corpus(rng: Prng, bytes: number): string {
  const raw = Buffer.alloc(Math.ceil((bytes * 3) / 4));
  for (let i = 0; i < raw.length; i += 4) raw.writeUInt32LE(Math.floor(rng.next() * 0x100000000), Math.min(i, raw.length - 4));
  return raw.toString('base64');
}

/** A UUIDv7 (time first), as Codex's ids are. */
function uuid7(rng: Prng, ms: number): string {
  const time = Math.floor(ms).toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8)}-7${rng.hex(3)}-${rng.pick(['8', '9', 'a', 'b'])}${rng.hex(3)}-${rng.hex(12)}`;
}

/** One session file, written in pieces of a few MB. */
class SessionFileWriter {
  private pending: string[] = [];
  private pendingChars = 0;
  private ordinal = 0;
  lines = 0;
  bytes = 0;

  constructor(private readonly fd: number) {}

  /** A line of ours, in Codex's envelope. */
  add(at: string, type: string, payload: unknown, metadata?: unknown): void {
    const envelope = { timestamp: at, ordinal: this.ordinal, type, payload, ...(metadata === undefined ? {} : { metadata }) };
    this.push(JSON.stringify(envelope));
  }

  /** A line made by test/support/codex-session-lines.ts, numbered in this file's order. */
  addMade(line: string): void {
    this.push(line.replace(/"ordinal":\d+/, `"ordinal":${this.ordinal}`));
  }

  private push(line: string): void {
    this.ordinal++;
    this.lines++;
    this.pending.push(line, '\n');
    this.pendingChars += line.length + 1;
    if (this.pendingChars >= 4 << 20) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    this.bytes += fs.writeSync(this.fd, this.pending.join(''));
    this.pending = [];
    this.pendingChars = 0;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Size of one tool's output: mostly a few kB, sometimes tens of kB, one in twenty 50–200 kB. */
function outputSize(rng: Prng, scale: number): number {
  const r = rng.next();
  const base = r < 0.8 ? rng.int(300, 6_000) : r < 0.95 ? rng.int(6_000, 40_000) : rng.int(50_000, 200_000);
  return Math.round(base * scale);
}

interface Corpora {
  output: string;
  base64: string;
}

/** The lines of one session, from its records (see the file comment). */
function writeSession(out: SessionFileWriter, session: JobSession, rng: Prng, corpora: Corpora, scale: number): void {
  const cwd = '/home/runner/work/octo-repo/octo-repo';
  const cut = (corpus: string, length: number) => {
    const from = rng.int(0, Math.max(0, corpus.length - length - 1));
    return corpus.slice(from, from + length);
  };
  const total = noUsage();
  let turnId = '';
  let history = 0;
  let pending: { at: string; usage: Usage; responseId: string; final: boolean } | undefined;
  let sawText = false;
  let firstTurn = true;
  let lastAnswer = '';
  const itemMeta = () => ({ history_sequence: ++history, sampled_through_sequence: history - 1, client_authored: false });
  const reasoning = (at: string, usage: Usage) =>
    out.add(at, 'response_item', { type: 'reasoning', id: `rs_${rng.hex(48)}`, summary: [], content: null, encrypted_content: `gAAAAAB${cut(corpora.base64, Math.min(60_000, 400 + usage.reasoning * 6))}`, internal_chat_message_metadata_passthrough: { turn_id: turnId } }, itemMeta());
  const usageLines = (at: string, response: NonNullable<typeof pending>) => {
    // thread_token_usage is the session's running sum, as Codex writes it: the post step reads a large file's last one.
    addUsage(total, response.usage);
    out.addMade(usageRecord(at, turnId, response.responseId, response.usage, {}, { ...total }).replaceAll(SESSION_ID, session.id));
  };

  for (const record of session.records) {
    const a = attributesOf(record);
    const at = iso(recordMs(record));
    const ms = recordMs(record);
    switch (eventName(record)) {
      case 'codex.conversation_starts':
        out.addMade(sessionMeta(at, { id: session.id, baseInstructions: cut(corpora.output, 21_000) }).replaceAll('/tmp/work/home', cwd));
        break;
      case 'codex.user_prompt': {
        turnId = uuid7(rng, ms);
        out.addMade(taskStarted(at, turnId));
        if (firstTurn) {
          out.add(at, 'response_item', { type: 'message', id: `msg_${uuid7(rng, ms)}`, role: 'developer', content: [{ type: 'input_text', text: cut(corpora.output, 6_000) }] }, itemMeta());
          out.add(at, 'world_state', { full: true, state: { collaboration_mode: { mode: 'default', model: session.model }, environments: { environments: { local: { cwd, status: 'available', shell: 'bash' } } }, host_skills: { body: cut(corpora.output, 5_000) } } });
        }
        out.addMade(turnContext(at, turnId, session.model, { cwd }));
        if (firstTurn) out.add(at, 'event_msg', { type: 'thread_settings_applied', thread_id: session.id, thread_settings: { model: session.model, model_provider_id: 'openai', approval_policy: 'never', cwd } });
        const prompt = cut(corpora.output, Number(a.prompt_length) || 200);
        out.add(at, 'response_item', { type: 'message', id: `msg_${uuid7(rng, ms)}`, role: 'user', content: [{ type: 'input_text', text: prompt }], internal_chat_message_metadata_passthrough: { turn_id: turnId } }, itemMeta());
        out.add(at, 'event_msg', { type: 'item_completed', thread_id: session.id, turn_id: turnId, item: { type: 'UserMessage', id: uuid7(rng, ms), content: [{ type: 'text', text: prompt, text_elements: [] }] }, started_at_ms: ms, completed_at_ms: ms });
        firstTurn = false;
        break;
      }
      case 'codex.api_request':
        sawText = false;
        break;
      case 'codex.sse_event':
        if (a['event.kind'] === 'response.output_text.delta') sawText = true;
        if (!isUsage(record)) break;
        pending = { at, usage: usageOf(record), responseId: `resp_${rng.hex(48)}`, final: sawText };
        reasoning(at, pending.usage);
        if (pending.final) {
          // The answer: the turn ends with it.
          lastAnswer = cut(corpora.output, Math.min(8_000, pending.usage.output * 3));
          out.add(at, 'event_msg', { type: 'item_completed', thread_id: session.id, turn_id: turnId, item: { type: 'AgentMessage', id: `msg_${rng.hex(48)}`, content: [{ type: 'Text', text: lastAnswer }] }, started_at_ms: ms, completed_at_ms: ms });
          out.add(at, 'response_item', { type: 'message', status: 'completed', id: `msg_${rng.hex(48)}`, role: 'assistant', content: [{ type: 'output_text', text: lastAnswer, annotations: [] }], internal_chat_message_metadata_passthrough: { turn_id: turnId } }, itemMeta());
          usageLines(at, pending);
          out.addMade(tokenCount(at, total, pending.usage));
          out.addMade(taskComplete(at, turnId).replace('"Done."', JSON.stringify(lastAnswer.slice(0, 200))));
          pending = undefined;
        }
        break;
      case 'codex.tool_decision': {
        // The model's function call, completed with its response (before the command runs).
        const response = pending!;
        out.add(response.at, 'response_item', { type: 'function_call', status: 'completed', id: `fc_${rng.hex(48)}`, name: 'exec_command', arguments: String(a.arguments ?? '{"cmd":"git status --short"}'), call_id: String(a.call_id), internal_chat_message_metadata_passthrough: { turn_id: turnId } }, itemMeta());
        usageLines(response.at, response);
        break;
      }
      case 'codex.tool_result': {
        const header = String(a.output).split('Output:\n')[0];
        const output = cut(corpora.output, outputSize(rng, scale));
        const command = (JSON.parse(String(a.arguments)) as { cmd: string }).cmd;
        const exitCode = a.success === 'true' ? 0 : 1;
        out.add(at, 'event_msg', { type: 'item_completed', thread_id: session.id, turn_id: turnId, item: { type: 'CommandExecution', id: String(a.call_id), process_id: String(rng.int(1_000, 99_999)), command: ['/bin/bash', '-lc', command], cwd: `file://${cwd}`, source: 'unified_exec_startup', status: 'completed', aggregated_output: output, exit_code: exitCode, duration: { secs: Math.floor(Number(a.duration_ms) / 1000), nanos: (Number(a.duration_ms) % 1000) * 1e6 } }, started_at_ms: ms - Number(a.duration_ms), completed_at_ms: ms });
        out.add(at, 'response_item', { type: 'function_call_output', id: `fco_${uuid7(rng, ms)}`, call_id: String(a.call_id), output: `${header}Output:\n${output}`, internal_chat_message_metadata_passthrough: { turn_id: turnId, create_time: ms / 1000 } }, { ...itemMeta(), fallback_token_limit_override: 12_000 });
        out.addMade(tokenCount(at, total, pending!.usage));
        pending = undefined;
        break;
      }
    }
  }
}

export interface SessionTree {
  /** CODEX_HOME. */
  home: string;
  files: string[];
  bytes: number;
  lines: number;
}

/**
 * Writes the session files of `job` under `home/sessions/`, each with the mtime of its last line;
 * `outputScale` multiplies the size of every tool output (the rest of the files stays the same).
 */
export function writeSessionTree(home: string, job: SessionJob, options: { outputScale: number; seed?: number }): SessionTree {
  const rng = new Prng(options.seed ?? 0xf11e);
  const corpora: Corpora = { output: outputCorpus(rng, Math.max(1 << 20, Math.ceil(220_000 * options.outputScale))), base64: base64Corpus(rng, 96_000) };
  const tree: SessionTree = { home, files: [], bytes: 0, lines: 0 };
  for (const session of job.sessions) {
    const name = rolloutName(iso(session.startMs), session.id);
    const [, year, month, day] = /^rollout-(\d{4})-(\d{2})-(\d{2})/.exec(name)!;
    const folder = path.join(home, 'sessions', year!, month!, day!);
    fs.mkdirSync(folder, { recursive: true });
    const file = path.join(folder, name);
    const fd = fs.openSync(file, 'w', 0o644);
    const out = new SessionFileWriter(fd);
    try {
      writeSession(out, session, rng, corpora, options.outputScale);
      out.flush();
    } finally {
      fs.closeSync(fd);
    }
    const mtime = new Date(session.endMs);
    fs.utimesSync(file, mtime, mtime);
    tree.files.push(file);
    tree.bytes += out.bytes;
    tree.lines += out.lines;
  }
  return tree;
}
