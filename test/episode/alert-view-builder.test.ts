import { describe, expect, it } from 'vitest';
import { attemptView } from '../../src/episode/alert-view-builder.ts';

describe('attemptView', () => {
  it('drops the 1970 start time the kubelet writes for a container that never started', () => {
    const view = attemptView(
      { key: 'a1', podUid: 'p1', pod: 'hook-abcde', container: 'main', exitCode: 128, reason: 'StartError', startedAt: '1970-01-01T00:00:00Z', finishedAt: '2026-12-04T10:00:00Z' },
      1,
      [],
    );
    expect(view.startedAt).toBeUndefined();
    expect(view.finishedAt).toBe('2026-12-04T10:00:00Z');
  });

  it('keeps a real start time', () => {
    const view = attemptView({ key: 'a1', podUid: 'p1', pod: 'job-abcde', startedAt: '2026-12-04T09:59:00Z' }, 1, []);
    expect(view.startedAt).toBe('2026-12-04T09:59:00Z');
  });
});
