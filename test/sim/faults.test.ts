import { ApiException, BatchV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimCluster, type SimCluster } from '../../src/sim/index.ts';
import { job } from './builders.ts';

let cluster: SimCluster;
let batch: BatchV1Api;

beforeEach(async () => {
  cluster = await startSimCluster({ bookmarkIntervalMs: 20 });
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  batch = kc.makeApiClient(BatchV1Api);
});

afterEach(async () => {
  await cluster.stop();
});

/** Sends a raw watch request and returns the response once its headers arrive. */
async function openWatch(query: string): Promise<Response> {
  return await fetch(`${cluster.url}/apis/batch/v1/jobs?watch=true&${query}`);
}

async function readAll(response: Response): Promise<string[]> {
  const text = await response.text();
  return text.split('\n').filter((line) => line !== '');
}

describe('SimFaults', () => {
  it('fails the next matching requests with the given status, then recovers', async () => {
    cluster.faults.failNext('/apis/batch/v1/namespaces/*/jobs', { code: 500, count: 2 });
    const attempt = () => batch.listNamespacedJob({ namespace: 'default' }).then(
      () => 200,
      (error: unknown) => (error as ApiException<string>).code,
    );
    expect(await attempt()).toBe(500);
    expect(await attempt()).toBe(500);
    expect(await attempt()).toBe(200);
    expect(cluster.faults.requestCount('/apis/batch/v1/namespaces/*/jobs')).toBe(3);
  });

  it('sends a Status body with the reason for the code', async () => {
    cluster.faults.failNext(/\/jobs$/, { code: 403 });
    const error = (await batch.listJobForAllNamespaces().catch((e: unknown) => e)) as ApiException<string>;
    expect(error.code).toBe(403);
    expect(JSON.parse(error.body)).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
  });

  it('counts watch requests apart from lists by query pattern', async () => {
    await batch.listJobForAllNamespaces();
    const response = await openWatch('timeoutSeconds=1');
    await response.text();
    expect(cluster.faults.requestCount(/\/apis\/batch\/v1\/jobs\?.*watch=true/)).toBe(1);
    expect(cluster.faults.requestCount('/apis/batch/v1/jobs')).toBe(2);
  });

  it('hangs new watches without bookmarks until released', async () => {
    cluster.store.create(job('a'));
    cluster.faults.hangWatches();
    const response = await openWatch('allowWatchBookmarks=true');
    expect(response.status).toBe(200);
    cluster.store.create(job('b'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    cluster.faults.releaseWatches();
    expect(await readAll(response)).toEqual([]);
  });

  it('closes open watches cleanly on demand', async () => {
    cluster.store.create(job('a'));
    const response = await openWatch('');
    const lines = readAll(response);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(cluster.faults.closeWatches()).toBe(1);
    const events = (await lines).map((line) => JSON.parse(line) as { type: string });
    expect(events.map((e) => e.type)).toEqual(['ADDED']);
  });

  it('restart with renumber makes a held resourceVersion expire', async () => {
    const held = cluster.store.create(job('a')).metadata.resourceVersion ?? '';
    cluster.faults.restart({ renumber: true });
    const response = await openWatch(`resourceVersion=${held}`);
    const [line, ...rest] = await readAll(response);
    expect(rest).toEqual([]);
    expect(JSON.parse(line ?? '{}')).toMatchObject({
      type: 'ERROR',
      object: { kind: 'Status', code: 410, reason: 'Expired' },
    });
    const listed = await batch.listJobForAllNamespaces();
    expect(Number(listed.items[0]?.metadata?.resourceVersion)).toBeGreaterThan(Number(held));
  });

  it('delays matching requests by the set latency', async () => {
    cluster.faults.setLatency(300, '/apis/batch/v1/jobs');
    const order: string[] = [];
    const slow = batch.listJobForAllNamespaces().then(() => order.push('delayed'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const fast = batch.listNamespacedJob({ namespace: 'default' }).then(() => order.push('plain'));
    await Promise.all([slow, fast]);
    expect(order).toEqual(['plain', 'delayed']);
  });
});
