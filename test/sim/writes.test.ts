import type { V1CronJob, V1Job } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobManifest, startSimApi, type SimApi } from './sim-api.ts';

let api: SimApi;

beforeAll(async () => {
  api = await startSimApi({ runJobs: false });
});
afterAll(async () => {
  await api.stop();
});

const jobs = '/apis/batch/v1/namespaces/default/jobs';
const cronJobs = '/apis/batch/v1/namespaces/default/cronjobs';

function cronJob(name: string, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name },
    spec: {
      schedule: '0 3 * * *',
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'a:1' }] } } } },
      ...spec,
    },
  };
}

describe('Job create', () => {
  it('generates the selector and both label spellings from the uid', async () => {
    const { status, body } = await api.request<V1Job>('POST', jobs, jobManifest('gen-labels'));
    expect(status).toBe(201);
    const uid = body.metadata?.uid;
    expect(body.spec?.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
    expect(body.spec?.manualSelector).toBe(false);
    expect(body.spec?.template.metadata?.labels).toEqual({
      'batch.kubernetes.io/controller-uid': uid,
      'controller-uid': uid,
      'batch.kubernetes.io/job-name': 'gen-labels',
      'job-name': 'gen-labels',
    });
    expect(body.metadata?.labels).toEqual(body.spec?.template.metadata?.labels);
    expect(body.status).toEqual({});
  });

  it('writes spec and pod template defaults', async () => {
    const { body } = await api.request<V1Job>('POST', jobs, jobManifest('defaults'));
    expect(body.spec).toMatchObject({
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      podReplacementPolicy: 'TerminatingOrFailed',
    });
    expect(body.spec?.template.spec).toMatchObject({
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      terminationGracePeriodSeconds: 30,
      securityContext: {},
    });
    expect(body.spec?.template.spec?.containers[0]).toMatchObject({
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      imagePullPolicy: 'IfNotPresent',
      resources: {},
    });
  });

  it('keeps completions unset when only parallelism is given', async () => {
    const { body } = await api.request<V1Job>('POST', jobs, jobManifest('parallel', { parallelism: 3 }));
    expect(body.spec?.parallelism).toBe(3);
    expect(body.spec?.completions).toBeUndefined();
  });

  it('uses Failed pod replacement with a podFailurePolicy', async () => {
    const podFailurePolicy = { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] };
    const { body } = await api.request<V1Job>('POST', jobs, jobManifest('replaced', { podFailurePolicy }));
    expect(body.spec?.podReplacementPolicy).toBe('Failed');
  });

  it('rejects a missing restartPolicy with a Required cause', async () => {
    const manifest = jobManifest('no-policy', { template: { spec: { containers: [{ name: 'main', image: 'a:1' }] } } });
    const { status, body } = await api.request('POST', jobs, manifest);
    expect(status).toBe(422);
    expect(body.message).toBe(
      'Job.batch "no-policy" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
    );
    expect(body.details?.causes).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value: valid values: "OnFailure", "Never"', field: 'spec.template.spec.restartPolicy' },
    ]);
  });

  it('rejects a user selector without manualSelector', async () => {
    const template = { metadata: { labels: { app: 'x' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'a:1' }] } };
    const { status, body } = await api.request('POST', jobs, jobManifest('own-selector', { selector: { matchLabels: { app: 'x' } }, template }));
    expect(status).toBe(422);
    expect(body.details?.causes?.[0]?.field).toBe('spec.selector');
    expect(body.details?.causes?.[0]?.message).toMatch(/: `selector` not auto-generated$/);
  });

  it('rejects a name longer than a label value', async () => {
    const name = 'n'.repeat(64);
    const { status, body } = await api.request('POST', jobs, jobManifest(name));
    expect(status).toBe(422);
    expect(body.details?.causes).toEqual([
      { reason: 'FieldValueInvalid', message: `Invalid value: "${name}": must be no more than 63 bytes`, field: 'spec.template.labels' },
    ]);
  });

  it('rejects a template change of a started Job', async () => {
    await api.request('POST', jobs, jobManifest('started'));
    const patch = [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'b:2' }];
    const { status, body } = await api.request('PATCH', `${jobs}/started`, patch, { contentType: 'application/json-patch+json' });
    expect(status).toBe(422);
    expect(body.details?.causes?.map((c) => c.field)).toEqual(['spec.template']);
  });
});

