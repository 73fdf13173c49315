import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimCluster, type SimCluster } from '../../src/sim/index.ts';
import type { KubeObject } from '../../src/sim/resources.ts';
import { event, job, pod } from './builders.ts';

const kubectlPath = '/usr/bin/kubectl';
let cluster: SimCluster;
let cacheDir: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectl(...args: string[]): Promise<Run> {
  const full = ['--kubeconfig', cluster.kubeconfigPath, '--cache-dir', cacheDir, ...args];
  return new Promise((resolve) => {
    execFile(kubectlPath, full, { timeout: 20_000 }, (error, stdout, stderr) => {
      let code = 0;
      if (error !== null) code = typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

function failedJob(): KubeObject {
  const base = job('report');
  return {
    ...base,
    metadata: { ...base.metadata, uid: 'job-uid-1' },
    spec: {
      backoffLimit: 0,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'job-uid-1' } },
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } },
    },
    status: {
      failed: 1,
      startTime: '2026-01-01T00:00:00Z',
      conditions: [
        { type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' },
        { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' },
      ],
    },
  };
}

beforeAll(async () => {
  cluster = await startSimCluster();
  cacheDir = await mkdtemp(join(tmpdir(), 'jobwatch-kubectl-cache-'));
  const created = cluster.store.create(failedJob());
  const labels = { 'batch.kubernetes.io/controller-uid': 'job-uid-1', 'job-name': 'report' };
  const worker = cluster.store.create(
    pod('report-x7k2p', {
      labels,
      phase: 'Failed',
      statuses: [
        {
          name: 'main',
          restartCount: 1,
          state: { terminated: { exitCode: 1, reason: 'Error', containerID: 'containerd://2' } },
          lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', containerID: 'containerd://1' } },
        },
      ],
    }),
  );
  cluster.store.create(pod('unrelated', { labels: { app: 'web' } }));
  cluster.store.create(event('report.1', created, 'BackoffLimitExceeded', 'Warning'));
  cluster.store.create(event('report-x7k2p.1', worker, 'OOMKilling', 'Warning'));
  cluster.setLogs('default', 'report-x7k2p', 'main', {
    current: 'start\nstep 2\nfailed: boom\n',
    previous: 'start\nout of memory\n',
  });
});

afterAll(async () => {
  await cluster.stop();
  await rm(cacheDir, { recursive: true, force: true });
});

describe('real kubectl against the simulated cluster', () => {
  it('get jobs -A prints the failed job as a table', async () => {
    const run = await kubectl('get', 'jobs', '-A');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^NAMESPACE\s+NAME\s+STATUS\s+COMPLETIONS/);
    expect(run.stdout).toMatch(/default\s+report\s+Failed\s+0\/1/);
  });

  it('get pods -l selects the job pods only', async () => {
    const run = await kubectl('get', 'pods', '-l', 'batch.kubernetes.io/controller-uid=job-uid-1');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('report-x7k2p');
    expect(run.stdout).not.toContain('unrelated');
  });

  it('describe job shows its pods status and events', async () => {
    const run = await kubectl('describe', 'job', 'report');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Pods Statuses:\s+0 Active .*\/ 0 Succeeded \/ 1 Failed/);
    expect(run.stdout).toMatch(/Warning\s+BackoffLimitExceeded/);
    expect(run.stdout).not.toContain('OOMKilling');
  });

  it('describe pod shows last state and its own events', async () => {
    const run = await kubectl('describe', 'pod', 'report-x7k2p');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Last State:\s+Terminated\s+Reason:\s+OOMKilled/);
    expect(run.stdout).toMatch(/Warning\s+OOMKilling/);
  });

  it('logs honours --tail and --previous', async () => {
    const tail = await kubectl('logs', 'report-x7k2p', '--tail', '1');
    expect(tail.stdout).toBe('failed: boom\n');
    const previous = await kubectl('logs', 'report-x7k2p', '--previous');
    expect(previous.stdout).toBe('start\nout of memory\n');
  });

  it('get on a missing job prints the NotFound error', async () => {
    const run = await kubectl('get', 'job', 'missing');
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe('Error from server (NotFound): jobs.batch "missing" not found');
  });

  it('get jobs --watch prints a change after the initial rows', async () => {
    const args = ['--kubeconfig', cluster.kubeconfigPath, '--cache-dir', cacheDir, 'get', 'jobs', '--watch'];
    const child = spawn(kubectlPath, args);
    let output = '';
    const sawNewJob = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('report')) cluster.store.apply(job('nightly'));
        if (output.includes('nightly')) resolve();
      });
    });
    await sawNewJob;
    child.kill('SIGTERM');
    expect(output.indexOf('report')).toBeLessThan(output.indexOf('nightly'));
  });
});
