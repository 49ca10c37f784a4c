import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The cluster suites need a real API server: npm run test:cluster (vitest.cluster.config.ts).
    exclude: ['test/cluster/**', '**/node_modules/**'],
    testTimeout: 120_000,
    setupFiles: ['test/support/setup.ts'],
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
