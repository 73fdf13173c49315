import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { vi } from 'vitest';
import { findFreePort, startRedisServer, type RedisServer } from '../../src/queue/redis-server.ts';

/** The master name the test Sentinels monitor. */
export const MASTER_NAME = 'jobwatch-primary';

/** A primary, an optional replica and one Sentinel, all on loopback. */
export interface SentinelGroup {
  primary: RedisServer;
  replica?: RedisServer;
  sentinelPort: number;
  /** A `redis+sentinel://` URL for the group, with both passwords and `query` appended. */
  url(query?: string): string;
  /** Sends a command to the Sentinel. */
  sentinel(...args: string[]): Promise<unknown>;
  /** Returns the port the Sentinel names as the current primary. */
  primaryPort(): Promise<number>;
  stop(): Promise<void>;
}

/** Options of {@link startSentinelGroup}. */
export interface SentinelGroupOptions {
  /** Start a replica of the primary, so that a failover can promote it. Default false. */
  replica?: boolean;
  /** `requirepass` of the primary and replica. */
  redisPassword: string;
  /** `requirepass` of the Sentinel. */
  sentinelPassword: string;
}

/** Waits for a condition on servers this test controls; the bound only stops a hung run. */
export const waitFor = <T>(check: () => T | Promise<T>): Promise<T> =>
  vi.waitFor(check, { timeout: 30_000, interval: 100 });

/**
 * Starts a password-protected primary, optionally a replica that has finished its first
 * sync, and then a Sentinel, so that the Sentinel's first `INFO` of the primary already
 * lists the replica.
 */
export async function startSentinelGroup(options: SentinelGroupOptions): Promise<SentinelGroup> {
  const primary = await startRedisServer({ appendOnly: false });
  await protect(primary.port, options.redisPassword);
  const replica = options.replica ? await startReplica(primary.port, options.redisPassword) : undefined;
  const sentinelPort = await findFreePort();
  const sentinel = await launchSentinel(sentinelPort, primary.port, options);
  const admin = new Redis({ port: sentinelPort, host: '127.0.0.1', password: options.sentinelPassword });
  const group: SentinelGroup = {
    primary,
    ...(replica === undefined ? {} : { replica }),
    sentinelPort,
    url(query = '') {
      const password = encodeURIComponent(options.sentinelPassword);
      const extra = query === '' ? '' : `&${query}`;
      return (
        `redis+sentinel://:${encodeURIComponent(options.redisPassword)}@127.0.0.1:${sentinelPort}` +
        `/${MASTER_NAME}?sentinelPassword=${password}${extra}`
      );
    },
    sentinel: (...args) => admin.call(args[0] ?? 'PING', ...args.slice(1)),
    async primaryPort() {
      const reply = await admin.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME);
      return Number((reply as string[])[1]);
    },
    async stop() {
      admin.disconnect();
      await sentinel.stop();
      await replica?.stop();
      await primary.stop();
    },
  };
  await waitFor(async () => {
    if ((await group.primaryPort()) !== primary.port) throw new Error('sentinel has no primary');
  });
  return group;
}

/** Sets `requirepass` and `masterauth`, so the server also syncs from a password-protected primary. */
async function protect(port: number, password: string): Promise<void> {
  const client = new Redis({ port, host: '127.0.0.1' });
  try {
    await client.call('CONFIG', 'SET', 'masterauth', password);
    await client.call('CONFIG', 'SET', 'requirepass', password);
  } finally {
    client.disconnect();
  }
}

async function startReplica(primaryPort: number, password: string): Promise<RedisServer> {
  const replica = await startRedisServer({ appendOnly: false });
  await protect(replica.port, password);
  const client = new Redis({ port: replica.port, host: '127.0.0.1', password });
  try {
    await client.call('REPLICAOF', '127.0.0.1', String(primaryPort));
    await waitFor(async () => {
      const info = String(await client.call('INFO', 'replication'));
      if (!info.includes('master_link_status:up')) throw new Error('replica not in sync');
    });
  } finally {
    client.disconnect();
  }
  return replica;
}

interface RunningSentinel {
  stop(): Promise<void>;
}

/** Runs `redis-server CONF --sentinel` with a config file of its own, which Sentinel rewrites. */
async function launchSentinel(
  port: number,
  primaryPort: number,
  options: SentinelGroupOptions,
): Promise<RunningSentinel> {
  const dir = await mkdtemp(join(tmpdir(), 'jobwatch-sentinel-'));
  const conf = join(dir, 'sentinel.conf');
  await writeFile(conf, sentinelConfig(port, primaryPort, dir, options));
  const child = spawn('redis-server', [conf, '--sentinel'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await untilOutput(child, '+monitor master');
  return {
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function sentinelConfig(port: number, primaryPort: number, dir: string, options: SentinelGroupOptions): string {
  return [
    `port ${port}`,
    'bind 127.0.0.1',
    `dir ${dir}`,
    `requirepass ${options.sentinelPassword}`,
    `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${primaryPort} 1`,
    `sentinel auth-pass ${MASTER_NAME} ${options.redisPassword}`,
    `sentinel down-after-milliseconds ${MASTER_NAME} 2000`,
    `sentinel failover-timeout ${MASTER_NAME} 10000`,
    '',
  ].join('\n');
}

/** Resolves once the process prints `marker`; rejects when it exits first. */
async function untilOutput(child: ChildProcess, marker: string): Promise<void> {
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-4000);
      if (output.includes(marker)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (err) => reject(new Error(`could not start redis-server --sentinel: ${err.message}`)));
    child.once('exit', (code) => reject(new Error(`redis-server --sentinel exited with code ${code}:\n${output}`)));
  });
}
