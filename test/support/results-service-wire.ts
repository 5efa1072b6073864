import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the fakes of GitHub's results services (fake-artifact-service.ts, fake-cache-service.ts)
 * share, because the real clients (`@actions/artifact`, `@actions/cache`) share it: the runner's
 * unsigned runtime token, Twirp JSON calls and answers, and Azure Blob Storage's signed URLs and
 * answers, served from one loopback HTTP server.
 */

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Stops listening and cuts every connection still open. */
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that hands `handle` each request with its whole body. */
export async function serveOnLoopback(handle: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ---- the runtime token (ACTIONS_RUNTIME_TOKEN)

/** A JWT as the runner hands it to a step, unsigned: the clients read its claims without checking. */
export function unsignedRuntimeToken(claims: object): string {
  const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${base64url({ typ: 'JWT', alg: 'none' })}.${base64url(claims)}.`;
}

/** The claims of a `Bearer <JWT>` header, unverified like the real services' clients; undefined when there are none. */
export function bearerClaimsOf(authorization: string | undefined): Record<string, unknown> | undefined {
  const token = authorization?.match(/^Bearer (.+)$/)?.[1];
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

// ---- Twirp JSON

/** Why a request is not a Twirp JSON call the clients would make, as the error to answer; undefined when it is one. */
export function twirpCallProblem(req: IncomingMessage): { status: number; code: string; msg: string } | undefined {
  if (req.method !== 'POST') return { status: 404, code: 'bad_route', msg: `${req.method} is not a Twirp call` };
  if (!String(req.headers['content-type']).startsWith('application/json')) return { status: 415, code: 'malformed', msg: 'the fake speaks Twirp JSON only' };
  return undefined;
}

export function sendJson(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

export function sendTwirpError(res: ServerResponse, status: number, code: string, msg: string): void {
  sendJson(res, status, { code, msg });
}

// ---- Azure Blob Storage

/** A fresh SAS signature (`sig`), for a fake to check that the client kept the URL it was given. */
export function newSasSignature(): string {
  return randomBytes(24).toString('base64');
}

/** The query of a blob URL signed for an hour with `permissions` (`r`, `cw`, ...), as the services sign them. */
export function sasQuery(permissions: string, sig: string): string {
  return new URLSearchParams({ sv: '2025-01-05', sr: 'b', sp: permissions, se: new Date(Date.now() + 3_600_000).toISOString(), sig }).toString();
}

/** An answer with the headers Azure Blob Storage sends on every success; no body for HEAD. */
export function sendBlob(req: IncomingMessage, res: ServerResponse, status: number, headers: Record<string, string>, body?: Buffer): void {
  res.writeHead(status, {
    'x-ms-request-id': randomUUID(),
    'x-ms-version': String(req.headers['x-ms-version'] ?? '2025-01-05'),
    ...(req.headers['x-ms-client-request-id'] ? { 'x-ms-client-request-id': String(req.headers['x-ms-client-request-id']) } : {}),
    'x-ms-request-server-encrypted': 'true',
    Date: new Date().toUTCString(),
    ...headers,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export function sendBlobError(res: ServerResponse, status: number, code: string, message: string): void {
  const xml = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  res.writeHead(status, { 'Content-Type': 'application/xml', 'x-ms-request-id': randomUUID(), 'x-ms-error-code': code });
  res.end(xml);
}
