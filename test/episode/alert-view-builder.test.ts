import type { V1Job } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { attemptView, numberAttempts } from '../../src/episode/alert-view-builder.ts';
import type { AttemptRecord } from '../../src/queue/signals.ts';

function indexedJob(backoffLimitPerIndex?: number): V1Job {
  const perIndex = backoffLimitPerIndex === undefined ? {} : { backoffLimitPerIndex };
  return { spec: { completionMode: 'Indexed', completions: 4, template: {}, ...perIndex } };
}

function attempt(key: string, index?: number): AttemptRecord {
  return { key, podUid: key, pod: `run-${key}`, ...(index === undefined ? {} : { index }) };
}

/** Attempts of indexes 3, 0, 3, 1 in that order. */
const INDEXED_ATTEMPTS = [attempt('a', 3), attempt('b', 0), attempt('c', 3), attempt('d', 1)];

function numbersOf(attempts: AttemptRecord[], job: V1Job): [string, number][] {
  return numberAttempts(attempts, job).map(({ attempt, number }) => [attempt.key, number]);
}

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

describe('numberAttempts', () => {
  it('numbers within each index with backoffLimitPerIndex', () => {
    expect(numbersOf(INDEXED_ATTEMPTS, indexedJob(1))).toEqual([['a', 1], ['b', 1], ['c', 2], ['d', 1]]);
  });

  it('numbers across an Indexed Job without backoffLimitPerIndex', () => {
    expect(numbersOf(INDEXED_ATTEMPTS, indexedJob())).toEqual([['a', 1], ['b', 2], ['c', 3], ['d', 4]]);
  });

  it('numbers attempts of unknown index among themselves', () => {
    const attempts = [attempt('a', 2), attempt('gone-1'), attempt('b', 2), attempt('gone-2')];
    expect(numbersOf(attempts, indexedJob(0))).toEqual([['a', 1], ['gone-1', 1], ['b', 2], ['gone-2', 2]]);
  });

  it('keeps the order of the attempts', () => {
    const keys = numberAttempts(INDEXED_ATTEMPTS, indexedJob(1)).map(({ attempt }) => attempt.key);
    expect(keys).toEqual(['a', 'b', 'c', 'd']);
  });
});
