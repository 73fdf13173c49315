import { randomBytes } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { type App, SocketModeReceiver } from '@slack/bolt';
import { WebAPIPlatformError, WebAPIRateLimitedError } from '@slack/web-api';
import type { Logger } from 'pino';
import type { SlackConfig } from '../config/env.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { Messenger } from '../notify/messenger.ts';
import { SlackMessenger } from '../notify/slack-messenger.ts';
import { createSlackApp } from '../slack/bolt-app.ts';
import { createSlackClient, createWebClient, webClientOptions } from '../slack/slack-client.ts';
import { toSlackLogger } from '../slack/slack-logger.ts';

export interface SlackRuntime {
  messenger: Messenger;
  /** The Bolt app with every listener of `register`, whichever receiver delivers to it. */
  app: App;
  /** Transport of Slack's commands and interactions to the app. */
  receiver: 'http' | 'socket';
  /** Bolt's handler for Slack's HTTP requests, verified with the signing secret. HTTP only. */
  requestListener?: RequestListener;
  /** Closes the Socket Mode connection, if any, and stops reconnecting. */
  close(): Promise<void>;
}

/** Timing of Socket Mode reconnects. */
export interface SocketReconnectOptions {
  /** Wait in ms after the first failed connect, doubled after each further one. Default 1,000. */
  baseDelayMs?: number;
  /** Maximum wait in ms between connect attempts. Default 60,000. */
  maxDelayMs?: number;
  /** Waits `ms` and rejects once `signal` aborts. Default a timer; tests pass a faster one. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface SlackRuntimeOptions {
  /** Functions that add commands, actions and views to the app, called once in order. */
  register?: ((app: App) => void)[];
  reconnect?: SocketReconnectOptions;
  /** Counts every Slack Web API call; default: not counted. */
  metrics?: Metrics;
}

type SocketModeClient = SocketModeReceiver['client'];

/**
 * `apps.connections.open` errors that no retry fixes: the app-level token or the workspace
 * needs a human. `@slack/socket-mode` 3.1 treats the same codes, except
 * `not_allowed_token_type`, as unrecoverable.
 */
const PERMANENT_CONNECT_ERRORS = new Set([
  'not_authed',
  'invalid_auth',
  'not_allowed_token_type',
  'account_inactive',
  'user_removed_from_team',
  'team_disabled',
]);

/**
 * Builds the Slack side: a Web API client that hands 429s back to the queue, and one Bolt
 * app with the listeners of `options.register`. Slack's requests reach that app over HTTP,
 * through `requestListener` on jobwatch's own HTTP server, or over Socket Mode when the
 * config has an app token. The promise resolves without waiting for Slack: the Socket Mode
 * connection opens in the background and is reopened whenever it drops.
 */
export function createSlackRuntime(
  config: Extract<SlackConfig, { output: 'slack' }>,
  logger: Logger,
  options: SlackRuntimeOptions = {},
): Promise<SlackRuntime> {
  return Promise.resolve(buildSlackRuntime(config, logger, options));
}

function buildSlackRuntime(
  config: Extract<SlackConfig, { output: 'slack' }>,
  logger: Logger,
  options: SlackRuntimeOptions,
): SlackRuntime {
  const clientSettings = {
    ...(config.apiUrl === undefined ? {} : { slackApiUrl: config.apiUrl }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  };
  const web = createWebClient({ token: config.botToken, logger, ...clientSettings });
  const messenger = new SlackMessenger(createSlackClient({ client: web, logger }));
  const slack = createSlackApp({
    botToken: config.botToken,
    // Socket Mode deliveries carry no signature. Without a signing secret the app's HTTP
    // receiver gets a random one and is never mounted, so no HTTP request can pass it.
    signingSecret: config.signingSecret ?? randomBytes(32).toString('hex'),
    logger,
    ...clientSettings,
    ...(options.register === undefined ? {} : { register: options.register }),
  });
  if (config.receiver === 'http') {
    return {
      messenger,
      app: slack.app,
      receiver: 'http',
      requestListener: slack.requestListener,
      close: () => Promise.resolve(),
    };
  }
  if (config.appToken === undefined) {
    throw new Error(
      'Socket Mode needs SLACK_APP_TOKEN (xapp-…). Set it, or set receiver to http.',
    );
  }
  const receiver = new SocketModeReceiver({
    appToken: config.appToken,
    logger: toSlackLogger(logger.child({ component: 'socket-mode' })),
    // jobwatch reconnects itself, because @slack/socket-mode 3.1 gives up for good after a
    // transport error and leaves a failed automatic reconnect as an unhandled rejection.
    autoReconnectEnabled: false,
    // No retries inside the client, so a failed apps.connections.open reaches the backoff below.
    installerOptions: { clientOptions: webClientOptions({ logger, retries: 0, ...clientSettings }) },
  });
  receiver.init(slack.app);
  const stopping = new AbortController();
  const log = logger.child({ component: 'socket-mode' });
  const loop = keepConnected(receiver.client, log, options.reconnect ?? {}, stopping.signal);
  return {
    messenger,
    app: slack.app,
    receiver: 'socket',
    async close() {
      stopping.abort();
      await receiver.client.disconnect();
      await loop;
      log.info('slack socket mode stopped');
    },
  };
}

/**
 * Opens the Socket Mode connection and reopens it until `signal` aborts. A drop, including
 * Slack's `disconnect` message, reconnects at once. Failed connects wait `baseDelayMs`,
 * doubling up to `maxDelayMs`, or longer when Slack sent Retry-After. Errors of the token
 * end the loop, because no retry fixes them.
 */
async function keepConnected(
  client: SocketModeClient,
  log: Logger,
  options: SocketReconnectOptions,
  signal: AbortSignal,
): Promise<void> {
  let failures = 0;
  while (!signal.aborted) {
    let retryAfterMs = 0;
    try {
      await client.start();
      // stop() may have come while connecting, and this connection must not outlive it.
      if (signal.aborted) {
        await client.disconnect();
        return;
      }
      failures = 0;
      log.info('slack socket mode connected');
      await new Promise<void>((resolve) => client.once('disconnected', () => resolve()));
      if (signal.aborted) return;
      log.warn('slack socket mode connection closed, reconnecting');
    } catch (err) {
      if (signal.aborted) return;
      const code = err instanceof WebAPIPlatformError ? err.data.error : undefined;
      if (code !== undefined && PERMANENT_CONNECT_ERRORS.has(code)) {
        log.error(
          { err, code },
          'slack socket mode cannot connect; check SLACK_APP_TOKEN, then restart jobwatch',
        );
        return;
      }
      failures += 1;
      retryAfterMs = err instanceof WebAPIRateLimitedError ? err.retryAfter * 1000 : 0;
      log.warn({ err, code, failures }, 'slack socket mode connect failed, retrying');
    }
    await pause(Math.max(retryAfterMs, backoffMs(failures, options)), options, signal);
  }
}

function backoffMs(failures: number, options: SocketReconnectOptions): number {
  if (failures === 0) return 0;
  const baseMs = options.baseDelayMs ?? 1_000;
  return Math.min(baseMs * 2 ** (failures - 1), options.maxDelayMs ?? 60_000);
}

async function pause(
  ms: number,
  options: SocketReconnectOptions,
  signal: AbortSignal,
): Promise<void> {
  const sleep = options.sleep ?? ((delayMs, abort) => delay(delayMs, undefined, { signal: abort }));
  try {
    await sleep(ms, signal);
  } catch {
    // Only an abort rejects the sleep; the loop checks the signal next.
  }
}
