import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  bearerClaimsOf,
  newSasSignature,
  sasQuery,
  sendBlob,
  sendBlobError,
  sendJson,
  sendTwirpError,
  serveOnLoopback,
  twirpCallProblem,
  unsignedRuntimeToken,
} from './results-service-wire.js';

/**
 * An in-process fake of the GitHub Actions cache service v2, the one `@actions/cache` 6 talks to
 * when the runner sets ACTIONS_CACHE_SERVICE_V2 (every github.com runner does), so the tests run
 * the real client, tar and zstd included:
 *
 * - Twirp JSON on ACTIONS_RESULTS_URL, `POST /twirp/github.actions.results.api.v1.CacheService/`:
 *   `CreateCacheEntry {key, version}` → `{ok, signed_upload_url}`, `FinalizeCacheEntryUpload {key,
 *   version, size_bytes}` → `{ok, entry_id}`, `GetCacheEntryDownloadURL {key, restore_keys,
 *   version}` → `{ok, signed_download_url, matched_key}` or `{ok: false}` on a miss. Field names
 *   as the client sends them (protobuf names); int64 as strings.
 * - Scopes from the runtime token, as the real service does: the JWT's `ac` claim is a JSON list of
 *   `{"Scope": "<ref>", "Permission": 1|2|3}` (1 read, 2 write). An entry is saved to the writable
 *   scope (the run's own ref); a lookup searches the readable scopes in order (own ref, then base
 *   branch or default branch), each for the exact key, then the key as a prefix, then each restore
 *   key as a prefix, the most recently created entry first. The version must match.
 * - The archive goes to Azure Blob Storage. The client uploads with the Azure SDK
 *   (`BlockBlobClient.uploadFile`: one Put Blob for anything under 128 MiB) and downloads with the
 *   Azure SDK (Get Blob Properties, then ranged Get Blob) when the URL's host ends in
 *   `.blob.core.windows.net`, with a plain HTTP GET otherwise. `blobs: 'azure-host'` (the default,
 *   what hosted runners get) signs URLs on `<account>.blob.core.windows.net` and serves them as the
 *   HTTP proxy the step is pointed at (HTTP_PROXY, standing in for DNS; the Twirp calls go to
 *   127.0.0.1, which the clients never proxy); `blobs: 'loopback'` signs URLs on the fake itself
 *   (what a self-hosted clone of the service may do), which takes the client's plain GET path.
 */

const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.CacheService/';
const BLOB_ACCOUNT = 'beaconfakecache';
const BLOB_HOST = `${BLOB_ACCOUNT}.blob.core.windows.net`;
const BLOB_CONTAINER = 'actions-cache';

export interface FakeCacheEntry {
  id: number;
  key: string;
  version: string;
  /** The ref it was saved from (the token's writable scope). */
  scope: string;
  /** Creation order: of several prefix matches the service answers the newest. */
  created: number;
  archive?: Buffer;
  /** As FinalizeCacheEntryUpload sent it. */
  sizeBytes?: string;
  finalized: boolean;
  uploadSig: string;
  downloadSig: string;
}

export interface RecordedCacheRequest {
  method: string;
  /** `CreateCacheEntry`, `FinalizeCacheEntryUpload`, `GetCacheEntryDownloadURL`, or `blob <METHOD>`. */
  operation: string;
  status: number;
  /** For blob requests: how it arrived (through the proxy to the Azure host, or straight). */
  via?: 'proxy' | 'direct';
}

export interface FakeCacheService {
  /** `http://127.0.0.1:<port>`: the results service, and the HTTP proxy for the blob host. */
  readonly url: string;
  readonly blobs: 'azure-host' | 'loopback';
  readonly entries: FakeCacheEntry[];
  readonly requests: RecordedCacheRequest[];
  /** Finalized entries, oldest first. */
  savedEntries(): FakeCacheEntry[];
  /** Answer every request with this status (Twirp error or Azure error body) until called with `undefined`. */
  failEverything(status: number | undefined): void;
  /** Take every request and never answer, until called with false. */
  hangEverything(hang: boolean): void;
  close(): Promise<void>;
}

interface CacheScope {
  scope: string;
  permission: number;
}

