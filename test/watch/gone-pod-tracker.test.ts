import { describe, expect, it } from 'vitest';
import { GONE_POD_GRACE_MS, GonePodTracker } from '../../src/watch/gone-pod-tracker.ts';
import type { SlimJob } from '../../src/watch/slim.ts';

const T0 = Date.parse('2026-05-04T13:00:00Z');

function job(overrides: Partial<SlimJob> = {}): SlimJob {
  return {
    uid: 'job-1', namespace: 'batch', name: 'nightly', resourceVersion: '1', createdAt: '2026-05-04T12:00:00Z',
    suspended: false, active: 1, failed: 1, succeeded: 0, complete: false, ...overrides,
  };
}

describe('GonePodTracker', () => {
  it('returns nothing within the grace period', () => {
    const tracker = new GonePodTracker();
    tracker.observe(job(), T0);
    expect(tracker.unexplained(job(), T0 + GONE_POD_GRACE_MS - 1)).toBeUndefined();
  });

  it('returns the failed count once the grace period has passed', () => {
    const tracker = new GonePodTracker();
    tracker.observe(job(), T0);
    expect(tracker.unexplained(job(), T0 + GONE_POD_GRACE_MS)).toBe(1);
  });

  it('returns nothing when a failed pod was seen for each failure', () => {
    const tracker = new GonePodTracker();
    tracker.podFailed('job-1', 'pod-1');
    tracker.observe(job(), T0);
    expect(tracker.unexplained(job(), T0 + GONE_POD_GRACE_MS)).toBeUndefined();
  });

  it('returns nothing once a late pod update explains the count', () => {
    const tracker = new GonePodTracker();
    tracker.observe(job(), T0);
    tracker.podFailed('job-1', 'pod-1');
    expect(tracker.unexplained(job(), T0 + GONE_POD_GRACE_MS)).toBeUndefined();
  });

  it('leaves out Jobs that failed or completed', () => {
    const tracker = new GonePodTracker();
    tracker.observe(job(), T0);
    const failure = { type: 'Failed', reason: 'BackoffLimitExceeded', message: '', at: '2026-05-04T13:00:00Z' };
    expect(tracker.unexplained(job({ failure }), T0 + GONE_POD_GRACE_MS)).toBeUndefined();
    expect(tracker.unexplained(job({ complete: true }), T0 + GONE_POD_GRACE_MS)).toBeUndefined();
  });

  it('returns the higher count when more pods fail unseen', () => {
    const tracker = new GonePodTracker();
    tracker.podFailed('job-1', 'pod-1');
    tracker.observe(job({ failed: 3 }), T0);
    expect(tracker.unexplained(job({ failed: 3 }), T0 + GONE_POD_GRACE_MS)).toBe(3);
  });

  it('starts over for a Job it was told to forget', () => {
    const tracker = new GonePodTracker();
    tracker.observe(job(), T0);
    tracker.forget('job-1');
    expect(tracker.unexplained(job(), T0 + GONE_POD_GRACE_MS)).toBeUndefined();
  });
});
