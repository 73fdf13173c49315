import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { buildRuntime } from '../../src/app/runtime.ts';
import type { RegistrationTiming } from '../../src/app/cluster-registry.ts';
import { startJobwatch, type Jobwatch, type JobwatchDeps } from '../../src/app/start-jobwatch.ts';
import { loadConfig } from '../../src/config/env.ts';
import type { SimCluster } from '../../src/sim/index.ts';
import type { FakeSlack } from '../fake-slack/types.ts';
import { harnessEnv } from '../support/harness.ts';

/** One jobwatch process started in this test process, with what it logged. */
export interface Side {
  jobwatch: Jobwatch;
  deps: JobwatchDeps;
  lines: string[];
  stop(): Promise<void>;
}

/** What every process of a several-cluster install shares: Slack, Redis and the key prefix. */
export interface Shared {
  slack: FakeSlack;
  redisUrl: string;
  prefix: string;
}

/** Writes a policy file that lets U0ALICE do everything and everyone read. */
export function writePolicy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'jobwatch-clusters-'));
  const file = join(dir, 'policy.yaml');
  writeFileSync(
    file,
    ['command: /job', 'everyone: [read]', 'rules:', '  - name: on-call', '    users: [U0ALICE]', '    namespaces: ["*"]', '    verbs: [read, retry, raise-limits, mute]', '    kubernetes:', '      user: slack:alice', '      groups: [jobwatch:oncall]'].join('\n'),
  );
  return file;
}

/**
 * Starts jobwatch in this process from `env`, as `jobwatch run` would, with the
 * registration timing given. Its JSON log lines are kept.
 */
export async function startSide(env: Record<string, string>, timing: RegistrationTiming = {}): Promise<Side> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const config = loadConfig(env);
  const runtime = await buildRuntime(config, pino({ level: 'debug' }, sink));
  const deps: JobwatchDeps = { ...runtime.deps, clusterRegistration: timing };
  const jobwatch = await startJobwatch(config, deps);
  let stopped = false;
  return {
    jobwatch,
    deps,
    lines,
    async stop() {
      if (stopped) return;
      stopped = true;
      await jobwatch.stop({ graceMs: 2_000 });
      await runtime.close();
    },
  };
}

/**
 * Starts the cluster side of one cluster: the watcher and the worker with that cluster's
 * kubeconfig. It gets no Slack token, only the default channel its worker routes to.
 */
export function startClusterSide(shared: Shared, name: string, sim: SimCluster, timing: RegistrationTiming = {}): Promise<Side> {
  const { SLACK_CHANNEL = '', REDIS_URL = '', JOBWATCH_REDIS_PREFIX = '', JOBWATCH_HTTP_PORT = '', LOG_LEVEL = '' } = harnessEnv(shared.slack, shared.redisUrl, shared.prefix);
  return startSide(
    {
      SLACK_CHANNEL,
      REDIS_URL,
      JOBWATCH_REDIS_PREFIX,
      JOBWATCH_HTTP_PORT,
      LOG_LEVEL,
      JOBWATCH_ROLES: 'watcher,worker',
      JOBWATCH_CLUSTER_NAME: name,
      KUBECONFIG: sim.kubeconfigPath,
    },
    timing,
  );
}

/** Starts the Slack-facing app: the notifier role, with the given extra settings and no kubeconfig. */
export function startSlackApp(shared: Shared, env: Record<string, string>): Promise<Side> {
  return startSide({ ...harnessEnv(shared.slack, shared.redisUrl, shared.prefix), JOBWATCH_ROLES: 'notifier', ...env });
}
