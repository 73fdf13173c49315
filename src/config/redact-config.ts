import type { Config } from './env.ts';
import { redactRedisUrl } from '../queue/redis-url.ts';

/**
 * Returns a copy of the config that is safe to log: Slack tokens and the signing secret
 * become `[set]` and the Redis password becomes `***`.
 */
export function redactConfig(config: Config): Config {
  const slack =
    config.slack.output === 'terminal'
      ? config.slack
      : {
          ...config.slack,
          botToken: '[set]',
          ...(config.slack.signingSecret === undefined ? {} : { signingSecret: '[set]' }),
          ...(config.slack.appToken === undefined ? {} : { appToken: '[set]' }),
        };
  return { ...config, slack, redis: { ...config.redis, url: redactRedisUrl(config.redis.url) } };
}
