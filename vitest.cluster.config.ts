import { defineConfig } from 'vitest/config';

/** npm run test:cluster: suites against a real API server (one cluster, one file at a time). */
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    globalSetup: ['test/cluster/support/global-setup.ts'],
    setupFiles: ['test/cluster/support/clean-start.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
  },
});
