/**
 * Builds the notifier's storm controls from the configuration: the shared Slack budget
 * and the digests of failure storms.
 */
import type { Redis } from 'ioredis';
import type { StormConfig } from '../config/env.ts';
import { digestListCount, renderDigest, renderDigestList } from '../slack/render-digest.ts';
import { createSlackBudget, type SlackLimits } from './channel-budget.ts';
import { DigestStore } from './digest-store.ts';
import type { NotifyDeps } from './process-notify.ts';

/** Converts the settings into bucket limits. */
export function slackLimits(config: StormConfig): SlackLimits {
  return {
    post: { tokens: config.postsPerMinute, intervalMs: 60_000, burst: config.postBurst },
    update: { tokens: config.updatesPerMinute, intervalMs: 60_000, burst: config.updateBurst },
  };
}

/**
 * Returns the storm controls for a notifier that posts to Slack. The terminal has no
 * rate limits and shows every alert on its own, so it gets none.
 */
export function createStormDeps(
  config: StormConfig,
  options: { redis: Redis; prefix: string; ttlSeconds: number; command: string; slack: boolean; clock?: () => number },
): Pick<NotifyDeps, 'budget' | 'digest'> {
  if (!options.slack) return {};
  const { redis, prefix } = options;
  return {
    budget: createSlackBudget(redis, { prefix, limits: slackLimits(config), ...(options.clock ? { clock: options.clock } : {}) }),
    digest: {
      digests: new DigestStore(redis, { prefix, ttlSeconds: options.ttlSeconds }),
      rule: { minEpisodes: config.digestMinJobs, windowMs: config.digestWindowSeconds * 1000 },
      render: { digest: renderDigest, list: renderDigestList, listCount: digestListCount },
      command: options.command,
    },
  };
}
