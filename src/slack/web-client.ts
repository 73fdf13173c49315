/** The `WebClient` settings jobwatch uses for every Slack Web API call. */
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics/metrics.ts';
import { countedFetch } from './counted-fetch.ts';
import { toSlackLogger } from './slack-logger.ts';

/** The Web API base URL of `WebClient` when none is set. */
const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

export interface WebClientSettings {
  /** Web API base URL; default `https://slack.com/api/`. Tests point it at a fake. */
  slackApiUrl?: string;
  logger: Logger;
  /** Timeout of each HTTP request in milliseconds; default 10,000. */
  timeoutMs?: number;
  /** Retries of transport errors and HTTP 5xx inside the client; default 2. */
  retries?: number;
  /** Delay before the first of those retries in milliseconds, doubling after; default 500. */
  retryMinDelayMs?: number;
  /** Counts every HTTP request of the client; default: not counted. */
  metrics?: Pick<Metrics, 'slackCall'>;
}

/**
 * Builds `WebClient` options that hand rate limits back to the caller. With
 * `rejectRateLimitedCalls`, a 429 raises at once instead of pausing every call of the client
 * for Retry-After seconds, and the few retries of 5xx and transport errors end within
 * seconds instead of the default 10 retries over about 30 minutes.
 */
export function webClientOptions(settings: WebClientSettings): WebClientOptions {
  const minTimeout = settings.retryMinDelayMs ?? 500;
  return {
    ...(settings.slackApiUrl === undefined ? {} : { slackApiUrl: settings.slackApiUrl }),
    logger: toSlackLogger(settings.logger.child({ component: 'slack-web-api' })),
    rejectRateLimitedCalls: true,
    retryConfig: {
      retries: settings.retries ?? 2,
      factor: 2,
      minTimeout,
      maxTimeout: minTimeout * 8,
    },
    timeout: settings.timeoutMs ?? 10_000,
    ...(settings.metrics === undefined
      ? {}
      : { fetch: countedFetch(settings.metrics, settings.slackApiUrl ?? DEFAULT_SLACK_API_URL) }),
  };
}

/** Builds a `WebClient` for the bot token with {@link webClientOptions}. */
export function createWebClient(settings: WebClientSettings & { token: string }): WebClient {
  return new WebClient(settings.token, webClientOptions(settings));
}
