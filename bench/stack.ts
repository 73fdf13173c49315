import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '../src/config/env.ts';
import { startRedisServer, type RedisServer } from '../src/queue/redis-server.ts';
import { startSimCluster, type SimCluster } from '../src/sim/index.ts';
import { startFakeSlack } from '../test/fake-slack/index.ts';
import { STORM_CONTROLS_OFF } from '../test/support/storm-env.ts';
import type { FakeSlack } from '../test/fake-slack/types.ts';
import { benchNowMs } from './bench-clock.ts';
import { startJobwatchProcess, type JobwatchProcess } from './jobwatch-child.ts';

/**
 * Changes the simulated API server keeps for watch resumption during a run. Ten times its
 * default of 1,000, so a watch that reconnects during a 2,000-Job burst resumes instead of
 * listing everything again.
 */
const SIM_HISTORY_LIMIT = 10_000;

export interface StackOptions {
  /** Roles of the jobwatch process. `all` runs watcher, worker and notifier together. */
  roles: readonly Role[] | 'all';
  /** Slack channels of the fake workspace. The first is jobwatch's default channel. */
  channels: number;
  /** Writes objects into the simulated cluster before jobwatch starts. */
  populate?: (sim: SimCluster) => Promise<void> | void;
  /** Folder for a CPU profile of the jobwatch process. */
  cpuProfileDir?: string;
  /** More Node options for the jobwatch process, such as `--max-semi-space-size=16`. */
  nodeOptions?: readonly string[];
  /** More variables for jobwatch, applied last. */
  env?: Record<string, string>;
  /** Turns on the fake Slack's post and update buckets at Slack's documented paces. Default off. */
  slackLimits?: boolean;
  /** jobwatch's `LOG_LEVEL`. Default `warn`. */
  logLevel?: string;
}

/** Everything one benchmark run talks to, all on 127.0.0.1 and private to the run. */
export interface BenchStack {
  sim: SimCluster;
  slack: FakeSlack;
  redis: RedisServer;
  jobwatch: JobwatchProcess;
  /** Channel ids of the fake workspace, such as `C0BENCH000`. */
  channelIds: string[];
  /** Path of the jobwatch process's log file. */
  logFile: string;
  /** Stops jobwatch, then the servers. The log file stays. */
  stop(): Promise<void>;
}

/** Key prefix of jobwatch's state and queues in the run's Redis. */
export const BENCH_REDIS_PREFIX = 'bench';

/** Returns the channel id for channel number `index`, valid for Slack and for routing. */
export function benchChannelId(index: number): string {
  return `C0BENCH${String(index).padStart(3, '0')}`;
}

function jobwatchEnv(stack: Omit<BenchStack, 'jobwatch' | 'stop' | 'logFile'>, options: StackOptions): Record<string, string> {
  // The process gets only these variables, so a KUBECONFIG or REDIS_URL of the shell cannot reach it.
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    SLACK_BOT_TOKEN: stack.slack.botToken,
    SLACK_SIGNING_SECRET: stack.slack.signingSecret,
    SLACK_CHANNEL: stack.channelIds[0] as string,
    SLACK_API_URL: stack.slack.apiUrl,
    REDIS_URL: stack.redis.url,
    JOBWATCH_REDIS_PREFIX: BENCH_REDIS_PREFIX,
    KUBECONFIG: stack.sim.kubeconfigPath,
    JOBWATCH_HTTP_PORT: '0',
    JOBWATCH_ROLES: options.roles === 'all' ? 'all' : options.roles.join(','),
    LOG_LEVEL: options.logLevel ?? 'warn',
    // Latency and throughput time each Job's own alert with the fake's buckets off, so
    // digests and jobwatch's own Slack budget are off too unless `env` sets them.
    ...STORM_CONTROLS_OFF,
    ...options.env,
  };
}

/**
 * Starts a private `redis-server`, the simulated API server, the fake Slack (per-channel
 * post bucket off, stamping calls with {@link benchNowMs}) and jobwatch in a child process.
 * Resolves once jobwatch has started, so callers wait for readiness themselves.
 */
export async function startBenchStack(options: StackOptions): Promise<BenchStack> {
  const dir = await mkdtemp(join(tmpdir(), 'jobwatch-bench-'));
  const logFile = join(dir, 'jobwatch.log');
  const channelIds = Array.from({ length: options.channels }, (_, i) => benchChannelId(i));
  const channels = channelIds.map((id, i) => ({ id, name: `bench-alerts-${i}` }));
  const redis = await startRedisServer();
  const sim = await startSimCluster({ historyLimit: SIM_HISTORY_LIMIT });
  const limits = options.slackLimits === true ? { channelPostLimit: { perSecond: 1, burst: 3 }, updateLimit: { perMinute: 50, burst: 10 } } : {};
  const slack = await startFakeSlack({ channels, clock: benchNowMs, ...limits });
  const stopServers = async (): Promise<void> => {
    await slack.stop();
    await sim.stop();
    await redis.stop();
  };
  try {
    await options.populate?.(sim);
    const env = jobwatchEnv({ sim, slack, redis, channelIds }, options);
    const jobwatch = await startJobwatchProcess({
      env,
      logFile,
      ...(options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}),
      ...(options.nodeOptions ? { nodeOptions: options.nodeOptions } : {}),
    });
    return {
      sim,
      slack,
      redis,
      jobwatch,
      channelIds,
      logFile,
      async stop() {
        await jobwatch.stop();
        await stopServers();
      },
    };
  } catch (err) {
    await stopServers();
    throw err;
  }
}

/**
 * Starts a stack, runs `measure` on it and stops it. The run folder with jobwatch's log is
 * removed after a successful run and kept after a failed one, whose error names it.
 */
export async function withBenchStack<T>(options: StackOptions, measure: (stack: BenchStack) => Promise<T>): Promise<T> {
  const stack = await startBenchStack(options);
  let result: T;
  try {
    result = await measure(stack);
  } catch (err) {
    await stack.stop();
    throw new Error(`benchmark failed; jobwatch's log is ${stack.logFile}`, { cause: err });
  }
  await stack.stop();
  await rm(join(stack.logFile, '..'), { recursive: true, force: true });
  return result;
}
