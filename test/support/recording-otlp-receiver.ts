import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny OTLP/HTTP receiver for tests: records every request and answers at once
 * (a receiver that holds a request open stalls Codex's exit, see codex-telemetry.md "Transport").
 */

export interface RecordedOtlpRequest {
  method: string;
  /** e.g. `/v1/logs`, `/v1/metrics`, `/v1/traces`. */
  path: string;
  /** The content-type header without parameters, lower case; '' when absent. */
  contentType: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface RecordingOtlpReceiver {
  /** `http://127.0.0.1:PORT`, without a path: exporters need the full `/v1/…` path appended. */
  baseUrl: string;
  requests: RecordedOtlpRequest[];
  /** The recorded requests to one path. */
  requestsTo(path: string): RecordedOtlpRequest[];
  close(): Promise<void>;
}

export async function startRecordingOtlpReceiver(): Promise<RecordingOtlpReceiver> {
  const requests: RecordedOtlpRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      requests.push({
        method: req.method ?? '',
        path: new URL(req.url ?? '/', 'http://127.0.0.1').pathname,
        contentType,
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      // An empty ExportServiceResponse: `{}` in JSON, zero bytes in protobuf.
      if (contentType === 'application/x-protobuf') {
        res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 });
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 });
        res.end('{}');
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    requestsTo: (path) => requests.filter((request) => request.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
