import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

/** Returns the URL of the Redis server shared by the test run. */
export function testRedisUrl(): string {
  return inject('redisUrl');
}

/** Returns a key prefix no other test uses, so tests share one server without clashing. */
export function uniquePrefix(label = 't'): string {
  return `jwtest-${label}-${randomUUID().slice(0, 8)}`;
}

/** Opens a connection to the shared test Redis; close it with `quit()` in `afterEach`. */
export function connectTestRedis(): Redis {
  return new Redis(testRedisUrl(), { maxRetriesPerRequest: null, lazyConnect: false });
}
