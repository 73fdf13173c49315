import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { buildRuntime } from '../../src/app/runtime.ts';
import { startJobwatch, type Jobwatch } from '../../src/app/start-jobwatch.ts';
import { loadConfig, type Config } from '../../src/config/env.ts';
import { startSimCluster, type SimCluster } from '../../src/sim/index.ts';
import { startFakeSlack } from '../fake-slack/index.ts';
import type { FakeSlack } from '../fake-slack/types.ts';
import { testRedisUrl, uniquePrefix } from './redis.ts';
import { STORM_CONTROLS_OFF } from './storm-env.ts';

/** The alert channel of the harness's fake workspace. */
export const ALERT_CHANNEL = 'C0ALERTS';

export interface Harness {
  sim: SimCluster;
  slack: FakeSlack;
  jobwatch: Jobwatch;
  config: Config;
  prefix: string;
  /** Everything jobwatch logged, one JSON object per line. */
  logLines(): string[];
  /** Starts jobwatch again with the same settings, after `jobwatch.stop()` or a crash. */
  restart(env?: Record<string, string>): Promise<Jobwatch>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  /** Reuse a running fake cluster or Slack instead of starting new ones. */
  sim?: SimCluster;
  slack?: FakeSlack;
  redisUrl?: string;
  prefix?: string;
}

/**
 * Starts jobwatch with all roles against a fresh simulated cluster, the strict
 * fake Slack and the test run's real Redis, under a key prefix of its own.
 */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const sim = options.sim ?? (await startSimCluster());
  const slack = options.slack ?? (await startFakeSlack({ channels: [{ id: ALERT_CHANNEL, name: 'job-alerts' }, { id: 'C0TEAM', name: 'team-data' }] }));
  const prefix = options.prefix ?? uniquePrefix('h');
  const baseEnv: Record<string, string> = {
    ...harnessEnv(slack, options.redisUrl ?? testRedisUrl(), prefix),
    KUBECONFIG: sim.kubeconfigPath,
    ...options.env,
  };
  const lines: string[] = [];
  const launch = (env: Record<string, string> = {}): Promise<InProcessJobwatch> => launchInProcess({ ...baseEnv, ...env }, lines);
  let current = await launch();
  const harness: Harness = {
    sim,
    slack,
    jobwatch: current.jobwatch,
    config: current.config,
    prefix,
    logLines: () => lines,
    async restart(env) {
      current = await launch(env);
      harness.jobwatch = current.jobwatch;
      return current.jobwatch;
    },
    async stop() {
      await current.jobwatch.stop().catch(() => undefined);
      await current.close();
      if (!options.slack) await slack.stop();
      if (!options.sim) await sim.stop();
    },
  };
  return harness;
}

/** The environment every harness gives jobwatch, apart from the cluster. */
export function harnessEnv(slack: FakeSlack, redisUrl: string, prefix: string): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_CHANNEL: ALERT_CHANNEL,
    SLACK_API_URL: slack.apiUrl,
    REDIS_URL: redisUrl,
    JOBWATCH_REDIS_PREFIX: prefix,
    JOBWATCH_HTTP_PORT: '0',
    JOBWATCH_STUCK_AFTER_SECONDS: '2',
    // One jobwatch per test cluster: the watcher starts at once, without a Lease.
    JOBWATCH_LEADER_ELECTION: 'false',
    LOG_LEVEL: 'debug',
    // Tests post many alerts to one channel within seconds and check each one, which is
    // no storm: digests are off and the Slack budget is wide. Storm tests set them back.
    ...STORM_CONTROLS_OFF,
  };
}

export interface InProcessJobwatch {
  jobwatch: Jobwatch;
  config: Config;
  close: () => Promise<void>;
}

/** Starts jobwatch with all roles in this process; its JSON log lines go to `lines`. */
export async function launchInProcess(env: Record<string, string>, lines: string[]): Promise<InProcessJobwatch> {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const config = loadConfig(env);
  const logger: Logger = pino({ level: config.logLevel }, sink);
  const runtime = await buildRuntime(config, logger);
  return { jobwatch: await startJobwatch(config, runtime.deps), config, close: () => runtime.close() };
}

/** Waits for a condition, polling; fails with `what` when it does not hold within `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Lists every key under a prefix, for checks over jobwatch's whole Redis state. */
export async function keysUnder(prefix: string): Promise<string[]> {
  const redis = new Redis(testRedisUrl());
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    return keys;
  } finally {
    redis.disconnect();
  }
}
