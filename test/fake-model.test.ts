import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_API_KEY_ENV, codexEnvironment, otelConfigToml, runCodexExec, writeProviderConfig, type OtlpProtocol } from './support/codex-cli.js';
import { startFakeModel, type FakeModel, type ModelCall, type ScenarioUsage } from './support/fake-model.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedOtlpRequest } from './support/otlp-receiver.js';

// Distinct numbers per call, so a sum that dropped or doubled a call cannot match by accident.
const TOOL_CALL_USAGE: ScenarioUsage = { input: 1200, cached: 1000, output: 50, reasoning: 20, total: 1250 };
const ANSWER_USAGE: ScenarioUsage = { input: 1400, cached: 1150, output: 30, reasoning: 10, total: 1430 };
const TOOL_THEN_ANSWER: ModelCall[] = [
  { kind: 'tool_call', command: 'echo beacon-marker-1', usage: TOOL_CALL_USAGE },
  { kind: 'final_answer', text: 'The marker was printed.', usage: ANSWER_USAGE },
];
const SECRET_HEADER = 'x-beacon-secret';
const SECRET_VALUE = 'fake-model-test-secret-7f3a';
const RUN_TIMEOUT_MS = 45_000;

let workDir: string;
let codexHome: string;
let home: string;
let model: FakeModel | undefined;
let receiver: OtlpReceiver | undefined;

beforeEach(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'beacon-fake-model-'));
  codexHome = path.join(workDir, 'codex-home');
  home = path.join(workDir, 'home');
  await mkdir(home);
});

afterEach(async () => {
  await model?.close();
  await receiver?.close();
  model = undefined;
  receiver = undefined;
  await rm(workDir, { recursive: true, force: true });
});

/** Runs one `codex exec` against the fake model, exporting telemetry to a fresh recording receiver. */
async function runWithTelemetry(calls: ModelCall[], protocol: OtlpProtocol) {
  model = await startFakeModel({ calls });
  receiver = await startOtlpReceiver();
  await writeProviderConfig(codexHome, {
    baseUrl: model.baseUrl,
    extraToml: otelConfigToml({ receiverBaseUrl: receiver.baseUrl, protocol, headers: { [SECRET_HEADER]: SECRET_VALUE } }),
  });
  return runCodexExec({ codexHome, home, prompt: 'Print the beacon marker, then say so.', timeoutMs: RUN_TIMEOUT_MS });
}

/** Sums of `codex.turn.token_usage` per `token_type`, over every OTLP/JSON metrics export. */
function tokenUsageSums(metricsRequests: ReceivedOtlpRequest[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const request of metricsRequests) {
    const payload = JSON.parse(request.body.toString('utf8')) as OtlpJsonMetrics;
    for (const resourceMetrics of payload.resourceMetrics ?? []) {
      for (const scopeMetrics of resourceMetrics.scopeMetrics ?? []) {
        for (const metric of scopeMetrics.metrics ?? []) {
          if (metric.name !== 'codex.turn.token_usage') continue;
          for (const point of metric.histogram?.dataPoints ?? []) {
            const tokenType = point.attributes?.find((attribute) => attribute.key === 'token_type')?.value.stringValue ?? '?';
            sums[tokenType] = (sums[tokenType] ?? 0) + Number(point.sum);
          }
        }
      }
    }
  }
  return sums;
}

interface OtlpJsonMetrics {
  resourceMetrics?: {
    scopeMetrics?: {
      metrics?: {
        name: string;
        histogram?: { dataPoints?: { attributes?: { key: string; value: { stringValue?: string } }[]; sum?: number | string }[] };
      }[];
    }[];
  }[];
}