describe('CronJob create', () => {
  it('writes the CronJob defaults', async () => {
    const { status, body } = await api.request<V1CronJob>('POST', cronJobs, cronJob('nightly'));
    expect(status).toBe(201);
    expect(body.spec).toMatchObject({ concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    expect(body.spec?.jobTemplate.metadata).toEqual({});
    expect(body.spec?.jobTemplate.spec?.backoffLimit).toBeUndefined();
  });

  it('rejects a schedule with six fields', async () => {
    const { status, body } = await api.request('POST', cronJobs, cronJob('six', { schedule: '* * * * * *' }));
    expect(status).toBe(422);
    expect(body.message).toBe(
      'CronJob.batch "six" is invalid: spec.schedule: Invalid value: "* * * * * *": expected exactly 5 fields, found 6: [* * * * * *]',
    );
  });

  it('accepts descriptors and names of months and weekdays', async () => {
    for (const [name, schedule] of [['daily', '@daily'], ['names', '0 3 * jan-mar mon,fri'], ['steps', '*/15 0-6/2 * * *']]) {
      const { status } = await api.request('POST', cronJobs, cronJob(name ?? '', { schedule }));
      expect(status, schedule).toBe(201);
    }
  });
});

/** A CronJob body as JSON carries it: times stay strings. */
interface ScheduledCronJob {
  spec: { schedule: string };
  status: { lastScheduleTime?: string };
}

describe('status split', () => {
  it('a spec write keeps the stored status and a status write keeps the spec', async () => {
    await api.request('POST', cronJobs, cronJob('split'));
    const merge = { contentType: 'application/merge-patch+json' };
    const statusWrite = await api.request<ScheduledCronJob>('PATCH', `${cronJobs}/split/status`, { spec: { schedule: '1 1 * * *' }, status: { lastScheduleTime: '2026-01-01T03:00:00Z' } }, merge);
    expect(statusWrite.body.spec.schedule).toBe('0 3 * * *');
    expect(statusWrite.body.status.lastScheduleTime).toBe('2026-01-01T03:00:00Z');
    const specWrite = await api.request<ScheduledCronJob>('PATCH', `${cronJobs}/split`, { spec: { schedule: '1 1 * * *' }, status: { lastScheduleTime: null } }, merge);
    expect(specWrite.body.spec.schedule).toBe('1 1 * * *');
    expect(specWrite.body.status.lastScheduleTime).toBe('2026-01-01T03:00:00Z');
  });
});

describe('delete', () => {
  it('orphans by default and returns the marked Job', async () => {
    await api.request('POST', jobs, jobManifest('orphaned'));
    const { status, body } = await api.request<V1Job>('DELETE', `${jobs}/orphaned`);
    expect(status).toBe(200);
    expect(body.metadata?.finalizers).toEqual(['orphan']);
    expect(body.metadata?.deletionTimestamp).toBeDefined();
    await expectGone(`${jobs}/orphaned`);
  });

  it('returns a Success Status for a Background delete', async () => {
    const created = await api.request<V1Job>('POST', jobs, jobManifest('background'));
    const { body } = await api.request('DELETE', `${jobs}/background`, { propagationPolicy: 'Background' });
    expect(body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: 'background', group: 'batch', kind: 'jobs', uid: created.body.metadata?.uid },
    });
  });

  it('rejects an unknown propagationPolicy', async () => {
    await api.request('POST', jobs, jobManifest('unknown-policy'));
    const { status } = await api.request('DELETE', `${jobs}/unknown-policy?propagationPolicy=Sideways`);
    expect(status).toBe(400);
  });
});

async function expectGone(path: string): Promise<void> {
  for (let i = 0; i < 50; i += 1) {
    if ((await api.request('GET', path)).status === 404) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`${path} still exists after its finalizers were removed`);
}
