import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimCluster, type AttemptOutcome } from '../../../src/sim/index.ts';
import type { KubeObject } from '../../../src/sim/resources.ts';
import { eventually } from '../../support/harness.ts';
import { controlPlane } from '../support/e2e.ts';
import { createKubeClient, type KubeResponse } from '../support/kube-client.ts';
import { expectSame, normalise, type NormaliseOptions } from './compare.ts';
import { startTwin, type Twin, type TwinResponse } from './twin.ts';

let twin: Twin;

const kubeletAnnotation = 'fake-kubelet.jobwatch.dev';

/**
 * Returns the outcome the fake kubelet gives a pod of `job` from its template annotations
 * (`exit-code`, `reason`, `run-ms`, `log`), so both servers run the same Job the same way.
 */
function annotatedOutcome(job: KubeObject): AttemptOutcome {
  const annotations = (at(job, 'spec', 'template', 'metadata', 'annotations') ?? {}) as Record<string, string>;
  const read = (key: string) => annotations[`${kubeletAnnotation}/${key}`];
  const runMs = read('run-ms');
  const exitCode = Number(read('exit-code') ?? 0);
  const reason = read('reason');
  const log = read('log');
  return {
    exitCode,
    durationMs: runMs === 'forever' ? 3_600_000 : Number(runMs ?? 300),
    ...(reason === undefined ? {} : { reason }),
    ...(log === undefined ? {} : { log }),
  };
}

beforeAll(async () => {
  twin = await startTwin({ outcomes: annotatedOutcome });
});
afterAll(async () => {
  await twin.close();
});

type Fields = Record<string, unknown>;

/** Reads `object.a.b…` of a JSON value; `undefined` when a step is missing. */
function at(object: unknown, ...path: string[]): unknown {
  return path.reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Fields)[key] : undefined), object);
}

/** Returns a normalised body without the managedFields that only the real server records. */
function comparable(body: unknown, options: NormaliseOptions = {}): unknown {
  const copy = structuredClone(body);
  const metadata = at(copy, 'metadata');
  if (metadata !== undefined) delete (metadata as Fields)['managedFields'];
  return normalise(copy, options);
}

/** Lists the dotted paths at which two JSON values differ, so a failure names each field. */
function differences(real: unknown, sim: unknown, path = ''): string[] {
  if (JSON.stringify(real) === JSON.stringify(sim)) return [];
  const bothObjects = real !== null && sim !== null && typeof real === 'object' && typeof sim === 'object';
  if (!bothObjects) return [`${path}: real ${JSON.stringify(real)} | sim ${JSON.stringify(sim)}`];
  const keys = new Set([...Object.keys(real), ...Object.keys(sim)]);
  return [...keys].flatMap((key) => differences((real as Fields)[key], (sim as Fields)[key], `${path}.${key}`));
}

function expectSameResponse(what: string, response: TwinResponse, options: NormaliseOptions = {}): void {
  const real = comparable(response.real.body, options);
  const sim = comparable(response.sim.body, options);
  expect(differences(real, sim), what).toEqual([]);
  expectSame(
    what,
    { code: response.real.status, body: comparable(response.real.body, options) },
    { code: response.sim.status, body: comparable(response.sim.body, options) },
  );
}

function job(name: string, spec: Fields = {}, metadata: Fields = {}): Fields {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, ...metadata },
    spec: {
      suspend: true,
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'main',
              image: 'registry.example/batch/report:1.4.2',
              env: [{ name: 'MODE', value: 'full' }],
              ports: [{ containerPort: 8080 }],
            },
            { name: 'sidecar', image: 'registry.example/proxy' },
          ],
        },
      },
      ...spec,
    },
  };
}

