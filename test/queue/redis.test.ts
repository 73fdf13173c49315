import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  checkRedis,
  compareVersions,
  createRedis,
  reconnectDelayMs,
  reconnectOnReadOnly,
  RedisCheckError,
  redisTarget,
  trackReadiness,
  type RedisCommandClient,
} from '../../src/queue/redis.ts';
import { startRedisServer, type RedisServer } from '../../src/queue/redis-server.ts';
import { memoryLogger } from '../support/memory-logger.ts';
import { testRedisUrl } from '../support/redis.ts';

const WARN = 40;
const DEBUG = 20;

/** Waits for a condition on a server this test controls; the bound only stops a hung run. */
const waitFor = <T>(check: () => T) => vi.waitFor(check, { timeout: 20_000, interval: 20 });

const servers: RedisServer[] = [];
const clients: Redis[] = [];

async function privateServer(): Promise<RedisServer> {
  const server = await startRedisServer({ appendOnly: false });
  servers.push(server);
  return server;
}

function client(url: string, logger: Logger): Redis {
  const redis = createRedis(url, {
    role: 'test',
    logger,
    reconnectBaseDelayMs: 5,
    reconnectMaxDelayMs: 20,
  });
  clients.push(redis);
  return redis;
}

afterEach(async () => {
  for (const redis of clients.splice(0)) redis.disconnect();
  for (const server of servers.splice(0)) await server.stop();
});

async function checkError(redis: RedisCommandClient, logger: Logger): Promise<RedisCheckError> {
  try {
    await checkRedis(redis, logger);
  } catch (err) {
    if (err instanceof RedisCheckError) return err;
    throw err;
  }
  throw new Error('checkRedis passed');
}

describe('checkRedis on a real server', () => {
  it('passes on the shared noeviction server', async () => {
    const { logger } = memoryLogger();
    const result = await checkRedis(client(testRedisUrl(), logger), logger);
    expect(result.maxmemoryPolicy).toBe('noeviction');
    expect(result.warnings).toEqual([]);
    expect(compareVersions(result.version ?? '0', '6.2.0')).toBeGreaterThanOrEqual(0);
  });

  it('fails on an evicting maxmemory-policy', async () => {
    const server = await privateServer();
    const { logger } = memoryLogger();
    const redis = client(server.url, logger);
    await redis.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    const err = await checkError(redis, logger);
    expect(err.code).toBe('REDIS_EVICTION_POLICY');
    expect(err.message).toContain('maxmemory-policy is allkeys-lru');
    expect(err.message).toContain('queued alerts could be lost');
    expect(err.message).toContain('CONFIG SET maxmemory-policy noeviction');
  });

  it('warns and passes when an ACL denies CONFIG', async () => {
    const server = await privateServer();
    const { logger, lines } = memoryLogger();
    const admin = client(server.url, logger);
    await admin.call('ACL', 'SETUSER', 'limited', 'on', '>limited-pass', '~*', '&*', '+@all', '-config');
    const limited = client(`redis://limited:limited-pass@127.0.0.1:${server.port}`, logger);
    const result = await checkRedis(limited, logger);
    expect(result.maxmemoryPolicy).toBeUndefined();
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain('Redis rejected CONFIG GET');
    expect(lines.filter((line) => line.level === WARN).map((line) => line.msg)).toEqual(result.warnings);
  });
});

/** Builds a client that returns the given reply per command, and throws a reply that is an Error. */
function fakeClient(replies: { INFO?: unknown; CONFIG?: unknown }): RedisCommandClient {
  return {
    call(command: string) {
      const reply = command === 'INFO' ? replies.INFO : replies.CONFIG;
      return reply instanceof Error ? Promise.reject(reply) : Promise.resolve(reply);
    },
  };
}

const INFO_7 = '# Server\r\nredis_version:7.2.4\r\nredis_mode:standalone\r\n';

