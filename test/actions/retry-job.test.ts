import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { V1CronJob, V1Job } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { buildRetry, diffTemplate, retryName, type RetryInput } from '../../src/actions/retry-job.ts';

const SCENARIO_DIR = fileURLToPath(new URL('../../fixtures/scenarios/', import.meta.url));
const NOW = new Date('2026-05-04T14:00:00.000Z');

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
const CRON_SCENARIOS = SCENARIOS.filter((s) => s.cronJob !== undefined);

function input(original: V1Job, overrides: Partial<RetryInput> = {}): RetryInput {
  return { original, retryNumber: 1, requestedBy: { id: 'U024BE7LH', name: 'Dana' }, alertKey: 'alert-7', now: NOW, ...overrides };
}

function provenance(original: V1Job, retryNumber = 1): Record<string, string> {
  return {
    'jobwatch.dev/retry-of': original.metadata!.name!,
    'jobwatch.dev/retry-of-uid': original.metadata!.uid!,
    'jobwatch.dev/requested-by': 'U024BE7LH',
    'jobwatch.dev/requested-by-name': 'Dana',
    'jobwatch.dev/requested-at': '2026-05-04T14:00:00.000Z',
    'jobwatch.dev/alert': 'alert-7',
    'jobwatch.dev/retry-number': String(retryNumber),
  };
}

const GENERATED = ['controller-uid', 'batch.kubernetes.io/controller-uid', 'job-name', 'batch.kubernetes.io/job-name'];

// The expected retry, written out path by path apart from the code under test.
function expectedFromJob(original: V1Job, name: string): V1Job {
  const job = structuredClone(original) as V1Job & { status?: unknown };
  delete job.status;
  const meta = job.metadata!;
  for (const key of ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'finalizers'] as const) {
    delete meta[key];
  }
  const owners = (meta.ownerReferences ?? []).filter((o) => o.kind !== 'CronJob');
  if (owners.length > 0) meta.ownerReferences = owners;
  else delete meta.ownerReferences;
  if (meta.annotations) delete meta.annotations['kubectl.kubernetes.io/last-applied-configuration'];
  if (job.spec!.manualSelector !== true) {
    delete job.spec!.selector;
    for (const key of GENERATED) {
      delete job.spec!.template.metadata?.labels?.[key];
      delete meta.labels?.[key];
    }
  }
  meta.name = name;
  meta.annotations = { ...meta.annotations, ...provenance(original) };
  meta.labels = { ...meta.labels, 'jobwatch.dev/retry': 'true' };
  return job;
}

describe('buildRetry on every scenario Job', () => {
  it.each(SCENARIOS.map((s) => [s.id, s] as const))('%s: copies the spec minus server fields', (_id, scenario) => {
    const plan = buildRetry(input(scenario.job));
    const name = retryName(scenario.job.metadata!.name!, 1);
    expect(plan.source).toBe('job');
    expect(plan.name).toBe(name);
    expect(plan.job).toEqual(expectedFromJob(scenario.job, name));
  });

  it.each(CRON_SCENARIOS.map((s) => [s.id, s] as const))('%s: uses the CronJob template', (_id, scenario) => {
    const cronJob = scenario.cronJob!;
    const plan = buildRetry(input(scenario.job, { cronJob }));
    const template = cronJob.spec.jobTemplate;
    expect(plan.source).toBe('cronjob-template');
    expect(plan.refusal).toBeUndefined();
    expect(plan.job).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: plan.name,
        namespace: cronJob.metadata!.namespace,
        labels: { ...template.metadata?.labels, 'jobwatch.dev/retry': 'true' },
        annotations: {
          'cronjob.kubernetes.io/instantiate': 'manual',
          ...template.metadata?.annotations,
          ...provenance(scenario.job),
        },
        ownerReferences: [
          { apiVersion: 'batch/v1', kind: 'CronJob', name: cronJob.metadata!.name, uid: cronJob.metadata!.uid, controller: true },
        ],
      },
      spec: template.spec,
    });
  });

  it.each(CRON_SCENARIOS.map((s) => [s.id, s] as const))('%s: finds no template change', (_id, scenario) => {
    const plan = buildRetry(input(scenario.job, { cronJob: scenario.cronJob! }));
    expect(plan.templateDiffers).toEqual({ fields: [] });
  });

  it('leaves the original Job unchanged', () => {
    const original = SCENARIOS[0]!.job;
    const before = JSON.stringify(original);
    buildRetry(input(original));
    expect(JSON.stringify(original)).toBe(before);
  });
});

