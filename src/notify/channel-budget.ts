/**
 * Slack's posting limits as shared token buckets: one per channel for `chat.postMessage`
 * and one for the workspace's `chat.update` calls. A request that finds no token waits in
 * the queue instead of calling Slack and meeting a 429.
 */
import type { Redis } from 'ioredis';
import { RedisTokenBuckets, type BucketSettings } from './token-bucket.ts';

/** The limits the buckets enforce. */
export interface SlackLimits {
  /**
   * `chat.postMessage` per channel, replies included. Default 60 per minute with a burst
   * of 3: Slack allows about one message per second per channel, with short bursts.
   */
  post: BucketSettings;
  /**
   * `chat.update` across the workspace. Default 50 per minute with a burst of 10: the
   * method is in Slack's Tier 3, about 50 calls per minute.
   */
  update: BucketSettings;
}

export const DEFAULT_SLACK_LIMITS: SlackLimits = {
  post: { tokens: 60, intervalMs: 60_000, burst: 3 },
  update: { tokens: 50, intervalMs: 60_000, burst: 10 },
};

/** The Slack budget the notifier spends before each post or update. */
export interface SlackBudget {
  /** Takes a post token for `channel`; returns 0, or the milliseconds to wait. */
  takePost(channel: string): Promise<number>;
  /** Takes an update token; returns 0, or the milliseconds to wait. */
  takeUpdate(): Promise<number>;
  /** Stops every notifier's posts to `channel` for `durationMs`, after a 429. */
  blockPosts(channel: string, durationMs: number): Promise<void>;
  /** Stops every notifier's updates for `durationMs`, after a 429. */
  blockUpdates(durationMs: number): Promise<void>;
}

/** Thrown when a request must wait for the budget; the queue runs it again after `waitMs`. */
export class BudgetWaitError extends Error {
  /** Milliseconds until the budget has room again. */
  readonly waitMs: number;

  constructor(message: string, waitMs: number) {
    super(message);
    this.name = 'BudgetWaitError';
    this.waitMs = waitMs;
  }
}

/**
 * Creates the budget on shared Redis buckets under `prefix`, so every notifier process
 * of one install draws on the same tokens.
 */
export function createSlackBudget(
  redis: Redis,
  options: { prefix: string; limits?: SlackLimits; clock?: () => number },
): SlackBudget {
  const buckets = new RedisTokenBuckets(redis, options.clock);
  const limits = options.limits ?? DEFAULT_SLACK_LIMITS;
  const postKey = (channel: string): string => `${options.prefix}:budget:post:${channel}`;
  const updateKey = `${options.prefix}:budget:update`;
  return {
    takePost: (channel) => buckets.take(postKey(channel), limits.post),
    takeUpdate: () => buckets.take(updateKey, limits.update),
    async blockPosts(channel, durationMs) {
      await buckets.block(postKey(channel), limits.post, durationMs);
    },
    async blockUpdates(durationMs) {
      await buckets.block(updateKey, limits.update, durationMs);
    },
  };
}