export async function startFakeCacheService(options: { blobs?: 'azure-host' | 'loopback' } = {}): Promise<FakeCacheService> {
  const blobs = options.blobs ?? 'azure-host';
  const entries: FakeCacheEntry[] = [];
  const requests: RecordedCacheRequest[] = [];
  const held: ServerResponse[] = [];
  let failStatus: number | undefined;
  let hang = false;
  let nextId = 7001;
  let created = 0;

  const server = await serveOnLoopback((req, res, body) => {
    try {
      route(req, res, body);
    } catch (error) {
      requests.push({ method: req.method ?? '', operation: 'error', status: 500 });
      sendTwirpError(res, 500, 'internal', `fake cache service: ${(error as Error).message}`);
    }
  });

  function route(req: IncomingMessage, res: ServerResponse, body: Buffer) {
    const raw = req.url ?? '/';
    // A proxied request carries the absolute URL (absolute-form request target).
    const proxied = /^https?:\/\//i.test(raw);
    const url = new URL(raw, server.url);
    const isTwirp = !proxied && url.pathname.startsWith(TWIRP_PREFIX);
    const operation = isTwirp ? url.pathname.slice(TWIRP_PREFIX.length) : `blob ${req.method}`;
    const record = (status: number) => requests.push({ method: req.method ?? '', operation, status, ...(isTwirp ? {} : { via: proxied ? ('proxy' as const) : ('direct' as const) }) });

    if (hang) {
      held.push(res);
      record(0);
      return;
    }
    if (failStatus !== undefined) {
      record(failStatus);
      if (isTwirp) sendTwirpError(res, failStatus, failStatus === 503 ? 'unavailable' : failStatus === 403 ? 'permission_denied' : 'internal', 'the fake cache service is down');
      else sendBlobError(res, failStatus, 'ServerBusy', 'The fake blob store is down.');
      return;
    }
    if (isTwirp) return handleTwirp(req, res, operation, body, record);
    if (proxied) {
      if (blobs !== 'azure-host' || url.host !== BLOB_HOST) {
        record(502);
        res.writeHead(502).end(`the fake proxies only http://${BLOB_HOST}`);
        return;
      }
      return handleBlob(req, res, url, url.pathname, body, record);
    }
    if (blobs === 'loopback' && url.pathname.startsWith(`/${BLOB_ACCOUNT}/`)) return handleBlob(req, res, url, url.pathname.slice(BLOB_ACCOUNT.length + 1), body, record);
    record(404);
    sendBlobError(res, 404, 'ResourceNotFound', `No route for ${req.method} ${url.pathname}.`);
  }

  function handleTwirp(req: IncomingMessage, res: ServerResponse, method: string, body: Buffer, record: (status: number) => void) {
    const fail = (status: number, code: string, msg: string) => {
      record(status);
      sendTwirpError(res, status, code, msg);
    };
    const problem = twirpCallProblem(req);
    if (problem) return fail(problem.status, problem.code, problem.msg);
    const scopes = cacheScopesOf(req.headers.authorization);
    if (!scopes) return fail(401, 'unauthenticated', 'no bearer token with an ac claim');
    const request = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const key = typeof request.key === 'string' ? request.key : '';
    const version = typeof request.version === 'string' ? request.version : '';
    if (!key || key.length > 512 || key.includes(',')) return fail(400, 'invalid_argument', 'key is required, at most 512 characters, without commas');
    if (!/^[0-9a-f]{64}$/.test(version)) return fail(400, 'invalid_argument', 'version must be a sha256 hex digest');
    const writable = scopes.find((s) => s.permission & 2)?.scope;

    if (method === 'CreateCacheEntry') {
      if (!writable) return fail(403, 'permission_denied', 'cache write denied: the token has no writable cache scope');
      if (entries.some((e) => e.key === key && e.version === version && e.scope === writable)) {
        return fail(409, 'already_exists', 'cache entry with the same key, version, and scope already exists');
      }
      const entry: FakeCacheEntry = { id: nextId++, key, version, scope: writable, created: created++, finalized: false, uploadSig: newSasSignature(), downloadSig: newSasSignature() };
      entries.push(entry);
      record(200);
      return sendJson(res, 200, { ok: true, signed_upload_url: blobUrl(entry, 'cw', entry.uploadSig) });
    }

    if (method === 'FinalizeCacheEntryUpload') {
      const entry = entries.find((e) => e.key === key && e.version === version && e.scope === writable && !e.finalized);
      if (!entry) return fail(404, 'not_found', 'no entry was created under that key and version in this scope');
      if (!entry.archive) return fail(412, 'failed_precondition', 'the blob was never uploaded');
      if (String(request.size_bytes) !== String(entry.archive.length)) return fail(400, 'invalid_argument', `size_bytes ${String(request.size_bytes)} does not match the ${entry.archive.length} bytes uploaded`);
      entry.sizeBytes = String(request.size_bytes);
      entry.finalized = true;
      record(200);
      return sendJson(res, 200, { ok: true, entry_id: String(entry.id) });
    }

    if (method === 'GetCacheEntryDownloadURL') {
      const restoreKeys = Array.isArray(request.restore_keys) ? request.restore_keys.filter((k): k is string => typeof k === 'string') : [];
      for (const { scope } of scopes.filter((s) => s.permission & 1)) {
        const candidates = entries.filter((e) => e.finalized && e.scope === scope && e.version === version).sort((a, b) => b.created - a.created);
        const match =
          candidates.find((e) => e.key === key) ??
          candidates.find((e) => e.key.startsWith(key)) ??
          restoreKeys.map((prefix) => candidates.find((e) => e.key.startsWith(prefix))).find((e) => e !== undefined);
        if (match) {
          record(200);
          return sendJson(res, 200, { ok: true, signed_download_url: blobUrl(match, 'r', match.downloadSig), matched_key: match.key });
        }
      }
      record(200);
      return sendJson(res, 200, { ok: false, signed_download_url: '', matched_key: '' });
    }

    return fail(404, 'bad_route', `no method ${method}`);
  }

  function handleBlob(req: IncomingMessage, res: ServerResponse, url: URL, blobPath: string, body: Buffer, record: (status: number) => void) {
    const fail = (status: number, code: string, message: string) => {
      record(status);
      sendBlobError(res, status, code, message);
    };
    const match = new RegExp(`^/${BLOB_CONTAINER}/(\\d+)$`).exec(blobPath);
    const entry = match ? entries.find((e) => e.id === Number(match[1])) : undefined;
    if (!entry) return fail(404, 'BlobNotFound', 'The specified blob does not exist.');
    const sig = url.searchParams.get('sig');

    if (req.method === 'PUT') {
      if (sig !== entry.uploadSig || entry.finalized) return fail(403, 'AuthenticationFailed', 'Signature did not match, or the entry is final.');
      if (url.searchParams.get('comp')) return fail(400, 'InvalidQueryParameterValue', 'A record this small is uploaded with one Put Blob.');
      if (req.headers['x-ms-blob-type'] !== 'BlockBlob') return fail(400, 'MissingRequiredHeader', 'x-ms-blob-type: BlockBlob is required.');
      if (Number(req.headers['content-length']) !== body.length) return fail(400, 'InvalidHeaderValue', 'Content-Length does not match the body.');
      entry.archive = body;
      record(201);
      return sendBlob(req, res, 201, { ETag: etagOf(entry), 'Last-Modified': new Date().toUTCString(), 'Content-Length': '0' });
    }

    if (req.method === 'HEAD' || req.method === 'GET') {
      if (sig !== entry.downloadSig) return fail(403, 'AuthenticationFailed', 'Signature did not match.');
      if (!entry.finalized || !entry.archive) return fail(404, 'BlobNotFound', 'The specified blob does not exist.');
      const archive = entry.archive;
      const properties = { ETag: etagOf(entry), 'Last-Modified': new Date().toUTCString(), 'x-ms-blob-type': 'BlockBlob', 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream' };
      if (req.method === 'HEAD') {
        record(200);
        return sendBlob(req, res, 200, { ...properties, 'Content-Length': String(archive.length) });
      }
      const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers['x-ms-range'] ?? req.headers.range ?? ''));
      if (!range) {
        record(200);
        return sendBlob(req, res, 200, { ...properties, 'Content-Length': String(archive.length) }, archive);
      }
      const start = Number(range[1]);
      const end = Math.min(range[2] ? Number(range[2]) : archive.length - 1, archive.length - 1);
      if (start > end) return fail(416, 'InvalidRange', 'The range specified is invalid for the current size of the resource.');
      const part = archive.subarray(start, end + 1);
      record(206);
      return sendBlob(req, res, 206, { ...properties, 'Content-Length': String(part.length), 'Content-Range': `bytes ${start}-${end}/${archive.length}` }, part);
    }
    return fail(405, 'UnsupportedHttpVerb', `${req.method} is not something the cache client sends.`);
  }

  function blobUrl(entry: FakeCacheEntry, permissions: string, sig: string): string {
    const base = blobs === 'azure-host' ? `http://${BLOB_HOST}` : `${server.url}/${BLOB_ACCOUNT}`;
    return `${base}/${BLOB_CONTAINER}/${entry.id}?${sasQuery(permissions, sig)}`;
  }

  return {
    url: server.url,
    blobs,
    entries,
    requests,
    savedEntries: () => entries.filter((e) => e.finalized),
    failEverything: (status) => {
      failStatus = status;
    },
    hangEverything: (on) => {
      hang = on;
      if (!on) for (const res of held.splice(0)) res.destroy();
    },
    close: () => {
      for (const res of held.splice(0)) res.destroy();
      return server.close();
    },
  };
}