function cronJob(name: string, spec: Fields = {}): Fields {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name },
    spec: {
      schedule: '0 3 * * *',
      suspend: true,
      jobTemplate: {
        spec: {
          template: {
            spec: {
              restartPolicy: 'Never',
              containers: [{ name: 'main', image: 'registry.example/batch/report:1.4.2', env: [{ name: 'MODE', value: 'full' }] }],
              volumes: [{ name: 'scratch', emptyDir: {} }],
              tolerations: [{ key: 'batch', operator: 'Exists' }],
            },
          },
        },
      },
      ...spec,
    },
  };
}

const jobsPath = (ns: string) => `/apis/batch/v1/namespaces/${ns}/jobs`;
const cronJobsPath = (ns: string) => `/apis/batch/v1/namespaces/${ns}/cronjobs`;

/**
 * Creates a suspended Job on both servers and waits until each job controller has marked
 * it suspended, so later responses do not depend on how soon a controller ran.
 */
async function createSuspendedJob(ns: string, name: string): Promise<void> {
  await twin.callBoth('POST', jobsPath(ns), job(name));
  await eventually(async () => {
    const { real, sim } = await twin.callBoth<Fields>('GET', `${jobsPath(ns)}/${name}`);
    const suspended = (body: Fields) => ((at(body, 'status', 'conditions') ?? []) as Fields[]).some((c) => c['type'] === 'Suspended');
    return suspended(real) && suspended(sim);
  }, `job ${name} to be marked suspended on both servers`);
}

describe('Job create', () => {
  it('writes the same defaults, selector and labels', async () => {
    const ns = await twin.namespace('c-w-job');
    expectSameResponse('POST job', await twin.both('POST', jobsPath(ns), job('nightly')));
  });

  it('keeps a manual selector and the Job labels', async () => {
    const ns = await twin.namespace('c-w-manual');
    const manual = job('manual', {
      manualSelector: true,
      selector: { matchLabels: { app: 'report' } },
      template: { metadata: { labels: { app: 'report' } }, spec: { restartPolicy: 'OnFailure', containers: [{ name: 'main', image: 'registry.example/a:latest' }] } },
    }, { labels: { team: 'data' } });
    expectSameResponse('POST job with manualSelector', await twin.both('POST', jobsPath(ns), manual));
  });

  it('writes counts, policies and pod defaults of a fuller spec', async () => {
    const ns = await twin.namespace('c-w-full');
    const full = job('full', {
      parallelism: 2,
      activeDeadlineSeconds: 600,
      podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] },
    });
    (at(full, 'spec', 'template', 'spec') as Fields)['volumes'] = [
      { name: 'config', configMap: { name: 'report-config' } },
      { name: 'creds', secret: { secretName: 'report-creds' } },
    ];
    expectSameResponse('POST job with policies', await twin.both('POST', jobsPath(ns), full));
  });

  const invalid: [string, Fields][] = [
    ['no restartPolicy', job('bad', { template: { spec: { containers: [{ name: 'main', image: 'a:1' }] } } })],
    ['restartPolicy Always', job('bad', { template: { spec: { restartPolicy: 'Always', containers: [{ name: 'main', image: 'a:1' }] } } })],
    ['no containers', job('bad', { template: { spec: { restartPolicy: 'Never', containers: [] } } })],
    ['a container without an image', job('bad', { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main' }] } } })],
    ['a selector without manualSelector', job('bad', {
      selector: { matchLabels: { app: 'x' } },
      template: { metadata: { labels: { app: 'x' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'a:1' }] } },
    })],
    ['a manual selector that misses the template', job('bad', {
      manualSelector: true,
      selector: { matchLabels: { app: 'x' } },
      template: { metadata: { labels: { app: 'y' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'a:1' }] } },
    })],
    ['an invalid name', job('Bad_Name')],
    ['a name too long for the job-name label', job('a'.repeat(64))],
    ['invalid label values', job('bad', {
      template: { metadata: { labels: { tier: 'bad value' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'a:1' }] } },
    }, { labels: { owner: '-x-' } })],
    ['a negative backoffLimit', job('bad', { backoffLimit: -1 })],
  ];
  for (const [what, manifest] of invalid) {
    it(`rejects ${what} with the same 422`, async () => {
      const ns = await twin.namespace('c-w-invalid');
      expectSameResponse(`POST job with ${what}`, await twin.both('POST', jobsPath(ns), manifest));
    });
  }
});

