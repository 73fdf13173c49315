import { describe, expect, it } from 'vitest';
import { limitConcurrency } from '../../src/watch/limiter.ts';

describe('limitConcurrency', () => {
  it('runs at most the given number of calls at once, in order', async () => {
    let active = 0;
    let peak = 0;
    const started: number[] = [];
    const gates: (() => void)[] = [];
    const limited = limitConcurrency(2, async (n: number) => {
      started.push(n);
      active += 1;
      peak = Math.max(peak, active);
      await new Promise<void>((resolve) => gates.push(resolve));
      active -= 1;
      return n * 10;
    });
    const results = Promise.all([1, 2, 3, 4, 5].map((n) => limited(n)));
    while (started.length < 5) {
      await new Promise((resolve) => setImmediate(resolve));
      gates.shift()?.();
    }
    for (const open of gates.splice(0)) open();
    expect(await results).toEqual([10, 20, 30, 40, 50]);
    expect(peak).toBe(2);
    expect(started).toEqual([1, 2, 3, 4, 5]);
  });

  it('frees a slot when a call rejects', async () => {
    const limited = limitConcurrency(1, (fail: boolean) => (fail ? Promise.reject(new Error('boom')) : Promise.resolve('ok')));
    await expect(limited(true)).rejects.toThrow('boom');
    expect(await limited(false)).toBe('ok');
  });
});
