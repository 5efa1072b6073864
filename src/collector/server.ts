import http from 'node:http';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { CONTROL_HEADER, HEALTH_PATH, SECRET_HEADER, SHUTDOWN_PATH, type CollectorConfig } from '../handoff/collector-config.js';
import type { BeaconEvent } from '../beacon/event.js';
import { BodyBufferPool, BodyReceiver } from './body-buffers.js';
import { harnessSkipFilter, keepAndMap, type MapSettings } from './keep-map.js';
import { decodeExportRequest } from './otlp/decode.js';
import { encodeExportResponse, encodeStatus } from './otlp/response.js';
import { MalformedRequestError, type Encoding, type Signal } from './otlp/types.js';
import type { StatsRecorder } from './stats.js';
import type { CaptureWriter } from './writer.js';

/**
 * OTLP/HTTP receiver (https://opentelemetry.io/docs/specs/otlp/#otlphttp): receive → decode →
 * keep/map → write, then answer. Every request is answered as soon as its events are on disk:
 * Codex waits for these answers at exit.
 */

const SIGNAL_PATHS: Record<string, Signal> = { '/v1/logs': 'logs', '/v1/metrics': 'metrics', '/v1/traces': 'traces' };
// google.rpc.Status carries a gRPC code, not the HTTP status.
const GRPC_INTERNAL = 13;
const GRPC_CODE_OF_STATUS: Record<number, number> = { 400: 3, 401: 16, 404: 5, 405: 12, 413: 8, 415: 3, 503: 14 };
// zlib loads on the first compressed body (Codex never compresses): the collector boots faster.
let zlibModule: Promise<typeof import('node:zlib')> | undefined;
const loadZlib = () => (zlibModule ??= import('node:zlib'));
// Bodies are received into reused buffers (./body-buffers.ts): one per request being read, a few
// kept (the bench's 4 senders), freed after a quiet spell so that an idle collector stays small.
const KEPT_BODY_BUFFERS = 4;
const BODY_BUFFERS_IDLE_MS = 5_000;
/** How long a connection answered before its body was read stays open after the answer (see `closeAfterAnswer`). */
const ANSWERED_EARLY_LINGER_MS = 1_000;

/**
 * Closes a connection whose request was answered before its body was read (413 by its declared
 * size, 401, 404...), without cutting the answer off. The client may still be sending the body;
 * a socket closed with bytes unread makes the kernel reset the connection, and a client that gets
 * the reset before it has read the answer loses it (it sees ECONNRESET, not 413: measured here, 3–6%
 * of oversized requests). So our side ends after the answer (FIN), the connection stops being
 * read, and the socket goes ANSWERED_EARLY_LINGER_MS later, or sooner when the client closes it.
 * Node's own close after a `connection: close` answer (`destroySoon`) is replaced by this one.
 */
function closeAfterAnswer(socket: Socket): void {
  socket.destroySoon = function lingerThenDestroy(this: Socket) {
    if (this.destroyed) return;
    this.end();
    const timer = setTimeout(() => this.destroy(), ANSWERED_EARLY_LINGER_MS);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
  };
}