describe('CronJob create', () => {
  it('writes the same defaults', async () => {
    const ns = await twin.namespace('c-w-cron');
    expectSameResponse('POST cronjob', await twin.both('POST', cronJobsPath(ns), cronJob('nightly')));
  });

  const invalid: [string, Fields][] = [
    ['an unparsable schedule', cronJob('bad', { schedule: 'bogus' })],
    ['six schedule fields', cronJob('bad', { schedule: '* * * * * *' })],
    ['a minute out of range', cronJob('bad', { schedule: '61 * * * *' })],
    ['no schedule and no restartPolicy', { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'bad' }, spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'main', image: 'a:1' }] } } } } } }],
    ['no jobTemplate', { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'bad' }, spec: { schedule: '@daily' } }],
    ['an unknown time zone', cronJob('bad', { timeZone: 'Mars/Base' })],
    ['a name over 52 characters', cronJob('a'.repeat(53))],
  ];
  for (const [what, manifest] of invalid) {
    it(`rejects ${what} with the same 422`, async () => {
      const ns = await twin.namespace('c-w-cron-invalid');
      expectSameResponse(`POST cronjob with ${what}`, await twin.both('POST', cronJobsPath(ns), manifest));
    });
  }
});

describe('patches', () => {
  const merge = 'application/merge-patch+json';
  const strategic = 'application/strategic-merge-patch+json';
  const jsonPatch = 'application/json-patch+json';

  async function patchCronJob(stem: string, body: unknown, contentType: string, path = ''): Promise<TwinResponse> {
    const ns = await twin.namespace(stem);
    await twin.callBoth('POST', cronJobsPath(ns), cronJob('nightly'));
    return await twin.both('PATCH', `${cronJobsPath(ns)}/nightly${path}`, body, contentType);
  }

  it('merge patch of metadata and spec', async () => {
    const body = { metadata: { labels: { team: 'data' }, annotations: { note: 'x' } }, spec: { schedule: '30 4 * * *', suspend: null } };
    expectSameResponse('merge patch', await patchCronJob('c-w-merge', body, merge));
  });

  it('strategic merge of containers, env and volumes by name', async () => {
    const body = {
      spec: {
        jobTemplate: {
          spec: {
            template: {
              spec: {
                containers: [
                  { name: 'main', env: [{ name: 'EXTRA', value: '1' }, { name: 'MODE', value: 'quick' }] },
                  { name: 'sidecar', image: 'registry.example/proxy:2' },
                ],
                volumes: [{ name: 'cache', emptyDir: {} }],
                tolerations: [{ key: 'gpu', operator: 'Exists' }],
              },
            },
          },
        },
      },
    };
    expectSameResponse('strategic merge patch', await patchCronJob('c-w-smp', body, strategic));
  });

  it('strategic merge deletes a list item with $patch', async () => {
    const body = { spec: { jobTemplate: { spec: { template: { spec: { volumes: [{ name: 'scratch', $patch: 'delete' }] } } } } } };
    expectSameResponse('strategic merge delete', await patchCronJob('c-w-smp-del', body, strategic));
  });

  it('JSON patch of the container image', async () => {
    const body = [
      { op: 'replace', path: '/spec/jobTemplate/spec/template/spec/containers/0/image', value: 'registry.example/batch/report:2' },
      { op: 'add', path: '/metadata/labels', value: { team: 'data' } },
    ];
    expectSameResponse('JSON patch', await patchCronJob('c-w-jsonpatch', body, jsonPatch));
  });

  it('a status patch keeps the spec', async () => {
    const body = { spec: { schedule: '1 1 * * *' }, status: { lastScheduleTime: '2026-01-01T03:00:00Z' } };
    expectSameResponse('status patch', await patchCronJob('c-w-status', body, merge, '/status'));
  });

  it('a spec patch keeps the status', async () => {
    const body = { spec: { schedule: '1 1 * * *' }, status: { lastScheduleTime: '2026-01-01T03:00:00Z' } };
    expectSameResponse('spec patch with status', await patchCronJob('c-w-nostatus', body, merge));
  });

  it('an invalid schedule in a patch gets the same 422', async () => {
    expectSameResponse('patch bad schedule', await patchCronJob('c-w-badpatch', { spec: { schedule: 'nope' } }, merge));
  });

  it('strategic merge and JSON patch of Job metadata', async () => {
    const ns = await twin.namespace('c-w-job-meta');
    await createSuspendedJob(ns, 'nightly');
    const path = `${jobsPath(ns)}/nightly`;
    const annotate = { metadata: { annotations: { 'jobwatch.dev/retry-of': 'nightly-0' }, finalizers: ['example.com/hold'] } };
    expectSameResponse('job strategic merge patch', await twin.both('PATCH', path, annotate, strategic));
    const relabel = [{ op: 'add', path: '/metadata/labels/team', value: 'data' }, { op: 'remove', path: '/metadata/finalizers' }];
    expectSameResponse('job JSON patch', await twin.both('PATCH', path, relabel, jsonPatch));
  });

  it('merge patch of Job labels and the parallelism', async () => {
    const ns = await twin.namespace('c-w-job-patch');
    await createSuspendedJob(ns, 'nightly');
    const body = { metadata: { labels: { team: 'data' } }, spec: { parallelism: 3 } };
    expectSameResponse('job merge patch', await twin.both('PATCH', `${jobsPath(ns)}/nightly`, body, merge));
  });
});

