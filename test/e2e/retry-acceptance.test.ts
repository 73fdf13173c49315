import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { V1CronJob, V1Job, V1ObjectMeta } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyLimits, cronJobPatch, currentLimits, suggestLimits } from '../../src/actions/limits.ts';
import { compareQuantities, parseQuantity, quantityProblem } from '../../src/actions/quantity.ts';
import { buildRetry, type RetryPlan } from '../../src/actions/retry-job.ts';
import type { LimitValues } from '../../src/actions/types.ts';
import { DEFAULT_CEILINGS } from '../../src/config/policy.ts';
import { controlPlane, createNamespace } from './support/e2e.ts';
import type { KubeClient } from './support/kube-client.ts';

const SCENARIO_DIR = fileURLToPath(new URL('../../fixtures/scenarios/', import.meta.url));
const NOW = new Date('2026-05-04T14:00:00.000Z');
const GENERATED_LABELS = ['controller-uid', 'batch.kubernetes.io/controller-uid', 'job-name', 'batch.kubernetes.io/job-name'];

interface ScenarioJobs {
  id: string;
  job: V1Job;
  cronJob?: V1CronJob;
}

function scenarioJobs(): ScenarioJobs[] {
  const found: ScenarioJobs[] = [];
  for (const file of readdirSync(SCENARIO_DIR).filter((f) => f.endsWith('.json')).sort()) {
    const scenario = JSON.parse(readFileSync(`${SCENARIO_DIR}${file}`, 'utf8')) as { id: string; objects: Array<{ kind: string }> };
    const job = scenario.objects.find((o) => o.kind === 'Job') as V1Job | undefined;
    const cronJob = scenario.objects.find((o) => o.kind === 'CronJob') as V1CronJob | undefined;
    if (job) found.push({ id: scenario.id, job, ...(cronJob ? { cronJob } : {}) });
  }
  return found;
}

const SCENARIOS = scenarioJobs();

// Turns a scenario object back into what a client would send: no server fields, no status.
function asManifest<T extends { metadata?: V1ObjectMeta; status?: unknown }>(object: T, namespace: string): T {
  const copy = structuredClone(object);
  delete copy.status;
  const { name, labels, annotations } = copy.metadata ?? {};
  copy.metadata = { namespace, ...(name ? { name } : {}), ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) };
  return copy;
}

// The scenario's selector and generated labels carry its own uid, which the API server rejects on create.
function withoutGeneratedSelector(job: V1Job): V1Job {
  delete job.spec!.selector;
  for (const key of GENERATED_LABELS) {
    delete job.spec!.template.metadata?.labels?.[key];
    delete job.metadata?.labels?.[key];
  }
  return job;
}

async function create<T>(kube: KubeClient, path: string, body: unknown): Promise<T> {
  const response = await kube.request<T>('POST', path, body);
  expect(response.status, response.text).toBe(201);
  return response.body;
}

const jobsPath = (namespace: string): string => `/apis/batch/v1/namespaces/${namespace}/jobs`;
const cronJobsPath = (namespace: string): string => `/apis/batch/v1/namespaces/${namespace}/cronjobs`;

function plan(original: V1Job, cronJob?: V1CronJob): RetryPlan {
  return buildRetry({
    original,
    ...(cronJob ? { cronJob } : {}),
    retryNumber: 1,
    requestedBy: { id: 'U024BE7LH', name: 'Dana' },
    alertKey: 'alert-7',
    now: NOW,
  });
}

// The stored Job's spec, with the selector and labels the API server generated for it set aside.
function comparableSpec(job: V1Job): unknown {
  return withoutGeneratedSelector(structuredClone(job)).spec;
}

function expectSameQuantities(stored: LimitValues, wanted: LimitValues): void {
  expect(stored.containers.map((c) => c.name)).toEqual(wanted.containers.map((c) => c.name));
  for (const [index, container] of wanted.containers.entries()) {
    for (const group of ['requests', 'limits'] as const) {
      for (const resource of ['cpu', 'memory'] as const) {
        const want = container[group][resource];
        const got = stored.containers[index]![group][resource];
        expect(got === undefined, `${container.name} ${group}.${resource}`).toBe(want === undefined);
        if (want !== undefined && got !== undefined) {
          expect(compareQuantities(parseQuantity(got), parseQuantity(want)), `${container.name} ${group}.${resource}: ${got} vs ${want}`).toBe(0);
        }
      }
    }
  }
}

