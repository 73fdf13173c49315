import { describe, expect, it } from 'vitest';
import { computeBackoffMs, sleep } from '../../src/kube/backoff.ts';

describe('computeBackoffMs', () => {
  it('doubles the ceiling per attempt and caps it', () => {
    const options = { baseDelayMs: 1_000, maxDelayMs: 30_000, random: () => 1 };
    const delays = [1, 2, 3, 4, 5, 6, 7, 50].map((attempt) => computeBackoffMs(attempt, options));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('never goes below half the ceiling', () => {
    expect(computeBackoffMs(3, { random: () => 0 })).toBe(2_000);
  });

  it('uses 1 s and 30 s by default', () => {
    expect(computeBackoffMs(1, { random: () => 1 })).toBe(1_000);
    expect(computeBackoffMs(20, { random: () => 1 })).toBe(30_000);
  });
});

describe('sleep', () => {
  it('resolves at once when the signal aborts', async () => {
    const controller = new AbortController();
    const waiting = sleep(3_600_000, controller.signal);
    controller.abort();
    await expect(waiting).resolves.toBeUndefined();
  });
});