describe('delete', () => {
  const createBoth = createSuspendedJob;

  it('orphans by default for a Job', async () => {
    const ns = await twin.namespace('c-w-del-default');
    await createBoth(ns, 'nightly');
    expectSameResponse('DELETE job', await twin.both('DELETE', `${jobsPath(ns)}/nightly`));
  });

  it('answers a Background delete with a Success Status', async () => {
    const ns = await twin.namespace('c-w-del-bg');
    await createBoth(ns, 'nightly');
    const response = await twin.both('DELETE', `${jobsPath(ns)}/nightly`, { propagationPolicy: 'Background' });
    expectSameResponse('DELETE job in background', response);
  });

  it('marks a Foreground delete with its finalizer', async () => {
    const ns = await twin.namespace('c-w-del-fg');
    await createBoth(ns, 'nightly');
    const response = await twin.both('DELETE', `${jobsPath(ns)}/nightly`, { propagationPolicy: 'Foreground' });
    expectSameResponse('DELETE job in foreground', response);
  });

  it('rejects a delete whose uid precondition fails', async () => {
    const ns = await twin.namespace('c-w-del-pre');
    await createBoth(ns, 'nightly');
    const body = { preconditions: { uid: '00000000-0000-0000-0000-000000000000' } };
    expectSameResponse('DELETE with a stale uid', await twin.both('DELETE', `${jobsPath(ns)}/nightly`, body));
  });

  async function runningPods(ns: string, name: string): Promise<{ real: Fields[]; sim: Fields[] }> {
    const running = job(name, { suspend: false });
    (at(running, 'spec', 'template') as Fields)['metadata'] = { annotations: { 'fake-kubelet.jobwatch.dev/run-ms': 'forever' } };
    await twin.callBoth('POST', jobsPath(ns), running);
    return await eventually(async () => {
      const path = `/api/v1/namespaces/${ns}/pods?labelSelector=job-name%3D${name}`;
      const { real, sim } = await twin.callBoth<{ items: Fields[] }>('GET', path);
      return real.items.length === 1 && sim.items.length === 1 ? { real: real.items, sim: sim.items } : undefined;
    }, 'one pod of each Job');
  }

  async function podsAfter(ns: string, name: string): Promise<{ real: Fields[]; sim: Fields[] }> {
    const path = `/api/v1/namespaces/${ns}/pods?labelSelector=job-name%3D${name}`;
    const { real, sim } = await twin.callBoth<{ items: Fields[] }>('GET', path);
    return { real: real.items, sim: sim.items };
  }

  it('Background removes the pods of the Job', async () => {
    const ns = await twin.namespace('c-w-del-pods');
    await runningPods(ns, 'worker');
    await twin.callBoth('DELETE', `${jobsPath(ns)}/worker`, { propagationPolicy: 'Background' });
    await eventually(async () => {
      const pods = await podsAfter(ns, 'worker');
      return pods.real.length === 0 && pods.sim.length === 0;
    }, 'the pods of both Jobs to go');
  });

  it('Orphan keeps the pods without owner or finalizer', async () => {
    const ns = await twin.namespace('c-w-del-orphan');
    await runningPods(ns, 'worker');
    await twin.callBoth('DELETE', `${jobsPath(ns)}/worker`, { propagationPolicy: 'Orphan' });
    const pods = await eventually(async () => {
      const found = await podsAfter(ns, 'worker');
      const released = (pod: Fields) =>
        at(pod, 'metadata', 'ownerReferences') === undefined && ((at(pod, 'metadata', 'finalizers') ?? []) as string[]).length === 0;
      return found.real.every(released) && found.sim.every(released) ? found : undefined;
    }, 'both pods to be orphaned');
    expect(pods.real).toHaveLength(1);
    expect(pods.sim).toHaveLength(1);
    const jobs = await twin.both('GET', `${jobsPath(ns)}/worker`);
    expect(jobs.real.status).toBe(404);
    expect(jobs.sim.status).toBe(404);
  });
});

