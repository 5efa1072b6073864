/**
 * Upload of the Beacon runtime files as a workflow artifact, with `@actions/artifact` 6.
 *
 * The upload is best effort: `uploadRuntimeArtifact` never throws, it says what happened and the
 * caller decides how loud to be (a failure becomes a warning, a skip a plain line).
 */
import { createHash } from 'node:crypto';

export interface ArtifactLog {
  info(message: string): void;
  warning(message: string): void;
}

export interface RuntimeArtifactUpload {
  name: string;
  /** Absolute paths, all under `rootDirectory`. */
  files: string[];
  /** Stripped from the paths inside the zip. */
  rootDirectory: string;
  /** Omitted or 0: the repository's default retention. */
  retentionDays?: number;
  log: ArtifactLog;
}

export type RuntimeArtifactResult =
  | {
      status: 'uploaded';
      /** The name the artifact got: `requestedName` with a suffix when that name was taken. */
      name: string;
      requestedName: string;
      id: number;
      /** Bytes of the zip, as the client counted them. */
      size: number;
      /** The artifact's page, when the run variables are there to build it. */
      url?: string;
    }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; reason: string };

/** How many other names to try after the requested one was taken: `<name>-2`, `<name>-3`. */
const CONFLICT_RETRIES = 2;

/**
 * A name unique per job and attempt, matrix legs included, with nothing for the user to set.
 *
 * Matrix legs share `GITHUB_JOB`, and the `matrix` context is not in a step's environment. What a
 * JavaScript action step does get, per job, is the job run's backend id: the last part of the
 * `Actions.Results:<runBackendId>:<jobBackendId>` scope of `ACTIONS_RUNTIME_TOKEN`. It is the very
 * id the artifact service scopes uploads by, so it differs between legs and is the same for every
 * step of one job (the post step and a `mode: finish` step agree). Without the token (outside
 * Actions, where nothing is uploaded anyway) `RUNNER_TRACKING_ID`, a per-job GUID the runner sets,
 * stands in. `RUNNER_NAME` is not used: a self-hosted runner runs several legs under one name.
 * Only a short hash goes into the name: it need not be readable, and the id is not ours to show.
 */
export function defaultArtifactName(env: NodeJS.ProcessEnv = process.env): string {
  const job = nameSafe(env.GITHUB_JOB) || 'job';
  const attempt = nameSafe(env.GITHUB_RUN_ATTEMPT) || '1';
  const jobIdentity = jobRunBackendId(env.ACTIONS_RUNTIME_TOKEN) ?? env.RUNNER_TRACKING_ID;
  const base = `beacon-runtime-${job}-${attempt}`;
  return jobIdentity ? `${base}-${createHash('sha256').update(jobIdentity).digest('hex').slice(0, 8)}` : base;
}

export async function uploadRuntimeArtifact(upload: RuntimeArtifactUpload): Promise<RuntimeArtifactResult> {
  const { name, files, rootDirectory, retentionDays, log } = upload;
  // The client reads these from process.env when it is called, so this check does too.
  const env = process.env;
  if (!env.ACTIONS_RUNTIME_TOKEN || !env.ACTIONS_RESULTS_URL) {
    return {
      status: 'skipped',
      reason: 'not running in a GitHub Actions JavaScript step (ACTIONS_RUNTIME_TOKEN or ACTIONS_RESULTS_URL is not set)',
    };
  }
  if (files.length === 0) return { status: 'skipped', reason: 'there are no runtime files to upload' };
  // The client would refuse too, but only after printing its own warning annotation.
  const serverHost = hostOf(env.GITHUB_SERVER_URL);
  if (serverHost !== undefined && isEnterpriseServer(serverHost)) {
    return {
      status: 'failed',
      reason: `artifact upload is not supported on GitHub Enterprise Server (${serverHost}) by @actions/artifact 6`,
    };
  }

  // Loaded only when there is something to upload: it is most of the post step's start-up time.
  const { DefaultArtifactClient } = await import('@actions/artifact');
  const client = new DefaultArtifactClient();
  const triedNames: string[] = [];
  for (let attempt = 0; attempt <= CONFLICT_RETRIES; attempt++) {
    const candidate = attempt === 0 ? name : `${name}-${attempt + 1}`;
    triedNames.push(candidate);
    try {
      const options = retentionDays ? { retentionDays } : {};
      const { id, size } = await client.uploadArtifact(candidate, files, rootDirectory, options);
      if (id === undefined) return { status: 'failed', reason: `the artifact service did not return an id for "${candidate}"` };
      // A warning: a later job downloading by the requested name would not find it.
      if (candidate !== name) log.warning(`beacon: the artifact name "${name}" was taken in this run; uploaded as "${candidate}" instead.`);
      const url = artifactUrl(env, id);
      log.info(`beacon: uploaded artifact "${candidate}" (${size ?? 0} bytes)${url ? `: ${url}` : ''}.`);
      return { status: 'uploaded', name: candidate, requestedName: name, id, size: size ?? 0, ...(url ? { url } : {}) };
    } catch (error) {
      const message = firstLine(error);
      if (!isNameConflict(message)) return { status: 'failed', reason: `the artifact service did not take the upload: ${message}` };
    }
  }
  return {
    status: 'failed',
    reason: `the artifact names ${triedNames.map((n) => `"${n}"`).join(', ')} are all taken in this workflow run`,
  };
}

function artifactUrl(env: NodeJS.ProcessEnv, id: number): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env;
  if (!server || !repository || !runId) return undefined;
  return `${server.replace(/\/+$/, '')}/${repository}/actions/runs/${runId}/artifacts/${id}`;
}

// The service answers a taken name with Twirp `already_exists`, which the client reports as
// "Failed request: (409) Conflict: an artifact with this name already exists on the workflow run".
function isNameConflict(message: string): boolean {
  return message.includes('(409)') || /already exists/i.test(message);
}

/** The job run's backend id from the token's `Actions.Results` scope; the signature is not checked. */
function jobRunBackendId(token: string | undefined): string | undefined {
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { scp?: unknown };
    if (typeof claims.scp !== 'string') return undefined;
    for (const scope of claims.scp.split(' ')) {
      const [kind, , jobId] = scope.split(':');
      if (kind === 'Actions.Results' && jobId) return jobId;
    }
  } catch {
    // Not a JWT: fall back like outside Actions.
  }
  return undefined;
}

// Same rule as the client's isGhes(): github.com, *.ghe.com (data residency) and *.localhost are
// served by the results service; any other host is an Enterprise Server.
function isEnterpriseServer(host: string): boolean {
  const lower = host.toLowerCase();
  return lower !== 'github.com' && !lower.endsWith('.ghe.com') && !lower.endsWith('.localhost');
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

// Keep what artifact names allow (the client rejects " : < > | * ? \ / and line breaks).
function nameSafe(value: string | undefined): string {
  return (value ?? '').trim().replace(/[^A-Za-z0-9._-]+/g, '_');
}

// The client's errors can run to several lines (a NetworkError appends a paragraph on self-hosted
// runners); the first one says what went wrong.
function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.trim();
}
