import type { V1Job } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { slimJob, type SlimJob } from '../../src/watch/slim.ts';
import { jobWithoutPodsFinding, SUSPENDED_REASON, suspendedJobFinding } from '../../src/watch/stuck-detector.ts';

const created = '2026-01-01T00:00:00Z';
const minutes = (n: number): number => Date.parse(created) + n * 60_000;
const FIVE_MIN = 5 * 60_000;

function job(overrides: Partial<SlimJob> = {}): SlimJob {
  return {
    uid: 'j', namespace: 'ns', name: 'train', resourceVersion: '1', createdAt: created,
    suspended: true, active: 0, failed: 0, succeeded: 0, complete: false, ...overrides,
  };
}

function rawJob(spec: Partial<NonNullable<V1Job['spec']>>, conditions: NonNullable<V1Job['status']>['conditions'] = []): V1Job {
  return {
    metadata: { uid: 'j', namespace: 'ns', name: 'train', resourceVersion: '1', creationTimestamp: new Date(created) },
    spec: { template: {}, ...spec },
    status: { conditions },
  };
}

describe('suspendedJobFinding', () => {
  it('finds a Job suspended past the threshold since its Suspended condition', () => {
    const suspended = job({ suspendedSince: '2026-01-01T00:03:00Z' });
    expect(suspendedJobFinding(suspended, minutes(7), FIVE_MIN)).toBeUndefined();
    const finding = suspendedJobFinding(suspended, minutes(8), FIVE_MIN);
    expect(finding?.reason).toBe(SUSPENDED_REASON);
    expect(finding?.since).toBe('2026-01-01T00:03:00Z');
    expect(finding?.key).toBe('suspended.2026-01-01T00:03:00Z');
  });

  it('counts from creation for a Job created suspended without a condition yet', () => {
    expect(suspendedJobFinding(job(), minutes(6), FIVE_MIN)?.since).toBe(created);
  });

  it('ignores running, finished and failed Jobs', () => {
    const failure = { type: 'Failed', reason: 'DeadlineExceeded', message: '', at: created };
    expect(suspendedJobFinding(job({ suspended: false }), minutes(60), FIVE_MIN)).toBeUndefined();
    expect(suspendedJobFinding(job({ complete: true }), minutes(60), FIVE_MIN)).toBeUndefined();
    expect(suspendedJobFinding(job({ failure }), minutes(60), FIVE_MIN)).toBeUndefined();
  });
});

describe('jobWithoutPodsFinding for other controllers', () => {
  it('expects no pods from a Job that spec.managedBy hands to another controller', () => {
    const managed = job({ suspended: false, managedBy: 'kueue.x-k8s.io/multikueue' });
    expect(jobWithoutPodsFinding(managed, 0, minutes(60), FIVE_MIN)).toBeUndefined();
    expect(jobWithoutPodsFinding(job({ suspended: false }), 0, minutes(60), FIVE_MIN)?.reason).toBe('NoPods');
  });
});

describe('slimJob suspension fields', () => {
  it('keeps the Suspended condition time of a suspended Job', () => {
    const condition = { type: 'Suspended', status: 'True', reason: 'JobSuspended', lastTransitionTime: new Date('2026-01-01T00:02:00Z') };
    expect(slimJob(rawJob({ suspend: true }, [condition])).suspendedSince).toBe('2026-01-01T00:02:00.000Z');
  });

  it('drops the condition time once the Job is resumed', () => {
    const condition = { type: 'Suspended', status: 'True', reason: 'JobSuspended', lastTransitionTime: new Date('2026-01-01T00:02:00Z') };
    expect(slimJob(rawJob({ suspend: false }, [condition])).suspendedSince).toBeUndefined();
  });

  it('keeps spec.managedBy only when it names another controller', () => {
    expect(slimJob(rawJob({ managedBy: 'kueue.x-k8s.io/multikueue' })).managedBy).toBe('kueue.x-k8s.io/multikueue');
    expect(slimJob(rawJob({ managedBy: 'kubernetes.io/job-controller' })).managedBy).toBeUndefined();
  });
});
