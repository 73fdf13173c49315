import { afterEach, describe, expect, it } from 'vitest';
import type { CoreV1EventList, V1Job, V1JobCondition, V1Pod, V1PodList } from '@kubernetes/client-node';
import type { Attempt, AttemptOutcome, KubeObject } from '../../src/sim/index.ts';
import { backoffDelayMs } from '../../src/sim/job-rules.ts';
import { eventually } from '../support/harness.ts';
import { jobManifest, startSimApi, type SimApi } from './sim-api.ts';

/** Model ms per real ms: a 10 s backoff takes 1 ms, a 1 s attempt 0.1 ms. */
const timeScale = 10_000;

let api: SimApi | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

async function start(outcomes: (job: KubeObject, attempt: Attempt) => AttemptOutcome): Promise<SimApi> {
  api = await startSimApi({ timeScale, outcomes });
  return api;
}

async function finishedJob(sim: SimApi, name: string): Promise<V1Job> {
  return await eventually(async () => {
    const { body } = await sim.request<V1Job>('GET', `/apis/batch/v1/namespaces/default/jobs/${name}`);
    const conditions = body.status?.conditions ?? [];
    return conditions.some((c) => c.type === 'Complete' || c.type === 'Failed') ? body : undefined;
  }, `job ${name} to finish`);
}

/** Returns `type/reason` of each condition of a Job, in order. */
function conditionsOf(job: V1Job, format = (c: V1JobCondition) => `${c.type}/${c.reason ?? ''}`): string[] {
  return (job.status?.conditions ?? []).map(format);
}

async function eventsOf(sim: SimApi, name: string): Promise<string[]> {
  const { body } = await sim.request<CoreV1EventList>('GET', '/api/v1/namespaces/default/events');
  return body.items
    .filter((e) => e.involvedObject.name === name)
    .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
    .map((e) => `${e.reason ?? ''}: ${e.message ?? ''}`);
}

async function podsOf(sim: SimApi, name: string): Promise<V1Pod[]> {
  const { body } = await sim.request<V1PodList>('GET', `/api/v1/namespaces/default/pods?labelSelector=job-name%3D${name}`);
  return body.items;
}

/** Returns the exit code of the first container of a pod that ended. */
function exitCodeOf(pod: V1Pod): number | undefined {
  return pod.status?.containerStatuses?.[0]?.state?.terminated?.exitCode;
}

