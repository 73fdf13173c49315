import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig, type V1CronJob, type V1Job } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KubeApiError } from '../../src/kube/errors.ts';
import { loadKubeConfig } from '../../src/kube/kubeconfig.ts';
import { createKubeWrites } from '../../src/kube/writes.ts';
import { startSimCluster, type KubeObject, type SimCluster } from '../../src/sim/index.ts';
import type { KubeWrites } from '../../src/actions/types.ts';

const ONCALL = { user: 'slack:payments-oncall', groups: ['jobwatch:oncall', 'jobwatch:data'] };

function job(name: string, namespace = 'payments'): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace },
    spec: {
      backoffLimit: 2,
      template: {
        spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] },
      },
    },
  };
}

function cronJob(name: string, namespace = 'payments'): V1CronJob {
  const template = job(`${name}-template`, namespace);
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace },
    spec: { schedule: '0 3 * * *', jobTemplate: { ...(template.spec && { spec: template.spec }) } },
  };
}

/** A request as the recording server saw it, with every raw header line. */
interface Recorded {
  method: string;
  url: string;
  headers: [string, string][];
  body: string;
}

/**
 * Starts an HTTP server on loopback that records each request and responds with `reply`,
 * for the header lines that no API server reports back.
 */
async function startRecorder(reply: (req: Recorded) => { status: number; body: unknown }) {
  const requests: Recorded[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const headers: [string, string][] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        headers.push([req.rawHeaders[i]?.toLowerCase() ?? '', req.rawHeaders[i + 1] ?? '']);
      }
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers, body };
      requests.push(recorded);
      const { status, body: answer } = reply(recorded);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'rec', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'jobwatch', token: 'recorder-token' }],
    contexts: [{ name: 'rec', cluster: 'rec', user: 'jobwatch' }],
    currentContext: 'rec',
  });
  return {
    requests,
    writes: createKubeWrites(kc),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function headerValues(request: Recorded | undefined, name: string): string[] {
  return (request?.headers ?? []).filter(([key]) => key === name).map(([, value]) => value);
}

describe('KubeWrites request headers', () => {
  let recorder: Awaited<ReturnType<typeof startRecorder>>;

  beforeAll(async () => {
    recorder = await startRecorder((req) => {
      if (req.url.includes('/forbidden/')) {
        const message =
          'jobs.batch is forbidden: User "slack:payments-oncall" cannot create resource "jobs" ' +
          'in API group "batch" in the namespace "forbidden"';
        return {
          status: 403,
          body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason: 'Forbidden', code: 403 },
        };
      }
      const body = req.body === '' ? {} : (JSON.parse(req.body) as object);
      return { status: req.method === 'POST' ? 201 : 200, body: { apiVersion: 'batch/v1', ...body } };
    });
  });
  afterEach(() => {
    recorder.requests.length = 0;
  });
  afterAll(async () => {
    await recorder.close();
  });

  it('sends one Impersonate-Group line per group', async () => {
    await recorder.writes.createJob('payments', job('retry-1'), ONCALL);
    const [request] = recorder.requests;
    expect(headerValues(request, 'impersonate-user')).toEqual(['slack:payments-oncall']);
    expect(headerValues(request, 'impersonate-group')).toEqual(['jobwatch:oncall', 'jobwatch:data']);
  });
  it('keeps the kubeconfig token', async () => {
    await recorder.writes.createJob('payments', job('retry-2'), ONCALL);
    expect(headerValues(recorder.requests[0], 'authorization')).toEqual(['Bearer recorder-token']);
  });
  it('posts the Job to its namespace', async () => {
    const created = await recorder.writes.createJob('payments', job('retry-3'), ONCALL);
    expect(recorder.requests[0]?.method).toBe('POST');
    expect(recorder.requests[0]?.url).toBe('/apis/batch/v1/namespaces/payments/jobs');
    expect(created.metadata?.name).toBe('retry-3');
  });
  it('sends no group header for an identity without groups', async () => {
    await recorder.writes.createJob('payments', job('retry-4'), { user: 'slack:alice', groups: [] });
    expect(headerValues(recorder.requests[0], 'impersonate-user')).toEqual(['slack:alice']);
    expect(headerValues(recorder.requests[0], 'impersonate-group')).toEqual([]);
  });
  it('sends no impersonation without as', async () => {
    await recorder.writes.createJob('payments', job('retry-5'));
    expect(headerValues(recorder.requests[0], 'impersonate-user')).toEqual([]);
  });
  it('patches a CronJob with a merge patch', async () => {
    const patch = { spec: { jobTemplate: { spec: { backoffLimit: 4 } } } };
    await recorder.writes.patchCronJob('payments', 'nightly', patch, ONCALL);
    const [request] = recorder.requests;
    expect(request?.method).toBe('PATCH');
    expect(request?.url).toBe('/apis/batch/v1/namespaces/payments/cronjobs/nightly');
    expect(headerValues(request, 'content-type')).toEqual(['application/merge-patch+json']);
    expect(JSON.parse(request?.body ?? '')).toEqual(patch);
    expect(headerValues(request, 'impersonate-group')).toHaveLength(2);
  });
  it('keeps the server message of a 403', async () => {
    const error = await recorder.writes.createJob('forbidden', job('x', 'forbidden'), ONCALL).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(KubeApiError);
    const apiError = error as KubeApiError;
    expect(apiError.code).toBe(403);
    expect(apiError.reason).toBe('Forbidden');
    expect(apiError.isPermanent).toBe(true);
    expect(apiError.statusMessage).toBe(
      'jobs.batch is forbidden: User "slack:payments-oncall" cannot create resource "jobs" ' +
        'in API group "batch" in the namespace "forbidden"',
    );
    expect(apiError.object).toEqual({ kind: 'Job', namespace: 'forbidden', name: 'x' });
  });
  it('rejects a group with a line break before sending', async () => {
    const identity = { user: 'slack:alice', groups: ['a\r\nImpersonate-User: admin'] };
    await expect(recorder.writes.createJob('payments', job('y'), identity)).rejects.toThrow(/printable ASCII/);
    expect(recorder.requests).toEqual([]);
  });
});

