import { randomBytes, randomUUID } from 'node:crypto';
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
 * GitHub's artifact service (the "results" service `@actions/artifact` 6 talks to), on loopback.
 *
 * What the real client does, from node_modules/@actions/artifact/lib:
 * - Twirp JSON `POST /twirp/github.actions.results.api.v1.ArtifactService/CreateArtifact` with
 *   `Authorization: Bearer <ACTIONS_RUNTIME_TOKEN>` and proto field names (`workflow_run_backend_id`,
 *   `workflow_job_run_backend_id`, `name`, `version`, `mime_type`, `expires_at` as RFC 3339);
 *   the answer's `signed_upload_url` is where the zip goes.
 * - The zip goes there through `@azure/storage-blob`'s `BlockBlobClient.uploadStream`: one
 *   `PUT ?comp=block&blockid=<base64>` per 8 MiB block, then `PUT ?comp=blocklist` with an XML
 *   list of the block ids. Those keep the URL's SAS query (`sig=...`), as they would on Azure.
 * - Twirp `FinalizeArtifact` with `size` (int64, so a JSON string) and `hash: "sha256:<hex>"`;
 *   the answer's `artifact_id` becomes the artifact's id.
 * Answers use proto field names like the real service (the client accepts both spellings).
 * Errors are Twirp JSON `{ code, msg }`; the client retries 429/500/502/503/504 (5 attempts,
 * 3 s backoff growing by 1.5x) and fails at once on any other error status.
 */

const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.ArtifactService/';
/** Storage "account" and container of the signed URLs; with an IP host the Azure SDK reads the account from the path. */
const BLOB_ACCOUNT = 'fakeresults';
const BLOB_CONTAINER = 'actions-results';
/** The real service's text for a taken name, which users see in the client's error. */
export const NAME_TAKEN_MESSAGE = 'an artifact with this name already exists on the workflow run';

export interface FakeArtifact {
  id: number;
  name: string;
  workflowRunBackendId: string;
  workflowJobRunBackendId: string;
  /** `expires_at` of CreateArtifact, when the client sent a retention. */
  expiresAt?: string;
  mimeType?: string;
  version?: number;
  /** Blocks staged so far, by block id (base64, as sent). */
  stagedBlocks: Map<string, Buffer>;
  /** Block ids in the order the block list committed them. */
  committedBlockIds: string[];
  /** The blob as committed: the zip the client built. */
  zip?: Buffer;
  /** `x-ms-blob-content-type` of the commit. */
  blobContentType?: string;
  finalized: boolean;
  /** As FinalizeArtifact sent them. */
  finalizeSize?: string;
  finalizeHash?: string;
  /** True for a name `occupyName` took, standing for another job's upload. */
  preexisting: boolean;
}

export interface RecordedArtifactRequest {
  method: string;
  /** Path without the query. */
  path: string;
  /** `CreateArtifact`, `FinalizeArtifact`, `block`, `blocklist`, or what else came. */
  operation: string;
  status: number;
}

export interface FakeArtifactService {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly workflowRunBackendId: string;
  /** Every artifact created, in order, `occupyName` ones included. */
  readonly artifacts: FakeArtifact[];
  readonly requests: RecordedArtifactRequest[];
  /** Finalized artifacts that were uploaded (not preexisting). */
  uploadedArtifacts(): FakeArtifact[];
  /** Take a name in this run, as another job's upload would: CreateArtifact with it answers 409 `already_exists`. */
  occupyName(name: string): void;
  /** Answer every request with this status (Twirp or Azure error body) until called with `undefined`. */
  failEverything(status: number | undefined): void;
  close(): Promise<void>;
}