/** Constant-time comparison without loading node:crypto at boot. */
function sameBytes(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The partial success `error_message` for `rejected` refused records: the rule's reason for the first, when it gave one. */
function refusalMessage(rejected: number, error: string | undefined): string {
  if (error === undefined) return `${rejected} records could not be mapped`;
  return rejected === 1 ? error : `${error} (${rejected} refused in all)`;
}

/** A listening socket bound by someone else (the start step: see handoff/listen-socket.ts). */
export type ListenSocket = NetServer | { fd: number };

export interface Collector {
  server: http.Server;
  /** Serves the socket given, or binds 127.0.0.1:config.port; resolves with the port. */
  listen(socket?: ListenSocket): Promise<number>;
  /** Stop accepting (503 for late requests), finish in-flight requests, close. */
  stop(): Promise<void>;
  /** Resolves when the authenticated shutdown request arrived. */
  shutdownRequested: Promise<void>;
}

/** Something that takes the events after they are on disk (the OTLP forwarder); it must not block. */
export interface EventSink {
  accept(events: readonly BeaconEvent[]): void;
}

/** How long slow or silent clients may hold a connection, in ms. */
export interface CollectorTimeouts {
  /** The request headers must arrive within this. */
  headersMs: number;
  /** The whole request, body included, must arrive within this (a trickled body is cut off). */
  requestMs: number;
  /** A connection without traffic for this long is closed, one that never sent a byte included. */
  idleMs: number;
  /** A keep-alive connection idle between requests is closed after this. */
  keepAliveMs: number;
  /** A shutdown waits this long at most for the requests in flight. */
  drainMs: number;
}

export const DEFAULT_TIMEOUTS: CollectorTimeouts = { headersMs: 5_000, requestMs: 15_000, idleMs: 5_000, keepAliveMs: 5_000, drainMs: 10_000 };

/**
 * The defaults, or what the collector config's `timeouts` says: a knob for tests (so they need not
 * wait 15 s for a timeout), not part of CollectorConfig; the start step never writes it.
 */
export function timeoutsOf(config: CollectorConfig): CollectorTimeouts {
  const given = (config as CollectorConfig & { timeouts?: Partial<Record<keyof CollectorTimeouts, unknown>> }).timeouts ?? {};
  const timeouts = { ...DEFAULT_TIMEOUTS };
  for (const key of Object.keys(timeouts) as (keyof CollectorTimeouts)[]) {
    const value = given[key];
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) timeouts[key] = value;
  }
  return timeouts;
}

