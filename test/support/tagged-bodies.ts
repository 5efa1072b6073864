import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Signal } from '../../src/collector/otlp/types.js';
import { FIXTURES } from './collector-process.js';
import { encodeMessage } from './otlp/proto-encode.js';

/**
 * Real Codex request bodies made traceable one by one: every `gpt-5.5` in a body (the model, an
 * attribute of every record the collector keeps) is overwritten in place by a per-request tag of the
 * same length, so the protobuf framing stays intact and each kept event names the request it came
 * from in its `model`. What each body must yield is read out of the fixture's JSON independently of
 * the collector, from the schema page's mapping table.
 */

export const MODEL_PLACEHOLDER = 'gpt-5.5';

/** A tag of MODEL_PLACEHOLDER's length; distinct for every n below 36^6. */
export function requestTag(n: number): string {
  return `r${n.toString(36).padStart(6, '0')}`;
}

export type ContentEncoding = 'identity' | 'gzip' | 'deflate';

/** What the collector must make of one body (per the schema page), counted from its OTLP/JSON. */
export interface BodyExpectation {
  /** Log records, metric data points or spans: the collector's "records received". */
  records: number;
  /** Events by `event.action`. */
  kept: Record<string, number>;
}

export interface BodyTemplate {
  name: string;
  signal: Signal;
  path: string;
  contentType: string;
  encoding: 'json' | 'protobuf';
  contentEncoding: ContentEncoding;
  /** Uncompressed body holding MODEL_PLACEHOLDER at `tagOffsets`. */
  plain: Buffer;
  tagOffsets: number[];
  expected: BodyExpectation;
}

const SIGNAL_OF_PATH: Record<string, Signal> = { '/v1/logs': 'logs', '/v1/metrics': 'metrics', '/v1/traces': 'traces' };
const ROOT_MESSAGE: Record<Signal, string> = { logs: 'ExportLogsServiceRequest', metrics: 'ExportMetricsServiceRequest', traces: 'ExportTraceServiceRequest' };

type Json = Record<string, any>;

function stringAttributes(list: Json[] | undefined): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const kv of list ?? []) out[kv.key] = kv.value?.stringValue;
  return out;
}

function add(counts: Record<string, number>, key: string, n = 1): void {
  counts[key] = (counts[key] ?? 0) + n;
}

/** The schema page's "Codex log events that are kept" and "Token usage", applied to an OTLP/JSON body. */
export function expectationOf(signal: Signal, body: Json): BodyExpectation {
  const result: BodyExpectation = { records: 0, kept: {} };
  if (signal === 'logs') {
    for (const rl of body.resourceLogs ?? []) {
      for (const sl of rl.scopeLogs ?? []) {
        for (const record of sl.logRecords ?? []) {
          result.records += 1;
          const a = stringAttributes(record.attributes);
          switch (a['event.name']) {
            case 'codex.conversation_starts':
              add(result.kept, 'session.started');
              break;
            case 'codex.user_prompt':
              add(result.kept, 'prompt.submitted');
              break;
            case 'codex.tool_decision':
              add(result.kept, /^den/i.test(a.decision ?? '') ? 'approval.denied' : 'approval.requested');
              break;
            case 'codex.tool_result': {
              let cmd: unknown;
              try {
                cmd = JSON.parse(a.arguments ?? '').cmd;
              } catch {
                cmd = undefined;
              }
              add(result.kept, typeof cmd === 'string' || a.tool_name === 'shell' ? 'command.executed' : 'tool.invoked');
              break;
            }
          }
        }
      }
    }
  } else if (signal === 'metrics') {
    for (const rm of body.resourceMetrics ?? []) {
      for (const sm of rm.scopeMetrics ?? []) {
        for (const metric of sm.metrics ?? []) {
          const data = metric.gauge ?? metric.sum ?? metric.histogram ?? metric.exponentialHistogram ?? metric.summary;
          const points = data?.dataPoints?.length ?? 0;
          result.records += points;
          if (metric.name === 'codex.turn.token_usage') add(result.kept, 'token.usage', points);
        }
      }
    }
  } else {
    for (const rs of body.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) result.records += ss.spans?.length ?? 0;
  }
  return result;
}

function offsetsOf(buffer: Buffer, needle: string): number[] {
  const offsets: number[] = [];
  for (let at = buffer.indexOf(needle); at !== -1; at = buffer.indexOf(needle, at + needle.length)) offsets.push(at);
  return offsets;
}

/**
 * One JSON fixture body as a template: as captured (OTLP/JSON), or re-encoded as OTLP/protobuf by
 * the test-side encoder (same content, so the same expectation), optionally compressed on the wire.
 */
export function fixtureTemplate(file: string, encoding: 'json' | 'protobuf', contentEncoding: ContentEncoding = 'identity'): BodyTemplate {
  const [capture, bodyFile] = file.split('/') as [string, string];
  const request = fs
    .readFileSync(path.join(FIXTURES, capture, 'requests.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { path: string; body_file: string })
    .find((r) => r.body_file === bodyFile);
  if (!request) throw new Error(`no request with body ${file}`);
  const signal = SIGNAL_OF_PATH[request.path]!;
  const text = fs.readFileSync(path.join(FIXTURES, capture, bodyFile));
  const json = JSON.parse(text.toString('utf8')) as Json;
  const plain = encoding === 'json' ? text : Buffer.from(encodeMessage(ROOT_MESSAGE[signal], json));
  return {
    name: `${file} as ${encoding}${contentEncoding === 'identity' ? '' : ` (${contentEncoding})`}`,
    signal,
    path: request.path,
    contentType: encoding === 'json' ? 'application/json' : 'application/x-protobuf',
    encoding,
    contentEncoding,
    plain,
    tagOffsets: offsetsOf(plain, MODEL_PLACEHOLDER),
    expected: expectationOf(signal, json),
  };
}

/** The template's wire body with every placeholder replaced by `tag`. */
export function render(template: BodyTemplate, tag: string): Buffer {
  if (tag.length !== MODEL_PLACEHOLDER.length) throw new Error(`a tag must be ${MODEL_PLACEHOLDER.length} characters`);
  const body = Buffer.from(template.plain);
  for (const at of template.tagOffsets) body.write(tag, at, 'ascii');
  if (template.contentEncoding === 'gzip') return zlib.gzipSync(body);
  if (template.contentEncoding === 'deflate') return zlib.deflateSync(body);
  return body;
}

export function headersOf(template: BodyTemplate, secret: string): Record<string, string> {
  return {
    'content-type': template.contentType,
    'x-beacon-secret': secret,
    ...(template.contentEncoding === 'identity' ? {} : { 'content-encoding': template.contentEncoding }),
  };
}

/** Events grouped by the request tag in their `model`, then counted by action. */
export function actionsByTag(events: Record<string, any>[]): Map<string, Record<string, number>> {
  const byTag = new Map<string, Record<string, number>>();
  for (const event of events) {
    const tag = String(event.model);
    const counts = byTag.get(tag) ?? {};
    add(counts, event.event.action);
    byTag.set(tag, counts);
  }
  return byTag;
}

export function sumCounts(into: Record<string, number>, from: Record<string, number>, times = 1): void {
  for (const [key, n] of Object.entries(from)) add(into, key, n * times);
}
