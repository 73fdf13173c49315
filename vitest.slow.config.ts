import { defineConfig } from 'vitest/config';

/** The slow suite: whole jobwatch processes killed and restarted around faults. */
export default defineConfig({
  test: {
    include: ['test/slow/**/*.test.ts'],
    globalSetup: ['test/support/global-redis.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
