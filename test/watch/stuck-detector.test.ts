import { describe, expect, it } from 'vitest';
import { jobWithoutPodsFinding, podStuckFinding } from '../../src/watch/stuck-detector.ts';
import type { SlimJob, SlimPod } from '../../src/watch/slim.ts';

const created = '2026-01-01T00:00:00Z';
const minutes = (n: number): number => Date.parse(created) + n * 60_000;
const FIVE_MIN = 5 * 60_000;

function pendingPod(overrides: Partial<SlimPod> = {}): SlimPod {
  return {
    uid: 'u', namespace: 'ns', name: 'p', resourceVersion: '1', jobUid: 'j', jobName: 'job', createdAt: created,
    phase: 'Pending', containers: [], deleting: false, ...overrides,
  };
}

describe('podStuckFinding', () => {
  it('finds a pod waiting in ImagePullBackOff past the threshold', () => {
    const pod = pendingPod({ containers: [{ name: 'c', init: false, restartCount: 0, waiting: { reason: 'ImagePullBackOff' } }] });
    expect(podStuckFinding(pod, minutes(4), FIVE_MIN)).toBeUndefined();
    expect(podStuckFinding(pod, minutes(6), FIVE_MIN)?.reason).toBe('ImagePullBackOff');
  });

  it('counts from when the waiting reason was first seen', () => {
    const pod = pendingPod({ containers: [{ name: 'c', init: false, restartCount: 0, waiting: { reason: 'CreateContainerConfigError' } }] });
    const firstSeen = new Date(minutes(3)).toISOString();
    expect(podStuckFinding(pod, minutes(6), FIVE_MIN, firstSeen)).toBeUndefined();
    expect(podStuckFinding(pod, minutes(9), FIVE_MIN, firstSeen)?.key).toBe('u.CreateContainerConfigError');
  });

  it('finds an unschedulable pod', () => {
    const pod = pendingPod({ unschedulable: { reason: 'Unschedulable', since: created } });
    expect(podStuckFinding(pod, minutes(6), FIVE_MIN)?.reason).toBe('Unschedulable');
  });

  it('ignores normal waiting reasons and running pods', () => {
    const pulling = pendingPod({ containers: [{ name: 'c', init: false, restartCount: 0, waiting: { reason: 'PodInitializing' } }] });
    expect(podStuckFinding(pulling, minutes(60), FIVE_MIN)).toBeUndefined();
    expect(podStuckFinding(pendingPod({ phase: 'Running' }), minutes(60), FIVE_MIN)).toBeUndefined();
  });
});

describe('jobWithoutPodsFinding', () => {
  const job: SlimJob = {
    uid: 'j', namespace: 'ns', name: 'job', resourceVersion: '1', createdAt: created, suspended: false,
    active: 0, failed: 0, succeeded: 0, complete: false,
  };

  it('finds a Job with no pods past the threshold, with a key per period', () => {
    expect(jobWithoutPodsFinding(job, 0, minutes(4), FIVE_MIN)).toBeUndefined();
    expect(jobWithoutPodsFinding(job, 0, minutes(6), FIVE_MIN)?.key).toBe('no-pods.1');
    expect(jobWithoutPodsFinding(job, 0, minutes(11), FIVE_MIN)?.key).toBe('no-pods.2');
  });

  it('ignores suspended Jobs and Jobs with pods', () => {
    expect(jobWithoutPodsFinding({ ...job, suspended: true }, 0, minutes(60), FIVE_MIN)).toBeUndefined();
    expect(jobWithoutPodsFinding(job, 1, minutes(60), FIVE_MIN)).toBeUndefined();
  });
});
