import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_CHANNEL, eventually } from '../support/harness.ts';
import {
  conditionWriters,
  controlPlane,
  createJob,
  createNamespace,
  rootMessages,
  startJobwatchOn,
  waitForJobFailed,
  type E2eJobwatch,
} from './support/e2e.ts';

const plane = controlPlane();
let namespace = '';
let jobwatch: E2eJobwatch | undefined;

beforeAll(async () => {
  namespace = await createNamespace(plane.kube, 'failures');
});
afterEach(async () => {
  await jobwatch?.stop();
  jobwatch = undefined;
});
afterAll(async () => {
  await plane.dispatcher.close();
});

async function finalAlert(j: E2eJobwatch, jobName: string, pattern: RegExp) {
  return eventually(() => {
    const roots = rootMessages(j.slack).filter((m) => m.text.includes(`${namespace}/${jobName}`));
    const root = roots[0];
    return root && pattern.test(root.text) ? { root, roots } : undefined;
  }, `the final alert for ${jobName}`, 90_000);
}

describe('Jobs failed by the real job controller', () => {
  it('alerts once on a reached backoff limit with the log', async () => {
    jobwatch = await startJobwatchOn(plane.kubeconfig, { JOBWATCH_NAMESPACES: namespace });
    const j = jobwatch;
    await createJob(plane.kube, {
      namespace,
      name: 'ledger-export',
      backoffLimit: 0,
      behaviour: { 'exit-code': '1', log: 'connecting to warehouse\nTraceback (most recent call last):\n  File "export.py", line 12, in <module>\nKeyError: \'ledger_id\'\n' },
    });
    const job = await waitForJobFailed(plane.kube, namespace, 'ledger-export');
    expect(job.status?.conditions?.find((c) => c.type === 'Failed')?.reason).toBe('BackoffLimitExceeded');
    expect(conditionWriters(job)).toEqual(['kube-controller-manager']);

    const { root, roots } = await finalAlert(j, 'ledger-export', /backoff limit/i);
    expect(roots).toHaveLength(1);
    const rendered = JSON.stringify(root.blocks);
    expect(rendered).toContain('KeyError');
    expect(rendered).toMatch(/exit code 1|exited with 1|exit 1/i);
  });

  it('names the OOM kill with the memory limit', async () => {
    jobwatch = await startJobwatchOn(plane.kubeconfig, { JOBWATCH_NAMESPACES: namespace });
    const j = jobwatch;
    await createJob(plane.kube, {
      namespace,
      name: 'rollup-builder',
      backoffLimit: 0,
      memoryLimit: '256Mi',
      behaviour: { 'exit-code': '137', reason: 'OOMKilled', log: 'building rollup for 2026-12-03\n' },
    });
    await waitForJobFailed(plane.kube, namespace, 'rollup-builder');
    const { root } = await finalAlert(j, 'rollup-builder', /backoff limit/i);
    const rendered = JSON.stringify(root.blocks);
    expect(rendered).toContain('oom-killed');
    expect(rendered).toContain('256Mi');
  });

  it('reports a deadline when activeDeadlineSeconds passes while the pod runs', async () => {
    jobwatch = await startJobwatchOn(plane.kubeconfig, { JOBWATCH_NAMESPACES: namespace });
    const j = jobwatch;
    await createJob(plane.kube, {
      namespace,
      name: 'slow-reindex',
      backoffLimit: 3,
      activeDeadlineSeconds: 3,
      behaviour: { 'run-ms': 'forever', log: 'reindexing shard 1 of 40\n' },
    });
    const job = await waitForJobFailed(plane.kube, namespace, 'slow-reindex');
    expect(job.status?.conditions?.find((c) => c.type === 'Failed')?.reason).toBe('DeadlineExceeded');
    expect(conditionWriters(job)).toEqual(['kube-controller-manager']);
    const { root } = await finalAlert(j, 'slow-reindex', /deadline/i);
    expect(JSON.stringify(root.blocks)).toContain('deadline-exceeded');
  });

  it('reports the podFailurePolicy rule that failed the Job at once', async () => {
    jobwatch = await startJobwatchOn(plane.kubeconfig, { JOBWATCH_NAMESPACES: namespace });
    const j = jobwatch;
    await createJob(plane.kube, {
      namespace,
      name: 'schema-migrate',
      backoffLimit: 6,
      podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } }] },
      behaviour: { 'exit-code': '42', log: 'migration 0042 conflicts with the live schema\n' },
    });
    const job = await waitForJobFailed(plane.kube, namespace, 'schema-migrate');
    expect(job.status?.conditions?.find((c) => c.type === 'Failed')?.reason).toBe('PodFailurePolicy');
    expect(job.status?.failed).toBe(1);
    const { root, roots } = await finalAlert(j, 'schema-migrate', /pod failure policy|podFailurePolicy/i);
    expect(roots).toHaveLength(1);
    expect(JSON.stringify(root.blocks)).toContain('42');
  });

  it('updates one living message across two attempts of a backoffLimit 1 Job', async () => {
    jobwatch = await startJobwatchOn(plane.kubeconfig, { JOBWATCH_NAMESPACES: namespace });
    const j = jobwatch;
    await createJob(plane.kube, {
      namespace,
      name: 'invoice-sync',
      backoffLimit: 1,
      behaviour: { 'exit-code': '2', log: 'fetching invoices\nerror: upstream answered 503\n' },
    });
    const first = await eventually(() => rootMessages(j.slack).find((m) => m.text.includes('invoice-sync')), 'the first attempt alert', 60_000);
    expect(first.text.toLowerCase()).toContain('attempt 1 of 2');
    await waitForJobFailed(plane.kube, namespace, 'invoice-sync');
    const { root, roots } = await finalAlert(j, 'invoice-sync', /backoff limit/i);
    expect(roots).toHaveLength(1);
    expect(root.ts).toBe(first.ts);
    const replies = await eventually(() => {
      const r = j.slack.thread(ALERT_CHANNEL, first.ts).filter((m) => m.ts !== first.ts);
      return r.length >= 2 ? r : undefined;
    }, 'a reply per attempt', 30_000);
    expect(replies.map((r) => r.text).join('\n')).toMatch(/Attempt 1/);
  });
});