describe('KubeWrites setup errors', () => {
  it('rejects an identity error as a plain Error', async () => {
    const recorder = await startRecorder(() => ({ status: 201, body: {} }));
    const error = await recorder.writes.createJob('payments', job('a'), { user: '', groups: [] }).catch((err: unknown) => err);
    await recorder.close();
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(KubeApiError);
  });
  it('refuses to bypass a kubeconfig proxy', async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: 'https://127.0.0.1:1', proxyUrl: 'http://127.0.0.1:2', skipTLSVerify: false }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
      currentContext: 'c',
    });
    const writes = createKubeWrites(kc);
    await expect(writes.createJob('payments', job('b'), ONCALL)).rejects.toThrow(/proxy-url/);
  });
});

describe('KubeWrites transport failure', () => {
  it('rejects a silent server as timed out', async () => {
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const kc = new KubeConfig();
    const port = (server.address() as AddressInfo).port;
    kc.loadFromOptions({
      clusters: [{ name: 's', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 's', cluster: 's', user: 'u' }],
      currentContext: 's',
    });
    const writes = createKubeWrites(kc, { timeoutMs: 50 });
    const error = await writes.createJob('payments', job('c'), ONCALL).catch((err: unknown) => err);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).reason).toBe('ETIMEDOUT');
    expect((error as KubeApiError).isPermanent).toBe(false);
  });

  it('rejects a closed port as transient', async () => {
    const recorder = await startRecorder(() => ({ status: 200, body: {} }));
    const writes = recorder.writes;
    await recorder.close();
    const error = await writes.createJob('payments', job('z'), ONCALL).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).code).toBeUndefined();
    expect((error as KubeApiError).isPermanent).toBe(false);
  });
});

describe('KubeWrites on the simulated cluster', () => {
  let sim: SimCluster;
  let writes: KubeWrites;

  beforeAll(async () => {
    sim = await startSimCluster();
    writes = createKubeWrites(loadKubeConfig({ kubeconfig: sim.kubeconfigPath }));
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('creates a Job and reads it back', async () => {
    const created = await writes.createJob('payments', job('report-retry-1'), ONCALL);
    expect(created.metadata?.uid).toBeTruthy();
    const read = await writes.getJob('payments', 'report-retry-1');
    expect(read.metadata?.uid).toBe(created.metadata?.uid);
    expect(read.spec?.backoffLimit).toBe(2);
  });
  it('merges a patch into a CronJob template', async () => {
    sim.store.create(cronJob('nightly') as unknown as KubeObject);
    const patch = { spec: { jobTemplate: { spec: { backoffLimit: 5, activeDeadlineSeconds: 600 } } } };
    const patched = await writes.patchCronJob('payments', 'nightly', patch, ONCALL);
    expect(patched.spec?.jobTemplate.spec?.backoffLimit).toBe(5);
    expect(patched.spec?.jobTemplate.spec?.activeDeadlineSeconds).toBe(600);
    // A merge patch keeps what it does not name.
    expect(patched.spec?.schedule).toBe('0 3 * * *');
    expect(patched.spec?.jobTemplate.spec?.template.spec?.containers[0]?.image).toBe('busybox');
    const read = await writes.getCronJob('payments', 'nightly');
    expect(read.spec?.jobTemplate.spec?.backoffLimit).toBe(5);
  });
  it('rejects a missing CronJob with a 404', async () => {
    const error = await writes.getCronJob('payments', 'absent').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).isNotFound).toBe(true);
    expect((error as KubeApiError).object).toEqual({ kind: 'CronJob', namespace: 'payments', name: 'absent' });
  });
  it('rejects a duplicate Job name with a 409', async () => {
    await writes.createJob('payments', job('dup'), ONCALL);
    const error = await writes.createJob('payments', job('dup'), ONCALL).catch((err: unknown) => err);
    expect((error as KubeApiError).code).toBe(409);
  });
});
