import { afterAll, beforeAll, beforeEach } from 'vitest';

/**
 * Keeps what the @actions clients (core, cache, artifact) write while a test file runs them in this
 * process out of the test report, and lets each test assert on it. They write to stdout as workflow
 * commands for the runner: `::debug::` lines whatever RUNNER_DEBUG says (the runner hides them),
 * `::warning::` lines, retry notices and progress. Call once at the top of a test file: from its
 * first test to its end, stdout and stderr of this process are collected (a client that a test gave
 * up on may still write, seconds later, while later tests run: that is collected too). `output()` is
 * what was written since the current test began; a test that fails has it printed under its name.
 */
export function captureClientOutput(): { output(): string } {
  type Write = typeof process.stdout.write;
  const streams = [process.stdout, process.stderr];
  const originals: Write[] = [];
  let captured = '';
  let testStart = 0;

  beforeAll(() => {
    for (const stream of streams) {
      originals.push(stream.write);
      stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        captured += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
        const done = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
        if (done) process.nextTick(done);
        return true;
      }) as Write;
    }
  });
  afterAll(() => {
    for (const [index, stream] of streams.entries()) stream.write = originals[index]!;
  });
  beforeEach((context) => {
    testStart = captured.length;
    context.onTestFailed(() => {
      const own = captured.slice(testStart);
      const write = originals[0] ?? process.stdout.write;
      if (own !== '') write.call(process.stdout, `\n--- what the @actions clients wrote during "${context.task.name}" ---\n${own}--- end ---\n`);
    });
  });
  return { output: () => captured.slice(testStart) };
}
