import {
  ApiException,
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  Watch,
  type KubernetesObject,
  type V1Job,
} from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimCluster, type SimCluster } from '../../src/sim/index.ts';
import { event, job, pod } from './builders.ts';

let cluster: SimCluster;
let kc: KubeConfig;

beforeEach(async () => {
  cluster = await startSimCluster({ bookmarkIntervalMs: 50 });
  kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
});

afterEach(async () => {
  await cluster.stop();
});

interface Received {
  type: string;
  name: string | undefined;
  resourceVersion: string | undefined;
  object: KubernetesObject & Record<string, unknown>;
}

/** Opens a raw watch and collects events until `until` returns true or the stream ends. */
async function collectWatch(
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  until: (events: Received[]) => boolean,
  afterStart: () => void = () => {},
): Promise<{ events: Received[]; error: unknown }> {
  const events: Received[] = [];
  let controller: AbortController | undefined;
  const ended = new Promise<unknown>((resolve) => {
    void new Watch(kc)
      .watch(
        path,
        query,
        (type, object: KubernetesObject & Record<string, unknown>) => {
          events.push({
            type,
            name: object.metadata?.name,
            resourceVersion: object.metadata?.resourceVersion,
            object,
          });
          if (until(events)) controller?.abort();
        },
        (error) => resolve(error),
      )
      .then((c) => {
        controller = c;
        afterStart();
        if (until(events)) c.abort();
      });
  });
  const error = await ended;
  return { events, error };
}

