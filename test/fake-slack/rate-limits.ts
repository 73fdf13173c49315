import type { ChannelPostLimit, UpdateLimit } from './types.ts';

interface Bucket {
  tokens: number;
  updatedAtMs: number;
}

/**
 * Token buckets per channel for `chat.postMessage`, refilled on the fake clock.
 * Slack documents about one message per second per channel with short bursts;
 * the defaults are 1 token per second and a bucket of 3.
 */
export class ChannelPostLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly clock: () => number;
  private limit: Required<ChannelPostLimit> | null = null;

  constructor(clock: () => number) {
    this.clock = clock;
  }

  /** Switches the limit on with these settings, or off with `null`; buckets start full. */
  configure(limit: ChannelPostLimit | null): void {
    this.buckets.clear();
    this.limit =
      limit === null ? null : { perSecond: limit.perSecond ?? 1, burst: limit.burst ?? 3 };
  }

  /**
   * Takes one token for `channelId`. Returns undefined when the post may go ahead,
   * or the seconds until a token is available when the bucket is empty.
   */
  take(channelId: string): number | undefined {
    if (this.limit === null) return undefined;
    const now = this.clock();
    const bucket = this.buckets.get(channelId) ?? { tokens: this.limit.burst, updatedAtMs: now };
    const refill = ((now - bucket.updatedAtMs) / 1000) * this.limit.perSecond;
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + refill);
    bucket.updatedAtMs = now;
    this.buckets.set(channelId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    return (1 - bucket.tokens) / this.limit.perSecond;
  }
}

/**
 * One token bucket for the whole workspace's `chat.update` calls, refilled on the fake
 * clock. `chat.update` is a Tier 3 method, about 50 calls per minute with bursts; the
 * defaults are 50 tokens per minute and a bucket of 10.
 */
export class WorkspaceUpdateLimiter {
  private bucket: Bucket | undefined;
  private readonly clock: () => number;
  private limit: Required<UpdateLimit> | null = null;

  constructor(clock: () => number) {
    this.clock = clock;
  }

  /** Switches the limit on with these settings, or off with `null`; the bucket starts full. */
  configure(limit: UpdateLimit | null): void {
    this.bucket = undefined;
    this.limit =
      limit === null ? null : { perMinute: limit.perMinute ?? 50, burst: limit.burst ?? 10 };
  }

  /** Takes one token; returns undefined, or the seconds until a token is available. */
  take(): number | undefined {
    if (this.limit === null) return undefined;
    const now = this.clock();
    const perMs = this.limit.perMinute / 60_000;
    const bucket = this.bucket ?? { tokens: this.limit.burst, updatedAtMs: now };
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + (now - bucket.updatedAtMs) * perMs);
    bucket.updatedAtMs = now;
    this.bucket = bucket;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    return (1 - bucket.tokens) / perMs / 1000;
  }
}
