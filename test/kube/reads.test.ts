import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeApiError } from '../../src/kube/errors.ts';
import { loadKubeConfig } from '../../src/kube/kubeconfig.ts';
import { createKubeReads } from '../../src/kube/reads.ts';
import type { KubeReads } from '../../src/kube/reads.ts';
import { startSimCluster } from '../../src/sim/index.ts';
import type { SimCluster } from '../../src/sim/index.ts';
import { simEvent, simJob, simPod } from './sim-objects.ts';

let sim: SimCluster;
let reads: KubeReads;
let jobUid: string;

beforeAll(async () => {
  sim = await startSimCluster();
  reads = createKubeReads(loadKubeConfig({ kubeconfig: sim.kubeconfigPath }));
  const job = sim.store.create(simJob('nightly', {}, 2));
  jobUid = job.metadata.uid ?? '';
  const other = sim.store.create(simJob('other'));
  sim.store.create(simPod('nightly-1', { jobUid, nodeName: 'node-1' }));
  sim.store.create(
    simPod('nightly-2', {
      jobUid,
      nodeName: 'node-1',
      state: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error' } },
    }),
  );
  sim.store.create(simPod('other-1', { jobUid: other.metadata.uid ?? '', nodeName: 'node-1' }));
  sim.store.create(simPod('unscheduled', { jobUid }));
  sim.store.create(
    simPod('pulling', {
      jobUid,
      nodeName: 'node-1',
      state: { waiting: { reason: 'ErrImagePull' } },
    }),
  );
  sim.store.create(simPod('deleted-pod', { jobUid, nodeName: 'node-1' }));
  sim.setLogs('etl', 'deleted-pod', 'main', { current: 'gone soon\n' });
  sim.store.delete({ apiVersion: 'v1', kind: 'Pod', namespace: 'etl', name: 'deleted-pod' });
  sim.store.create(simEvent('e1', { kind: 'Job', name: 'nightly', uid: jobUid }));
  sim.store.create(simEvent('e2', { kind: 'Job', name: 'nightly', uid: 'an-older-job' }));
  sim.store.create(simEvent('e3', { kind: 'Pod', name: 'nightly' }));
  sim.store.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } });
  const log = Array.from({ length: 50 }, (_, line) => `line ${line + 1}`).join('\n') + '\n';
  sim.setLogs('etl', 'nightly-2', 'main', { current: log, previous: 'first run failed\n' });
});

afterAll(async () => {
  await sim.stop();
});

describe('KubeReads objects', () => {
  it('reads a Job', async () => {
    const job = await reads.getJob('etl', 'nightly');
    expect(job.metadata?.uid).toBe(jobUid);
    expect(job.status?.failed).toBe(2);
  });

  it('rejects a missing Job with a permanent 404', async () => {
    const error = await reads.getJob('etl', 'gone').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).isNotFound).toBe(true);
    expect((error as KubeApiError).isPermanent).toBe(true);
    expect((error as KubeApiError).message).toContain('Job etl/gone failed with 404 NotFound');
  });

  it('reads a Node', async () => {
    expect((await reads.getNode('node-1')).metadata?.name).toBe('node-1');
  });

  it('lists only the pods of one Job', async () => {
    const pods = await reads.listJobPods('etl', jobUid);
    const names = pods.map((pod) => pod.metadata?.name).sort();
    expect(names).toEqual(['nightly-1', 'nightly-2', 'pulling', 'unscheduled']);
  });

  it('lists the events of one object by kind, name and uid', async () => {
    const object = { kind: 'Job', name: 'nightly', uid: jobUid };
    const withUid = await reads.listEventsFor('etl', object);
    expect(withUid.map((event) => event.metadata.name)).toEqual(['e1']);

    const byName = await reads.listEventsFor('etl', { kind: 'Job', name: 'nightly' });
    expect(byName.map((event) => event.metadata.name).sort()).toEqual(['e1', 'e2']);
  });
});

describe('KubeReads.readPodLog', () => {
  it('applies tailLines', async () => {
    const result = await reads.readPodLog({ namespace: 'etl', pod: 'nightly-2', tailLines: 2 });
    expect(result).toEqual({ available: true, text: 'line 49\nline 50\n', truncated: false });
  });

  it('marks a log cut by limitBytes as truncated', async () => {
    const request = { namespace: 'etl', pod: 'nightly-2', container: 'main', limitBytes: 10 };
    const result = await reads.readPodLog(request);
    expect(result).toEqual({ available: true, text: 'line 1\nlin', truncated: true });
  });

  it('reads the previous instance', async () => {
    const result = await reads.readPodLog({ namespace: 'etl', pod: 'nightly-2', previous: true });
    expect(result).toMatchObject({ available: true, text: 'first run failed\n' });
  });

  const unavailable: [string, { pod: string; previous?: boolean }, string][] = [
    ['a gone pod', { pod: 'deleted-pod' }, 'pod-not-found'],
    ['a container that never ran', { pod: 'pulling' }, 'container-not-started'],
    ['a missing previous instance', { pod: 'nightly-1', previous: true }, 'previous-not-found'],
  ];
  for (const [label, request, reason] of unavailable) {
    it(`returns ${reason} for ${label}`, async () => {
      const result = await reads.readPodLog({ namespace: 'etl', ...request });
      expect(result).toMatchObject({ available: false, reason });
    });
  }

  it('reads an empty log for an unscheduled pod, as kube-apiserver answers 204', async () => {
    const result = await reads.readPodLog({ namespace: 'etl', pod: 'unscheduled' });
    expect(result).toEqual({ available: true, text: '', truncated: false });
  });

  it('throws on an invalid container name', async () => {
    const request = { namespace: 'etl', pod: 'nightly-2', container: 'sidecar' };
    const error = await reads.readPodLog(request).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).code).toBe(400);
  });
});
