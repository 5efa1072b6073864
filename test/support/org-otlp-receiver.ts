import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { decodeExportRequest } from '../../src/collector/otlp/decode.js';
import type { ExportRequestBySignal } from '../../src/collector/otlp/types.js';

/**
 * Stands in for an organization's OpenTelemetry Collector (OTLP/HTTP JSON). Every request is
 * recorded and read with the project's OTLP/JSON decoder. Switches make it misbehave the way a
 * real pipeline does: a number of 503s (or other statuses) before it accepts, a `Retry-After`,
 * answering nothing at all (accepts the connection and never answers), partial success.
 */

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  text: string;
  /** When the request had been read (ms since the epoch). */
  at: number;
  /** The status it was answered with; undefined when it was never answered. */
  status?: number;
}

export interface OrgReceiverBehaviour {
  /** Answer this status to the first N requests (each path counted on its own)... */
  failFirst?: number;
  /** ...with this status (default 503)... */
  failStatus?: number;
  /** ...and this Retry-After header, if any. */
  retryAfter?: string;
  /** Read requests and never answer them. */
  hang?: boolean;
  /** Accept, but report this many rejected records (partial success). */
  rejectRecords?: number;
}

export interface OrgReceiver {
  baseUrl: string;
  port: number;
  requests: ReceivedRequest[];
  behaviour: OrgReceiverBehaviour;
  /** The decoded bodies of the requests to `/v1/<signal>` that were accepted (2xx). */
  accepted<S extends 'logs' | 'metrics'>(signal: S): ExportRequestBySignal[S][];
  close(): Promise<void>;
}

export async function startOrgReceiver(behaviour: OrgReceiverBehaviour = {}): Promise<OrgReceiver> {
  const requests: ReceivedRequest[] = [];
  const failuresByPath = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      const request: ReceivedRequest = { path, headers: req.headers, text: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      requests.push(request);
      if (behaviour.hang) return;
      const failed = failuresByPath.get(path) ?? 0;
      if (failed < (behaviour.failFirst ?? 0)) {
        failuresByPath.set(path, failed + 1);
        const status = behaviour.failStatus ?? 503;
        return answer(res, request, status, JSON.stringify({ code: 14, message: `unavailable (${failed + 1})` }), behaviour.retryAfter ? { 'retry-after': behaviour.retryAfter } : {});
      }
      const field = path === '/v1/metrics' ? 'rejectedDataPoints' : 'rejectedLogRecords';
      const body = behaviour.rejectRecords ? JSON.stringify({ partialSuccess: { [field]: String(behaviour.rejectRecords), errorMessage: 'attribute too long' } }) : '{}';
      answer(res, request, 200, body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
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
    accepted: (signal) =>
      requests
        .filter((r) => r.path === `/v1/${signal}` && r.status !== undefined && r.status >= 200 && r.status < 300)
        .map((r) => decodeExportRequest(signal, 'json', Buffer.from(r.text)) as never),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function answer(res: ServerResponse, request: ReceivedRequest, status: number, body: string, headers: Record<string, string> = {}): void {
  request.status = status;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers });
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
