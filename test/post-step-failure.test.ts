import fs from 'node:fs';
import { readZip } from './support/zip.js';
import { afterEach, describe, expect, it } from 'vitest';
import { fixtureRequests, httpRequest } from './support/collector-process.js';
import { runtimeEnvFor, startFakeArtifactService, type FakeArtifactService } from './support/fake-artifact-service.js';
import { startedCaptureIn } from './support/http-senders.js';
import { SimulatedRunner, githubEnv } from './support/runner.js';

/**
 * "Failures never hide": a post step that fails part way (here: the runtime log cannot be written,
 * its path is taken by a folder, as a full disk or a bug would make it fail) still uploads what
 * exists, the raw capture as the collector wrote it, says so in the job summary, and fails the step
 * under require-telemetry (a warning without it).
 */

const runners: SimulatedRunner[] = [];
const services: FakeArtifactService[] = [];
afterEach(async () => {
  for (const r of runners.splice(0)) r.cleanup();
  for (const s of services.splice(0)) await s.close();
});


/** A start with Codex's requests captured (events and token metrics), then a post step whose runtime log cannot be written. */
async function runWithBrokenRuntimeLog(requireTelemetry: 'true' | 'false') {
  const artifacts = await startFakeArtifactService();
  services.push(artifacts);
  const r = new SimulatedRunner({ ...githubEnv(), ...runtimeEnvFor(artifacts) });
  runners.push(r);
  const start = await r.main({ inputs: { 'require-telemetry': requireTelemetry, compare: 'false' } });
  expect(start.exitCode).toBe(0);
  const capture = startedCaptureIn(start.state.workDir!);
  for (const fixture of ['tool-call-protobuf', 'interval-exports-json']) {
    for (const request of fixtureRequests(fixture)) {
      const answer = await httpRequest(capture.port, { path: request.path, body: request.body, headers: { 'content-type': request.contentType, 'x-beacon-secret': capture.secret } });
      expect(answer.status).toBe(200);
    }
  }
  // The runtime log's path is a folder: the runtime-log stage throws.
  fs.mkdirSync(capture.paths.runtimeLog);
  const post = await start.post();
  return { r, artifacts, post, paths: capture.paths };
}

describe('a post step that fails part way', () => {
  it('uploads the raw capture, says why in the summary, and fails the step under require-telemetry: true', async () => {
    const { r, artifacts, post, paths } = await runWithBrokenRuntimeLog('true');

    // Exactly the collector's files, byte for byte, under their own names.
    expect(artifacts.uploadedArtifacts()).toHaveLength(1);
    const entries = readZip(artifacts.uploadedArtifacts()[0]!.zip!);
    expect([...entries.keys()].sort()).toEqual(['capture.jsonl', 'capture.tokens.jsonl']);
    const captureBytes = fs.readFileSync(paths.capture);
    const tokenBytes = fs.readFileSync(paths.tokenPoints);
    expect(captureBytes.length).toBeGreaterThan(0);
    expect(tokenBytes.length).toBeGreaterThan(0);
    expect(entries.get('capture.jsonl')!.equals(captureBytes)).toBe(true);
    expect(entries.get('capture.tokens.jsonl')!.equals(tokenBytes)).toBe(true);
    // 2 + 3 logs bodies of events, each line a JSON event.
    for (const line of captureBytes.toString('utf8').trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();

    // The step fails, with the stage and the reason.
    expect(post.exitCode).toBe(1);
    const errorLine = post.stdout.split('\n').find((line) => line.startsWith('::error::'));
    expect(errorLine).toBeDefined();
    expect(errorLine).toContain('beacon: the post step failed while writing the runtime log: ');
    expect(errorLine).toContain(paths.runtimeLog);
    expect(post.stdout).not.toContain('the post step could not finish');

    // The summary: our words plain, the error in a code span, what was uploaded.
    const summary = r.summary();
    expect(summary).toContain('## Beacon: the post step failed');
    expect(summary).toMatch(/The post step failed while writing the runtime log: `[^`\n]*beacon-runtime\.jsonl[^`\n]*`/);
    expect(summary).toContain(`The raw capture, as the collector wrote it, was uploaded as the artifact \`${artifacts.uploadedArtifacts()[0]!.name}\`: \`capture.jsonl\`, \`capture.tokens.jsonl\`.`);
    // Nothing claims the run finished: a later pass may still try.
    expect(fs.existsSync(paths.finished)).toBe(false);
  });

  it('with require-telemetry: false, warns instead, exits 0, and still uploads the capture', async () => {
    const { r, artifacts, post, paths } = await runWithBrokenRuntimeLog('false');
    expect(post.exitCode).toBe(0);
    expect(post.stdout).not.toContain('::error::');
    expect(post.stdout).toMatch(/::warning::beacon: the post step failed while writing the runtime log: .*beacon-runtime\.jsonl/);
    expect(artifacts.uploadedArtifacts()).toHaveLength(1);
    const entries = readZip(artifacts.uploadedArtifacts()[0]!.zip!);
    expect([...entries.keys()].sort()).toEqual(['capture.jsonl', 'capture.tokens.jsonl']);
    expect(entries.get('capture.jsonl')!.equals(fs.readFileSync(paths.capture))).toBe(true);
    expect(entries.get('capture.tokens.jsonl')!.equals(fs.readFileSync(paths.tokenPoints))).toBe(true);
    expect(r.summary()).toContain('The post step failed while writing the runtime log: `');
  });
});