describe('buildRetry refusals and warnings from scenarios', () => {
  const byId = (id: string): ScenarioJobs => SCENARIOS.find((s) => s.id === id)!;

  it('rejects a Job another controller owns', () => {
    const plan = buildRetry(input(byId('operator-setup-job-image-missing-repository').job, { cluster: 'prod-eu' }));
    expect(plan.refusal).toMatch(/^Job \S+ in cluster prod-eu is controlled by WorkflowCluster /);
  });

  it('warns that Helm does not track a hook copy', () => {
    const plan = buildRetry(input(byId('helm-pre-install-hook-exec-format-error').job));
    expect(plan.refusal).toBeUndefined();
    expect(plan.warnings).toEqual([expect.stringMatching(/^the Job is a Helm hook \(helm\.sh\/hook: pre-install,pre-upgrade\); Helm will not track/)]);
  });

  it('warns when the owning CronJob is gone', () => {
    const scenario = CRON_SCENARIOS[0]!;
    const plan = buildRetry(input(scenario.job));
    expect(plan.source).toBe('job');
    expect(plan.job.metadata!.ownerReferences).toBeUndefined();
    expect(plan.warnings).toEqual([expect.stringMatching(/^CronJob \S+ was not found/)]);
  });

  it('warns when the CronJob was re-created', () => {
    const scenario = CRON_SCENARIOS[0]!;
    const cronJob = structuredClone(scenario.cronJob!);
    cronJob.metadata!.uid = 'a0f1c2d3-0000-4000-8000-000000000001';
    const plan = buildRetry(input(scenario.job, { cronJob }));
    expect(plan.source).toBe('cronjob-template');
    expect(plan.warnings).toEqual([expect.stringMatching(/was re-created after this run/)]);
    expect(plan.job.metadata!.ownerReferences![0]!.uid).toBe('a0f1c2d3-0000-4000-8000-000000000001');
  });
});

function plainJob(overrides: (job: V1Job) => void = () => undefined): V1Job {
  const job: V1Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'report', namespace: 'reports', uid: '5d4c7e9a-1111-4b22-8c33-0123456789ab', labels: {}, annotations: {} },
    spec: {
      backoffLimit: 1,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': '5d4c7e9a-1111-4b22-8c33-0123456789ab' } },
      template: {
        metadata: { labels: { app: 'report', 'controller-uid': '5d4c7e9a-1111-4b22-8c33-0123456789ab', 'job-name': 'report' } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'registry.example/report:1' }] },
      },
    },
  };
  overrides(job);
  return job;
}

describe('buildRetry edge cases', () => {
  it('keeps selector and labels of a manual selector', () => {
    const original = plainJob((job) => {
      job.spec!.manualSelector = true;
      job.spec!.selector = { matchLabels: { app: 'report', 'job-name': 'report' } };
    });
    const plan = buildRetry(input(original));
    expect(plan.job.spec!.selector).toEqual({ matchLabels: { app: 'report', 'job-name': 'report' } });
    expect(plan.job.spec!.template.metadata!.labels).toEqual(original.spec!.template.metadata!.labels);
    expect(plan.warnings).toEqual([expect.stringMatching(/spec\.manualSelector/)]);
  });

  it('drops finalizers and the last-applied annotation', () => {
    const original = plainJob((job) => {
      job.metadata!.finalizers = ['foregroundDeletion', 'example.com/audit'];
      job.metadata!.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': '{}', team: 'data' };
    });
    const plan = buildRetry(input(original));
    expect(plan.job.metadata!.finalizers).toBeUndefined();
    expect(plan.job.metadata!.annotations!['kubectl.kubernetes.io/last-applied-configuration']).toBeUndefined();
    expect(plan.job.metadata!.annotations!['team']).toBe('data');
  });

  it('keeps owner references that are not controllers', () => {
    const owner = { apiVersion: 'v1', kind: 'ConfigMap', name: 'report-run', uid: '0b9d7c3e-2222-4c44-9d55-0123456789ab' };
    const plan = buildRetry(input(plainJob((job) => (job.metadata!.ownerReferences = [owner]))));
    expect(plan.refusal).toBeUndefined();
    expect(plan.job.metadata!.ownerReferences).toEqual([owner]);
  });

  it('rejects spec.managedBy of another controller', () => {
    const plan = buildRetry(input(plainJob((job) => (job.spec!.managedBy = 'kueue.x-k8s.io/multikueue'))));
    expect(plan.refusal).toMatch(/spec\.managedBy "kueue\.x-k8s\.io\/multikueue"/);
  });

  it('accepts spec.managedBy of the built-in controller', () => {
    const plan = buildRetry(input(plainJob((job) => (job.spec!.managedBy = 'kubernetes.io/job-controller'))));
    expect(plan.refusal).toBeUndefined();
    expect(plan.job.spec!.managedBy).toBe('kubernetes.io/job-controller');
  });

  it.each([
    ['workflows.argoproj.io/workflow', 'Argo Workflows'],
    ['tekton.dev/taskRun', 'Tekton'],
  ])('rejects a Job labelled %s', (label, engine) => {
    const plan = buildRetry(input(plainJob((job) => (job.metadata!.labels = { [label]: 'nightly-x2' }))));
    expect(plan.refusal).toContain(`is a step of ${engine} (label ${label}=nightly-x2)`);
  });

  it('warns that Kueue queues the retry', () => {
    const plan = buildRetry(input(plainJob((job) => (job.metadata!.labels = { 'kueue.x-k8s.io/queue-name': 'batch' }))));
    expect(plan.refusal).toBeUndefined();
    expect(plan.warnings).toEqual([expect.stringMatching(/queued by Kueue \(queue batch\)/)]);
  });

  it('keeps spec.suspend true and warns', () => {
    const plan = buildRetry(input(plainJob((job) => (job.spec!.suspend = true))));
    expect(plan.job.spec!.suspend).toBe(true);
    expect(plan.warnings).toEqual([expect.stringMatching(/created suspended/)]);
  });

  it('rejects an original with only generateName', () => {
    const plan = buildRetry(input(plainJob((job) => {
      delete job.metadata!.name;
      job.metadata!.generateName = 'report-';
    })));
    expect(plan.refusal).toMatch(/no metadata\.name, only generateName "report-"/);
    expect(plan.name).toBe('report-retry-1');
  });

  it('throws on a retry number below 1', () => {
    expect(() => buildRetry(input(plainJob(), { retryNumber: 0 }))).toThrow(/retryNumber must be a whole number from 1, got 0/);
  });

  it('omits the requester name when unknown', () => {
    const plan = buildRetry(input(plainJob(), { requestedBy: { id: 'U024BE7LH' } }));
    expect(plan.job.metadata!.annotations!['jobwatch.dev/requested-by-name']).toBeUndefined();
    expect(plan.job.metadata!.annotations!['jobwatch.dev/requested-by']).toBe('U024BE7LH');
  });
});

