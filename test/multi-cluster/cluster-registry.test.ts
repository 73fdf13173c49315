import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClusterRegistry, startRegistration, type ClusterRegistration } from '../../src/queue/cluster-registry.ts';
import { eventually } from '../support/harness.ts';
import { connectTestRedis, uniquePrefix } from '../support/redis.ts';

const EAST: ClusterRegistration = { name: 'east', version: '1.4.0', namespaces: ['reports', 'billing'], roles: ['watcher', 'worker'], lastSeenAt: '2026-03-02T10:00:00.000Z' };

describe('ClusterRegistry', () => {
  let redis: Redis;
  let registry: ClusterRegistry;
  let prefix: string;

  beforeEach(() => {
    redis = connectTestRedis();
    prefix = uniquePrefix('reg');
    registry = new ClusterRegistry(redis, { prefix, keepSeconds: 600 });
  });

  afterEach(async () => {
    await redis.quit();
  });

  it('lists registrations sorted by name and live', async () => {
    await registry.register({ ...EAST, name: 'west' });
    await registry.register(EAST);
    const listed = await registry.list();
    expect(listed.map((cluster) => cluster.name)).toEqual(['east', 'west']);
    expect(listed[0]).toEqual({ ...EAST, live: true });
  });

  it('keeps a lapsed registration listed as not live', async () => {
    await registry.register(EAST, 1);
    await eventually(async () => (await registry.list())[0]?.live === false, 'the lapsed registration');
    expect(await registry.list()).toEqual([{ ...EAST, live: false }]);
  });

  it('bounds the registrations with the keep time', async () => {
    await registry.register(EAST);
    const ttl = await redis.ttl(`${prefix}:clusters`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(600);
  });

  it('returns an empty list before any registration', async () => {
    expect(await registry.list()).toEqual([]);
  });
});

describe('startRegistration', () => {
  it('registers at once and refreshes the last-seen time', async () => {
    const redis = connectTestRedis();
    try {
      const registry = new ClusterRegistry(redis, { prefix: uniquePrefix('reg'), keepSeconds: 600 });
      let now = Date.parse('2026-03-02T10:00:00Z');
      const clock = () => new Date((now += 1000));
      const { registered, stop } = startRegistration(registry, { name: 'east', version: '1.4.0', namespaces: 'all', roles: ['worker'] }, { intervalMs: 20, logger: pino({ level: 'silent' }), clock });
      await registered;
      const first = (await registry.list())[0]?.lastSeenAt ?? '';
      expect(first).toBe('2026-03-02T10:00:01.000Z');
      await eventually(async () => ((await registry.list())[0]?.lastSeenAt ?? '') > first, 'a refreshed registration');
      stop();
    } finally {
      await redis.quit();
    }
  });

  it('logs a failed refresh and keeps trying', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    let calls = 0;
    const failing = {
      register: () => {
        calls += 1;
        return Promise.reject(new Error('connection is closed'));
      },
    } as unknown as ClusterRegistry;
    const { registered, stop } = startRegistration(failing, { name: 'east', version: '1.4.0', namespaces: 'all', roles: ['worker'] }, { intervalMs: 10, logger });
    await registered;
    await eventually(() => calls >= 3, 'three refresh attempts');
    stop();
    expect(lines[0]).toContain('cluster registration refresh failed');
    expect(lines[0]).toContain('connection is closed');
  });
});
