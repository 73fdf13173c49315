import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRuntime } from '../../src/app/runtime.ts';
import { loadConfig } from '../../src/config/env.ts';
import { startSimCluster, type SimCluster } from '../../src/sim/index.ts';

const logger = pino({ level: 'silent' });

describe('buildRuntime', () => {
  let sim: SimCluster;
  beforeAll(async () => {
    sim = await startSimCluster();
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('reads KUBECONFIG as a list of files like kubectl', async () => {
    const config = loadConfig({ KUBECONFIG: `/nonexistent/config:${sim.kubeconfigPath}` });
    const runtime = await buildRuntime(config, logger);
    expect(runtime.deps.kubeConfig?.getCurrentCluster()?.server).toBe(sim.url);
    await runtime.close();
  });

  it('prints to the terminal without a Slack token', async () => {
    const config = loadConfig({ KUBECONFIG: sim.kubeconfigPath });
    const runtime = await buildRuntime(config, logger);
    expect(runtime.deps.defaultChannel).toBe('terminal');
    expect(runtime.deps.slackListener).toBeUndefined();
    await runtime.close();
  });

  it('leaves Slack to the notifier role', async () => {
    const slackEnv = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'secret-1234', SLACK_CHANNEL: 'C0ALERTS', SLACK_API_URL: 'http://127.0.0.1:9/api/' };
    const watcher = await buildRuntime(loadConfig({ ...slackEnv, KUBECONFIG: sim.kubeconfigPath, JOBWATCH_ROLES: 'watcher' }), logger);
    expect(watcher.deps.slackListener).toBeUndefined();
    await watcher.close();
    const notifier = await buildRuntime(loadConfig({ ...slackEnv, JOBWATCH_ROLES: 'notifier' }), logger);
    expect(notifier.deps.slackListener).toBeDefined();
    expect(notifier.deps.kubeConfig).toBeUndefined();
    await notifier.close();
  });

  it('names the context it cannot find and how to choose one', async () => {
    const config = loadConfig({ KUBECONFIG: sim.kubeconfigPath, JOBWATCH_CONTEXT: 'nope' });
    await expect(buildRuntime(config, logger)).rejects.toThrow(/context "nope" not found.*JOBWATCH_CONTEXT/);
  });
});
