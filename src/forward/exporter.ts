/**
 * One OTLP/HTTP JSON export with the retries the OTLP specification describes
 * (https://opentelemetry.io/docs/specs/otlp/#otlphttp-response): 429, 502, 503 and 504 and network
 * errors are retried, after `Retry-After` when the answer gives one, else after an exponential
 * backoff with jitter; any other answer is final. A 2xx may still reject some records (partial
 * success): those are counted, never resent. Every wait and request ends by a deadline.
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import { redactSecrets } from '../beacon/redact.js';
import type { ForwardError } from '../handoff/collector-config.js';
import { signalUrl, type ForwardSignal } from './endpoint.js';

export type DropReason = 'rejected' | 'retries_exhausted' | 'shutdown_limit';

export interface ExportOutcome {
  ok: boolean;
  /** Requests made (1 when the first one was accepted). */
  attempts: number;
  /** Records the receiver said it rejected in a partial success. */
  rejectedRecords: number;
  /** Set when !ok. */
  reason?: DropReason;
  /** The last failure, or the receiver's partial-success message. */
  error?: ForwardError;
}

/** A ForwardError as one line of the step log: our words, then what came from outside. */
export function errorText(error: ForwardError): string {
  return [error.message, error.outside].filter((part) => part).join(': ');
}

/** A request this side ended (its time limit), told apart from what the network or the peer said. */
class OwnAbort extends Error {}


export interface ExportOptions {
  /** Epoch ms after which nothing more is tried; read at each step (a shutdown moves it closer). */
  deadline: () => number;
  /** What a give-up at the deadline is called. */
  deadlineReason: () => DropReason;
  /** Aborts the request in flight and any wait. */
  abort?: AbortSignal;
}

export interface ExporterTiming {
  requestTimeoutMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

// node:https (with tls and crypto) only when an https endpoint is used: loaded at boot it costs
// the collector ~2 MB of RSS for nothing in most jobs (BENCHMARKS.md, memory).
const requireBuiltin = createRequire(import.meta.url);
const httpsModule = (): typeof import('node:https') => requireBuiltin('node:https') as typeof import('node:https');

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const PARTIAL_SUCCESS_FIELD: Record<ForwardSignal, string> = { logs: 'rejectedLogRecords', metrics: 'rejectedDataPoints' };
const MAX_RESPONSE_BYTES = 64 * 1024;

type Attempt = { kind: 'answer'; status: number; retryAfterMs?: number; body: string } | { kind: 'network'; error: ForwardError };
const NOT_SENT: ForwardError = { message: 'not sent before the time limit' };

/** `Retry-After`: delay-seconds or an HTTP-date (RFC 9110). */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** Exponential backoff with equal jitter: between half and all of min(max, initial × 2^(n-1)). */
export function backoffMs(retry: number, timing: ExporterTiming, random: () => number = Math.random): number {
  const ceiling = Math.min(timing.maxBackoffMs, timing.initialBackoffMs * 2 ** Math.max(0, retry - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}

function describe(text: string): string {
  return redactSecrets(text.replace(/\s+/g, ' ').trim()).slice(0, 300);
}

/** The OTLP Status message of an error answer (JSON), else the start of the body. */
function statusMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') return describe(parsed.message);
  } catch {
    // not JSON: the raw text says more than nothing
  }
  return describe(body);
}

export class OtlpHttpExporter {
  private readonly agent: http.Agent;

