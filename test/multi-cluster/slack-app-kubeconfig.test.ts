import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeConfig } from '../../src/kube/kubeconfig.ts';
import { startFakeSlack } from '../fake-slack/index.ts';
import type { FakeSlack } from '../fake-slack/types.ts';
import { ALERT_CHANNEL, eventually } from '../support/harness.ts';
import { testRedisUrl, uniquePrefix } from '../support/redis.ts';
import { startSlackApp, writePolicy, type Side } from './layout.ts';

describe('Slack-facing app', () => {
  const missing = join(tmpdir(), `jobwatch-no-such-kubeconfig-${process.pid}`);
  let slack: FakeSlack;
  let app: Side | undefined;

  beforeAll(async () => {
    slack = await startFakeSlack({ channels: [{ id: ALERT_CHANNEL, name: 'job-alerts' }] });
  });

  afterAll(async () => {
    await app?.stop();
    await slack.stop();
  });

  it('starts with a KUBECONFIG that names no file, because it never reads it', async () => {
    // Reading this path fails, so a notifier that read its kubeconfig could not start.
    expect(() => loadKubeConfig({ env: { KUBECONFIG: missing } })).toThrow();
    const shared = { slack, redisUrl: testRedisUrl(), prefix: uniquePrefix('kc') };
    app = await startSlackApp(shared, { KUBECONFIG: missing, JOBWATCH_POLICY_FILE: writePolicy() });
    await eventually(() => app?.jobwatch.ready(), 'the app ready');
    expect(app.deps.kubeConfig).toBeUndefined();
    expect(app.deps.reader).toBeUndefined();
  });
});
