import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { startRedisServer } from '../../src/queue/redis-server.ts';
import { connectTestRedis } from '../support/redis.ts';

describe('startRedisServer', () => {
  it('keeps appended keys across a SIGKILL and restart', async () => {
    const server = await startRedisServer();
    const client = new Redis(server.url, { maxRetriesPerRequest: null });
    await client.set('k', 'v');
    // appendfsync everysec can lose up to a second of writes on a crash.
    await client.call('BGREWRITEAOF');
    await new Promise((r) => setTimeout(r, 1200));
    client.disconnect();
    await server.kill();
    await server.restart();
    const again = new Redis(server.url, { maxRetriesPerRequest: null });
    expect(await again.get('k')).toBe('v');
    again.disconnect();
    await server.stop();
  });

  it('gives each test file a reachable shared server', async () => {
    const client = connectTestRedis();
    expect(await client.ping()).toBe('PONG');
    await client.quit();
  });
});
