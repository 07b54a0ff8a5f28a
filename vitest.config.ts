import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    pool: 'forks',
    // One temporary folder per run, removed at its end (test/fixtures/temp-root.ts).
    globalSetup: ['test/fixtures/temp-root.ts'],
    // Two test files at a time: the Redis and live tests mostly wait on sockets and wall-clock
    // time, so a second worker overlaps them with the CPU-bound files (CI machines have 2 cores).
    maxWorkers: 2,
    // The JSON report lets .ci/run print CI's closing `N passed, N failed` line.
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
  },
});
