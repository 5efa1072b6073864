import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeExportRequest } from '../../src/collector/otlp/decode.js';
import type { ExportRequestBySignal, Signal } from '../../src/collector/otlp/types.js';

/**
 * An OTLP/HTTP receiver on loopback, standing in for an OpenTelemetry Collector (Codex's export
 * target, or an organization's collector that the action forwards to). It records every request
 * and by default answers each at once with an empty ExportServiceResponse in the request's
 * encoding (a receiver that holds a request open stalls Codex's exit, see codex-telemetry.md
 * "Transport"). Switches make it misbehave the way a real pipeline does: a number of 503s (or
 * other statuses) before it accepts, a `Retry-After`, answering nothing at all (reads the request
 * and never answers), partial success. Error and partial-success bodies are OTLP/JSON, the
 * encoding of the action's forwarder.
 */

export interface ReceivedOtlpRequest {
  method: string;
  /** e.g. `/v1/logs`, `/v1/metrics`, `/v1/traces`. */
  path: string;
  /** The content-type header without parameters, lower case; '' when absent. */
  contentType: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** When the request had been read (ms since the epoch). */
  at: number;
  /** The status it was answered with; undefined when it was never answered. */
  status?: number;
}

export interface OtlpReceiverBehaviour {
  /** Answer this status to the first N requests (each path counted on its own)... */
  failFirst?: number;
  /** ...with this status (default 503)... */
  failStatus?: number;
  /** ...and this Retry-After header, if any... */
  retryAfter?: string;
  /** ...and this Status message (default `unavailable (N)`, N counting the failures). */
  failMessage?: string;
  /** Read requests and never answer them. */
  hang?: boolean;
  /** Accept, but report this many rejected records (partial success). */
  rejectRecords?: number;
}

export interface OtlpReceiver {
  /** `http://127.0.0.1:PORT`, without a path: exporters need the full `/v1/…` path appended. */
  baseUrl: string;
  port: number;
  requests: ReceivedOtlpRequest[];
  /** Read at each request: a test may change it while the receiver runs. */
  behaviour: OtlpReceiverBehaviour;
  /** The recorded requests to one path. */
  requestsTo(path: string): ReceivedOtlpRequest[];
  /** The decoded bodies of the requests to `/v1/<signal>` that were accepted (2xx). */
  accepted<S extends Signal>(signal: S): ExportRequestBySignal[S][];
  close(): Promise<void>;
}

const PROTOBUF = 'application/x-protobuf';

export async function startOtlpReceiver(behaviour: OtlpReceiverBehaviour = {}): Promise<OtlpReceiver> {
  const requests: ReceivedOtlpRequest[] = [];
  const failuresByPath = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const request: ReceivedOtlpRequest = { method: req.method ?? '', path, contentType, headers: req.headers, body: Buffer.concat(chunks), at: Date.now() };
      requests.push(request);
      if (behaviour.hang) return;
      const failed = failuresByPath.get(path) ?? 0;
      if (failed < (behaviour.failFirst ?? 0)) {
        failuresByPath.set(path, failed + 1);
        const status = behaviour.failStatus ?? 503;
        return answer(res, request, status, 'application/json', JSON.stringify({ code: 14, message: behaviour.failMessage ?? `unavailable (${failed + 1})` }), behaviour.retryAfter ? { 'retry-after': behaviour.retryAfter } : {});
      }
      if (behaviour.rejectRecords) {
        const field = path === '/v1/metrics' ? 'rejectedDataPoints' : 'rejectedLogRecords';
        return answer(res, request, 200, 'application/json', JSON.stringify({ partialSuccess: { [field]: String(behaviour.rejectRecords), errorMessage: 'attribute too long' } }));
      }
      // An empty ExportServiceResponse: zero bytes in protobuf, `{}` in JSON.
      if (contentType === PROTOBUF) answer(res, request, 200, PROTOBUF, '');
      else answer(res, request, 200, 'application/json', '{}');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    requests,
    behaviour,
    requestsTo: (path) => requests.filter((request) => request.path === path),
    accepted: (signal) =>
      requests
        .filter((r) => r.path === `/v1/${signal}` && r.status !== undefined && r.status >= 200 && r.status < 300)
        .map((r) => decodeExportRequest(signal, r.contentType === PROTOBUF ? 'protobuf' : 'json', r.body)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Cuts the requests a hanging receiver never answered too.
        server.closeAllConnections();
      }),
  };
}

function answer(res: ServerResponse, request: ReceivedOtlpRequest, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  request.status = status;
  res.writeHead(status, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

/** A loopback port with nothing listening on it (connections are refused). */
export async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
