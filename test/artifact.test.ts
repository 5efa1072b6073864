import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readZip } from './support/zip.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultArtifactName, uploadRuntimeArtifact, type ArtifactLog } from '../src/finish/publish/artifact.js';
import { captureClientOutput } from './support/client-output.js';
import { runtimeEnvFor, startFakeArtifactService, type FakeArtifactService } from './support/fake-artifact-service.js';

// The real @actions/artifact client runs in this process: its output is the tests', not the report's.
const client = captureClientOutput();

/** The client's block size (getUploadChunkSize in @actions/artifact). */
const BLOCK_BYTES = 8 * 1024 * 1024;
const DAY_MS = 86_400_000;

/** The client and our module read process.env when called: set it per test, put it back after. */
const originalEnv = { ...process.env };
function useEnv(env: Record<string, string | undefined>) {
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
}
function restoreEnv() {
  for (const key of Object.keys(process.env)) if (!(key in originalEnv)) delete process.env[key];
  Object.assign(process.env, originalEnv);
}

function recordingLog(): ArtifactLog & { infos: string[]; warnings: string[] } {
  const infos: string[] = [];
  const warnings: string[] = [];
  return { infos, warnings, info: (m) => void infos.push(m), warning: (m) => void warnings.push(m) };
}

const tempDirs: string[] = [];

/**
 * A Beacon runtime folder: a JSONL log of `logLines` lines of ~4 KB, and a small usage file.
 * Random base64 payloads deflate to about 3/4 of their size: 3200 lines (~13 MB) zip to ~10 MB,
 * more than one of the client's 8 MiB blocks.
 */
function writeRuntimeFiles(logLines = 20) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-artifact-'));
  tempDirs.push(root);
  const lines: string[] = [];
  for (let seq = 0; seq < logLines; seq++) {
    lines.push(JSON.stringify({ seq, kind: 'tool.result', output: randomBytes(3072).toString('base64') }));
  }
  const logPath = path.join(root, 'beacon-runtime.jsonl');
  fs.writeFileSync(logPath, `${lines.join('\n')}\n`);
  fs.mkdirSync(path.join(root, 'usage'));
  const usagePath = path.join(root, 'usage', 'token-usage.json');
  fs.writeFileSync(usagePath, JSON.stringify({ model: 'gpt-5.5', input: 48_213, cached: 40_960, output: 1_337, reasoning: 512, requests: Array.from({ length: 40 }, (_, i) => ({ i, input: 1000 + i })) }, null, 2));
  return { root, logPath, usagePath };
}


