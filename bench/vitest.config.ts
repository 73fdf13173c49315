import { defineConfig } from 'vitest/config';

/**
 * Tests of the benchmark code, run with `npm run bench:test`. They stay out of `npm test`
 * because the smoke runs start redis-server, the simulated cluster and jobwatch processes.
 */
export default defineConfig({
  test: {
    include: ['bench/test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