describe('simulated cluster through client-node', () => {
  it('lists jobs by label selector and pods by field selector', async () => {
    cluster.store.create(job('a', { labels: { team: 'x' } }));
    cluster.store.create(job('b', { labels: { team: 'y' } }));
    cluster.store.create(pod('p-ok', { phase: 'Running' }));
    cluster.store.create(pod('p-bad', { phase: 'Failed' }));
    const batch = kc.makeApiClient(BatchV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    const jobs = await batch.listNamespacedJob({ namespace: 'default', labelSelector: 'team in (x)' });
    expect(jobs.items.map((j) => j.metadata?.name)).toEqual(['a']);
    const pods = await core.listPodForAllNamespaces({ fieldSelector: 'status.phase=Failed' });
    expect(pods.items.map((p) => p.metadata?.name)).toEqual(['p-bad']);
    expect(Number(pods.metadata?.resourceVersion)).toBe(cluster.store.resourceVersion);
  });

  it('reads events of one object by involvedObject fields', async () => {
    const target = cluster.store.create(job('a'));
    const other = cluster.store.create(job('b'));
    cluster.store.create(event('e1', target, 'BackoffLimitExceeded', 'Warning'));
    cluster.store.create(event('e2', other, 'Completed'));
    const core = kc.makeApiClient(CoreV1Api);
    const events = await core.listNamespacedEvent({
      namespace: 'default',
      fieldSelector: `involvedObject.kind=Job,involvedObject.name=a,involvedObject.uid=${target.metadata.uid}`,
    });
    expect(events.items.map((e) => e.reason)).toEqual(['BackoffLimitExceeded']);
  });

  it('rejects an unsupported field selector with 400', async () => {
    const batch = kc.makeApiClient(BatchV1Api);
    const error = await batch
      .listNamespacedJob({ namespace: 'default', fieldSelector: 'spec.parallelism=1' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiException);
    expect((error as ApiException<string>).code).toBe(400);
    expect(JSON.parse((error as ApiException<string>).body)).toMatchObject({
      reason: 'BadRequest',
      message: 'field label "spec.parallelism" not supported for Job',
    });
  });

  it('returns a NotFound Status body the client parses', async () => {
    const batch = kc.makeApiClient(BatchV1Api);
    const error = await batch.readNamespacedJob({ name: 'gone', namespace: 'default' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiException);
    const apiError = error as ApiException<string>;
    expect(apiError.code).toBe(404);
    expect(JSON.parse(apiError.body)).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'jobs.batch "gone" not found',
      reason: 'NotFound',
      details: { name: 'gone', group: 'batch', kind: 'jobs' },
      code: 404,
    });
  });

  it('creates and deletes a job, assigning uid and resourceVersion', async () => {
    const batch = kc.makeApiClient(BatchV1Api);
    const created = await batch.createNamespacedJob({ namespace: 'default', body: job('made') as unknown as V1Job });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    // The job controller may have written since, so the store can only be further along.
    expect(Number(created.metadata?.resourceVersion)).toBeLessThanOrEqual(cluster.store.resourceVersion);
    expect(created.spec?.selector?.matchLabels?.['batch.kubernetes.io/controller-uid']).toBe(created.metadata?.uid);
    const again = await batch.createNamespacedJob({ namespace: 'default', body: job('made') as unknown as V1Job }).catch((e: unknown) => e);
    expect((again as ApiException<string>).code).toBe(409);
    await batch.deleteNamespacedJob({ name: 'made', namespace: 'default', propagationPolicy: 'Background' });
    expect(cluster.store.get({ apiVersion: 'batch/v1', kind: 'Job', namespace: 'default', name: 'made' })).toBeUndefined();
  });

  it('watch resumes from a resourceVersion and replays later changes in order', async () => {
    cluster.store.create(job('before'));
    const start = cluster.store.resourceVersion;
    cluster.store.create(job('after-1'));
    cluster.store.delete({ apiVersion: 'batch/v1', kind: 'Job', namespace: 'default', name: 'before' });
    const { events } = await collectWatch(
      '/apis/batch/v1/namespaces/default/jobs',
      { resourceVersion: String(start) },
      (seen) => seen.length >= 3,
      () => cluster.store.create(job('after-2')),
    );
    expect(events.map((e) => `${e.type} ${e.name}`)).toEqual([
      'ADDED after-1',
      'DELETED before',
      'ADDED after-2',
    ]);
  });

  it('watch from a compacted resourceVersion gets an ERROR event with 410 Expired', async () => {
    cluster.store.create(job('a'));
    const old = cluster.store.resourceVersion;
    cluster.store.create(job('b'));
    cluster.faults.compactHistory();
    const { events, error } = await collectWatch(
      '/apis/batch/v1/jobs',
      { resourceVersion: String(old) },
      () => false,
    );
    expect(error).toBeNull();
    expect(events).toHaveLength(1);
    expect(events[0]?.type).toBe('ERROR');
    expect(events[0]?.object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    expect(String(events[0]?.object['message'])).toMatch(/^too old resource version: \d+ \(\d+\)$/);
  });

  it('watch without resourceVersion starts with ADDED for current objects, then bookmarks', async () => {
    cluster.store.create(job('a'));
    const { events } = await collectWatch(
      '/apis/batch/v1/jobs',
      { allowWatchBookmarks: true },
      (seen) => seen.some((e) => e.type === 'BOOKMARK'),
    );
    expect(events[0]).toMatchObject({ type: 'ADDED', name: 'a' });
    const bookmark = events.find((e) => e.type === 'BOOKMARK');
    expect(bookmark?.object).toEqual({
      kind: 'Job',
      apiVersion: 'batch/v1',
      metadata: { resourceVersion: String(cluster.store.resourceVersion) },
    });
  });

  it('watch with a label selector sees an object leave the selection as DELETED', async () => {
    const created = cluster.store.create(job('a', { labels: { state: 'on' } }));
    const { events } = await collectWatch(
      '/apis/batch/v1/namespaces/default/jobs',
      { labelSelector: 'state=on' },
      (seen) => seen.length >= 2,
      () => {
        const changed = { ...created, metadata: { ...created.metadata, labels: { state: 'off' } } };
        cluster.store.update(changed);
      },
    );
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
    expect(events[1]?.resourceVersion).toBe(String(cluster.store.resourceVersion));
  });

  it('watch ends cleanly after timeoutSeconds', async () => {
    const { events, error } = await collectWatch('/api/v1/pods', { timeoutSeconds: 1 }, () => false);
    expect(events).toEqual([]);
    expect(error).toBeNull();
  });

  it('reads logs with tailLines, limitBytes and previous', async () => {
    cluster.store.create(
      pod('worker', {
        statuses: [
          {
            name: 'main',
            restartCount: 1,
            state: { running: {} },
            lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', containerID: 'containerd://1' } },
          },
        ],
      }),
    );
    cluster.setLogs('default', 'worker', 'main', { current: 'one\ntwo\nthree\n', previous: 'killed\n' });
    const core = kc.makeApiClient(CoreV1Api);
    const read = (extra: Record<string, unknown>) =>
      core.readNamespacedPodLog({ name: 'worker', namespace: 'default', ...extra });
    expect(await read({ tailLines: 2 })).toBe('two\nthree\n');
    expect(await read({ limitBytes: 5 })).toBe('one\nt');
    expect(await read({ previous: true })).toBe('killed\n');
  });

  it('rejects a log request for a waiting container with the kubelet text', async () => {
    cluster.store.create(
      pod('pending', { statuses: [{ name: 'main', state: { waiting: { reason: 'ImagePullBackOff' } } }] }),
    );
    const core = kc.makeApiClient(CoreV1Api);
    const error = await core
      .readNamespacedPodLog({ name: 'pending', namespace: 'default' })
      .catch((e: unknown) => e);
    expect((error as ApiException<string>).code).toBe(400);
    const body = JSON.parse((error as ApiException<string>).body) as { message: string };
    expect(body.message).toBe(
      'container "main" in pod "pending" is waiting to start: trying and failing to pull image',
    );
  });
});
