import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake OpenAI Responses API on loopback, for running the real Codex CLI offline.
 *
 * Each `POST /v1/responses` consumes the next call of the scenario and answers it as an SSE stream
 * with the same event sequence the fixtures under test/fixtures/codex-0.169.0 were captured
 * with (so Codex logs the same `codex.sse_event` kinds):
 *   tool call:    response.created, response.output_item.added, response.output_item.done, response.completed
 *   final answer: response.created, response.output_item.added, response.output_text.delta,
 *                 response.output_item.done, response.completed
 * Every other path (e.g. `/v1/analytics/codex/turn-costs`) gets a quick 200 `{}`.
 *
 * scripts/demo.mjs imports this file with Node's built-in type stripping: keep to erasable
 * TypeScript (no enums, namespaces or parameter properties) and no relative imports.
 */

/** Token usage a response reports, in the scenario's short names. */
export interface ScenarioUsage {
  input: number;
  cached: number;
  output: number;
  reasoning: number;
  total: number;
}

/** How a call goes wrong instead of streaming a complete response. */
export type ModelCallFailure =
  /** Answer with this HTTP status and a JSON error body, no stream. */
  | { httpStatus: number }
  /** Stream the response but end it before `response.completed`. */
  | { cutStream: true };

interface ModelCallBase {
  usage: ScenarioUsage;
  /** Wait this long before answering (the response headers included). */
  delayMs?: number;
  failure?: ModelCallFailure;
}

/** The model asks Codex to run a shell command through its `exec_command` tool. */
export interface ToolCallStep extends ModelCallBase {
  kind: 'tool_call';
  command: string;
}

/** The model answers with text, which ends the turn. */
export interface FinalAnswerStep extends ModelCallBase {
  kind: 'final_answer';
  text: string;
}

export type ModelCall = ToolCallStep | FinalAnswerStep;

export interface FakeModelScenario {
  /** Consumed in order, one per `POST /v1/responses`. */
  calls: ModelCall[];
  /** The model name the responses report; defaults to `gpt-5.5` (the fixtures' model). */
  model?: string;
}

export interface RecordedModelRequest {
  method: string;
  path: string;
  /** Request headers without credentials. */
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or undefined when the body is empty or not JSON. */
  body: unknown;
  /** The raw body text, for bodies that are not JSON. */
  rawBody: string;
}

export interface FakeModel {
  /** Base URL for a Codex model provider: `http://127.0.0.1:PORT/v1`. */
  baseUrl: string;
  /** Every request received, in arrival order. */
  requests: RecordedModelRequest[];
  /** Only the `POST …/responses` requests. */
  responsesRequests(): RecordedModelRequest[];
  close(): Promise<void>;
}

export const DEFAULT_FAKE_MODEL = 'gpt-5.5';

const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'api-key', 'x-api-key']);

export async function startFakeModel(scenario: FakeModelScenario): Promise<FakeModel> {
  const model = scenario.model ?? DEFAULT_FAKE_MODEL;
  const requests: RecordedModelRequest[] = [];
  // Aborted on close() so pending delays end instead of keeping the test process alive.
  const closing = new AbortController();
  let nextCall = 0;

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: String(error) } }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    requests.push({ method: req.method ?? '', path, headers: withoutCredentials(req.headers), body: parseJson(rawBody), rawBody });

    if (req.method !== 'POST' || !path.endsWith('/responses')) {
      sendJson(res, 200, {});
      return;
    }
    const callIndex = nextCall++;
    const call = scenario.calls[callIndex];
    if (call === undefined) {
      // More requests than the scenario planned: fail loudly so the test sees it.
      sendJson(res, 500, { error: { message: `fake model: no call #${callIndex + 1} in the scenario`, type: 'server_error' } });
      return;
    }
    if (call.delayMs) await sleep(call.delayMs, closing.signal);
    if (closing.signal.aborted) return;
    if (call.failure && 'httpStatus' in call.failure) {
      sendJson(res, call.failure.httpStatus, { error: { message: `fake model: planned failure of call #${callIndex + 1}`, type: 'server_error' } });
      return;
    }
    const events = responseEvents(call, callIndex + 1, model);
    // A cut stream keeps everything before `response.completed`, then ends the body.
    const sent = call.failure && 'cutStream' in call.failure ? events.filter((event) => event.type !== 'response.completed') : events;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const event of sent) res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    responsesRequests: () => requests.filter((request) => request.method === 'POST' && request.path.endsWith('/responses')),
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

type SseEvent = { type: string } & Record<string, unknown>;

/** The streamed events of one successful response, in order. */
export function responseEvents(call: ModelCall, sequence: number, model: string): SseEvent[] {
  const responseId = `resp_fake_${sequence}`;
  const item = outputItem(call, sequence);
  // `added` announces the item before its content exists.
  const addedItem = item.type === 'function_call' ? { ...item, arguments: '' } : { ...item, content: [] };
  const response = { id: responseId, object: 'response', created_at: Math.floor(Date.now() / 1000), model, status: 'in_progress', output: [] as unknown[] };

  const events: SseEvent[] = [{ type: 'response.created', response }];
  events.push({ type: 'response.output_item.added', output_index: 0, item: addedItem });
  if (call.kind === 'final_answer') {
    events.push({ type: 'response.output_text.delta', item_id: item.id, output_index: 0, content_index: 0, delta: call.text });
  }
  events.push({ type: 'response.output_item.done', output_index: 0, item });
  events.push({
    type: 'response.completed',
    response: { ...response, status: 'completed', output: [item], usage: responsesUsage(call.usage) },
  });
  return events.map((event, index) => ({ ...event, sequence_number: index }));
}

function outputItem(call: ModelCall, sequence: number) {
  if (call.kind === 'tool_call') {
    return {
      type: 'function_call' as const,
      id: `fc_fake_${sequence}`,
      call_id: `call_fake_${sequence}`,
      name: 'exec_command',
      // The Responses API carries function arguments as a JSON string.
      arguments: JSON.stringify({ cmd: call.command }),
      status: 'completed',
    };
  }
  return {
    type: 'message' as const,
    id: `msg_fake_${sequence}`,
    role: 'assistant',
    status: 'completed',
    content: [{ type: 'output_text', text: call.text, annotations: [] }],
  };
}

/** The scenario's usage in the Responses API `usage` shape. */
export function responsesUsage(usage: ScenarioUsage) {
  return {
    input_tokens: usage.input,
    input_tokens_details: { cached_tokens: usage.cached },
    output_tokens: usage.output,
    output_tokens_details: { reasoning_tokens: usage.reasoning },
    total_tokens: usage.total,
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function withoutCredentials(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.has(name.toLowerCase())));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
