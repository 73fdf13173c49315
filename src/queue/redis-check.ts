import type { Logger } from 'pino';

/** Minimum Redis version: BullMQ 6 warns below 6.2.0 and rejects servers older than 5.0.0. */
export const MIN_REDIS_VERSION = '6.2.0';

/** Codes of {@link RedisCheckError}; both are permanent until an operator changes Redis. */
export type RedisCheckErrorCode = 'REDIS_EVICTION_POLICY' | 'REDIS_VERSION_UNSUPPORTED';

/** A Redis server that jobwatch must not run against. */
export class RedisCheckError extends Error {
  override readonly name = 'RedisCheckError';
  readonly code: RedisCheckErrorCode;

  constructor(code: RedisCheckErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** The part of a Redis client that {@link checkRedis} uses. */
export interface RedisCommandClient {
  call(command: string, ...args: string[]): Promise<unknown>;
}

/** Findings of {@link checkRedis}. */
export interface RedisCheckResult {
  /** `redis_version` from `INFO server`, when the server reports it. */
  version?: string;
  /** From `CONFIG GET`, when the server allows it. */
  maxmemoryPolicy?: string;
  /** Checks that could not run, each already logged as a warning. */
  warnings: string[];
}

/**
 * Checks that the server keeps queued alerts: its `maxmemory-policy` must be `noeviction`,
 * and its version at least {@link MIN_REDIS_VERSION}. A server that rejects `CONFIG` or
 * `INFO`, as managed services often do, gets a warning and passes.
 *
 * @throws RedisCheckError `REDIS_EVICTION_POLICY` or `REDIS_VERSION_UNSUPPORTED`.
 */
export async function checkRedis(
  client: RedisCommandClient,
  logger: Logger,
): Promise<RedisCheckResult> {
  const log = logger.child({ component: 'redis' });
  const warnings: string[] = [];
  const warn = (message: string, err: unknown): void => {
    warnings.push(message);
    log.warn({ err }, message);
  };
  const version = await readVersion(client, warn);
  if (version !== undefined && compareVersions(version, MIN_REDIS_VERSION) < 0) {
    throw new RedisCheckError(
      'REDIS_VERSION_UNSUPPORTED',
      `Redis ${version} is too old: jobwatch's queue (BullMQ) needs Redis ${MIN_REDIS_VERSION} ` +
        'or newer. Upgrade the server, or point REDIS_URL at a newer one.',
    );
  }
  const policy = await readEvictionPolicy(client, warn);
  if (policy !== undefined && policy !== 'noeviction') {
    throw new RedisCheckError('REDIS_EVICTION_POLICY', evictionMessage(policy));
  }
  log.info({ version, maxmemoryPolicy: policy }, 'redis checked');
  return {
    ...(version === undefined ? {} : { version }),
    ...(policy === undefined ? {} : { maxmemoryPolicy: policy }),
    warnings,
  };
}

function evictionMessage(policy: string): string {
  return (
    `Redis maxmemory-policy is ${policy}, so Redis may evict keys when memory runs out and ` +
    'queued alerts could be lost without an error. Set it to noeviction: run ' +
    '`CONFIG SET maxmemory-policy noeviction` and `CONFIG REWRITE`, or set ' +
    '`maxmemory-policy noeviction` in redis.conf (on a managed Redis, in its parameter group).'
  );
}

type Warn = (message: string, err: unknown) => void;

async function readVersion(client: RedisCommandClient, warn: Warn): Promise<string | undefined> {
  try {
    const info = String(await client.call('INFO', 'server'));
    const version = /^redis_version:(\S+)/m.exec(info)?.[1];
    if (version === undefined) {
      warn('INFO server returned no redis_version, so the version was not checked', undefined);
    }
    return version;
  } catch (err) {
    if (!isRejectedCommand(err)) throw err;
    const needed = `${MIN_REDIS_VERSION} or newer needed`;
    warn(`Redis rejected INFO, so its version (${needed}) was not checked`, err);
    return undefined;
  }
}

async function readEvictionPolicy(
  client: RedisCommandClient,
  warn: Warn,
): Promise<string | undefined> {
  try {
    const reply = await client.call('CONFIG', 'GET', 'maxmemory-policy');
    const policy: unknown = Array.isArray(reply) ? (reply as unknown[])[1] : undefined;
    if (typeof policy === 'string') return policy;
    warn(
      'CONFIG GET maxmemory-policy returned no value, so the policy was not checked; ' +
        'make sure it is noeviction',
      undefined,
    );
    return undefined;
  } catch (err) {
    if (!isRejectedCommand(err)) throw err;
    warn(
      'Redis rejected CONFIG GET, so maxmemory-policy was not checked; make sure it is ' +
        'noeviction, or queued alerts may be evicted',
      err,
    );
    return undefined;
  }
}

/**
 * Tells whether a command failed because the server does not offer it to this client
 * (renamed, disabled or denied by an ACL), as opposed to a connection failure.
 */
function isRejectedCommand(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return /unknown command|NOPERM|no permissions|not allowed|disabled|unsupported/i.test(message);
}

/** Compares dotted versions numerically: negative when `a` < `b`, 0 when equal. */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const right = b.split('.').map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
