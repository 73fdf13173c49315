/**
 * A token bucket kept in Redis, so that every notifier process draws on the same budget.
 * One Lua script refills, takes and blocks atomically; Redis runs scripts one at a time,
 * so two processes can never both take the last token.
 */
import type { Redis } from 'ioredis';

/** Refill rate and size of one bucket. */
export interface BucketSettings {
  /** Tokens added per `intervalMs`. */
  tokens: number;
  /** Length of the refill interval, in milliseconds. */
  intervalMs: number;
  /** Maximum number of tokens in the bucket: the burst allowed after a quiet spell. */
  burst: number;
}

// KEYS[1]: the bucket's hash. ARGV: now (ms), refill rate (tokens per ms), burst, cost.
// The hash keeps `tokens`, `at` (time of the last refill) and `blocked` (ms until which
// nothing is taken). A clock behind `at` refills nothing instead of draining the bucket,
// because several processes with slightly different clocks share one bucket.
// Returns 0 when the tokens were taken, else the milliseconds to wait before trying again.
const TAKE_SCRIPT = `
local now = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'blocked')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
local blocked = tonumber(state[3]) or 0
if now > at then
  tokens = math.min(burst, tokens + (now - at) * rate)
  at = now
end
local wait = 0
if now < blocked then
  wait = blocked - now
elseif tokens >= cost then
  tokens = tokens - cost
else
  wait = math.ceil((cost - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at), 'blocked', tostring(blocked))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate) + math.max(0, blocked - now) + 60000)
return wait
`;

// KEYS[1]: the bucket's hash. ARGV: now (ms), blocked until (ms), refill rate, burst.
// Leaves one token for the end of the block and refills from there, because the service's
// own bucket was empty when it returned 429 and Retry-After is the wait for one call. An
// earlier block never shortens a later one.
const BLOCK_SCRIPT = `
local now = tonumber(ARGV[1])
local untilMs = tonumber(ARGV[2])
local rate = tonumber(ARGV[3])
local burst = tonumber(ARGV[4])
local blocked = math.max(tonumber(redis.call('HGET', KEYS[1], 'blocked')) or 0, untilMs)
redis.call('HSET', KEYS[1], 'tokens', '1', 'at', tostring(blocked), 'blocked', tostring(blocked))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate) + math.max(0, blocked - now) + 60000)
return blocked
`;

interface BucketCommands {
  jobwatchBucketTake(key: string, nowMs: number, rate: number, burst: number, cost: number): Promise<number>;
  jobwatchBucketBlock(key: string, nowMs: number, untilMs: number, rate: number, burst: number): Promise<number>;
}

/**
 * Token buckets in one Redis. The scripts are registered with ioredis `defineCommand`, which
 * sends them by SHA and loads them again after a Redis restart.
 */
export class RedisTokenBuckets {
  readonly #redis: Redis & BucketCommands;
  readonly #clock: () => number;

  /** `clock` returns milliseconds since the epoch; default `Date.now`. */
  constructor(redis: Redis, clock: () => number = Date.now) {
    defineOnce(redis, 'jobwatchBucketTake', TAKE_SCRIPT);
    defineOnce(redis, 'jobwatchBucketBlock', BLOCK_SCRIPT);
    this.#redis = redis as Redis & BucketCommands;
    this.#clock = clock;
  }

  /**
   * Takes `cost` tokens from the bucket at `key`. Returns 0 when they were taken, or the
   * milliseconds until they could be, while the bucket is empty or blocked.
   */
  async take(key: string, settings: BucketSettings, cost = 1): Promise<number> {
    checkSettings(key, settings, cost);
    const rate = settings.tokens / settings.intervalMs;
    return await this.#redis.jobwatchBucketTake(key, this.#clock(), rate, settings.burst, cost);
  }

  /**
   * Blocks the bucket for `durationMs` from now, as after a 429, and leaves one token for
   * the end of the block. Returns the
   * time in ms since the epoch until which it is blocked, which a longer earlier block keeps.
   */
  async block(key: string, settings: BucketSettings, durationMs: number): Promise<number> {
    checkSettings(key, settings, 1);
    const now = this.#clock();
    const rate = settings.tokens / settings.intervalMs;
    return await this.#redis.jobwatchBucketBlock(key, now, now + Math.max(0, durationMs), rate, settings.burst);
  }
}

function defineOnce(redis: Redis, name: keyof BucketCommands, lua: string): void {
  if (name in redis) return;
  redis.defineCommand(name, { numberOfKeys: 1, lua });
}

function checkSettings(key: string, settings: BucketSettings, cost: number): void {
  const { tokens, intervalMs, burst } = settings;
  if (!(tokens > 0 && intervalMs > 0 && burst >= 1 && cost >= 1 && cost <= burst)) {
    throw new Error(
      `invalid token bucket settings for ${key}: ${tokens} per ${intervalMs} ms, burst ${burst}, ` +
        `cost ${cost}; tokens and interval must be positive and the cost from 1 to the burst`,
    );
  }
}