describe('retry Jobs on the real API server', () => {
  const { kube } = controlPlane();
  let namespace = '';

  beforeAll(async () => {
    namespace = await createNamespace(kube, 'retry');
  });

  afterAll(async () => {
    if (namespace) await kube.request('DELETE', `/api/v1/namespaces/${namespace}`);
  });

  async function createCronJob(cronJob: V1CronJob): Promise<V1CronJob> {
    const manifest = asManifest(cronJob, namespace);
    // Suspended so no scheduled run adds Jobs while the test works.
    manifest.spec.suspend = true;
    return create<V1CronJob>(kube, cronJobsPath(namespace), manifest);
  }

  async function createOriginal(scenario: ScenarioJobs, cronJob?: V1CronJob): Promise<V1Job> {
    const manifest = withoutGeneratedSelector(asManifest(scenario.job, namespace));
    if (cronJob) {
      const owner = { apiVersion: 'batch/v1', kind: 'CronJob', name: cronJob.metadata!.name!, uid: cronJob.metadata!.uid!, controller: true, blockOwnerDeletion: true };
      manifest.metadata!.ownerReferences = [owner];
    }
    return create<V1Job>(kube, jobsPath(namespace), manifest);
  }

  it.each(SCENARIOS.map((s) => [s.id, s] as const))('%s: original and retry are accepted', async (_id, scenario) => {
    const cronJob = scenario.cronJob ? await createCronJob(scenario.cronJob) : undefined;
    const original = await createOriginal(scenario, cronJob);
    // A controller the cluster lacks is added back only in memory, so its garbage collection cannot interfere.
    const foreignOwner = scenario.job.metadata?.ownerReferences?.find((o) => o.controller === true && o.kind !== 'CronJob');
    if (foreignOwner) original.metadata!.ownerReferences = [foreignOwner];

    const retry = plan(original, cronJob);
    const stored = await create<V1Job>(kube, jobsPath(namespace), retry.job);

    expect(stored.metadata!.name).toBe(retry.name);
    expect(stored.spec!.selector!.matchLabels!['batch.kubernetes.io/controller-uid']).toBe(stored.metadata!.uid);
    expect(stored.spec!.template.metadata!.labels!['batch.kubernetes.io/job-name']).toBe(retry.name);
    expect(stored.metadata!.annotations!['jobwatch.dev/retry-of-uid']).toBe(original.metadata!.uid);
    expect(stored.metadata!.labels!['jobwatch.dev/retry']).toBe('true');
    if (cronJob) {
      expect(retry.source).toBe('cronjob-template');
      expect(stored.metadata!.ownerReferences).toEqual([
        { apiVersion: 'batch/v1', kind: 'CronJob', name: cronJob.metadata!.name, uid: cronJob.metadata!.uid, controller: true },
      ]);
      expect(stored.metadata!.annotations!['cronjob.kubernetes.io/instantiate']).toBe('manual');
      expect(retry.templateDiffers).toEqual({ fields: [] });
    } else {
      expect(retry.source).toBe('job');
      expect(comparableSpec(stored)).toEqual(comparableSpec(original));
    }
  });
});

