import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackBudget } from '../../src/notify/channel-budget.ts';
import { RedisTokenBuckets, type BucketSettings } from '../../src/notify/token-bucket.ts';
import { connectTestRedis, uniquePrefix } from '../support/redis.ts';

/** One token per second, three at once: Slack's documented pace per channel. */
const PER_SECOND: BucketSettings = { tokens: 1, intervalMs: 1000, burst: 3 };

let redis: Redis;
let other: Redis;
let nowMs: number;
let key: string;
const clock = (): number => nowMs;

beforeEach(() => {
  redis = connectTestRedis();
  other = connectTestRedis();
  nowMs = 1_700_000_000_000;
  key = `${uniquePrefix('bucket')}:b`;
});
afterEach(async () => {
  await redis.quit();
  await other.quit();
});

async function takeMany(buckets: RedisTokenBuckets, count: number): Promise<number[]> {
  const waits: number[] = [];
  for (let i = 0; i < count; i += 1) waits.push(await buckets.take(key, PER_SECOND));
  return waits;
}

describe('RedisTokenBuckets', () => {
  it('grants the burst at once, then reports the wait for the next token', async () => {
    const buckets = new RedisTokenBuckets(redis, clock);
    expect(await takeMany(buckets, 3)).toEqual([0, 0, 0]);
    expect(await buckets.take(key, PER_SECOND)).toBe(1000);
  });

  it('refills at the configured rate on the injected clock', async () => {
    const buckets = new RedisTokenBuckets(redis, clock);
    await takeMany(buckets, 3);
    nowMs += 400;
    expect(await buckets.take(key, PER_SECOND)).toBe(600);
    nowMs += 600;
    expect(await buckets.take(key, PER_SECOND)).toBe(0);
    expect(await buckets.take(key, PER_SECOND)).toBe(1000);
  });

  it('never refills past the burst after a long quiet spell', async () => {
    const buckets = new RedisTokenBuckets(redis, clock);
    await takeMany(buckets, 3);
    nowMs += 60_000;
    expect(await takeMany(buckets, 4)).toEqual([0, 0, 0, 1000]);
  });

  it('waits out a block, then grants one call and refills', async () => {
    const buckets = new RedisTokenBuckets(redis, clock);
    expect(await buckets.block(key, PER_SECOND, 30_000)).toBe(nowMs + 30_000);
    expect(await buckets.take(key, PER_SECOND)).toBe(30_000);
    nowMs += 10_000;
    expect(await buckets.take(key, PER_SECOND)).toBe(20_000);
    nowMs += 20_000;
    expect(await buckets.take(key, PER_SECOND)).toBe(0);
    expect(await buckets.take(key, PER_SECOND)).toBe(1000);
    nowMs += 1000;
    expect(await buckets.take(key, PER_SECOND)).toBe(0);
  });

  it('keeps a longer block when a shorter one follows', async () => {
    const buckets = new RedisTokenBuckets(redis, clock);
    await buckets.block(key, PER_SECOND, 30_000);
    expect(await buckets.block(key, PER_SECOND, 5000)).toBe(nowMs + 30_000);
    expect(await buckets.take(key, PER_SECOND)).toBe(30_000);
  });

  it('shares one bucket between two connections', async () => {
    const first = new RedisTokenBuckets(redis, clock);
    const second = new RedisTokenBuckets(other, clock);
    const waits = await Promise.all([first.take(key, PER_SECOND), second.take(key, PER_SECOND), first.take(key, PER_SECOND), second.take(key, PER_SECOND)]);
    expect(waits.filter((w) => w === 0)).toHaveLength(3);
    expect(waits.filter((w) => w === 1000)).toHaveLength(1);
    await second.block(key, PER_SECOND, 5000);
    expect(await first.take(key, PER_SECOND)).toBe(5000);
  });

  it('refills nothing for a process whose clock is behind', async () => {
    const ahead = new RedisTokenBuckets(redis, clock);
    let behindMs = nowMs - 5000;
    const behind = new RedisTokenBuckets(other, () => behindMs);
    await takeMany(ahead, 3);
    expect(await behind.take(key, PER_SECOND)).toBe(1000);
    behindMs += 1000;
    expect(await behind.take(key, PER_SECOND)).toBe(1000);
  });

  it('rejects settings that could never grant a token', async () => {
    const buckets = new RedisTokenBuckets(redis, clock);
    await expect(buckets.take(key, { tokens: 0, intervalMs: 1000, burst: 3 })).rejects.toThrow(/invalid token bucket settings/);
    await expect(buckets.take(key, PER_SECOND, 4)).rejects.toThrow(/cost 4/);
  });
});

describe('createSlackBudget', () => {
  it('keeps one post bucket per channel and one update bucket for the workspace', async () => {
    const prefix = uniquePrefix('budget');
    const budget = createSlackBudget(redis, {
      prefix,
      clock,
      limits: { post: { tokens: 60, intervalMs: 60_000, burst: 1 }, update: { tokens: 50, intervalMs: 60_000, burst: 2 } },
    });
    expect(await budget.takePost('C1')).toBe(0);
    expect(await budget.takePost('C1')).toBe(1000);
    expect(await budget.takePost('C2')).toBe(0);
    expect(await budget.takeUpdate()).toBe(0);
    expect(await budget.takeUpdate()).toBe(0);
    expect(await budget.takeUpdate()).toBe(1200);
  });

  it('blocks only the channel that met a 429', async () => {
    const budget = createSlackBudget(redis, { prefix: uniquePrefix('budget'), clock });
    await budget.blockPosts('C1', 7000);
    expect(await budget.takePost('C1')).toBe(7000);
    expect(await budget.takePost('C2')).toBe(0);
    expect(await budget.takeUpdate()).toBe(0);
  });
});