describe('pods that never finish or are taken away', () => {
  it('alerts on a pod stuck pulling its image before the Job fails', async () => {
    jobwatch = await startJobwatchOn(plane.kubeconfig, { JOBWATCH_NAMESPACES: namespace });
    const j = jobwatch;
    await createJob(plane.kube, {
      namespace,
      name: 'image-typo',
      backoffLimit: 0,
      behaviour: {
        waiting: 'ImagePullBackOff',
        'waiting-message': 'Back-off pulling image "registry.example/batch/report:1.4.2": ErrImagePull: manifest unknown',
      },
    });
    const alert = await eventually(() => rootMessages(j.slack).find((m) => m.text.includes(`${namespace}/image-typo`)), 'the stuck alert', 60_000);
    const rendered = JSON.stringify(alert.blocks);
    expect(rendered).toContain('image-pull');
    expect(rendered).toContain('manifest unknown');
  });

  it('names an eviction with its DisruptionTarget condition', async () => {
    jobwatch = await startJobwatchOn(plane.kubeconfig, { JOBWATCH_NAMESPACES: namespace });
    const j = jobwatch;
    await createJob(plane.kube, {
      namespace,
      name: 'cache-warmer',
      backoffLimit: 0,
      behaviour: { evict: 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 64Mi.' },
    });
    await waitForJobFailed(plane.kube, namespace, 'cache-warmer');
    const { root } = await finalAlert(j, 'cache-warmer', /backoff limit/i);
    const rendered = JSON.stringify(root.blocks);
    expect(rendered).toContain('evicted');
    expect(rendered).toContain('low on resource: memory');
  });

  it('counts restarts of a restartPolicy OnFailure pod while status.failed stays 0', async () => {
    jobwatch = await startJobwatchOn(plane.kubeconfig, { JOBWATCH_NAMESPACES: namespace });
    const j = jobwatch;
    await createJob(plane.kube, {
      namespace,
      name: 'feed-import',
      backoffLimit: 2,
      restartPolicy: 'OnFailure',
      behaviour: { 'exit-code': '1', 'run-ms': '200', log: 'importing feed\nerror: feed signature invalid\n' },
    });
    const job = await waitForJobFailed(plane.kube, namespace, 'feed-import');
    expect(job.status?.conditions?.find((c) => c.type === 'Failed')?.reason).toBe('BackoffLimitExceeded');
    const { root, roots } = await finalAlert(j, 'feed-import', /backoff limit/i);
    expect(roots).toHaveLength(1);
    expect(JSON.stringify(root.blocks)).toContain('feed signature invalid');
  });
});