describe('checkRedis on fake replies', () => {
  const { logger } = memoryLogger();

  it('fails on a server older than 6.2.0', async () => {
    const redis = fakeClient({ INFO: 'redis_version:6.0.16\r\n', CONFIG: ['maxmemory-policy', 'noeviction'] });
    const err = await checkError(redis, logger);
    expect(err.code).toBe('REDIS_VERSION_UNSUPPORTED');
    expect(err.message).toContain('Redis 6.0.16 is too old');
    expect(err.message).toContain('6.2.0 or newer');
  });
  it('accepts exactly 6.2.0', async () => {
    const redis = fakeClient({ INFO: 'redis_version:6.2.0\r\n', CONFIG: ['maxmemory-policy', 'noeviction'] });
    expect((await checkRedis(redis, logger)).version).toBe('6.2.0');
  });
  it('warns when CONFIG is an unknown command', async () => {
    const redis = fakeClient({ INFO: INFO_7, CONFIG: new Error("ERR unknown command 'CONFIG'") });
    const result = await checkRedis(redis, logger);
    expect(result.warnings).toHaveLength(1);
    expect(result.version).toBe('7.2.4');
  });
  it('warns when INFO is denied', async () => {
    const redis = fakeClient({
      INFO: new Error('NOPERM this user has no permissions to run the info command'),
      CONFIG: ['maxmemory-policy', 'noeviction'],
    });
    const result = await checkRedis(redis, logger);
    expect(result.version).toBeUndefined();
    expect(result.warnings[0]).toContain('was not checked');
  });
  it('warns when CONFIG GET returns nothing', async () => {
    const result = await checkRedis(fakeClient({ INFO: INFO_7, CONFIG: [] }), logger);
    expect(result.warnings[0]).toContain('returned no value');
  });
  it('rethrows connection failures', async () => {
    const redis = fakeClient({ INFO: new Error('Connection is closed.') });
    await expect(checkRedis(redis, logger)).rejects.toThrow('Connection is closed.');
  });
  it('checks the version before the policy', async () => {
    const redis = fakeClient({ INFO: 'redis_version:5.0.7\r\n', CONFIG: ['maxmemory-policy', 'allkeys-lru'] });
    expect((await checkError(redis, logger)).code).toBe('REDIS_VERSION_UNSUPPORTED');
  });
});

describe('trackReadiness', () => {
  it('follows the server going down and coming back', async () => {
    const server = await privateServer();
    const { logger } = memoryLogger();
    const redis = client(server.url, logger);
    const readiness = trackReadiness(redis);
    await waitFor(() => expect(readiness.isReady()).toBe(true));
    const changes: boolean[] = [];
    readiness.onChange((ready) => changes.push(ready));

    await server.kill();
    await waitFor(() => expect(readiness.isReady()).toBe(false));
    await server.restart();
    await waitFor(() => expect(readiness.isReady()).toBe(true));
    expect(changes).toEqual([false, true]);
  });

  it('keeps commands sent while down and runs them after restart', async () => {
    const server = await privateServer();
    const { logger } = memoryLogger();
    const redis = client(server.url, logger);
    await redis.ping();
    await server.kill();
    await waitFor(() => expect(redis.status).not.toBe('ready'));
    const pending = redis.set('queued-while-down', 'kept');
    await server.restart();
    expect(await pending).toBe('OK');
    expect(await redis.get('queued-while-down')).toBe('kept');
  });

  it('stops calling a removed listener', async () => {
    const server = await privateServer();
    const { logger } = memoryLogger();
    const redis = client(server.url, logger);
    await redis.ping();
    const changes: boolean[] = [];
    const remove = trackReadiness(redis).onChange((ready) => changes.push(ready));
    remove();
    await server.kill();
    await waitFor(() => expect(redis.status).not.toBe('ready'));
    expect(changes).toEqual([]);
  });
});

