import type { RequestListener } from 'node:http';
import type { Logger } from 'pino';
import type { SlackConfig } from '../config/env.ts';
import type { Messenger } from '../notify/messenger.ts';
import { SlackMessenger } from '../notify/slack-messenger.ts';
import { createSlackApp, type SlackApp } from '../slack/bolt-app.ts';
import { createSlackClient, createWebClient } from '../slack/slack-client.ts';

export interface SlackRuntime {
  messenger: Messenger;
  /** Bolt's handler for Slack's HTTP requests, verified with the signing secret. */
  requestListener?: RequestListener;
  close(): Promise<void>;
}

/**
 * Builds the Slack side: a Web API client that hands 429s back to the queue, and, for
 * HTTP delivery, the Bolt app whose receiver checks every request's signature. The
 * receiver gets no port of its own; jobwatch's HTTP server passes `/slack/*` to it.
 * Nothing here calls Slack, so a Slack outage cannot hold up the start.
 */
export async function createSlackRuntime(config: Extract<SlackConfig, { output: 'slack' }>, logger: Logger): Promise<SlackRuntime> {
  const web = createWebClient({ token: config.botToken, logger, ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}) });
  const messenger = new SlackMessenger(createSlackClient({ client: web, logger }));
  if (config.receiver === 'http' && config.signingSecret) {
    const slack: SlackApp = createSlackApp({
      botToken: config.botToken,
      signingSecret: config.signingSecret,
      logger,
      ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
    });
    return { messenger, requestListener: slack.requestListener, close: () => Promise.resolve() };
  }
  // Socket Mode: Bolt keeps a WebSocket to Slack, opened in the background.
  const { App, LogLevel } = await import('@slack/bolt');
  const { toSlackLogger } = await import('../slack/slack-logger.ts');
  const slackLogger = toSlackLogger(logger.child({ component: 'bolt' }));
  slackLogger.setLevel(LogLevel.INFO);
  const app = new App({
    token: config.botToken,
    appToken: config.appToken ?? '',
    socketMode: true,
    logger: slackLogger,
    deferInitialization: true,
    ...(config.apiUrl ? { clientOptions: { slackApiUrl: config.apiUrl } } : {}),
  });
  app.init()
    .then(() => app.start())
    .catch((err: unknown) => logger.error({ err }, 'slack socket mode failed to start; alerts are still posted over the Web API'));
  return { messenger, close: async () => void (await app.stop().catch(() => undefined)) };
}
