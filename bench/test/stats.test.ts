import { describe, expect, it } from 'vitest';
import { percentile, summarize } from '../stats.ts';

describe('percentile', () => {
  const sorted = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];

  it('returns the nearest-rank value', () => {
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 90)).toBe(90);
    expect(percentile(sorted, 91)).toBe(100);
    expect(percentile(sorted, 100)).toBe(100);
  });

  it('returns the maximum as p99 of small samples', () => {
    expect(percentile([1, 2, 3], 99)).toBe(3);
  });

  it('rejects an empty sample', () => {
    expect(() => percentile([], 50)).toThrow(/empty sample/);
  });

  it('rejects percentiles outside (0, 100]', () => {
    expect(() => percentile(sorted, 0)).toThrow(/out of range/);
    expect(() => percentile(sorted, 101)).toThrow(/out of range/);
  });
});

describe('summarize', () => {
  it('sorts before ranking', () => {
    const summary = summarize([30, 10, 20, 40]);
    expect(summary?.min).toBe(10);
    expect(summary?.p50).toBe(20);
    expect(summary?.max).toBe(40);
    expect(summary?.mean).toBe(25);
    expect(summary?.count).toBe(4);
  });

  it('returns undefined for no values', () => {
    expect(summarize([])).toBeUndefined();
  });
});
