import { spawn, type ChildProcess } from 'node:child_process';
import { findFreePort } from '../../src/queue/redis-server.ts';
import type { SimCluster } from '../../src/sim/index.ts';
import type { FakeSlack } from '../fake-slack/types.ts';
import { eventually } from './harness.ts';
import { testRedisUrl } from './redis.ts';

/** A jobwatch started as its own process with `node src/cli/main.ts run`. */
export interface JobwatchProcess {
  child: ChildProcess;
  port: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code, or the signal that ended the process. */
  exited: Promise<number | NodeJS.Signals>;
  ready(): Promise<boolean>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts jobwatch in a child process with the given environment on a free port. */
export async function spawnJobwatch(env: Record<string, string>): Promise<JobwatchProcess> {
  const port = await findFreePort();
  const child = spawn(process.execPath, ['src/cli/main.ts', 'run'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env, JOBWATCH_HTTP_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code ?? -1)));
  return {
    child,
    port,
    output: () => output,
    exited,
    async ready() {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        return res.status === 200;
      } catch {
        return false;
      }
    },
    kill: (signal) => void child.kill(signal),
  };
}

/**
 * Builds the environment of a spawned jobwatch that watches only the namespace `prefix` of
 * `sim`, keeps its Redis keys under `prefix` and posts to `channel` of `slack`.
 */
export function processEnv(prefix: string, sim: SimCluster, slack: FakeSlack, channel: string): Record<string, string> {
  return {
    JOBWATCH_NAMESPACES: prefix,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_CHANNEL: channel,
    SLACK_API_URL: slack.apiUrl,
    REDIS_URL: testRedisUrl(),
    JOBWATCH_REDIS_PREFIX: prefix,
    KUBECONFIG: sim.kubeconfigPath,
    LOG_LEVEL: 'info',
  };
}

/**
 * Spawns jobwatch, adds it to `started` and waits up to 90 s for its /readyz. On a timeout
 * the error carries everything the process wrote.
 */
export async function startReadyJobwatch(env: Record<string, string>, started: JobwatchProcess[]): Promise<JobwatchProcess> {
  const proc = await spawnJobwatch(env);
  started.push(proc);
  await eventually(() => proc.ready(), `jobwatch ready on port ${proc.port}`, 90_000).catch((err: unknown) => {
    throw new Error(`${String(err)}\n${proc.output()}`);
  });
  return proc;
}

/** Kills each process in `started` with SIGKILL, waits for it to exit and empties the list. */
export async function killAll(started: JobwatchProcess[]): Promise<void> {
  for (const proc of started.splice(0)) {
    proc.kill('SIGKILL');
    await proc.exited;
  }
}