describe('createRedis logging', () => {
  it('warns once when Redis goes down', async () => {
    const server = await privateServer();
    const { logger, lines } = memoryLogger();
    const redis = client(server.url, logger);
    await redis.ping();
    let errors = 0;
    redis.on('error', () => (errors += 1));
    await server.kill();
    await waitFor(() => expect(errors).toBeGreaterThanOrEqual(5));
    const warnings = lines.filter((line) => line.level === WARN);
    expect(warnings.map((line) => line.msg)).toEqual(['redis unreachable; reconnecting']);
    expect(warnings[0]?.['redis']).toBe(redisTarget(server.url));
    expect(warnings[0]?.['error']).toMatchObject({ code: 'ECONNREFUSED' });
    expect(warnings[0]?.['fix']).toContain('REDIS_URL');
    expect(JSON.stringify(warnings)).not.toContain('stack');
  });

  it('keeps error stacks at debug level', async () => {
    const server = await privateServer();
    const { logger, lines } = memoryLogger();
    const redis = client(server.url, logger);
    await redis.ping();
    await server.kill();
    await waitFor(() => expect(lines.some((line) => line.msg === 'redis connection error')).toBe(true));
    const errorLines = lines.filter((line) => line.msg === 'redis connection error');
    expect(errorLines.every((line) => line.level === DEBUG)).toBe(true);
    expect(JSON.stringify(errorLines[0]?.['err'])).toContain('stack');
  });

  it('warns again after each interval while down', async () => {
    const server = await privateServer();
    const { logger, lines } = memoryLogger();
    let nowMs = 1_000_000;
    const redis = createRedis(server.url, {
      role: 'test',
      logger,
      reconnectBaseDelayMs: 5,
      reconnectMaxDelayMs: 20,
      downLogIntervalMs: 60_000,
      now: () => nowMs,
    });
    clients.push(redis);
    await redis.ping();
    let errors = 0;
    redis.on('error', () => (errors += 1));
    await server.kill();
    await waitFor(() => expect(errors).toBeGreaterThanOrEqual(3));
    const still = () => lines.filter((line) => line.msg === 'redis still unreachable');
    expect(still()).toHaveLength(0);
    nowMs += 60_000;
    const seen = errors;
    await waitFor(() => expect(errors).toBeGreaterThan(seen + 2));
    expect(still()).toHaveLength(1);
    expect(still()[0]?.['downSeconds']).toBe(60);
    expect(still()[0]?.level).toBe(WARN);
  });

  it('logs one line when Redis is back', async () => {
    const server = await privateServer();
    const { logger, lines } = memoryLogger();
    const redis = client(server.url, logger);
    await redis.ping();
    await server.kill();
    await waitFor(() => expect(lines.some((line) => line.msg === 'redis reconnecting')).toBe(true));
    await server.restart();
    await waitFor(() => expect(lines.some((line) => line.msg === 'redis reachable again')).toBe(true));
    const back = lines.filter((line) => line.msg === 'redis reachable again');
    expect(back).toHaveLength(1);
    expect(back[0]?.['attempts']).toBeGreaterThan(0);
    const down = lines.findIndex((line) => line.msg === 'redis unreachable; reconnecting');
    expect(down).toBeGreaterThanOrEqual(0);
    expect(down).toBeLessThan(lines.indexOf(back[0] ?? lines[0]!));
  });

  it('labels lines with the role and host but no password', async () => {
    const { logger, lines } = memoryLogger();
    const redis = createRedis(`redis://user:SECRETPASS@127.0.0.1:${new URL(testRedisUrl()).port}`, {
      role: 'watcher',
      logger,
      lazyConnect: true,
    });
    clients.push(redis);
    await redis.connect().catch(() => undefined);
    await waitFor(() => expect(lines.length).toBeGreaterThan(0));
    expect(lines[0]).toMatchObject({ component: 'redis', role: 'watcher' });
    expect(JSON.stringify(lines)).not.toContain('SECRETPASS');
  });

  it('names the connection after its role', async () => {
    const { logger } = memoryLogger();
    const redis = createRedis(testRedisUrl(), { role: 'notifier', logger });
    clients.push(redis);
    expect(await redis.call('CLIENT', 'GETNAME')).toBe('jobwatch-notifier');
  });
});

describe('reconnectDelayMs', () => {
  it('starts at the base delay', () => {
    expect(reconnectDelayMs(1, 100, 5000)).toBe(100);
  });
  it('doubles on each attempt', () => {
    expect(reconnectDelayMs(2, 100, 5000)).toBe(200);
    expect(reconnectDelayMs(4, 100, 5000)).toBe(800);
  });
  it('stops at the maximum', () => {
    expect(reconnectDelayMs(7, 100, 5000)).toBe(5000);
    expect(reconnectDelayMs(10_000, 100, 5000)).toBe(5000);
  });
});

describe('redisTarget', () => {
  it('keeps host and port only', () => {
    expect(redisTarget('rediss://user:pw@redis.internal:6380/2')).toBe('redis.internal:6380');
  });
  it('fills in the default port', () => {
    expect(redisTarget('redis://redis.internal')).toBe('redis.internal:6379');
  });
});

describe('compareVersions', () => {
  it('compares numerically, not as text', () => {
    expect(compareVersions('6.10.0', '6.2.0')).toBeGreaterThan(0);
  });
  it('treats missing parts as zero', () => {
    expect(compareVersions('7', '7.0.0')).toBe(0);
  });
  it('orders older before newer', () => {
    expect(compareVersions('6.0.16', '6.2.0')).toBeLessThan(0);
  });
});

describe('reconnectOnReadOnly', () => {
  it('reconnects and resends on a write refused by a replica', () => {
    expect(reconnectOnReadOnly(new Error("READONLY You can't write against a read only replica."))).toBe(2);
  });

  it('leaves other errors to the caller', () => {
    expect(reconnectOnReadOnly(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'))).toBe(false);
  });
});
