import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../support/harness.ts';
import { ANNOTATION } from '../support/e2e.ts';
import { expectSame, normalise } from './compare.ts';
import { strandedPod } from './manifests.ts';
import { startTwin, type Twin } from './twin.ts';

let twin: Twin;

beforeAll(async () => {
  twin = await startTwin();
});
afterAll(async () => {
  await twin.close();
});

const LOG = 'connecting to warehouse\nexporting ledger\nKeyError: ledger_id\n';

interface Pod {
  metadata: { name: string };
  spec: Record<string, unknown>;
  status?: { phase?: string };
}

/** Runs a pod on the fake kubelet and gives the simulated cluster the same pod, node and log. */
async function runPodOnBoth(ns: string, name: string): Promise<void> {
  const annotations = { [`${ANNOTATION}/exit-code`]: '1', [`${ANNOTATION}/log`]: LOG };
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, annotations }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'registry.example/app:1' }] } };
  await twin.real.call('POST', `/api/v1/namespaces/${ns}/pods`, pod);
  const done = await eventually(async () => {
    const current = await twin.real.call<Pod>('GET', `/api/v1/namespaces/${ns}/pods/${name}`);
    return current.status?.phase === 'Failed' ? current : undefined;
  }, `pod ${name} Failed on the fake kubelet`, 60_000);
  const nodeName = String(done.spec['nodeName']);
  if ((await twin.sim.request('GET', `/api/v1/nodes/${nodeName}`)).status === 404) {
    await twin.sim.call('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName } });
  }
  await twin.sim.call('POST', `/api/v1/namespaces/${ns}/pods`, { ...pod, spec: done.spec, status: done.status });
  twin.simCluster.setLogs(ns, name, 'main', { current: LOG });
}

describe('pod logs', () => {
  it('serves text/plain logs with tailLines and limitBytes', async () => {
    const ns = await twin.namespace('c-logs');
    await runPodOnBoth(ns, 'export');
    for (const query of ['', '?tailLines=2', '?limitBytes=10', '?tailLines=1&limitBytes=5', '?tailLines=0']) {
      const { real, sim } = await twin.rawGet(`/api/v1/namespaces/${ns}/pods/export/log${query}`, '*/*');
      expectSame(`GET log${query}`, real, sim);
    }
  });

  it('404 for the logs of a pod on a node that does not exist', async () => {
    const ns = await twin.namespace('c-logs-nowhere');
    await twin.callBoth('POST', `/api/v1/namespaces/${ns}/pods`, strandedPod(ns, 'stranded'));
    const { real, sim } = await twin.both('GET', `/api/v1/namespaces/${ns}/pods/stranded/log`);
    expectSame('GET log of a stranded pod', { status: real.status, body: normalise(real.body) }, { status: sim.status, body: normalise(sim.body) });
  });

  it('204 with no body for the logs of a pod that has no node', async () => {
    const ns = await twin.namespace('c-logs-gated');
    // A scheduling gate keeps the fake kubelet from binding the pod.
    const pod = strandedPod(ns, 'gated');
    pod['spec'] = { schedulingGates: [{ name: 'example.com/hold' }], containers: [{ name: 'main', image: 'registry.example/app:1' }] };
    await twin.callBoth('POST', `/api/v1/namespaces/${ns}/pods`, pod);
    const { real, sim } = await twin.rawGet(`/api/v1/namespaces/${ns}/pods/gated/log`);
    expect(real.status).toBe(204);
    expectSame('GET log of an unscheduled pod', real, sim);
  });
});