export function createCollector(config: CollectorConfig, writer: CaptureWriter, stats: StatsRecorder, sinks: EventSink[] = []): Collector {
  // Two secrets, each good for its own paths only: the telemetry secret (which every tool Codex
  // runs can read) delivers telemetry; stopping or probing the collector takes the control secret.
  const telemetrySecret = Buffer.from(config.secret, 'utf8');
  const controlSecret = Buffer.from(config.controlSecret, 'utf8');
  const timeouts = timeoutsOf(config);
  const settings: MapSettings = {
    attribution: config.attribution,
    options: { logUserPrompt: config.logUserPrompt, includeSpans: config.includeSpans },
  };
  const skip = harnessSkipFilter(settings.options);
  let closing = false;
  let inFlight = 0;
  let exportSeq = 0;
  let idle: (() => void) | undefined;
  let requestShutdown!: () => void;
  const shutdownRequested = new Promise<void>((resolve) => (requestShutdown = resolve));

  /** Whether the request's `header` holds `secret` (never an empty one); 401 otherwise. */
  const requireSecret = (req: http.IncomingMessage, header: string, secret: Buffer): void => {
    const given = req.headers[header];
    if (typeof given !== 'string' || secret.length === 0 || !sameBytes(Buffer.from(given, 'utf8'), secret)) throw new HttpError(401, `missing or wrong ${header} header`);
  };

  const answer = (res: http.ServerResponse, status: number, body: string | Uint8Array, contentType: string, headers: Record<string, string> = {}) => {
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)), ...headers });
    res.end(body);
  };

  const fail = (res: http.ServerResponse, encoding: Encoding, error: HttpError) => {
    stats.rejectedRequest(error.status, error.message);
    const { body, contentType } = encodeStatus(encoding, GRPC_CODE_OF_STATUS[error.status] ?? GRPC_INTERNAL, error.message);
    answer(res, error.status, body, contentType, error.headers);
  };

  const bodyBuffers = new BodyBufferPool({ maxKept: KEPT_BODY_BUFFERS, maxBufferBytes: config.maxBodyBytes, idleMs: BODY_BUFFERS_IDLE_MS });

  /** The body, in a buffer the caller must `release` once nothing reads it any more. */
  async function readBody(req: http.IncomingMessage): Promise<BodyReceiver> {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > config.maxBodyBytes) throw new HttpError(413, `body of ${declared} bytes exceeds the limit of ${config.maxBodyBytes}`, { connection: 'close' });
    const body = new BodyReceiver(bodyBuffers, declared > 0 ? declared : 0);
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        if (body.size + chunk.length > config.maxBodyBytes) throw new HttpError(413, `body exceeds the limit of ${config.maxBodyBytes} bytes`, { connection: 'close' });
        body.append(chunk);
      }
    } catch (error) {
      body.release();
      throw error;
    }
    return body;
  }

  async function decompress(body: Buffer, contentEncoding: string): Promise<Buffer> {
    if (contentEncoding === '' || contentEncoding === 'identity') return body;
    const options = { maxOutputLength: config.maxBodyBytes };
    const zlib = await loadZlib();
    try {
      return await new Promise<Buffer>((resolve, reject) => {
        const done = (error: Error | null, result: Buffer) => (error ? reject(error) : resolve(result));
        if (contentEncoding === 'gzip' || contentEncoding === 'x-gzip') zlib.gunzip(body, options, done);
        else zlib.inflate(body, options, done);
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
        throw new HttpError(413, `decompressed body exceeds the limit of ${config.maxBodyBytes} bytes`);
      }
      throw new HttpError(400, `body is not valid ${contentEncoding}`);
    }
  }

  async function handleExport(req: http.IncomingMessage, res: http.ServerResponse, signal: Signal): Promise<void> {
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const encoding: Encoding = contentType === 'application/json' ? 'json' : 'protobuf';
    if (closing) throw new HttpError(503, 'collector is shutting down', { 'retry-after': '1' });
    requireSecret(req, SECRET_HEADER, telemetrySecret);
    if (contentType !== 'application/json' && contentType !== 'application/x-protobuf' && contentType !== 'application/protobuf') {
      throw new HttpError(415, `unsupported content type "${contentType}": use application/x-protobuf or application/json`);
    }
    const contentEncoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
    if (!['', 'identity', 'gzip', 'x-gzip', 'deflate'].includes(contentEncoding)) {
      throw new HttpError(415, `unsupported content encoding "${contentEncoding}": use gzip, deflate or none`);
    }
    const received = await readBody(req);
    let decoded;
    try {
      stats.request(signal, encoding, received.size);
      // zlib reads the wire bytes until its callback: they stay ours until the decode is done.
      const body = await decompress(received.bytes(), contentEncoding);
      decoded = decodeExportRequest(signal, encoding, body, skip);
    } catch (error) {
      if (error instanceof MalformedRequestError) throw new HttpError(400, `malformed ${encoding} ${signal} request: ${error.message}`);
      throw error;
    } finally {
      // The decoders copy out what they keep (strings; see ./body-buffers.ts): the buffer can serve
      // the next request. A decompressed body is zlib's own new buffer: not ours to keep.
      received.release();
    }
    exportSeq += 1;
    const mapped = keepAndMap(signal, decoded, settings, exportSeq);
    const refusal = mapped.rejected > 0 ? refusalMessage(mapped.rejected, mapped.error) : undefined;
    if (refusal !== undefined && mapped.rejected >= mapped.received && mapped.events.length === 0) {
      // Nothing in the request could be used: not a success of any kind (and not to be retried).
      stats.records(signal, mapped.received, 0, mapped.dropped, mapped.rejected);
      throw new HttpError(400, refusal);
    }
    try {
      writer.append(mapped.events);
    } catch (error) {
      // Never a 200 that drops data: the sender may retry.
      stats.writeError((error as Error).message);
      throw new HttpError(503, `could not write the events: ${(error as Error).message}`, { 'retry-after': '1' });
    }
    stats.records(signal, mapped.received, mapped.events.length, mapped.dropped, mapped.rejected);
    if (mapped.events.length > 0) for (const sink of sinks) sink.accept(mapped.events);
    const response = encodeExportResponse(signal, encoding, mapped.rejected, refusal);
    answer(res, 200, response.body, response.contentType);
  }

  // Node checks the header and request deadlines every connectionsCheckingInterval (30 s by
  // default): check often enough that the deadlines mean what they say.
  const checkEveryMs = Math.max(50, Math.min(1_000, Math.floor(Math.min(timeouts.headersMs, timeouts.requestMs) / 4)));
  const server = http.createServer({ connectionsCheckingInterval: checkEveryMs }, async (req, res) => {
    inFlight += 1;
    const path = (req.url ?? '/').split('?')[0]!;
    const signal = SIGNAL_PATHS[path];
    const encoding: Encoding = (req.headers['content-type'] ?? '').includes('json') ? 'json' : 'protobuf';
    try {
      if (signal) {
        if (req.method !== 'POST') throw new HttpError(405, `${req.method} is not allowed on ${path}`, { allow: 'POST' });
        await handleExport(req, res, signal);
      } else if (path === HEALTH_PATH) {
        if (req.method !== 'GET') throw new HttpError(405, `${req.method} is not allowed on ${path}`, { allow: 'GET' });
        requireSecret(req, CONTROL_HEADER, controlSecret);
        answer(res, 200, JSON.stringify({ ok: !closing, pid: process.pid, eventsWritten: writer.eventsWritten }), 'application/json');
      } else if (path === SHUTDOWN_PATH) {
        if (req.method !== 'POST') throw new HttpError(405, `${req.method} is not allowed on ${path}`, { allow: 'POST' });
        requireSecret(req, CONTROL_HEADER, controlSecret);
        answer(res, 200, JSON.stringify({ ok: true, pid: process.pid }), 'application/json');
        requestShutdown();
      } else {
        throw new HttpError(404, `no such path: ${path}`);
      }
    } catch (error) {
      const httpError = error instanceof HttpError ? error : new HttpError(500, (error as Error).message ?? String(error));
      // Do not read the rest of an oversized or unwanted body: close the connection after answering,
      // and say so, or a keep-alive client would send its next request into a closed socket.
      if (!req.complete) {
        res.setHeader('connection', 'close');
        // Held now: req.socket is null once the body stream was abandoned (413 mid-body), and once
        // a `connection: close` answer is finished; touching it then crashed the collector.
        const socket = req.socket ?? res.socket;
        if (socket) closeAfterAnswer(socket);
      }
      fail(res, encoding, httpError);
    } finally {
      inFlight -= 1;
      if (inFlight === 0) idle?.();
    }
  });
  // Slow or silent clients cannot hold the collector: bounded header and request time, idle sockets
  // closed (Node's deadlines only start with a request's first byte: a silent connection needs the
  // socket timeout), and a cap on connections.
  server.headersTimeout = Math.min(timeouts.headersMs, timeouts.requestMs);
  server.requestTimeout = timeouts.requestMs;
  server.keepAliveTimeout = timeouts.keepAliveMs;
  // No 'timeout' listener: the socket is destroyed. Observed on Node 20 and 24: a socket timeout
  // longer than headersTimeout never fires on a connection that sent nothing, hence the min.
  server.setTimeout(Math.min(timeouts.idleMs, server.headersTimeout));
  server.maxConnections = 256;

  return {
    server,
    shutdownRequested,
    listen: (socket) =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        const listening = () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo | null;
          // Loopback only, whoever bound the socket.
          if (address?.address !== '127.0.0.1') {
            server.close();
            reject(new Error(`refusing to serve ${JSON.stringify(address)}: only 127.0.0.1 is allowed`));
            return;
          }
          resolve(address.port);
        };
        if (socket) server.listen(socket, listening);
        else server.listen(config.port, '127.0.0.1', listening);
      }),
    async stop() {
      // Late requests get 503 + Retry-After while the ones in flight finish; then close.
      closing = true;
      if (inFlight > 0) {
        await Promise.race([new Promise<void>((resolve) => (idle = resolve)), new Promise((r) => setTimeout(r, timeouts.drainMs).unref())]);
      }
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