export async function startFakeArtifactService(): Promise<FakeArtifactService> {
  const workflowRunBackendId = randomUUID();
  const artifacts: FakeArtifact[] = [];
  const requests: RecordedArtifactRequest[] = [];
  const byUploadPath = new Map<string, { artifact: FakeArtifact; sig: string }>();
  let nextId = 4_200_001;
  let failStatus: number | undefined;

  const server = await serveOnLoopback((req, res, body) => {
    const url = new URL(req.url ?? '/', server.url);
    const operation = url.pathname.startsWith(TWIRP_PREFIX) ? url.pathname.slice(TWIRP_PREFIX.length) : (url.searchParams.get('comp') ?? `${req.method} blob`);
    const record = (status: number) => requests.push({ method: req.method ?? '', path: url.pathname, operation, status });
    try {
      handle(req, res, url, body, record);
    } catch (error) {
      record(500);
      sendTwirpError(res, 500, 'internal', `fake artifact service: ${(error as Error).message}`);
    }
  });

  function handle(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer, record: (status: number) => void) {
    const isTwirp = url.pathname.startsWith(TWIRP_PREFIX);
    if (failStatus !== undefined) {
      record(failStatus);
      if (isTwirp) sendTwirpError(res, failStatus, failStatus === 503 ? 'unavailable' : 'internal', 'the fake artifact service is down');
      else sendBlobError(res, failStatus, 'ServerBusy', 'The fake blob store is down.');
      return;
    }
    if (isTwirp) return handleTwirp(req, res, url.pathname.slice(TWIRP_PREFIX.length), body, record);
    if (req.method === 'PUT' && byUploadPath.has(url.pathname)) return handleBlob(req, res, url, body, record);
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
    const scope = resultsScopeOf(req.headers.authorization);
    if (!scope) return fail(401, 'unauthenticated', 'no bearer token with an Actions.Results scope');
    const request = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    // The real service only lets a job act for its own run and job.
    if (request.workflow_run_backend_id !== scope.run || request.workflow_job_run_backend_id !== scope.job) {
      return fail(403, 'permission_denied', 'backend ids do not match the token');
    }
    if (scope.run !== workflowRunBackendId) return fail(404, 'not_found', 'unknown workflow run');
    const name = String(request.name ?? '');

    if (method === 'CreateArtifact') {
      if (!name) return fail(400, 'invalid_argument', 'name is required');
      if (artifacts.some((a) => a.name === name)) return fail(409, 'already_exists', NAME_TAKEN_MESSAGE);
      const artifact = newArtifact(name, scope.job, false);
      if (typeof request.expires_at === 'string') artifact.expiresAt = request.expires_at;
      if (typeof request.mime_type === 'string') artifact.mimeType = request.mime_type;
      if (typeof request.version === 'number') artifact.version = request.version;
      const uploadPath = `/${BLOB_ACCOUNT}/${BLOB_CONTAINER}/${workflowRunBackendId}/${scope.job}/artifacts/${artifact.id}.zip`;
      const sig = newSasSignature();
      byUploadPath.set(uploadPath, { artifact, sig });
      const signedUploadUrl = new URL(uploadPath, server.url);
      signedUploadUrl.search = sasQuery('cw', sig);
      record(200);
      return sendJson(res, 200, { ok: true, signed_upload_url: signedUploadUrl.href });
    }

    if (method === 'FinalizeArtifact') {
      const artifact = artifacts.find((a) => a.name === name && !a.preexisting);
      if (!artifact || artifact.workflowJobRunBackendId !== scope.job) return fail(404, 'not_found', 'no artifact by that name was created by this job');
      if (!artifact.zip) return fail(412, 'failed_precondition', 'the blob was never committed');
      artifact.finalized = true;
      if (request.size !== undefined) artifact.finalizeSize = String(request.size);
      if (typeof request.hash === 'string') artifact.finalizeHash = request.hash;
      record(200);
      // int64 goes over protobuf JSON as a string.
      return sendJson(res, 200, { ok: true, artifact_id: String(artifact.id) });
    }

    return fail(404, 'bad_route', `no method ${method}`);
  }

  function handleBlob(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer, record: (status: number) => void) {
    const target = byUploadPath.get(url.pathname)!;
    const fail = (status: number, code: string, message: string) => {
      record(status);
      sendBlobError(res, status, code, message);
    };
    if (url.searchParams.get('sig') !== target.sig) return fail(403, 'AuthenticationFailed', 'Signature did not match.');
    const { artifact } = target;
    const comp = url.searchParams.get('comp');
    if (comp === 'block') {
      const blockId = url.searchParams.get('blockid');
      if (!blockId) return fail(400, 'InvalidQueryParameterValue', 'blockid is required.');
      if (Number(req.headers['content-length']) !== body.length) return fail(400, 'InvalidHeaderValue', 'Content-Length does not match the body.');
      artifact.stagedBlocks.set(blockId, body);
      record(201);
      return sendBlob(req, res, 201, { 'Content-Length': '0' });
    }
    if (comp === 'blocklist') {
      const ids = [...body.toString('utf8').matchAll(/<(Latest|Uncommitted|Committed)>([^<]*)<\/\1>/g)].map((m) => m[2]!);
      const missing = ids.find((id) => !artifact.stagedBlocks.has(id));
      if (missing !== undefined) return fail(400, 'InvalidBlockList', `Block ${missing} was never staged.`);
      artifact.committedBlockIds = ids;
      artifact.zip = Buffer.concat(ids.map((id) => artifact.stagedBlocks.get(id)!));
      const contentType = req.headers['x-ms-blob-content-type'];
      if (typeof contentType === 'string') artifact.blobContentType = contentType;
      record(201);
      return sendBlob(req, res, 201, { 'Content-Length': '0', ETag: `"0x${randomBytes(7).toString('hex').toUpperCase()}"`, 'Last-Modified': new Date().toUTCString() });
    }
    return fail(400, 'InvalidQueryParameterValue', `comp=${comp} is not something the artifact client sends.`);
  }

  function newArtifact(name: string, job: string, preexisting: boolean): FakeArtifact {
    const artifact: FakeArtifact = {
      id: nextId++,
      name,
      workflowRunBackendId,
      workflowJobRunBackendId: job,
      stagedBlocks: new Map(),
      committedBlockIds: [],
      finalized: preexisting,
      preexisting,
    };
    artifacts.push(artifact);
    return artifact;
  }

  return {
    url: server.url,
    workflowRunBackendId,
    artifacts,
    requests,
    uploadedArtifacts: () => artifacts.filter((a) => a.finalized && !a.preexisting),
    occupyName: (name) => void newArtifact(name, randomUUID(), true),
    failEverything: (status) => {
      failStatus = status;
    },
    close: () => server.close(),
  };
}

