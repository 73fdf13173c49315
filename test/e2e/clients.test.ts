import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeReads } from '../../src/kube/reads.ts';
import { eventually } from '../support/harness.ts';
import { controlPlane, createJob, createNamespace, waitForJobFailed } from './support/e2e.ts';

const run = promisify(execFile);
const plane = controlPlane();
let namespace = '';

beforeAll(async () => {
  namespace = await createNamespace(plane.kube, 'clients');
});
afterAll(async () => {
  await plane.dispatcher.close();
});

function kubectl(...args: string[]) {
  return run('kubectl', ['--kubeconfig', plane.kubeconfig, '-n', namespace, ...args]);
}

describe('real clients on the control plane', () => {
  it('kubectl logs reads the fake kubelet through the API server', async () => {
    await createJob(plane.kube, { namespace, name: 'kubectl-logs', backoffLimit: 0, behaviour: { 'exit-code': '1', log: 'step 1\nerror: bucket not found\n' } });
    await waitForJobFailed(plane.kube, namespace, 'kubectl-logs');

    const { stdout } = await kubectl('logs', 'job/kubectl-logs');
    expect(stdout).toBe('step 1\nerror: bucket not found\n');
    const tail = await kubectl('logs', 'job/kubectl-logs', '--tail=1');
    expect(tail.stdout).toBe('error: bucket not found\n');
  });

  it('kubectl logs --previous reads the run before a restart', async () => {
    await createJob(plane.kube, {
      namespace,
      name: 'kubectl-previous',
      backoffLimit: 6,
      restartPolicy: 'OnFailure',
      behaviour: { 'exit-code': '1', 'run-ms': '1500', log: 'attempt log\n' },
    });
    const pod = await eventually(async () => {
      const pods = await plane.kube.call<{ items: Array<{ metadata: { name: string }; status?: { containerStatuses?: Array<{ restartCount: number }> } }> }>(
        'GET',
        `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent('job-name=kubectl-previous')}`,
      );
      const restarted = pods.items.find((p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1);
      return restarted?.metadata.name;
    }, 'a restarted pod', 30_000);

    const { stdout } = await kubectl('logs', pod, '--previous');
    expect(stdout).toBe('attempt log\n');
  });

  it('jobwatch reports previous-not-found for a container that never restarted', async () => {
    await createJob(plane.kube, { namespace, name: 'no-previous', backoffLimit: 0, behaviour: { 'exit-code': '1', log: 'once\n' } });
    await waitForJobFailed(plane.kube, namespace, 'no-previous');
    const pods = await plane.kube.call<{ items: Array<{ metadata: { name: string } }> }>(
      'GET',
      `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent('job-name=no-previous')}`,
    );
    const kc = new KubeConfig();
    kc.loadFromFile(plane.kubeconfig);
    const result = await createKubeReads(kc).readPodLog({ namespace, pod: String(pods.items[0]?.metadata.name), container: 'main', previous: true });
    expect(result).toMatchObject({ available: false, reason: 'previous-not-found' });
  });

  it('jobwatch reads an empty log for a pod that has no node', async () => {
    await plane.kube.call('POST', `/api/v1/namespaces/${namespace}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'never-scheduled' },
      spec: { schedulerName: 'absent-scheduler', containers: [{ name: 'main', image: 'registry.example/batch/report:1.4.2' }] },
    });
    const kc = new KubeConfig();
    kc.loadFromFile(plane.kubeconfig);
    const result = await createKubeReads(kc).readPodLog({ namespace, pod: 'never-scheduled', container: 'main' });
    expect(result).toEqual({ available: true, text: '', truncated: false });
  });

  it('jobwatch diagnose names the cause of a Job on the real API server', async () => {
    await createJob(plane.kube, {
      namespace,
      name: 'diagnose-oom',
      backoffLimit: 0,
      memoryLimit: '64Mi',
      behaviour: { 'exit-code': '137', reason: 'OOMKilled', log: 'loading 2 GiB of rows\n' },
    });
    await waitForJobFailed(plane.kube, namespace, 'diagnose-oom');

    const { stdout } = await run(process.execPath, ['src/cli/main.ts', 'diagnose', 'diagnose-oom', '-n', namespace, '--kubeconfig', plane.kubeconfig, '--json']);
    const diagnosis = JSON.parse(stdout) as { cause: string };
    expect(diagnosis.cause).toBe('oom-killed');
  });
});
