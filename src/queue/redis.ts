import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { parseRedisUrl, redisTarget } from './redis-url.ts';
import type { SentinelEndpoint } from './sentinel-url.ts';

export { redisTarget } from './redis-url.ts';

/**
 * ioredis options without `replyMapping`: its constructor narrows that field to a type
 * that `RedisOptions` widens with `undefined`, which exactOptionalPropertyTypes rejects.
 */
type ClientOptions = Omit<RedisOptions, 'replyMapping'>;
export {
  checkRedis,
  compareVersions,
  MIN_REDIS_VERSION,
  RedisCheckError,
  type RedisCheckErrorCode,
  type RedisCheckResult,
  type RedisCommandClient,
} from './redis-check.ts';

/** Options of {@link createRedis}. */
export interface CreateRedisOptions {
  /** Purpose of the connection (`watcher`, `worker`, …), also set as the Redis client name. */
  role: string;
  logger: Logger;
  /** Delay before the first reconnect attempt, in milliseconds. Default 100. */
  reconnectBaseDelayMs?: number;
  /** Upper bound of the doubling reconnect delay, in milliseconds. Default 5,000. */
  reconnectMaxDelayMs?: number;
  /** Waits for the first command before connecting. Default false. */
  lazyConnect?: boolean;
  /**
   * Fails commands at once while Redis is down, instead of holding them in the offline
   * queue until it is back. For callers with a fallback, such as the watcher's outbox.
   * Default false.
   */
  failFast?: boolean;
  /** Time after which a sent command fails, in milliseconds. Default none. */
  commandTimeoutMs?: number;
}

/**
 * Returns the delay before reconnect attempt `attempt` (1-based): `baseMs` doubled on each
 * attempt, capped at `maxMs`.
 */
export function reconnectDelayMs(attempt: number, baseMs: number, maxMs: number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  return Math.min(maxMs, baseMs * 2 ** exponent);
}

/**
 * Creates an ioredis client for any form of `REDIS_URL`: one server, or a primary found
 * through Sentinel. The client never gives up. It reconnects with capped backoff, and
 * commands sent while Redis is down wait in the offline queue unless `failFast` is set.
 * BullMQ workers require `maxRetriesPerRequest: null`. Connection events are logged, with
 * repeats counted, and the client's `error` events always have a listener.
 *
 * @throws RedisUrlError when `url` is no Redis URL jobwatch accepts.
 */
export function createRedis(url: string, options: CreateRedisOptions): Redis {
  const endpoint = parseRedisUrl(url);
  const baseMs = options.reconnectBaseDelayMs ?? 100;
  const maxMs = options.reconnectMaxDelayMs ?? 5_000;
  const retryStrategy = (attempt: number): number => reconnectDelayMs(attempt, baseMs, maxMs);
  const common: ClientOptions = {
    maxRetriesPerRequest: options.failFast === true ? 1 : null,
    enableOfflineQueue: options.failFast !== true,
    retryStrategy,
    connectionName: `jobwatch-${options.role}`,
    lazyConnect: options.lazyConnect ?? false,
    ...(options.commandTimeoutMs === undefined ? {} : { commandTimeout: options.commandTimeoutMs }),
  };
  const client =
    endpoint.kind === 'sentinel'
      ? new Redis({ ...common, ...sentinelOptions(endpoint, retryStrategy) })
      : new Redis(endpoint.url, common);
  const log = options.logger.child({
    component: 'redis',
    role: options.role,
    redis: redisTarget(url),
  });
  logConnectionEvents(client, log);
  return client;
}

/**
 * Maps a Sentinel endpoint to ioredis options. On each connect ioredis queries the Sentinels
 * for the primary of `name` and checks the role of the server it reaches. With
 * `failoverDetector` it also drops the connection once a Sentinel announces a new primary.
 */
function sentinelOptions(
  endpoint: SentinelEndpoint,
  retryStrategy: (attempt: number) => number,
): ClientOptions {
  const { username, password, sentinelUsername, sentinelPassword } = endpoint;
  return {
    sentinels: endpoint.sentinels.map(({ host, port }) => ({ host, port })),
    name: endpoint.masterName,
    db: endpoint.db,
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    ...(sentinelUsername === undefined ? {} : { sentinelUsername }),
    ...(sentinelPassword === undefined ? {} : { sentinelPassword }),
    // ioredis ignores `tls` in Sentinel mode unless enableTLSForSentinelMode is set, and
    // encrypts the Sentinel connections only through sentinelTLS.
    ...(endpoint.tls ? { tls: {}, enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
    // The default also retries forever, at least once a second. The capped backoff keeps
    // an outage of every Sentinel as quiet in the log as an outage of one server.
    sentinelRetryStrategy: retryStrategy,
    failoverDetector: true,
  };
}

/** Tells whether `count` is 1, 2, 4, 8, …: the counts at which repeated events are logged. */
function isPowerOfTwo(count: number): boolean {
  return count > 0 && (count & (count - 1)) === 0;
}

/**
 * Logs connect, ready, close, reconnect and error events. While Redis stays down, errors and
 * reconnect attempts are logged only at counts 1, 2, 4, 8, …, so an hour-long outage at the
 * 5 s maximum delay yields about 20 lines. The `ready` line then reports the totals.
 */
function logConnectionEvents(client: Redis, log: Logger): void {
  let errors = 0;
  let attempts = 0;
  let sentinelErrors = 0;
  client.on('connect', () => log.debug('redis connected'));
  client.on('ready', () => {
    if (attempts === 0 && errors === 0) log.info('redis ready');
    else log.info({ attempts, errors }, 'redis ready again after reconnecting');
    attempts = 0;
    errors = 0;
    sentinelErrors = 0;
  });
  client.on('error', (err: Error) => {
    errors += 1;
    if (isPowerOfTwo(errors)) log.warn({ err, errors }, 'redis connection error');
  });
  // Emitted in Sentinel mode when one Sentinel cannot be reached or names no primary.
  // ioredis then tries the next one, so this is a warning until all of them fail.
  client.on('sentinelError', (err: Error) => {
    sentinelErrors += 1;
    if (isPowerOfTwo(sentinelErrors)) log.warn({ err, sentinelErrors }, 'redis sentinel error');
  });
  client.on('close', () => log.debug('redis connection closed'));
  client.on('reconnecting', (delayMs: number) => {
    attempts += 1;
    if (isPowerOfTwo(attempts)) log.warn({ attempts, delayMs }, 'redis reconnecting');
  });
  client.on('end', () => log.info('redis connection ended'));
}

/** Readiness of one Redis connection, for `/readyz`. */
export interface RedisReadiness {
  /** True while the connection is ready for commands. */
  isReady(): boolean;
  /** Calls `listener` on each change; returns a function that removes it. */
  onChange(listener: (ready: boolean) => void): () => void;
}

/**
 * Follows a client's connection state: not ready while Redis is down or reconnecting, ready
 * again once the client reconnects and Redis has finished loading its data.
 */
export function trackReadiness(client: Redis): RedisReadiness {
  return {
    isReady: () => client.status === 'ready',
    onChange(listener) {
      let last = client.status === 'ready';
      const update = (): void => {
        const now = client.status === 'ready';
        if (now === last) return;
        last = now;
        listener(now);
      };
      const events = ['ready', 'close', 'reconnecting', 'end'] as const;
      for (const event of events) client.on(event, update);
      return () => {
        for (const event of events) client.off(event, update);
      };
    },
  };
}