describe('raised limits on the real API server', () => {
  const { kube } = controlPlane();
  let namespace = '';

  beforeAll(async () => {
    namespace = await createNamespace(kube, 'limits');
  });

  afterAll(async () => {
    if (namespace) await kube.request('DELETE', `/api/v1/namespaces/${namespace}`);
  });

  it('stores a standalone retry with the raised memory limit', async () => {
    const scenario = SCENARIOS.find((s) => s.id === 'oom-previous-run-then-stale-output')!;
    const original = await create<V1Job>(kube, jobsPath(namespace), withoutGeneratedSelector(asManifest(scenario.job, namespace)));
    const before = currentLimits(original);
    const { values } = suggestLimits(before, { cause: 'oom-killed', ceiling: DEFAULT_CEILINGS });
    expect(values).not.toEqual(before);

    const retry = plan(applyLimits(original, values));
    const stored = await create<V1Job>(kube, jobsPath(namespace), retry.job);

    expectSameQuantities(currentLimits(stored), values);
    expect(currentLimits(stored)).toEqual(values);
  });

  it('patches a CronJob template and runs a retry from it', async () => {
    const scenario = SCENARIOS.find((s) => s.id === 'oom-cronjob-pod-lister-128mi')!;
    const manifest = asManifest(scenario.cronJob!, namespace);
    manifest.spec.suspend = true;
    const cronJob = await create<V1CronJob>(kube, cronJobsPath(namespace), manifest);
    const values = currentLimits(cronJob.spec.jobTemplate);
    values.containers[0]!.limits.memory = '192Mi';
    values.containers[0]!.requests.cpu = '100m';
    values.activeDeadlineSeconds = 900;

    const path = `${cronJobsPath(namespace)}/${cronJob.metadata!.name}`;
    const response = await kube.request<V1CronJob>('PATCH', path, cronJobPatch(cronJob, values), 'application/merge-patch+json');
    expect(response.status, response.text).toBe(200);
    const patched = response.body;

    expect(currentLimits(patched.spec.jobTemplate)).toEqual(values);
    expect(patched.spec.jobTemplate.spec).toEqual(applyLimits(cronJob.spec.jobTemplate, values).spec);

    const original = withoutGeneratedSelector(asManifest(scenario.job, namespace));
    original.metadata!.ownerReferences = [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cronJob.metadata!.name!, uid: cronJob.metadata!.uid!, controller: true }];
    const storedOriginal = await create<V1Job>(kube, jobsPath(namespace), original);
    const retry = plan(storedOriginal, patched);
    expect(retry.templateDiffers!.fields).toEqual([
      'spec.activeDeadlineSeconds',
      'spec.template.spec.containers[cleanup].resources.limits.memory',
      'spec.template.spec.containers[cleanup].resources.requests.cpu',
    ]);
    const stored = await create<V1Job>(kube, jobsPath(namespace), retry.job);
    expect(currentLimits(stored)).toEqual(values);
  });

  it('rejects a CronJob patch built from a stale read', async () => {
    const scenario = SCENARIOS.find((s) => s.id === 'deadline-backup-cronjob-sigkill-137')!;
    const manifest = asManifest(scenario.cronJob!, namespace);
    manifest.spec.suspend = true;
    const cronJob = await create<V1CronJob>(kube, cronJobsPath(namespace), manifest);
    const path = `${cronJobsPath(namespace)}/${cronJob.metadata!.name}`;
    const label = await kube.request('PATCH', path, { metadata: { labels: { team: 'backup' } } }, 'application/merge-patch+json');
    expect(label.status, label.text).toBe(200);

    const values = { ...currentLimits(cronJob.spec.jobTemplate), backoffLimit: 3 };
    const response = await kube.request('PATCH', path, cronJobPatch(cronJob, values), 'application/merge-patch+json');
    expect(response.status, response.text).toBe(409);
  });
});

// Quantities sent as a container's cpu and memory limit. kube-apiserver reads a bare sign, dot
// or suffix as 0, which the parser rejects on purpose, so those rows expect a disagreement.
const QUANTITIES: Array<[text: string, parserAccepts: boolean]> = [
  ['512Mi', true], ['1.5Gi', true], ['.5Gi', true], ['1.Gi', true], ['250m', true], ['1e3', true],
  ['1E3', true], ['1e+3', true], ['1e-3', true], ['1E', true], ['+1', true], ['00', true], [' 1Gi ', true],
  ['1e1000', true], ['10Ei', true], ['0.0000000001', true],
  ['2GB', false], ['1gi', false], ['1ki', false], ['1K', false], ['abc', false], ['', false], ['1e', false],
  ['1Mi1', false], ['1ee3', false], ['0x10', false], ['1_000', false], ['1.2.3', false], ['1 Gi', false],
  ['1e3Mi', false], ['2e-3m', false],
  ['+', false], ['.', false], ['Gi', false], ['e3', false],
];
const SERVER_READS_AS_ZERO = new Set(['+', '.', 'Gi', 'e3']);

describe('quantities on the real API server', () => {
  const { kube } = controlPlane();
  let namespace = '';

  beforeAll(async () => {
    namespace = await createNamespace(kube, 'quantity');
  });

  afterAll(async () => {
    if (namespace) await kube.request('DELETE', `/api/v1/namespaces/${namespace}`);
  });

  it.each(QUANTITIES)('parser and server agree on %j', async (text, parserAccepts) => {
    const container = { name: 'main', image: 'registry.example/report:1', resources: { limits: { cpu: text, memory: text } } };
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'quantity-check', namespace },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [container] } } },
    };
    const response = await kube.request('POST', `${jobsPath(namespace)}?dryRun=All`, job);
    const serverAccepts = response.status === 201;

    expect(quantityProblem(text) === undefined).toBe(parserAccepts);
    expect(serverAccepts, response.text).toBe(parserAccepts || SERVER_READS_AS_ZERO.has(text));
  });
});