export interface FakeJob {
  /** Defaults to a fresh GUID: every job run, matrix legs included, has its own. */
  jobBackendId?: string;
  githubJob?: string;
  runAttempt?: string;
}

/**
 * The environment a JavaScript action step gets from the runner, pointed at the fake: the runtime
 * token (a JWT whose `scp` names the run and job backend ids; unsigned, the client does not check),
 * the results URL, and the run variables the upload and its summary link use.
 */
export function runtimeEnvFor(fake: FakeArtifactService, job: FakeJob = {}): Record<string, string> {
  const jobBackendId = job.jobBackendId ?? randomUUID();
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    // Shaped like the runner's: other scopes before the one the client reads.
    scp: `Actions.ExampleScope Actions.Results:${fake.workflowRunBackendId}:${jobBackendId}`,
    iss: 'https://token.actions.githubusercontent.com',
    iat: now,
    exp: now + 3600,
  };
  return {
    ACTIONS_RUNTIME_TOKEN: unsignedRuntimeToken(claims),
    // The runner's value ends with a slash; the client keeps only the origin.
    ACTIONS_RESULTS_URL: `${fake.url}/`,
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'octo-org/beacon-demo',
    GITHUB_RUN_ID: '16000000001',
    GITHUB_RUN_ATTEMPT: job.runAttempt ?? '1',
    GITHUB_JOB: job.githubJob ?? 'codex',
    GITHUB_RETENTION_DAYS: '90',
    RUNNER_TRACKING_ID: `github_${randomUUID()}`,
  };
}

/** The `Actions.Results:<run>:<job>` scope of a bearer JWT, unverified like the real client does. */
function resultsScopeOf(authorization: string | undefined): { run: string; job: string } | undefined {
  const scp = bearerClaimsOf(authorization)?.scp;
  if (typeof scp !== 'string') return undefined;
  for (const scope of scp.split(' ')) {
    const [kind, run, job, ...rest] = scope.split(':');
    if (kind === 'Actions.Results' && run && job && rest.length === 0) return { run, job };
  }
  return undefined;
}
