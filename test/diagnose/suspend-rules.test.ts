import type { V1Job } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose/diagnose.ts';
import { suspendedBy } from '../../src/diagnose/suspend-rules.ts';
import type { Diagnosis } from '../../src/diagnose/types.ts';
import { BACKOFF, at, buildEvent, buildJob, buildSnapshot, JOB, NAMESPACE } from './builders.ts';

function suspendedJob(labels: Record<string, string> = {}, managedFields: NonNullable<V1Job['metadata']>['managedFields'] = []): V1Job {
  const job = buildJob({ activeDeadlineSeconds: 3600 });
  job.metadata = { ...job.metadata, labels, managedFields, creationTimestamp: at(0) as unknown as Date };
  job.spec = { ...job.spec!, suspend: true };
  job.status = { conditions: [{ type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended', lastTransitionTime: at(10) as unknown as Date }] };
  return job;
}

function text(diagnosis: Diagnosis): string {
  return [diagnosis.summary, ...diagnosis.evidence.map((q) => q.text)].join('\n');
}

describe('suspended Jobs', () => {
  it('names ClusterQueue quota for a Job that Kueue never admitted', () => {
    const created = buildEvent('CreatedWorkload', `Created Workload: ${NAMESPACE}/job-${JOB}-1a2b3`, { kind: 'Job', atSeconds: 1, type: 'Normal' });
    const diagnosis = diagnose(buildSnapshot({ job: suspendedJob({ 'kueue.x-k8s.io/queue-name': 'team-a' }), events: [created] }));
    expect(diagnosis.cause).toBe('quota-exceeded');
    expect(diagnosis.confidence).toBe('medium');
    expect(diagnosis.reason).toBeNull();
    expect(diagnosis.summary).toContain('by Kueue (LocalQueue team-a) and never started');
    expect(text(diagnosis)).toContain('Suspended=True JobSuspended');
    expect(text(diagnosis)).toContain('spec.activeDeadlineSeconds: 3600 (not counting while suspended)');
    expect(diagnosis.fix).toContain(`kubectl describe workload job-${JOB}-1a2b3 -n ${NAMESPACE}`);
  });

  it('names the field manager that suspended a Job outside Kueue', () => {
    const fields = [
      { manager: 'kubectl-create', operation: 'Update', time: at(0) as unknown as Date, fieldsV1: { 'f:spec': { 'f:template': {} } } },
      { manager: 'kubectl-patch', operation: 'Update', time: at(10) as unknown as Date, fieldsV1: { 'f:spec': { 'f:suspend': {} } } },
    ];
    const diagnosis = diagnose(buildSnapshot({ job: suspendedJob({}, fields) }));
    expect(diagnosis.cause).toBe('unknown');
    expect(diagnosis.summary).toContain('suspended since 2026-01-10T02:00:10Z by kubectl-patch');
    expect(diagnosis.fix).toContain('"suspend":false');
  });

  it('takes the latest writer of spec.suspend', () => {
    const entry = (manager: string, seconds: number) => ({ manager, time: at(seconds) as unknown as Date, fieldsV1: { 'f:spec': { 'f:suspend': {} } } });
    expect(suspendedBy([entry('batch-operator', 20), entry('kubectl-patch', 5)])).toBe('batch-operator');
    expect(suspendedBy([{ manager: 'kubectl-create', fieldsV1: { 'f:spec': { 'f:parallelism': {} } } }])).toBeUndefined();
  });

  it('leaves a suspended Job that failed to the failure rules', () => {
    const job = suspendedJob({ 'kueue.x-k8s.io/queue-name': 'team-a' });
    job.status = buildJob({ failed: BACKOFF }).status!;
    const diagnosis = diagnose(buildSnapshot({ job }));
    expect(diagnosis.cause).not.toBe('quota-exceeded');
  });
});

describe('Jobs managed by another controller', () => {
  it('says where a failed MultiKueue Job ran instead of calling it unexplained', () => {
    const job = buildJob({ failed: BACKOFF });
    job.spec = { ...job.spec!, managedBy: 'kueue.x-k8s.io/multikueue' };
    const diagnosis = diagnose(buildSnapshot({ job }));
    expect(diagnosis.cause).toBe('unknown');
    expect(diagnosis.confidence).toBe('medium');
    expect(diagnosis.summary).toContain('spec.managedBy "kueue.x-k8s.io/multikueue"');
    expect(diagnosis.summary).toContain('worker cluster');
    expect(text(diagnosis)).toContain('spec.managedBy: kueue.x-k8s.io/multikueue');
    expect(diagnosis.fix).toContain('jobwatch does not retry');
  });

  it('reads a Job managed by the built-in job controller as usual', () => {
    const job = buildJob({ failed: BACKOFF });
    job.spec = { ...job.spec!, managedBy: 'kubernetes.io/job-controller' };
    expect(diagnose(buildSnapshot({ job })).summary).not.toContain('managedBy');
  });
});
