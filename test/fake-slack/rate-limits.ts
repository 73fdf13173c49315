import type { ChannelPostLimit } from './types.ts';

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
