import { describe, expect, it } from 'vitest';
import type { JobParameters } from '../../src/slack/alert-view.ts';
import {
  attemptHeading,
  attemptTitle,
  failedIndexCountText,
  failedIndexesText,
} from '../../src/slack/attempt-title.ts';

const JOB_WIDE: JobParameters = {
  backoffLimit: 6,
  completionMode: 'Indexed',
  failed: 2,
  succeeded: 0,
  active: 2,
  attemptsUsed: 2,
  attemptsAllowed: 7,
};

/** An Indexed Job with backoffLimitPerIndex 1 (two runs per index) before status.failedIndexes is set. */
const UNREPORTED: JobParameters = {
  ...JOB_WIDE,
  backoffLimit: 2147483647,
  backoffLimitPerIndex: 1,
  attemptsUsed: 1,
  attemptsAllowed: 2,
};

/** The same Job once the controller reports no failed index. */
const PER_INDEX: JobParameters = { ...UNREPORTED, failedIndexes: '', failedIndexCount: 0 };

describe('attemptTitle', () => {
  it('counts across the Job without a per-index limit', () => {
    expect(attemptTitle(JOB_WIDE, { number: 3 })).toBe('attempt 3 of 7');
    expect(attemptTitle(JOB_WIDE, { number: 3, index: 1 })).toBe('attempt 3 of 7 (index 1)');
  });

  it('leaves out the limit when unknown', () => {
    const unknown: JobParameters = { failed: 3, succeeded: 0, active: 0, attemptsUsed: 3 };
    expect(attemptTitle(unknown, { number: 3 })).toBe('attempt 3');
  });

  it('counts within the index with backoffLimitPerIndex', () => {
    expect(attemptTitle(PER_INDEX, { number: 2, index: 3 })).toBe('index 3, attempt 2 of 2');
  });

  it('allows one run per index with backoffLimitPerIndex 0', () => {
    expect(attemptTitle({ ...PER_INDEX, backoffLimitPerIndex: 0 }, { number: 1, index: 0 })).toBe(
      'index 0, attempt 1 of 1',
    );
  });

  it('leaves out the limit of an attempt of unknown index', () => {
    expect(attemptTitle(PER_INDEX, { number: 2 })).toBe('attempt 2');
  });

  it('capitalizes the heading', () => {
    expect(attemptHeading(PER_INDEX, { number: 1, index: 3 })).toBe('Index 3, attempt 1 of 2');
    expect(attemptHeading(JOB_WIDE, { number: 1 })).toBe('Attempt 1 of 7');
  });
});

describe('failedIndexesText', () => {
  it('is undefined without a per-index limit', () => {
    expect(failedIndexesText(JOB_WIDE)).toBeUndefined();
  });

  it.each<[string, JobParameters, string]>([
    ['none failed', PER_INDEX, 'none'],
    ['none of a maximum', { ...PER_INDEX, maxFailedIndexes: 2 }, '0 of 2 allowed'],
    ['one failed', { ...PER_INDEX, failedIndexes: '3', failedIndexCount: 1 }, '1 (index 3)'],
    [
      'more than allowed',
      { ...PER_INDEX, failedIndexes: '1,3-4', failedIndexCount: 3, maxFailedIndexes: 2 },
      '3 of 2 allowed (indexes 1,3-4)',
    ],
    ['not reported', UNREPORTED, 'not reported'],
    ['not reported with a maximum', { ...UNREPORTED, maxFailedIndexes: 1 }, 'not reported, 1 allowed'],
  ])('describes %s', (_, params, expected) => {
    expect(failedIndexesText(params)).toBe(expected);
  });
});

describe('failedIndexCountText', () => {
  it('counts failed indexes', () => {
    expect(failedIndexCountText({ ...PER_INDEX, failedIndexCount: 1 })).toBe('1 failed index');
    expect(failedIndexCountText({ ...PER_INDEX, failedIndexCount: 3 })).toBe('3 failed indexes');
  });

  it('says when the controller has not reported them', () => {
    expect(failedIndexCountText(UNREPORTED)).toBe('failed indexes not reported');
  });
});
