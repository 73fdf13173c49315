import { describe, expect, it } from 'vitest';
import type { LoadJob } from '../failure-load.ts';
import type { AlertArrival } from '../slack-arrivals.ts';
import { burstResult } from '../throughput.ts';

/** Builds a Job of the load with the fields burstResult reads: its uid and Failed write time. */
function loadJob(uid: string, failedAtMs: number): LoadJob {
  return { index: 0, story: { uid } as LoadJob['story'], channel: 'C0BENCH000', notify: 'final-only', failedAtMs };
}

describe('burstResult', () => {
  const jobs = Array.from({ length: 20 }, (_, i) => loadJob(`uid-${i}`, 1000 + i));
  const arrivals = new Map<string, AlertArrival>(
    jobs.map((job, i) => [job.story.uid, { postedAtMs: 2000 + i * 100, finalAtMs: 2000 + i * 100, calls: 1 }]),
  );

  it('times the drain from the first Failed write to the last final alert', () => {
    const result = burstResult(jobs, arrivals, 4);
    expect(result.writeMs).toBe(19);
    expect(result.drainMs).toBe(2000 + 19 * 100 - 1000);
    expect(result.missing).toBe(0);
    expect(result.channels).toBe(4);
  });

  it('measures the sustained rate between the 10th and 90th percentile arrivals', () => {
    // Arrivals every 100 ms are 10 per second.
    expect(burstResult(jobs, arrivals, 4).sustainedPerSecond).toBeCloseTo(10, 5);
  });

  it('counts Jobs without a final alert as missing', () => {
    const partial = new Map(arrivals);
    partial.set('uid-3', { postedAtMs: 2300, calls: 1 });
    partial.delete('uid-4');
    const result = burstResult(jobs, partial, 4);
    expect(result.missing).toBe(2);
    expect(result.latencyMs?.count).toBe(18);
  });
});