describe('simulated job controller', () => {
  it('completes a Job whose pod succeeds', async () => {
    const sim = await start(() => ({ exitCode: 0, durationMs: 1000, log: 'report written\n' }));
    await sim.request('POST', '/apis/batch/v1/namespaces/default/jobs', jobManifest('report'));
    const job = await finishedJob(sim, 'report');
    expect(conditionsOf(job)).toEqual(['SuccessCriteriaMet/CompletionsReached', 'Complete/CompletionsReached']);
    expect(job.status?.succeeded).toBe(1);
    expect(job.status?.completionTime).toBeDefined();
    expect(job.status?.startTime).toBeDefined();
    const events = await eventsOf(sim, 'report');
    expect(events[0]).toMatch(/^SuccessfulCreate: Created pod: report-[a-z0-9]{5}$/);
    expect(events.at(-1)).toBe('Completed: Job completed');
    const [pod] = await podsOf(sim, 'report');
    expect(pod?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Job', name: 'report', uid: job.metadata?.uid, controller: true });
    expect(pod?.metadata?.finalizers ?? []).toEqual([]);
    expect(pod?.metadata?.labels?.['batch.kubernetes.io/controller-uid']).toBe(job.metadata?.uid);
    expect(pod?.status?.phase).toBe('Succeeded');
    const log = await fetch(`${sim.cluster.url}/api/v1/namespaces/default/pods/${pod?.metadata?.name ?? ''}/log`, {
      headers: { authorization: `Bearer ${sim.cluster.token}` },
    });
    expect(await log.text()).toBe('report written\n');
  });

  it('fails a Job after backoffLimit + 1 failed pods', async () => {
    const attempts: Attempt[] = [];
    const sim = await start((_job, attempt) => {
      attempts.push(attempt);
      return { exitCode: 2, durationMs: 1000, log: 'boom\n' };
    });
    await sim.request('POST', '/apis/batch/v1/namespaces/default/jobs', jobManifest('flaky', { backoffLimit: 2 }));
    const job = await finishedJob(sim, 'flaky');
    expect(job.status?.failed).toBe(3);
    expect(conditionsOf(job)).toEqual(['FailureTarget/BackoffLimitExceeded', 'Failed/BackoffLimitExceeded']);
    expect(attempts.map((a) => a.number)).toEqual([1, 2, 3]);
    const events = await eventsOf(sim, 'flaky');
    expect(events.filter((e) => e.startsWith('SuccessfulCreate'))).toHaveLength(3);
    expect(events.at(-1)).toBe('BackoffLimitExceeded: Job has reached the specified backoff limit');
    const pods = await podsOf(sim, 'flaky');
    expect(pods.map(exitCodeOf)).toEqual([2, 2, 2]);
  });

  it('ends a Job past activeDeadlineSeconds and deletes its pod', async () => {
    const sim = await start(() => ({ exitCode: 0, durationMs: 3_600_000 }));
    await sim.request('POST', '/apis/batch/v1/namespaces/default/jobs', jobManifest('slow', { activeDeadlineSeconds: 60 }));
    const job = await finishedJob(sim, 'slow');
    expect(conditionsOf(job)).toEqual(['FailureTarget/DeadlineExceeded', 'Failed/DeadlineExceeded']);
    expect(job.status?.failed).toBe(1);
    const events = await eventsOf(sim, 'slow');
    expect(events.map((e) => e.split(':')[0])).toEqual(['SuccessfulCreate', 'SuccessfulDelete', 'DeadlineExceeded']);
    expect(await podsOf(sim, 'slow')).toEqual([]);
  });

  it('fails a Job at once on a FailJob exit code rule', async () => {
    const sim = await start(() => ({ exitCode: 42, durationMs: 1000 }));
    const podFailurePolicy = { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] };
    await sim.request('POST', '/apis/batch/v1/namespaces/default/jobs', jobManifest('strict', { podFailurePolicy }));
    const job = await finishedJob(sim, 'strict');
    expect(job.status?.failed).toBe(1);
    const failed = job.status?.conditions?.find((c) => c.type === 'Failed');
    expect(failed?.reason).toBe('PodFailurePolicy');
    expect(failed?.message).toMatch(/^Container main for pod default\/strict-[a-z0-9]{5} failed with exit code 42 matching FailJob rule at index 0$/);
  });

  it('does not count failures an Ignore rule matches', async () => {
    const sim = await start((_job, attempt) => (attempt.number === 1 ? { exitCode: 143, durationMs: 1000 } : { exitCode: 0, durationMs: 1000 }));
    const podFailurePolicy = { rules: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [143] } }] };
    await sim.request('POST', '/apis/batch/v1/namespaces/default/jobs', jobManifest('tolerant', { backoffLimit: 0, podFailurePolicy }));
    const job = await finishedJob(sim, 'tolerant');
    expect(conditionsOf(job, (c) => c.type)).toContain('Complete');
    expect(job.status?.failed).toBeUndefined();
    expect(job.status?.succeeded).toBe(1);
  });

  it('restarts the container in place under OnFailure and counts restarts', async () => {
    const attempts: Attempt[] = [];
    const sim = await start((_job, attempt) => {
      attempts.push(attempt);
      return { exitCode: 1, durationMs: 1000, log: `attempt ${attempt.number}\n` };
    });
    const template = { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'main', image: 'registry.example/app:1' }] } };
    await sim.request('POST', '/apis/batch/v1/namespaces/default/jobs', jobManifest('looping', { backoffLimit: 2, template }));
    const job = await finishedJob(sim, 'looping');
    expect(conditionsOf(job).at(-1)).toBe('Failed/BackoffLimitExceeded');
    expect(attempts.map((a) => a.number).slice(0, 2)).toEqual([1, 2]);
    const events = await eventsOf(sim, 'looping');
    expect(events.filter((e) => e.startsWith('SuccessfulCreate'))).toHaveLength(1);
    expect(events.filter((e) => e.startsWith('SuccessfulDelete'))).toHaveLength(1);
  });

  it('leaves Jobs written straight into the store alone', async () => {
    const sim = await start(() => ({ exitCode: 0, durationMs: 1000 }));
    sim.cluster.store.create({ ...jobManifest('played'), status: {} });
    await sim.request('POST', '/apis/batch/v1/namespaces/default/jobs', jobManifest('posted'));
    await finishedJob(sim, 'posted');
    expect(await podsOf(sim, 'played')).toEqual([]);
  });
});

