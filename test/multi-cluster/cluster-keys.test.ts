import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActionStore } from '../../src/actions/action-store.ts';
import { EpisodeStore } from '../../src/episode/store.ts';
import { actionQueueName, clusterKeyParts, signalQueueName } from '../../src/queue/cluster-names.ts';
import { connectTestRedis, uniquePrefix } from '../support/redis.ts';

describe('queue names', () => {
  it('keeps the names of the default cluster', () => {
    expect(signalQueueName()).toBe('signals');
    expect(signalQueueName('default')).toBe('signals');
    expect(actionQueueName('default')).toBe('actions');
    expect(clusterKeyParts('default')).toEqual([]);
  });

  it('adds the name of any other cluster', () => {
    expect(signalQueueName('prod-eu')).toBe('signals.prod-eu');
    expect(actionQueueName('prod-eu')).toBe('actions.prod-eu');
    expect(clusterKeyParts('prod-eu')).toEqual(['cluster', 'prod-eu']);
  });

  it('rejects a name that would break a queue name', () => {
    expect(() => signalQueueName('a:b')).toThrow(/invalid cluster name "a:b"/);
    expect(() => actionQueueName('')).toThrow(/JOBWATCH_CLUSTER_NAME/);
  });
});

describe('keys by cluster', () => {
  let redis: Redis;
  let prefix: string;

  beforeEach(() => {
    redis = connectTestRedis();
    prefix = uniquePrefix('keys');
  });

  afterEach(async () => {
    await redis.quit();
  });

  it('keeps a mute in its own cluster', async () => {
    const actions = new ActionStore(redis, { prefix });
    const until = new Date(Date.now() + 3_600_000).toISOString();
    await actions.mute({ target: 'job:reports/ledger', cluster: 'west', userId: 'U0ALICE', until });
    expect(await actions.getMute('job:reports/ledger', 'west')).toMatchObject({ userId: 'U0ALICE' });
    expect(await actions.getMute('job:reports/ledger', 'east')).toBeUndefined();
    expect(await actions.getMute('job:reports/ledger')).toBeUndefined();
    expect(await redis.exists(`${prefix}:cluster:west:mute:job:reports/ledger`)).toBe(1);
  });

  it('stores mutes of the default cluster under the earlier key', async () => {
    const actions = new ActionStore(redis, { prefix });
    const until = new Date(Date.now() + 3_600_000).toISOString();
    await redis.set(`${prefix}:mute:job:reports/old`, JSON.stringify({ target: 'job:reports/old', userId: 'U0BOB', until }));
    expect(await actions.getMute('job:reports/old', 'default')).toMatchObject({ userId: 'U0BOB' });
    await actions.mute({ target: 'job:reports/ledger', userId: 'U0ALICE', until });
    expect(await redis.exists(`${prefix}:mute:job:reports/ledger`)).toBe(1);
    expect(await actions.unmute('job:reports/ledger', 'west')).toBe(false);
    expect(await actions.unmute('job:reports/ledger', 'default')).toBe(true);
  });

  it('keeps one install marker per cluster', async () => {
    const options = { prefix, ttlSeconds: 3600 };
    const east = new EpisodeStore(redis, { ...options, cluster: 'east' });
    const west = new EpisodeStore(redis, { ...options, cluster: 'west' });
    const single = new EpisodeStore(redis, options);
    await east.markInstalled();
    expect(await east.isInstalled()).toBe(true);
    expect(await west.isInstalled()).toBe(false);
    expect(await single.isInstalled()).toBe(false);
    await single.markInstalled();
    expect(await redis.exists(`${prefix}:installed`)).toBe(1);
    expect(await redis.exists(`${prefix}:cluster:east:installed`)).toBe(1);
  });
});
