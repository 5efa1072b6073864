import os from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests run the real Codex CLI and the built bundles: give them room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One test file per core the machine has: each file starts real processes of its own
    // (collector, Codex), so more workers than cores would only make them wait on each other.
    maxWorkers: os.availableParallelism(),
  },
});
