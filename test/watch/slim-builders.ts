import type { SlimJob, SlimPod } from '../../src/watch/slim.ts';

/** Builds the Job `reports/nightly` (uid `job-1`) with one active pod, changed by `overrides`. */
export function job(overrides: Partial<SlimJob> = {}): SlimJob {
  return {
    uid: 'job-1', namespace: 'reports', name: 'nightly', resourceVersion: '1', createdAt: '2026-05-04T13:00:00Z',
    suspended: false, active: 1, failed: 0, succeeded: 0, complete: false, ...overrides,
  };
}

/** Builds a pod of {@link job} whose only container exited with code 1. */
export function failedPod(): SlimPod {
  return {
    uid: 'pod-1', namespace: 'reports', name: 'nightly-abcde', resourceVersion: '2', jobUid: 'job-1', jobName: 'nightly',
    createdAt: '2026-05-04T13:00:00Z', phase: 'Failed', deleting: false,
    containers: [{ name: 'main', init: false, restartCount: 0, terminated: { exitCode: 1, reason: 'Error' } }],
  };
}
