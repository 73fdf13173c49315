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
  /** Interval between "still unreachable" lines while Redis stays down, in ms. Default 60,000. */
  downLogIntervalMs?: number;
  /** Clock for the outage log, in milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
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
  logConnectionEvents(client, log, {
    intervalMs: options.downLogIntervalMs ?? 60_000,
    now: options.now ?? Date.now,
    fix: endpoint.kind === 'sentinel' ? SENTINEL_FIX : SERVER_FIX,
  });
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
    reconnectOnError: reconnectOnReadOnly,
  };
}

/**
 * Tells ioredis to reconnect and resend the command when a write meets a replica
 * (`READONLY`). After a failover the old primary becomes a replica, and a client still
 * connected to it would otherwise keep failing writes and reading stale keys. Only the
 * Sentinel mode uses it, because there a reconnect queries the Sentinels for the new
 * primary, while a plain URL would lead back to the same replica.
 */
export function reconnectOnReadOnly(err: Error): 2 | false {
  return err.message.startsWith('READONLY') ? 2 : false;
}

const SERVER_FIX =
  'check that Redis runs and listens at this address, that this pod may reach it (Service, ' +
  'NetworkPolicy), and the host, port, password and TLS scheme in REDIS_URL';
const SENTINEL_FIX =
  'check that the Sentinels run and may be reached from this pod, that they monitor a primary ' +
  'of this name, and the passwords in REDIS_URL';

/** Tells whether `count` is 1, 2, 4, 8, …: the counts at which repeated events are logged. */
function isPowerOfTwo(count: number): boolean {
  return count > 0 && (count & (count - 1)) === 0;
}

/** Returns the message and code of a connection error, for warnings without the stack. */
function describeError(err: Error): { message: string; code?: string } {
  const code = (err as NodeJS.ErrnoException).code;
  return code === undefined ? { message: err.message } : { message: err.message, code };
}

/**
 * Logs the connection state as it changes: one warning when Redis becomes unreachable, one
 * every `intervalMs` while it stays so, and one line when it is back. Each error and reconnect
 * attempt, with the stack, is logged at debug level only.
 */
function logConnectionEvents(
  client: Redis,
  log: Logger,
  outage: { intervalMs: number; now: () => number; fix: string },
): void {
  let downSince: number | undefined;
  let lastWarnAt: number | undefined;
  let errors = 0;
  let attempts = 0;
  let sentinelErrors = 0;
  let lastError: { message: string; code?: string } | undefined;
  // The first warning waits for an error or a second attempt, because a closed connection
  // alone is often a restart that the first reconnect repairs.
  const noteDown = (): void => {
    const now = outage.now();
    downSince ??= now;
    if (lastError === undefined && attempts < 2) return;
    const error = lastError ?? { message: 'connection closed' };
    if (lastWarnAt === undefined) {
      lastWarnAt = now;
      log.warn({ error, fix: outage.fix }, 'redis unreachable; reconnecting');
    } else if (now - lastWarnAt >= outage.intervalMs) {
      lastWarnAt = now;
      const downSeconds = Math.round((now - downSince) / 1000);
      log.warn({ error, downSeconds, attempts, errors, fix: outage.fix }, 'redis still unreachable');
    }
  };
  client.on('connect', () => log.debug('redis connected'));
  client.on('ready', () => {
    if (lastWarnAt === undefined || downSince === undefined) log.info('redis ready');
    else {
      const downSeconds = Math.round((outage.now() - downSince) / 1000);
      log.info({ downSeconds, attempts, errors }, 'redis reachable again');
    }
    downSince = undefined;
    lastWarnAt = undefined;
    lastError = undefined;
    attempts = 0;
    errors = 0;
    sentinelErrors = 0;
  });
  client.on('error', (err: Error) => {
    errors += 1;
    lastError = describeError(err);
    log.debug({ err, errors }, 'redis connection error');
    noteDown();
  });
  // Emitted in Sentinel mode when one Sentinel cannot be reached or names no primary.
  // ioredis then tries the next one, so this is a warning until all of them fail.
  client.on('sentinelError', (err: Error) => {
    sentinelErrors += 1;
    if (isPowerOfTwo(sentinelErrors)) {
      log.warn({ error: describeError(err), sentinelErrors }, 'redis sentinel error');
    }
    log.debug({ err, sentinelErrors }, 'redis sentinel error stack');
  });
  client.on('close', () => log.debug('redis connection closed'));
  client.on('reconnecting', (delayMs: number) => {
    attempts += 1;
    log.debug({ attempts, delayMs }, 'redis reconnecting');
    noteDown();
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
