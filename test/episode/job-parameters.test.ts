import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { countIndexes, jobParameters } from '../../src/episode/job-parameters.ts';
import type { AttemptRecord } from '../../src/queue/signals.ts';

const NOW = Date.parse('2026-05-04T13:10:00Z');

function job(spec: Record<string, unknown>, status: Record<string, unknown> = {}, restartPolicy = 'Never'): V1Job {
  return {
    metadata: { name: 'j', namespace: 'ns', uid: 'u' },
    spec: { template: { spec: { restartPolicy, containers: [] } }, ...spec },
    status: { startTime: new Date('2026-05-04T13:00:00Z'), ...status },
  };
}

function attempt(key: string, index?: number): AttemptRecord {
  return { key, podUid: key, pod: `p-${key}`, ...(index === undefined ? {} : { index }) };
}

function runningPod(restartCount: number): V1Pod {
  return { status: { phase: 'Running', containerStatuses: [{ name: 'c', restartCount, image: 'i', imageID: '', ready: true }] } };
}

describe('jobParameters', () => {
  it('counts failed pods against backoffLimit plus one', () => {
    const params = jobParameters(job({ backoffLimit: 6 }, { failed: 2 }), [], [attempt('a'), attempt('b')], NOW);
    expect(params.attemptsUsed).toBe(2);
    expect(params.attemptsAllowed).toBe(7);
  });

  it('uses the default backoffLimit of 6 when unset', () => {
    expect(jobParameters(job({}, { failed: 1 }), [], [], NOW).attemptsAllowed).toBe(7);
  });

  it('counts container restarts for restartPolicy OnFailure', () => {
    const params = jobParameters(job({ backoffLimit: 3 }, { failed: 0, active: 1 }, 'OnFailure'), [runningPod(2)], [], NOW);
    expect(params.attemptsUsed).toBe(2);
    expect(params.attemptsAllowed).toBe(4);
  });

  it('counts per index with backoffLimitPerIndex', () => {
    const attempts = [attempt('a', 0), attempt('b', 3), attempt('c', 3)];
    const params = jobParameters(job({ backoffLimitPerIndex: 2, completionMode: 'Indexed' }, { failed: 3 }), [], attempts, NOW);
    expect(params.attemptsUsed).toBe(2);
    expect(params.attemptsAllowed).toBe(3);
  });

  it('counts failures of parallel pods together', () => {
    const params = jobParameters(job({ backoffLimit: 4, parallelism: 3 }, { failed: 3 }), [], [attempt('a'), attempt('b'), attempt('c')], NOW);
    expect(params.attemptsUsed).toBe(3);
    expect(params.parallelism).toBe(3);
  });

  it('never reports more attempts than allowed', () => {
    expect(jobParameters(job({ backoffLimit: 0 }, { failed: 2 }), [], [], NOW).attemptsUsed).toBe(1);
  });

  it('measures duration to the Failed condition', () => {
    const failed = { conditions: [{ type: 'Failed', status: 'True', lastTransitionTime: new Date('2026-05-04T13:05:00Z') }] };
    expect(jobParameters(job({}, failed), [], [], NOW).durationMs).toBe(5 * 60_000);
  });

  it('measures duration to now while the Job runs', () => {
    expect(jobParameters(job({}), [], [], NOW).durationMs).toBe(10 * 60_000);
  });

  it('copies failed indexes and maxFailedIndexes with backoffLimitPerIndex', () => {
    const spec = { backoffLimitPerIndex: 0, maxFailedIndexes: 2, completionMode: 'Indexed' };
    const params = jobParameters(job(spec, { failed: 4, failedIndexes: '1,3-4' }), [], [], NOW);
    expect(params.failedIndexes).toBe('1,3-4');
    expect(params.failedIndexCount).toBe(3);
    expect(params.maxFailedIndexes).toBe(2);
  });

  it('counts no failed index from an empty status.failedIndexes', () => {
    const params = jobParameters(job({ backoffLimitPerIndex: 1 }, { failedIndexes: '' }), [], [], NOW);
    expect(params.failedIndexCount).toBe(0);
    expect(params.maxFailedIndexes).toBeUndefined();
  });

  it('leaves failed indexes unknown before the controller reports them', () => {
    const params = jobParameters(job({ backoffLimitPerIndex: 1 }), [], [], NOW);
    expect(params.failedIndexes).toBeUndefined();
    expect(params.failedIndexCount).toBeUndefined();
  });

  it('ignores failed indexes without backoffLimitPerIndex', () => {
    const params = jobParameters(job({ completionMode: 'Indexed', maxFailedIndexes: 1 }, { failedIndexes: '2' }), [], [], NOW);
    expect(params.failedIndexCount).toBeUndefined();
    expect(params.maxFailedIndexes).toBeUndefined();
  });
});

describe('countIndexes', () => {
  it.each([
    ['', 0],
    ['3', 1],
    ['1,3-5,7', 5],
    ['0-99', 100],
    [' 2 , 4-5 ', 3],
    ['x,2', 1],
    ['5-3', 0],
  ])('counts %j as %i', (list, count) => {
    expect(countIndexes(list)).toBe(count);
  });
});
