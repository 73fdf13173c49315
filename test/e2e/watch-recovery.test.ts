import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack } from '../fake-slack/index.ts';
import type { FakeSlack } from '../fake-slack/types.ts';
import { ALERT_CHANNEL, eventually, harnessEnv } from '../support/harness.ts';
import { spawnJobwatch, type JobwatchProcess } from '../support/jobwatch-process.ts';
import { testRedisUrl, uniquePrefix } from '../support/redis.ts';
import { startControlPlane, type ControlPlane } from './support/control-plane.ts';
import { createJob, createNamespace, rootMessages, waitForJobFailed } from './support/e2e.ts';
import { startFakeKubelet, type FakeKubelet } from './support/fake-kubelet.ts';
import { createKubeClient, type KubeClient } from './support/kube-client.ts';

// This file restarts its API server, so it runs a control plane of its own,
// with etcd compacted every 2 s.
let plane: ControlPlane;
let kubelet: FakeKubelet;
let kube: KubeClient;
let slack: FakeSlack;
let jobwatch: JobwatchProcess | undefined;

beforeAll(async () => {
  plane = await startControlPlane({ compactionIntervalSeconds: 2 });
  kubelet = await startFakeKubelet({ plane });
  kube = createKubeClient(plane.server, plane.adminDispatcher);
  slack = await startFakeSlack({ channels: [{ id: ALERT_CHANNEL, name: 'job-alerts' }] });
}, 900_000);

afterAll(async () => {
  if (jobwatch) {
    jobwatch.kill('SIGKILL');
    await jobwatch.exited;
  }
  await slack.stop();
  await kubelet.stop();
  await plane.stop();
});

function rootsFor(jobName: string) {
  return rootMessages(slack).filter((m) => m.text.includes(`/${jobName}`));
}

async function startJobwatch(namespace: string): Promise<JobwatchProcess> {
  const proc = await spawnJobwatch({
    ...harnessEnv(slack, testRedisUrl(), uniquePrefix('e2e-watch')),
    KUBECONFIG: plane.kubeconfig,
    JOBWATCH_NAMESPACES: namespace,
    LOG_LEVEL: 'info',
  });
  jobwatch = proc;
  await eventually(() => proc.ready(), 'jobwatch ready', 60_000).catch((err: unknown) => {
    throw new Error(`${String(err)}\n${proc.output()}`);
  });
  return proc;
}

/** Waits until etcd has been compacted past `resourceVersion`: a watch from it fails with 410. */
async function waitForCompaction(namespace: string, resourceVersion: string): Promise<void> {
  const dispatcher = new Agent({
    connect: {
      ca: readFileSync(join(plane.pki, 'ca.crt')),
      cert: readFileSync(join(plane.pki, 'admin.crt')),
      key: readFileSync(join(plane.pki, 'admin.key')),
    },
  });
  const probe = createKubeClient(plane.server, dispatcher);
  try {
    await eventually(
      async () => {
        const controller = new AbortController();
        let expired = false;
        const watching = probe
          .watch(
            `/apis/batch/v1/namespaces/${namespace}/jobs?watch=true&resourceVersion=${resourceVersion}`,
            (event) => {
              if (event.type === 'ERROR' && (event.object as { code?: number }).code === 410) expired = true;
              controller.abort();
            },
            controller.signal,
          )
          .catch((err: unknown) => {
            if ((err as { status?: number }).status === 410) expired = true;
          });
        setTimeout(() => controller.abort(), 1000);
        await watching;
        return expired;
      },
      `etcd compacted past resourceVersion ${resourceVersion}`,
      60_000,
    );
  } finally {
    await dispatcher.close();
  }
}

describe('watch recovery on a real API server', () => {
  it('loses and doubles no alert across an API server restart and a watch that resumes from a compacted resourceVersion', async () => {
    const namespace = await createNamespace(kube, 'recovery');
    const proc = await startJobwatch(namespace);

    // Alerted before anything goes wrong.
    await createJob(kube, { namespace, name: 'before-restart', backoffLimit: 0, behaviour: { 'exit-code': '1', log: 'error: disk quota exceeded\n' } });
    await eventually(() => rootsFor('before-restart')[0], 'the alert for before-restart', 60_000);

    // jobwatch stops reading; the API server restarts, which ends every watch.
    proc.kill('SIGSTOP');
    const { metadata } = await kube.call<{ metadata: { resourceVersion: string } }>('GET', `/apis/batch/v1/namespaces/${namespace}/jobs`);
    await plane.restartApiServer();

    // A Job fails while jobwatch is not looking, and etcd compacts the history
    // jobwatch would need to catch up by watching.
    await createJob(kube, { namespace, name: 'while-away', backoffLimit: 0, behaviour: { 'exit-code': '3', log: 'fatal: cannot open /data/input.csv\n' } });
    await waitForJobFailed(kube, namespace, 'while-away');
    await waitForCompaction(namespace, metadata.resourceVersion);
    proc.kill('SIGCONT');

    const awayAlert = await eventually(() => rootsFor('while-away')[0], 'the alert for the Job that failed while jobwatch was away', 90_000);
    expect(JSON.stringify(awayAlert.blocks)).toContain('/data/input.csv');
    expect(proc.output()).toContain('re-listing after 410 Gone');

    // A Job failing after recovery is alerted as usual.
    await createJob(kube, { namespace, name: 'after-restart', backoffLimit: 0, behaviour: { 'exit-code': '1', log: 'error: checksum mismatch\n' } });
    await eventually(() => rootsFor('after-restart')[0], 'the alert for after-restart', 60_000);

    // Let any duplicate that the re-list could cause arrive before counting.
    await new Promise((r) => setTimeout(r, 3000));
    expect(rootsFor('before-restart')).toHaveLength(1);
    expect(rootsFor('while-away')).toHaveLength(1);
    expect(rootsFor('after-restart')).toHaveLength(1);
  });
});