describe('uploadRuntimeArtifact against a fake artifact service', () => {
  let fake: FakeArtifactService;

  beforeEach(async () => {
    fake = await startFakeArtifactService();
  });

  afterEach(async () => {
    vi.useRealTimers();
    restoreEnv();
    await fake.close();
    for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('uploads the files as one zip, in 8 MiB blocks, finalized with its size and sha256', async () => {
    const jobBackendId = randomUUID();
    useEnv(runtimeEnvFor(fake, { jobBackendId }));
    const { root, logPath, usagePath } = writeRuntimeFiles(3200);
    const name = defaultArtifactName(process.env);
    const log = recordingLog();
    const before = Date.now();

    const result = await uploadRuntimeArtifact({ name, files: [logPath, usagePath], rootDirectory: root, retentionDays: 7, log });
    const after = Date.now();

    expect(fake.uploadedArtifacts()).toHaveLength(1);
    const artifact = fake.uploadedArtifacts()[0]!;
    const zip = artifact.zip!;
    const url = `https://github.com/octo-org/beacon-demo/actions/runs/16000000001/artifacts/${artifact.id}`;
    expect(result).toEqual({
      status: 'uploaded',
      name,
      requestedName: name,
      id: artifact.id,
      size: zip.length,
      url,
    });
    expect(artifact.name).toBe(name);
    expect(artifact.workflowJobRunBackendId).toBe(jobBackendId);

    // The assembled blob is the zip of exactly our files, byte for byte.
    const entries = readZip(zip);
    expect([...entries.keys()].sort()).toEqual(['beacon-runtime.jsonl', 'usage/token-usage.json']);
    expect(entries.get('beacon-runtime.jsonl')!.equals(fs.readFileSync(logPath))).toBe(true);
    expect(entries.get('usage/token-usage.json')!.equals(fs.readFileSync(usagePath))).toBe(true);

    // Several blocks, committed in order, then finalize with what was actually stored.
    const blockCount = Math.ceil(zip.length / BLOCK_BYTES);
    expect(blockCount).toBeGreaterThan(1);
    expect(artifact.committedBlockIds).toHaveLength(blockCount);
    expect(fake.requests.map((r) => `${r.operation} ${r.status}`)).toEqual([
      'CreateArtifact 200',
      ...Array.from({ length: blockCount }, () => 'block 201'),
      'blocklist 201',
      'FinalizeArtifact 200',
    ]);
    expect(artifact.finalizeHash).toBe(`sha256:${createHash('sha256').update(zip).digest('hex')}`);
    expect(artifact.finalizeSize).toBe(String(zip.length));
    expect(artifact.mimeType).toBe('application/zip');
    expect(artifact.blobContentType).toBe('application/zip');

    // Retention goes through as an expiry 7 calendar days from the call.
    const earliest = new Date(before);
    earliest.setDate(earliest.getDate() + 7);
    const latest = new Date(after);
    latest.setDate(latest.getDate() + 7);
    const expiresAt = Date.parse(artifact.expiresAt!);
    expect(expiresAt).toBeGreaterThanOrEqual(earliest.getTime());
    expect(expiresAt).toBeLessThanOrEqual(latest.getTime());
    expect(Math.round((expiresAt - before) / DAY_MS)).toBe(7);

    expect(log.warnings).toEqual([]);
    expect(log.infos).toEqual([`beacon: uploaded artifact "${name}" (${zip.length} bytes): ${url}.`]);
    // The client's own account agrees, and it warned of nothing.
    expect(client.output()).toContain(`Artifact ${name} successfully finalized. Artifact ID ${artifact.id}`);
    expect(client.output()).not.toMatch(/^::(warning|error)::/m);
  });

  it('sends no expiry when no retention is asked for', async () => {
    useEnv(runtimeEnvFor(fake));
    const { root, usagePath } = writeRuntimeFiles();
    const result = await uploadRuntimeArtifact({ name: 'beacon-no-retention', files: [usagePath], rootDirectory: root, log: recordingLog() });
    expect(result.status).toBe('uploaded');
    expect(fake.uploadedArtifacts().map((a) => [a.name, a.expiresAt])).toEqual([['beacon-no-retention', undefined]]);
  });

  it('a second matrix leg uploading the same fixed name gets a suffixed name and says so', async () => {
    const { root, usagePath } = writeRuntimeFiles();
    const firstLeg = randomUUID();
    const secondLeg = randomUUID();

    useEnv(runtimeEnvFor(fake, { jobBackendId: firstLeg }));
    const first = await uploadRuntimeArtifact({ name: 'beacon-runtime', files: [usagePath], rootDirectory: root, log: recordingLog() });
    useEnv(runtimeEnvFor(fake, { jobBackendId: secondLeg }));
    const secondLog = recordingLog();
    const second = await uploadRuntimeArtifact({ name: 'beacon-runtime', files: [usagePath], rootDirectory: root, log: secondLog });

    expect(first).toMatchObject({ status: 'uploaded', name: 'beacon-runtime', requestedName: 'beacon-runtime' });
    expect(second).toMatchObject({ status: 'uploaded', name: 'beacon-runtime-2', requestedName: 'beacon-runtime' });
    expect(fake.uploadedArtifacts().map((a) => [a.name, a.workflowJobRunBackendId])).toEqual([
      ['beacon-runtime', firstLeg],
      ['beacon-runtime-2', secondLeg],
    ]);
    expect(second.status === 'uploaded' && second.id).toBe(fake.uploadedArtifacts()[1]!.id);
    expect(fake.requests.filter((r) => r.operation === 'CreateArtifact').map((r) => r.status)).toEqual([200, 409, 200]);
    expect(secondLog.warnings).toEqual(['beacon: the artifact name "beacon-runtime" was taken in this run; uploaded as "beacon-runtime-2" instead.']);
  });

  it('gives up after two other names are taken too, without uploading anything', async () => {
    useEnv(runtimeEnvFor(fake));
    const { root, usagePath } = writeRuntimeFiles();
    for (const taken of ['beacon-runtime', 'beacon-runtime-2', 'beacon-runtime-3']) fake.occupyName(taken);

    const result = await uploadRuntimeArtifact({ name: 'beacon-runtime', files: [usagePath], rootDirectory: root, log: recordingLog() });

    expect(result).toEqual({
      status: 'failed',
      reason: 'the artifact names "beacon-runtime", "beacon-runtime-2", "beacon-runtime-3" are all taken in this workflow run',
    });
    expect(fake.requests.map((r) => `${r.operation} ${r.status}`)).toEqual(['CreateArtifact 409', 'CreateArtifact 409', 'CreateArtifact 409']);
    expect(fake.uploadedArtifacts()).toEqual([]);
  });

  it('fails, without throwing, when the service answers 500 to every retry of the client', async () => {
    useEnv(runtimeEnvFor(fake));
    const { root, usagePath } = writeRuntimeFiles();
    fake.failEverything(500);
    // The client sleeps 3 s, then ~4.5-6.75 s, ... between its 5 attempts: run its clock fast.
    // Only setTimeout is faked; the HTTP exchanges with the fake stay real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });

    const pending = uploadRuntimeArtifact({ name: 'beacon-runtime', files: [usagePath], rootDirectory: root, log: recordingLog() });
    let settled = false;
    void pending.finally(() => {
      settled = true;
    });
    for (let spentMs = 0; !settled && spentMs < 120_000; spentMs += 250) {
      await new Promise((resolve) => setImmediate(resolve));
      vi.advanceTimersByTime(250);
    }
    const result = await pending;

    expect(result).toEqual({
      status: 'failed',
      reason: 'the artifact service did not take the upload: Failed to CreateArtifact: Failed to make request after 5 attempts: Failed request: (500) Internal Server Error: the fake artifact service is down',
    });
    // Retried by the client, not renamed by us: it says so after each of the first four attempts.
    expect(fake.requests.map((r) => `${r.operation} ${r.status}`)).toEqual(Array.from({ length: 5 }, () => 'CreateArtifact 500'));
    expect(client.output().match(/^Attempt [1-4] of 5 failed with error: Failed request: \(500\) Internal Server Error: the fake artifact service is down\. Retrying request in \d+ ms\.\.\.$/gm)).toHaveLength(4);
  });

  it('fails fast, without throwing, when the service cannot be reached', async () => {
    useEnv(runtimeEnvFor(fake));
    await fake.close();
    const { root, usagePath } = writeRuntimeFiles();
    const started = Date.now();

    const result = await uploadRuntimeArtifact({ name: 'beacon-runtime', files: [usagePath], rootDirectory: root, log: recordingLog() });

    expect(result).toEqual({
      status: 'failed',
      reason: 'the artifact service did not take the upload: Failed to CreateArtifact: Unable to make request: ECONNREFUSED',
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(client.output()).not.toContain('Retrying request');
  });

  it('fails on GitHub Enterprise Server without calling the service', async () => {
    useEnv({ ...runtimeEnvFor(fake), GITHUB_SERVER_URL: 'https://ghes.example.com' });
    const { root, usagePath } = writeRuntimeFiles();

    const result = await uploadRuntimeArtifact({ name: 'beacon-runtime', files: [usagePath], rootDirectory: root, log: recordingLog() });

    expect(result).toEqual({
      status: 'failed',
      reason: 'artifact upload is not supported on GitHub Enterprise Server (ghes.example.com) by @actions/artifact 6',
    });
    expect(fake.requests).toEqual([]);
  });

  it('skips outside Actions, where the runtime token and results URL are missing', async () => {
    useEnv({ ACTIONS_RUNTIME_TOKEN: undefined, ACTIONS_RESULTS_URL: undefined });
    const { root, usagePath } = writeRuntimeFiles();

    const result = await uploadRuntimeArtifact({ name: 'beacon-runtime', files: [usagePath], rootDirectory: root, log: recordingLog() });

    expect(result).toEqual({
      status: 'skipped',
      reason: 'not running in a GitHub Actions JavaScript step (ACTIONS_RUNTIME_TOKEN or ACTIONS_RESULTS_URL is not set)',
    });
    expect(fake.requests).toEqual([]);
  });
});

describe('defaultArtifactName', () => {
  const nameFormat = /^beacon-runtime-codex-1-[0-9a-f]{8}$/;

  it('differs between matrix legs of one job, and is stable within a leg', async () => {
    const fake = await startFakeArtifactService();
    try {
      // Same workflow, job id and attempt: only the job run differs, as between matrix legs.
      const legA = runtimeEnvFor(fake, { jobBackendId: randomUUID() });
      const legB = runtimeEnvFor(fake, { jobBackendId: randomUUID() });
      const nameA = defaultArtifactName(legA);
      const nameB = defaultArtifactName(legB);
      expect(nameA).toMatch(nameFormat);
      expect(nameB).toMatch(nameFormat);
      expect(nameA).not.toBe(nameB);
      // Every step of leg A (the post step, a later `mode: finish`) sees the same token: same name.
      expect(defaultArtifactName({ ...legA, RUNNER_TRACKING_ID: 'github_other' })).toBe(nameA);
      // A re-run attempt of the job gets its own name even if the job run id were reused.
      expect(defaultArtifactName({ ...legA, GITHUB_RUN_ATTEMPT: '2' })).toBe(nameA.replace('-codex-1-', '-codex-2-'));
    } finally {
      await fake.close();
    }
  });

  it('falls back to the runner tracking id without a token, and to job and attempt alone without either', () => {
    const base = { GITHUB_JOB: 'codex', GITHUB_RUN_ATTEMPT: '1' };
    const first = defaultArtifactName({ ...base, RUNNER_TRACKING_ID: `github_${randomUUID()}` });
    const second = defaultArtifactName({ ...base, RUNNER_TRACKING_ID: `github_${randomUUID()}` });
    expect(first).toMatch(nameFormat);
    expect(first).not.toBe(second);
    expect(defaultArtifactName(base)).toBe('beacon-runtime-codex-1');
    expect(defaultArtifactName({})).toBe('beacon-runtime-job-1');
  });

  it('keeps only characters artifact names allow', () => {
    expect(defaultArtifactName({ GITHUB_JOB: 'build: "win/x64"', GITHUB_RUN_ATTEMPT: '3' })).toBe('beacon-runtime-build_win_x64_-3');
  });
});