describe('authorization', () => {
  const caller = { real: 'system:serviceaccount', sim: 'system:admin' };

  it('403 bodies for an impersonated user', async () => {
    const plane = controlPlane();
    const sim = await startSimCluster({ authorize: (a) => a.verb === 'impersonate' || a.user === 'system:admin' });
    const simAgent = new Agent();
    try {
      const headers = { 'impersonate-user': 'alice', 'impersonate-group': 'devs' };
      const real = createKubeClient(plane.server, plane.dispatcher, headers);
      const simClient = createKubeClient(sim.url, simAgent, { ...headers, authorization: `Bearer ${sim.token}` });
      const ns = await twin.namespace('c-w-forbid');
      const requests: [string, string, unknown?, string?][] = [
        ['POST', jobsPath(ns), job('nightly')],
        ['GET', `${jobsPath(ns)}/nightly`],
        ['GET', '/apis/batch/v1/jobs'],
        ['GET', `/api/v1/namespaces/${ns}/pods/nightly-x/log`],
        ['PATCH', `${jobsPath(ns)}/nightly/status`, { status: {} }, 'application/merge-patch+json'],
        ['DELETE', `${cronJobsPath(ns)}/nightly`],
        ['GET', '/api/v1/namespaces'],
      ];
      for (const [method, path, body, contentType] of requests) {
        const response = { real: await real.request(method, path, body, contentType), sim: await simClient.request(method, path, body, contentType) };
        expectSameResponse(`${method} ${path} as alice`, response);
      }
    } finally {
      await sim.stop();
      await simAgent.close();
      await plane.dispatcher.close();
    }
  });

  it('403 bodies for a first impersonation denial', async () => {
    const plane = controlPlane();
    const ns = await twin.namespace('c-w-imp');
    await plane.kube.call('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'bot' } });
    const tokenRequest = await plane.kube.call<{ status: { token: string } }>(
      'POST',
      `/api/v1/namespaces/${ns}/serviceaccounts/bot/token`,
      { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} },
    );
    const realAgent = new Agent({ connect: { ca: readFileSync(join(plane.pki, 'ca.crt')) } });
    const sim = await startSimCluster({ authorize: (a) => a.verb !== 'impersonate' });
    const simAgent = new Agent();
    const realCaller = `system:serviceaccount:${ns}:bot`;
    const options = { replace: { [realCaller]: '<caller>', [caller.sim]: '<caller>' } };
    try {
      const headers = { 'impersonate-user': 'alice' };
      const real = createKubeClient(plane.server, realAgent, { ...headers, authorization: `Bearer ${tokenRequest.status.token}` });
      const simClient = createKubeClient(sim.url, simAgent, { ...headers, authorization: `Bearer ${sim.token}` });
      const both = async (path: string): Promise<{ real: KubeResponse; sim: KubeResponse }> => ({
        real: await real.request('GET', path),
        sim: await simClient.request('GET', path),
      });
      expectSameResponse('GET jobs impersonating without the right', await both(jobsPath(ns)), options);
      expectSameResponse('GET nodes impersonating without the right', await both('/api/v1/nodes'), options);
      const groupOnly = createKubeClient(plane.server, plane.dispatcher, { 'impersonate-group': 'devs' });
      const simGroupOnly = createKubeClient(sim.url, simAgent, { 'impersonate-group': 'devs', authorization: `Bearer ${sim.token}` });
      expectSameResponse('GET jobs impersonating a group alone', {
        real: await groupOnly.request('GET', jobsPath(ns)),
        sim: await simGroupOnly.request('GET', jobsPath(ns)),
      });
    } finally {
      await sim.stop();
      await simAgent.close();
      await realAgent.close();
      await plane.dispatcher.close();
    }
  });
  it('403 body for a later impersonation denial', async () => {
    const plane = controlPlane();
    const ns = await twin.namespace('c-w-imp-legacy');
    const admin = plane.kube;

    await admin.call('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'bot' } });
    const role = `impersonate-alice-${ns}`;
    await admin.call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: role },
      rules: [{ apiGroups: [''], resources: ['users'], verbs: ['impersonate'], resourceNames: ['alice'] }],
    });
    await admin.call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: role },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
      subjects: [{ kind: 'ServiceAccount', name: 'bot', namespace: ns }],
    });

    const tokenRequest = await admin.call<{ status: { token: string } }>(
      'POST',
      `/api/v1/namespaces/${ns}/serviceaccounts/bot/token`,
      { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} },
    );

    const realAgent = new Agent({ connect: { ca: readFileSync(join(plane.pki, 'ca.crt')) } });
    const sim = await startSimCluster({ authorize: (a) => (a.verb === 'impersonate' ? a.name === 'alice' : a.user === 'system:admin') });
    const simAgent = new Agent();
    const options = { replace: { [`system:serviceaccount:${ns}:bot`]: '<caller>', 'system:admin': '<caller>' } };
    try {
      const as = (user: string) => ({
        real: createKubeClient(plane.server, realAgent, { 'impersonate-user': user, authorization: `Bearer ${tokenRequest.status.token}` }),
        sim: createKubeClient(sim.url, simAgent, { 'impersonate-user': user, authorization: `Bearer ${sim.token}` }),
      });
      const both = async (user: string): Promise<{ real: KubeResponse; sim: KubeResponse }> => {
        const clients = as(user);
        return { real: await clients.real.request('GET', jobsPath(ns)), sim: await clients.sim.request('GET', jobsPath(ns)) };
      };
      // RBAC bindings take effect a moment after they are written, so wait for alice to work.
      const impersonatesAlice = async () => (await both('alice')).real.text.includes('User \\"alice\\" cannot list');
      await eventually(async () => (await impersonatesAlice()) || undefined, 'the impersonation binding to apply');
      expectSameResponse('GET jobs as alice', await both('alice'), options);
      expectSameResponse('GET jobs as bob after impersonating alice', await both('bob'), options);
    } finally {
      await admin.request('DELETE', `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${role}`);
      await admin.request('DELETE', `/apis/rbac.authorization.k8s.io/v1/clusterroles/${role}`);
      await sim.stop();
      await simAgent.close();
      await realAgent.close();
      await plane.dispatcher.close();
    }
  });
});

