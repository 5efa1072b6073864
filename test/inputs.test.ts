import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFinishInputs, readStartInputs } from '../src/inputs.js';
import { testTempDir } from './support/temp-dir.js';

const reader = (values: Record<string, string>) => (name: string) => values[name] ?? '';

describe('start inputs', () => {
  it('uses the documented defaults', () => {
    expect(readStartInputs(reader({}))).toEqual({ includeCodexSpans: false, logUserPrompt: false, otelProtocol: 'binary', environment: 'ci', exportEnv: true });
  });

  it.each([
    ['otel-protocol', 'xml', 'Input "otel-protocol" must be one of "binary", "json", got "xml".'],
    ['log-user-prompt', 'yes', 'Input "log-user-prompt" must be true or false, got "yes".'],
    ['include-codex-spans', '1', 'Input "include-codex-spans" must be true or false, got "1".'],
  ])('%s: %s fails naming the input and the value', (name, value, message) => {
    expect(() => readStartInputs(reader({ [name]: value }))).toThrow(message);
  });

  it('rejects a codex-config that does not exist, or is not TOML, naming the path', () => {
    const dir = testTempDir('inputs-');
    const missing = path.join(dir, 'nope.toml');
    expect(() => readStartInputs(reader({ 'codex-config': missing }))).toThrow(`Input "codex-config" names "${missing}", which cannot be read: ENOENT.`);
    const broken = path.join(dir, 'broken.toml');
    fs.writeFileSync(broken, 'model = \n');
    expect(() => readStartInputs(reader({ 'codex-config': broken }))).toThrow(`Input "codex-config" names "${broken}", which is not valid TOML`);
    const good = path.join(dir, 'good.toml');
    fs.writeFileSync(good, 'model = "x"\n');
    expect(readStartInputs(reader({ 'codex-config': good })).codexConfig).toBe(good);
    expect(() => readStartInputs(reader({ 'codex-home': good }))).toThrow(`Input "codex-home" must be a folder, got "${good}", which is a file.`);
  });
});

describe('finish inputs', () => {
  it('uses the documented defaults', () => {
    expect(readFinishInputs(reader({}))).toEqual({ mode: 'start', minEvents: 1, requireTelemetry: true, uploadArtifact: true, jobSummary: true });
  });

  it.each([
    ['min-events', '-1', 'Input "min-events" must be a whole number from 0 to 1000000000, got "-1".'],
    ['min-events', '2.5', 'Input "min-events" must be a whole number from 0 to 1000000000, got "2.5".'],
    ['retention-days', '91', 'Input "retention-days" must be a whole number from 1 to 90, got "91".'],
    ['mode', 'stop', 'Input "mode" must be one of "start", "finish", got "stop".'],
    ['artifact-name', 'a/b', 'Input "artifact-name" must not contain'],
  ])('%s: %s fails naming the input and the value', (name, value, message) => {
    expect(() => readFinishInputs(reader({ [name]: value }))).toThrow(message);
  });

  it('reads set values', () => {
    expect(readFinishInputs(reader({ mode: 'finish', 'min-events': '0', 'retention-days': '7', 'artifact-name': 'my-log', 'require-telemetry': 'false' }))).toEqual({
      mode: 'finish',
      minEvents: 0,
      requireTelemetry: false,
      uploadArtifact: true,
      jobSummary: true,
      retentionDays: 7,
      artifactName: 'my-log',
    });
  });
});
