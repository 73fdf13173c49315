import { describe, expect, it } from 'vitest';
import { decideGrouping, type DigestRule } from '../../src/notify/digest-rule.ts';

const RULE: DigestRule = { minEpisodes: 5, windowMs: 60_000 };
const T = 1_700_000_000_000;

describe('decideGrouping', () => {
  it('posts alone while fewer than the minimum share the window', () => {
    expect(decideGrouping({ openedAtMs: T, recentOpenedAtMs: [T - 1000, T - 2000, T - 3000] }, RULE)).toBe('alone');
  });

  it('opens a digest for the episode that reaches the minimum', () => {
    expect(decideGrouping({ openedAtMs: T, recentOpenedAtMs: [T - 1000, T - 2000, T - 3000, T - 59_000] }, RULE)).toBe('open');
  });

  it('leaves out episodes older than the window', () => {
    expect(decideGrouping({ openedAtMs: T, recentOpenedAtMs: [T - 1000, T - 2000, T - 3000, T - 61_000] }, RULE)).toBe('alone');
  });

  it('leaves out episodes that opened after this one', () => {
    expect(decideGrouping({ openedAtMs: T, recentOpenedAtMs: [T - 1000, T - 2000, T - 3000, T + 1000] }, RULE)).toBe('alone');
  });

  it('joins an open digest whose newest member is within the window', () => {
    expect(decideGrouping({ openedAtMs: T, recentOpenedAtMs: [], digestLastJoinMs: T - 60_000 }, RULE)).toBe('join');
  });

  it('joins an open digest when it arrives older than the newest member', () => {
    expect(decideGrouping({ openedAtMs: T, recentOpenedAtMs: [], digestLastJoinMs: T + 30_000 }, RULE)).toBe('join');
  });

  it('opens a new digest once the open one has gone quiet', () => {
    const recent = [T - 1000, T - 2000, T - 3000, T - 4000];
    expect(decideGrouping({ openedAtMs: T, recentOpenedAtMs: recent, digestLastJoinMs: T - 61_000 }, RULE)).toBe('open');
  });

  it('never groups when the minimum is 0', () => {
    const recent = Array.from({ length: 100 }, (_, i) => T - i);
    expect(decideGrouping({ openedAtMs: T, recentOpenedAtMs: recent, digestLastJoinMs: T }, { ...RULE, minEpisodes: 0 })).toBe('alone');
  });

  it('returns the same decision for the same input', () => {
    const input = { openedAtMs: T, recentOpenedAtMs: [T - 5, T - 10, T - 15, T - 20] };
    expect(decideGrouping(input, RULE)).toBe(decideGrouping({ ...input, recentOpenedAtMs: [...input.recentOpenedAtMs].reverse() }, RULE));
  });
});