describe('the real Codex CLI against the fake Responses API', () => {
  it('runs the tool call, sends its output back, and exports logs and summed token usage as OTLP/JSON', async () => {
    const result = await runWithTelemetry(TOOL_THEN_ANSWER, 'json');

    expect(result, result.stderr).toMatchObject({ exitCode: 0, signal: null, timedOut: false });
    expect(result.stdout.trim()).toBe('The marker was printed.');

    const responsesRequests = model!.responsesRequests();
    expect(responsesRequests).toHaveLength(2);
    const secondInput = (responsesRequests[1]!.body as { input: Record<string, unknown>[] }).input;
    const toolOutput = secondInput.find((item) => item.type === 'function_call_output');
    expect(toolOutput).toMatchObject({ call_id: 'call_fake_1' });
    expect(String(toolOutput!.output)).toContain('beacon-marker-1');
    // Credentials are not recorded, though Codex sent the dummy key as a bearer token.
    expect(responsesRequests[0]!.headers.authorization).toBeUndefined();
    expect(JSON.stringify(responsesRequests[0]!.headers)).not.toContain(codexEnvironment({ codexHome, home })[FAKE_API_KEY_ENV]);

    const logs = receiver!.requestsTo('/v1/logs');
    const metrics = receiver!.requestsTo('/v1/metrics');
    expect(logs.length).toBeGreaterThanOrEqual(1);
    expect(metrics.length).toBeGreaterThanOrEqual(1);
    for (const request of receiver!.requests) {
      expect(request.headers[SECRET_HEADER]).toBe(SECRET_VALUE);
      expect(request.contentType).toBe('application/json');
    }
    expect(tokenUsageSums(metrics)).toEqual({
      input: TOOL_CALL_USAGE.input + ANSWER_USAGE.input, // 2600
      cached_input: TOOL_CALL_USAGE.cached + ANSWER_USAGE.cached, // 2150
      cache_write_input: 0,
      output: TOOL_CALL_USAGE.output + ANSWER_USAGE.output, // 80
      reasoning_output: TOOL_CALL_USAGE.reasoning + ANSWER_USAGE.reasoning, // 30
      total: TOOL_CALL_USAGE.total + ANSWER_USAGE.total, // 2680
    });
  });

  it('exports OTLP/protobuf when the protocol is binary', async () => {
    const result = await runWithTelemetry(TOOL_THEN_ANSWER, 'binary');

    expect(result, result.stderr).toMatchObject({ exitCode: 0, signal: null, timedOut: false });
    expect(receiver!.requestsTo('/v1/logs').length).toBeGreaterThanOrEqual(1);
    expect(receiver!.requestsTo('/v1/metrics').length).toBeGreaterThanOrEqual(1);
    for (const request of receiver!.requests) {
      expect(request.contentType).toBe('application/x-protobuf');
      expect(request.headers[SECRET_HEADER]).toBe(SECRET_VALUE);
      expect(request.body.length).toBeGreaterThan(0);
    }
  });

  it('fails the run promptly when the model answers HTTP 500', async () => {
    model = await startFakeModel({ calls: [{ kind: 'final_answer', text: 'never sent', usage: ANSWER_USAGE, failure: { httpStatus: 500 } }] });
    await writeProviderConfig(codexHome, { baseUrl: model.baseUrl });

    const result = await runCodexExec({ codexHome, home, prompt: 'Say hello.', timeoutMs: RUN_TIMEOUT_MS });

    expect(result, result.stderr).toMatchObject({ exitCode: 1, signal: null, timedOut: false });
    expect(result.stdout).toBe('');
    // Retries are off in the provider config: one request, no second try.
    expect(model.responsesRequests()).toHaveLength(1);
  });

  it('fails the run when the stream ends before response.completed', async () => {
    model = await startFakeModel({ calls: [{ kind: 'final_answer', text: 'cut short', usage: ANSWER_USAGE, failure: { cutStream: true } }] });
    await writeProviderConfig(codexHome, { baseUrl: model.baseUrl });

    const result = await runCodexExec({ codexHome, home, prompt: 'Say hello.', timeoutMs: RUN_TIMEOUT_MS });

    expect(result, result.stderr).toMatchObject({ exitCode: 1, signal: null, timedOut: false });
    expect(result.stderr).toContain('stream closed before response.completed');
    expect(model.responsesRequests()).toHaveLength(1);
  });

  it('ends Codex with SIGTERM mid-turn while the model is still delaying its answer', async () => {
    const answerDelayMs = 20_000;
    model = await startFakeModel({ calls: [{ kind: 'final_answer', text: 'too late', usage: ANSWER_USAGE, delayMs: answerDelayMs }] });
    await writeProviderConfig(codexHome, { baseUrl: model.baseUrl });

    const result = await runCodexExec({ codexHome, home, prompt: 'Say hello.', timeoutMs: RUN_TIMEOUT_MS, signalAfterMs: 3_000 });

    expect(result).toMatchObject({ exitCode: null, signal: 'SIGTERM', timedOut: false, stdout: '' });
    expect(result.durationMs).toBeLessThan(answerDelayMs);
    // The request was in flight (the delayed answer is what close() must cut off).
    expect(model.responsesRequests()).toHaveLength(1);
  });
});
