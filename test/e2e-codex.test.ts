import { afterEach, describe, expect, it } from 'vitest';
import { startFakeModel, type FakeModel, type ModelCall } from './support/fake-model.js';
import { E2eJob } from './support/e2e.js';

const TOOL_THEN_ANSWER: ModelCall[] = [
  { kind: 'tool_call', command: 'echo beacon-marker-1', usage: { input: 1200, cached: 1000, output: 50, reasoning: 20, total: 1250 } },
  { kind: 'final_answer', text: 'The marker was printed.', usage: { input: 1400, cached: 1150, output: 30, reasoning: 10, total: 1430 } },
];

describe('explore', () => {
  it('runs', async () => {
    const model = await startFakeModel({ calls: TOOL_THEN_ANSWER });
    const job = await E2eJob.start();
    const t0 = Date.now();
    const result = await job.runCodex({ model, prompt: 'Print the marker please', provider: 'overrides' });
    console.log('codex ms', Date.now() - t0, result.exitCode, result.stderr.slice(-2000));
    const done = await job.finish();
    console.log(done.post.exitCode, done.post.stdout, done.post.stderr);
    console.log(done.logText);
    console.log(done.usageText);
    console.log(done.summary);
    console.log(JSON.stringify(done.schema));
    console.log(JSON.stringify(model.responsesRequests()[0]!.body).slice(0, 300));
    await model.close();
    job.cleanup();
  });
});
