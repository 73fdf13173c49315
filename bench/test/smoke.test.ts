import { describe, expect, it } from 'vitest';
import { runLatency } from '../latency.ts';
import { runMemory } from '../memory.ts';
import { runThroughput } from '../throughput.ts';

// Short runs of each benchmark against the real stack: they check that every Job is
// counted and matched, never how fast anything was.
describe('benchmarks on a small load', () => {
  it('latency matches each Job to the call that showed it failed', async () => {
    const result = await runLatency({
      ratePerSecond: 4,
      durationSeconds: 1,
      gapMs: 1000,
      channels: 2,
      warmupJobs: 0,
      notify: 'mixed',
      settleSeconds: 30,
      nodeOptions: [],
    });
    const finalOnly = result.modes.find((m) => m.notify === 'final-only');
    const firstFailure = result.modes.find((m) => m.notify === 'first-failure');
    expect(finalOnly).toMatchObject({ jobs: 2, missing: 0, finalBy: { post: 2, update: 0 } });
    // Usually an update, but a post delayed past the Failed write already shows it.
    expect(firstFailure).toMatchObject({ jobs: 2, missing: 0 });
    expect((firstFailure?.finalBy.post ?? 0) + (firstFailure?.finalBy.update ?? 0)).toBe(2);
  });

  it('throughput drains a burst spread over channels', async () => {
    const result = await runThroughput({ jobs: 30, channels: 3, notify: 'final-only', warmupJobs: 2, timeoutSeconds: 60, nodeOptions: [] });
    expect(result.jobs).toBe(30);
    expect(result.missing).toBe(0);
    expect(result.latencyMs?.count).toBe(30);
    expect(result.alertCallsPerJob).toBe(1);
  });

  it('memory caches every Job and pod of the cluster', async () => {
    const result = await runMemory({ jobs: 300, failedPercent: 10, listCache: true, timeoutSeconds: 60, idleSeconds: 0.1, nodeOptions: [] });
    expect(result.failedJobs).toBe(30);
    expect(result.cachedJobs).toBe(300);
    expect(result.cachedPods).toBe(300);
    expect(result.idle.heapUsedBytes).toBeGreaterThan(0);
    expect(result.peakRssBytes).toBeGreaterThanOrEqual(result.idle.rssBytes);
  });
});
