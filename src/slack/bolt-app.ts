/**
 * The Bolt app that receives Slack's commands, interactions and events over HTTP. Other
 * modules add their listeners through `register`; this module adds none of its own.
 */
import type { RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, type Authorize } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics/metrics.ts';
import { createWebClient, webClientOptions } from './web-client.ts';
import { toSlackLogger } from './slack-logger.ts';

/** The path Slack posts commands, interactions and events to. */
export const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackAppOptions {
  /** Bot token, `xoxb-…`. */
  botToken: string;
  /** Signing secret of the Slack app; requests without a valid signature get HTTP 401. */
  signingSecret: string;
  /** Web API base URL; default `https://slack.com/api/`. */
  slackApiUrl?: string;
  logger: Logger;
  /** Functions that add commands, actions and views to the app, called once in order. */
  register?: ((app: App) => void)[];
  /**
   * The bot's ids, when known, so that `auth.test` is never called. Without them, the first
   * request that needs them calls `auth.test` and its result is kept.
   */
  botId?: string;
  botUserId?: string;
  /** Counts the Web API calls of the app's clients; default: not counted. */
  metrics?: Pick<Metrics, 'slackCall'>;
}

export interface SlackApp {
  app: App;
  /** Handles Slack's requests on a server of the caller's, in place of `start`. */
  requestListener: RequestListener;
  /**
   * Starts the HTTP receiver on `port` (0 picks a free one) and resolves to the bound port.
   * `host` defaults to every interface, because Slack must reach the app.
   */
  start(port: number, host?: string): Promise<{ port: number }>;
  /** Stops the HTTP receiver. */
  stop(): Promise<void>;
}

/**
 * Creates the Bolt app on its HTTP receiver. Startup makes no Slack call, so a Slack outage
 * cannot hold it up: the bot's ids are looked up on the first request that needs them. Bolt
 * hands listeners a `client` that carries the bot token, and `app.client` carries none,
 * because the token reaches Bolt through `authorize`.
 */
export function createSlackApp(options: SlackAppOptions): SlackApp {
  const log = options.logger.child({ component: 'slack-app' });
  const clientSettings = {
    logger: options.logger,
    ...(options.slackApiUrl === undefined ? {} : { slackApiUrl: options.slackApiUrl }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  };
  const slackLogger = toSlackLogger(options.logger.child({ component: 'bolt' }));
  const receiver = new HTTPReceiver({ signingSecret: options.signingSecret, endpoints: SLACK_EVENTS_PATH, logger: slackLogger });
  const app = new App({
    receiver,
    authorize: cachedAuthorize(
      options,
      createWebClient({ ...clientSettings, token: options.botToken }),
      log,
    ),
    logger: slackLogger,
    clientOptions: webClientOptions(clientSettings),
  });
  app.error((error) => {
    log.error({ err: error, code: error.code }, 'slack listener failed');
    return Promise.resolve();
  });
  for (const register of options.register ?? []) {
    register(app);
  }
  return {
    app,
    requestListener: receiver.requestListener,
    async start(port, host) {
      const server = await app.start(host === undefined ? { port } : { port, host });
      const bound = (server.address() as AddressInfo).port;
      log.info({ port: bound, path: SLACK_EVENTS_PATH }, 'slack app listening');
      return { port: bound };
    },
    async stop() {
      await app.stop();
      log.info('slack app stopped');
    },
  };
}

/**
 * Builds Bolt's `authorize` for one bot token. The `auth.test` result is kept after the
 * first success; a failure is not kept, so the next request tries again.
 */
function cachedAuthorize(
  options: SlackAppOptions,
  client: ReturnType<typeof createWebClient>,
  log: Logger,
): Authorize<boolean> {
  let identity: Promise<{ botId: string; botUserId: string }> | undefined =
    options.botId !== undefined && options.botUserId !== undefined
      ? Promise.resolve({ botId: options.botId, botUserId: options.botUserId })
      : undefined;

  const lookUp = async (): Promise<{ botId: string; botUserId: string }> => {
    const result = await client.auth.test();
    if (result.bot_id === undefined || result.user_id === undefined) {
      throw new Error(
        'auth.test returned no bot_id or user_id. Check that the token is a bot token (xoxb-).',
      );
    }
    log.info({ botId: result.bot_id, botUserId: result.user_id }, 'slack bot identity resolved');
    return { botId: result.bot_id, botUserId: result.user_id };
  };

  return async () => {
    identity ??= lookUp().catch((error: unknown) => {
      identity = undefined;
      log.warn({ err: error }, 'slack auth.test failed, next request retries');
      throw error;
    });
    return { botToken: options.botToken, ...(await identity) };
  };
}