describe('pod re-creation backoff', () => {
  it('doubles from 10 s and stops at 6 minutes', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((failures) => backoffDelayMs(failures))).toEqual([
      0, 10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 360_000,
    ]);
  });

  it('caps container restarts at the given maximum', () => {
    expect(backoffDelayMs(10, 300_000)).toBe(300_000);
  });
});

describe('deleting a running Job', () => {
  const forever = () => ({ exitCode: 0, durationMs: 3_600_000 });

  async function runningJob(sim: SimApi, name: string): Promise<void> {
    await sim.request('POST', '/apis/batch/v1/namespaces/default/jobs', jobManifest(name));
    await eventually(async () => ((await podsOf(sim, name))[0]?.status?.phase === 'Running' ? true : undefined), `pod of ${name} to run`);
  }

  async function expectNoPods(sim: SimApi, name: string): Promise<void> {
    await eventually(async () => ((await podsOf(sim, name)).length === 0 ? true : undefined), `pods of ${name} to go`);
  }

  it('Background removes the Job at once and then its pods', async () => {
    const sim = await start(forever);
    await runningJob(sim, 'bg');
    const { body } = await sim.request('DELETE', '/apis/batch/v1/namespaces/default/jobs/bg', { propagationPolicy: 'Background' });
    expect(body.status).toBe('Success');
    await expectNoPods(sim, 'bg');
  });

  it('Foreground keeps the Job until its pods are gone', async () => {
    const sim = await start(forever);
    await runningJob(sim, 'fg');
    const { body } = await sim.request<V1Job>('DELETE', '/apis/batch/v1/namespaces/default/jobs/fg', { propagationPolicy: 'Foreground' });
    expect(body.metadata?.finalizers).toEqual(['foregroundDeletion']);
    await expectNoPods(sim, 'fg');
    await eventually(async () => ((await sim.request('GET', '/apis/batch/v1/namespaces/default/jobs/fg')).status === 404 ? true : undefined), 'job fg to go');
  });

  it('Orphan keeps the pods without owner reference or tracking finalizer', async () => {
    const sim = await start(forever);
    await runningJob(sim, 'orphan');
    await sim.request('DELETE', '/apis/batch/v1/namespaces/default/jobs/orphan', { propagationPolicy: 'Orphan' });
    const [pod] = await eventually(async () => {
      const pods = await podsOf(sim, 'orphan');
      return pods.length === 1 && (pods[0]?.metadata?.finalizers ?? []).length === 0 ? pods : undefined;
    }, 'the orphaned pod to be released');
    expect(pod?.metadata?.ownerReferences ?? []).toEqual([]);
    expect((await sim.request('GET', '/apis/batch/v1/namespaces/default/jobs/orphan')).status).toBe(404);
  });
});

describe('suspended Jobs', () => {
  it('marks a suspended Job and runs it once resumed', async () => {
    const sim = await start(() => ({ exitCode: 0, durationMs: 1000 }));
    await sim.request('POST', '/apis/batch/v1/namespaces/default/jobs', jobManifest('held', { suspend: true }));
    await eventually(async () => {
      const { body } = await sim.request<V1Job>('GET', '/apis/batch/v1/namespaces/default/jobs/held');
      return body.status?.conditions?.[0]?.reason === 'JobSuspended' ? true : undefined;
    }, 'job held to be marked suspended');
    expect(await podsOf(sim, 'held')).toEqual([]);
    await sim.request('PATCH', '/apis/batch/v1/namespaces/default/jobs/held', { spec: { suspend: false } }, { contentType: 'application/merge-patch+json' });
    const job = await finishedJob(sim, 'held');
    expect(conditionsOf(job, (c) => `${c.type}/${c.status}/${c.reason ?? ''}`)).toEqual([
      'Suspended/False/JobResumed',
      'SuccessCriteriaMet/True/CompletionsReached',
      'Complete/True/CompletionsReached',
    ]);
    expect((await eventsOf(sim, 'held')).map((e) => e.split(':')[0])).toEqual(['Suspended', 'Resumed', 'SuccessfulCreate', 'Completed']);
  });
});