/** A run as the runner describes it to a step: the ref, and for a pull request its base. */
export interface CacheRun {
  /** `refs/heads/main`, or `refs/pull/7/merge` for a pull request. */
  ref: string;
  /** Base branch name of a pull request (sets GITHUB_BASE_REF). */
  baseRef?: string;
  defaultBranch?: string;
  runId?: string;
  runAttempt?: string;
  sha?: string;
  job?: string;
  runnerOs?: string;
  runnerArch?: string;
  imageOs?: string;
}

/**
 * The environment a JavaScript action step gets from a github.com runner, pointed at the fake:
 * ACTIONS_CACHE_SERVICE_V2, ACTIONS_RESULTS_URL, and a runtime token (unsigned JWT: the client does
 * not check it) whose `ac` claim grants the cache scopes GitHub grants: read/write on the run's
 * own ref, read on a pull request's base branch and on the default branch.
 */
export function cacheEnvFor(fake: FakeCacheService, run: CacheRun): Record<string, string> {
  const defaultBranch = run.defaultBranch ?? 'main';
  const scopes: CacheScope[] = [{ scope: run.ref, permission: 3 }];
  if (run.baseRef) scopes.push({ scope: `refs/heads/${run.baseRef}`, permission: 1 });
  if (!scopes.some((s) => s.scope === `refs/heads/${defaultBranch}`)) scopes.push({ scope: `refs/heads/${defaultBranch}`, permission: 1 });
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    scp: `Actions.ExampleScope Actions.Results:${randomUUID()}:${randomUUID()}`,
    ac: JSON.stringify(scopes.map((s) => ({ Scope: s.scope, Permission: s.permission }))),
    iss: 'vstoken.actions.githubusercontent.com',
    iat: now,
    exp: now + 3600,
  };
  const pullRequest = Boolean(run.baseRef);
  const refName = run.ref.replace(/^refs\/(heads|tags)\//, '');
  return {
    ACTIONS_RUNTIME_TOKEN: unsignedRuntimeToken(claims),
    // The runner's value ends with a slash; the client keeps only the origin.
    ACTIONS_RESULTS_URL: `${fake.url}/`,
    ACTIONS_CACHE_SERVICE_V2: 'True',
    ...(fake.blobs === 'azure-host' ? { HTTP_PROXY: fake.url } : {}),
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'octo-org/beacon-demo',
    GITHUB_WORKFLOW: 'Agent review',
    GITHUB_WORKFLOW_REF: `octo-org/beacon-demo/.github/workflows/review.yml@${run.ref}`,
    GITHUB_RUN_ID: run.runId ?? '16000000001',
    GITHUB_RUN_ATTEMPT: run.runAttempt ?? '1',
    GITHUB_JOB: run.job ?? 'review',
    GITHUB_EVENT_NAME: pullRequest ? 'pull_request' : 'push',
    GITHUB_REF: run.ref,
    GITHUB_REF_NAME: refName,
    // The runner sets both, empty outside pull requests.
    GITHUB_BASE_REF: run.baseRef ?? '',
    GITHUB_HEAD_REF: pullRequest ? 'feature/faster' : '',
    GITHUB_SHA: run.sha ?? '0123456789abcdef0123456789abcdef01234567',
    RUNNER_OS: run.runnerOs ?? 'Linux',
    RUNNER_ARCH: run.runnerArch ?? 'X64',
    ImageOS: run.imageOs ?? 'ubuntu24',
  };
}

/** The token's cache scopes, unverified, as the fake's only authorization. */
function cacheScopesOf(authorization: string | undefined): CacheScope[] | undefined {
  const ac = bearerClaimsOf(authorization)?.ac;
  if (typeof ac !== 'string') return undefined;
  let list: unknown;
  try {
    list = JSON.parse(ac);
  } catch {
    return undefined;
  }
  if (!Array.isArray(list)) return undefined;
  return list.flatMap((item: { Scope?: unknown; Permission?: unknown }) => (typeof item?.Scope === 'string' && typeof item.Permission === 'number' ? [{ scope: item.Scope, permission: item.Permission }] : []));
}

function etagOf(entry: FakeCacheEntry): string {
  return `"0x8DC${entry.id.toString(16).toUpperCase().padStart(12, '0')}"`;
}
