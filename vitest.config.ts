import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites each start their own emulators on free ports; keep them in separate forks.
    pool: 'forks',
    setupFiles: ['test/setup.ts'],
  },
});
