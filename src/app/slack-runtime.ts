import type { RequestListener } from 'node:http';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { Logger } from 'pino';
import type { SlackConfig } from '../config/env.ts';
import type { Messenger } from '../notify/messenger.ts';
import { SlackMessenger } from '../notify/slack-messenger.ts';
import { createSlackClient, createWebClient } from '../slack/slack-client.ts';
import { toSlackLogger } from '../slack/slack-logger.ts';

export interface SlackRuntime {
  messenger: Messenger;
  /** Bolt's handler for Slack's HTTP requests, verified with the signing secret. */
  requestListener?: RequestListener;
  app: App;
  close(): Promise<void>;
}

/**
 * Builds the Slack side: a Web API client that hands 429s back to the queue, and the
 * Bolt app whose HTTP receiver checks every request's signature. The receiver is not
 * started on a port of its own; jobwatch's HTTP server passes `/slack/*` to it.
 */
export async function createSlackRuntime(config: Extract<SlackConfig, { output: 'slack' }>, logger: Logger): Promise<SlackRuntime> {
  const web = createWebClient({ token: config.botToken, logger, ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}) });
  const messenger = new SlackMessenger(createSlackClient({ client: web, logger }));
  const clientOptions = config.apiUrl ? { slackApiUrl: config.apiUrl } : {};
  const slackLogger = toSlackLogger(logger.child({ component: 'bolt' }));
  slackLogger.setLevel(LogLevel.INFO);
  if (config.receiver === 'http' && config.signingSecret) {
    const receiver = new HTTPReceiver({ signingSecret: config.signingSecret, endpoints: '/slack/events', logger: slackLogger });
    // Deferred initialization keeps a Slack outage at start from blocking jobwatch:
    // auth.test runs on the first request instead of in the constructor.
    const app = new App({ token: config.botToken, receiver, clientOptions, logger: slackLogger, deferInitialization: true });
    await app.init().catch((err: unknown) => logger.warn({ err }, 'slack auth.test failed at start; requests will retry it'));
    return { messenger, app, requestListener: receiver.requestListener, close: async () => {} };
  }
  const app = new App({ token: config.botToken, appToken: config.appToken ?? '', socketMode: true, clientOptions, logger: slackLogger, deferInitialization: true });
  await app.init().catch((err: unknown) => logger.warn({ err }, 'slack auth.test failed at start'));
  await app.start().catch((err: unknown) => logger.error({ err }, 'slack socket mode connection failed'));
  return { messenger, app, close: async () => void (await app.stop()) };
}