describe('retryName', () => {
  it('appends the retry number', () => {
    expect(retryName('report', 1)).toBe('report-retry-1');
  });

  it('replaces an earlier retry suffix', () => {
    expect(retryName('report-retry-1', 2)).toBe('report-retry-2');
    expect(retryName('report-retry-12', 13)).toBe('report-retry-13');
  });

  it('keeps retry inside a longer name', () => {
    expect(retryName('retry-queue-drain', 1)).toBe('retry-queue-drain-retry-1');
  });

  it('cuts long names to 63 characters', () => {
    const name = retryName('a'.repeat(70), 3);
    expect(name).toHaveLength(63);
    expect(name.endsWith('-retry-3')).toBe(true);
  });

  it('leaves no dash or dot before the suffix', () => {
    const base = `${'a'.repeat(53)}-.-b`;
    const name = retryName(base, 1);
    expect(name).toBe(`${'a'.repeat(53)}-retry-1`);
  });
});

describe('diffTemplate', () => {
  const scenario = CRON_SCENARIOS.find((s) => s.id === 'oom-cronjob-pod-lister-128mi')!;

  it('lists changed template fields by path', () => {
    const template = structuredClone(scenario.cronJob!.spec.jobTemplate.spec!);
    const container = template.template.spec!.containers[0]!;
    container.image = 'registry.example.com/ci/stale-runner-cleanup:0.9.2';
    container.resources!.limits!['memory'] = '256Mi';
    template.backoffLimit = 4;
    expect(diffTemplate(scenario.job.spec, template)).toEqual([
      'spec.backoffLimit',
      'spec.template.spec.containers[cleanup].image',
      'spec.template.spec.containers[cleanup].resources.limits.memory',
    ]);
  });

  it('lists added and removed containers', () => {
    const template = structuredClone(scenario.cronJob!.spec.jobTemplate.spec!);
    template.template.spec!.containers.push({ name: 'proxy', image: 'registry.example/proxy:2' });
    expect(diffTemplate(scenario.job.spec, template)).toEqual(['spec.template.spec.containers[proxy]']);
  });

  it('ignores server defaults and copied requests', () => {
    const jobSpec = structuredClone(scenario.job.spec!);
    const template = structuredClone(scenario.cronJob!.spec.jobTemplate.spec!);
    delete template.template.spec!.containers[0]!.resources!.requests;
    jobSpec.template.spec!.containers[0]!.resources!.requests = { cpu: '200m', memory: '128Mi' };
    expect(diffTemplate(jobSpec, template)).toEqual([]);
  });

  it('reports a Job value that differs from the default', () => {
    const jobSpec = structuredClone(scenario.job.spec!);
    jobSpec.parallelism = 3;
    expect(diffTemplate(jobSpec, scenario.cronJob!.spec.jobTemplate.spec)).toEqual(['spec.parallelism']);
  });
});