describe('job controller', () => {
  const podName = /-[bcdfghjklmnpqrstvwxz2456789]{5}\b/g;

  function runningJob(name: string, annotations: Record<string, string>, spec: Fields = {}): Fields {
    const manifest = job(name, { suspend: false, ...spec });
    const prefixed = Object.fromEntries(Object.entries(annotations).map(([key, value]) => [`${kubeletAnnotation}/${key}`, value]));
    (at(manifest, 'spec', 'template') as Fields)['metadata'] = { annotations: prefixed };
    return manifest;
  }

  async function finished(ns: string, name: string): Promise<{ real: Fields; sim: Fields }> {
    return await eventually(async () => {
      const { real, sim } = await twin.callBoth<Fields>('GET', `${jobsPath(ns)}/${name}`);
      const done = (body: Fields) =>
        ((at(body, 'status', 'conditions') ?? []) as Fields[]).some((c) => c['type'] === 'Complete' || c['type'] === 'Failed');
      return done(real) && done(sim) ? { real, sim } : undefined;
    }, `job ${name} to finish on both servers`);
  }

  /** Returns `reason: message` of the Job's events, pod names replaced, in a stable order. */
  async function eventsOf(ns: string, name: string): Promise<{ real: string[]; sim: string[] }> {
    const { real, sim } = await twin.callBoth<{ items: Fields[] }>('GET', `/api/v1/namespaces/${ns}/events`);
    const lines = (items: Fields[]) =>
      items
        .filter((event) => at(event, 'involvedObject', 'name') === name)
        .map((event) => `${String(event['reason'])}: ${String(event['message'])}`.replace(podName, '-<pod>'))
        .sort();
    return { real: lines(real.items), sim: lines(sim.items) };
  }

  async function expectSameRun(stem: string, manifest: Fields): Promise<void> {
    const ns = await twin.namespace(stem);
    const name = String(at(manifest, 'metadata', 'name'));
    await twin.callBoth('POST', jobsPath(ns), manifest);
    const jobs = await finished(ns, name);
    const status = (body: Fields) => JSON.parse(JSON.stringify(normalise(at(body, 'status'))).replace(podName, '-<pod>')) as unknown;
    expect(differences(status(jobs.real), status(jobs.sim)), `status of ${name}`).toEqual([]);
    await eventually(async () => {
      const events = await eventsOf(ns, name);
      return events.real.length === events.sim.length || undefined;
    }, `the events of ${name} on both servers`);
    const events = await eventsOf(ns, name);
    expect(events.sim, `events of ${name}`).toEqual(events.real);
  }

  it('completes a Job whose pod succeeds', async () => {
    await expectSameRun('c-w-ctl-ok', runningJob('report', { 'run-ms': '200' }));
  });

  it('fails a Job at its backoff limit', async () => {
    await expectSameRun('c-w-ctl-fail', runningJob('report', { 'run-ms': '200', 'exit-code': '2' }, { backoffLimit: 0 }));
  });

  it('fails a Job on a FailJob rule', async () => {
    const podFailurePolicy = { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] };
    await expectSameRun('c-w-ctl-pfp', runningJob('report', { 'run-ms': '200', 'exit-code': '42' }, { podFailurePolicy }));
  });

  it('fails a Job past its deadline', async () => {
    await expectSameRun('c-w-ctl-deadline', runningJob('report', { 'run-ms': 'forever' }, { activeDeadlineSeconds: 1 }));
  });
});

