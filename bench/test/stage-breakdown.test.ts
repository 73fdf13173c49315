import { describe, expect, it } from 'vitest';
import { stageDurations, summarizeStages, type JobTimeline } from '../stage-breakdown.ts';

const complete: JobTimeline = {
  failedAtMs: 1000,
  signal: { addedAtMs: 1002, processedAtMs: 1005, finishedAtMs: 1035 },
  notify: { addedAtMs: 1034, processedAtMs: 1040, finishedAtMs: 1052 },
  finalAtMs: 1050,
};

describe('stageDurations', () => {
  it('splits a complete timeline into consecutive stages', () => {
    expect(stageDurations(complete)).toEqual({
      'watch to signal queue': 2,
      'signal queue wait': 3,
      worker: 30,
      'notify queue wait': 6,
      'notifier to Slack': 10,
    });
  });

  it('skips stages whose times are missing', () => {
    const partial: JobTimeline = { failedAtMs: 1000, signal: { addedAtMs: 1004 } };
    expect(stageDurations(partial)).toEqual({ 'watch to signal queue': 4 });
  });
});

describe('summarizeStages', () => {
  it('summarizes each stage over the timelines that have it', () => {
    const slower: JobTimeline = { ...complete, signal: { addedAtMs: 1010, processedAtMs: 1011, finishedAtMs: 1100 } };
    const stages = summarizeStages([complete, slower, { failedAtMs: 0 }]);
    expect(stages['watch to signal queue']?.count).toBe(2);
    expect(stages['watch to signal queue']?.max).toBe(10);
    expect(stages.worker?.max).toBe(89);
  });
});