  constructor(
    private readonly endpoint: string,
    private readonly headers: Record<string, string>,
    private readonly timing: ExporterTiming,
    private readonly random: () => number = Math.random,
  ) {
    const isHttps = endpoint.startsWith('https:');
    // One connection, kept alive between batches; only one request is in flight at a time anyway.
    this.agent = isHttps ? new (httpsModule().Agent)({ keepAlive: true, maxSockets: 1 }) : new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  async export(signal: ForwardSignal, body: string, options: ExportOptions): Promise<ExportOutcome> {
    const url = signalUrl(this.endpoint, signal);
    const payload = Buffer.from(body, 'utf8');
    let attempts = 0;
    let lastError: ForwardError | undefined;
    for (;;) {
      if (options.abort?.aborted) return { ok: false, attempts, rejectedRecords: 0, reason: 'shutdown_limit', error: lastError ?? NOT_SENT };
      const remaining = options.deadline() - Date.now();
      if (remaining <= 0) return { ok: false, attempts, rejectedRecords: 0, reason: options.deadlineReason(), error: lastError ?? NOT_SENT };
      attempts += 1;
      const attempt = await this.post(url, payload, Math.min(this.timing.requestTimeoutMs, remaining), options.abort);
      let waitMs: number;
      if (attempt.kind === 'answer' && attempt.status >= 200 && attempt.status < 300) {
        return { ok: true, attempts, ...this.partialSuccess(signal, attempt.body) };
      }
      if (attempt.kind === 'answer') {
        const said = attempt.body ? statusMessage(attempt.body) : '';
        lastError = { message: `HTTP ${attempt.status}`, ...(said ? { outside: said } : {}) };
        if (!RETRYABLE_STATUS.has(attempt.status)) return { ok: false, attempts, rejectedRecords: 0, reason: 'rejected', error: lastError };
        waitMs = attempt.retryAfterMs ?? backoffMs(attempts, this.timing, this.random);
      } else {
        lastError = attempt.error;
        waitMs = backoffMs(attempts, this.timing, this.random);
      }
      if (options.abort?.aborted) return { ok: false, attempts, rejectedRecords: 0, reason: 'shutdown_limit', error: lastError };
      // A wait that ends past the deadline would only delay the give-up.
      if (Date.now() + waitMs >= options.deadline()) return { ok: false, attempts, rejectedRecords: 0, reason: options.deadlineReason(), error: lastError };
      await sleep(waitMs, options.abort);
    }
  }

  /** Closes the kept-alive connection. */
  close(): void {
    this.agent.destroy();
  }

  private partialSuccess(signal: ForwardSignal, body: string): { rejectedRecords: number; error?: ForwardError } {
    if (!body) return { rejectedRecords: 0 };
    try {
      const partial = (JSON.parse(body) as { partialSuccess?: Record<string, unknown> }).partialSuccess;
      const rejected = Number(partial?.[PARTIAL_SUCCESS_FIELD[signal]] ?? 0);
      if (!Number.isFinite(rejected) || rejected <= 0) return { rejectedRecords: 0 };
      const said = typeof partial?.errorMessage === 'string' ? describe(partial.errorMessage) : '';
      return { rejectedRecords: rejected, error: { message: `the receiver rejected ${rejected} records`, ...(said ? { outside: said } : {}) } };
    } catch {
      return { rejectedRecords: 0 }; // an answer we cannot read is still a 2xx
    }
  }

  private post(url: string, payload: Buffer, timeoutMs: number, abort: AbortSignal | undefined): Promise<Attempt> {
    return new Promise((resolve) => {
      const client = url.startsWith('https:') ? httpsModule() : http;
      let settled = false;
      const done = (attempt: Attempt) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        abort?.removeEventListener('abort', onAbort);
        resolve(attempt);
      };
      const req = client.request(
        url,
        {
          method: 'POST',
          agent: this.agent,
          headers: { ...this.headers, 'content-type': 'application/json', 'content-length': String(payload.length), 'user-agent': 'beacon-action' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk);
          });
          res.on('end', () => {
            const retryAfter = res.headers['retry-after'];
            done({ kind: 'answer', status: res.statusCode ?? 0, retryAfterMs: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter), body: Buffer.concat(chunks).toString('utf8') });
          });
          res.on('error', (error) => done({ kind: 'network', error: networkError(error) }));
        },
      );
      const timer = setTimeout(() => req.destroy(new OwnAbort(`no answer within ${timeoutMs} ms`)), timeoutMs);
      const onAbort = () => req.destroy(new OwnAbort('the time limit was reached'));
      abort?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (error: NodeJS.ErrnoException) => done({ kind: 'network', error: networkError(error) }));
      req.end(payload);
    });
  }
}

/**
 * A failed request: our own time limits in our words; anything else as outside text (a network
 * or TLS error can name the peer and quote its certificate).
 */
function networkError(error: NodeJS.ErrnoException): ForwardError {
  if (error instanceof OwnAbort) return { message: error.message };
  return { outside: describe(error.code && !error.message.includes(error.code) ? `${error.code}: ${error.message}` : error.message) };
}

function sleep(ms: number, abort: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (abort?.aborted) return resolve();
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      abort?.removeEventListener('abort', finish);
      resolve();
    }
    abort?.addEventListener('abort', finish, { once: true });
  });
}
