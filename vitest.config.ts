import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    pool: 'forks',
    // The JSON report lets .ci/run print CI's closing `N passed, N failed` line.
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
  },
});
