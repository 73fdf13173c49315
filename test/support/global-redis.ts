import type { TestProject } from 'vitest/node';
import { startRedisServer } from '../../src/queue/redis-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

/**
 * Gives every test file a real Redis: `JOBWATCH_TEST_REDIS_URL` when set, else a
 * private `redis-server` on a free loopback port for the whole run.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.JOBWATCH_TEST_REDIS_URL;
  if (external) {
    project.provide('redisUrl', external);
    return async () => {};
  }
  const server = await startRedisServer({ appendOnly: false });
  project.provide('redisUrl', server.url);
  return async () => {
    await server.stop();
  };
}
