import { describe, expect, it } from 'vitest';
import type { SlackMessage } from '../../src/slack/block-kit.ts';
import {
  DIGEST_BUDGET,
  renderDigest,
  renderDigestList,
  showsClusters,
  type DigestMemberView,
  type DigestView,
} from '../../src/slack/render-digest.ts';
import { expectWithinLimits } from '../slack/limits.ts';

function member(overrides: Partial<DigestMemberView> = {}): DigestMemberView {
  return { namespace: 'etl', jobName: 'load', state: 'failed', reason: 'BackoffLimitExceeded', ownMessage: false, ...overrides };
}

function digest(members: DigestMemberView[]): DigestView {
  return { key: 'image-pull.0001', cause: 'image-pull', summary: 'registry rate limit', members, command: '/job', };
}

/** Returns the numbered member lines of a message. */
function memberLines(message: SlackMessage): string[] {
  const texts = message.blocks.flatMap((block) => (block.type === 'section' && block.text ? [block.text.text] : []));
  return texts.flatMap((text) => text.split('\n')).filter((line) => /^\d+\. /.test(line));
}

describe('showsClusters', () => {
  it('is false for members of the default cluster', () => {
    expect(showsClusters(digest([member({ cluster: 'default' }), member()]))).toBe(false);
  });

  it('is true for one named cluster', () => {
    expect(showsClusters(digest([member({ cluster: 'prod-eu' })]))).toBe(true);
  });

  it('is true for the default and a named cluster', () => {
    expect(showsClusters(digest([member(), member({ cluster: 'prod-eu' })]))).toBe(true);
  });

  it('is false for a digest without members', () => {
    expect(showsClusters(digest([]))).toBe(false);
  });
});

describe('digest member lines', () => {
  it('name a member without a cluster as default among named clusters', () => {
    const lines = memberLines(renderDigest(digest([member(), member({ cluster: 'prod-eu' })])));
    expect(lines[0]).toContain('`default`/`etl`/`load`');
    expect(lines[1]).toContain('`prod-eu`/`etl`/`load`');
  });

  it('keep namespace/name for the default cluster alone', () => {
    const lines = memberLines(renderDigest(digest([member({ cluster: 'default' })])));
    expect(lines).toEqual(['1. 🔴 `etl`/`load` · BackoffLimitExceeded · failed']);
  });

  it('name the cluster in thread lists too', () => {
    const members = Array.from({ length: 35 }, (_, i) => member({ cluster: i % 2 === 0 ? 'a' : 'b', jobName: `load-${i}` }));
    const lines = memberLines(renderDigestList(digest(members), 1));
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe('31. 🔴 `a`/`etl`/`load-30` · BackoffLimitExceeded · failed');
  });

  it('stay within the section limit at the longest names', () => {
    const long = (n: number, c: string): string => c.repeat(n);
    const members = Array.from({ length: DIGEST_BUDGET.rootMembers }, (_, i) =>
      member({
        cluster: long(63, String.fromCharCode(97 + (i % 26))),
        namespace: long(63, 'n'),
        jobName: long(63, 'j'),
        reason: long(200, 'R'),
        movedTo: 'dependency-unavailable',
      }),
    );
    const message = renderDigest(digest(members));
    expectWithinLimits(message);
    const lines = memberLines(message);
    // Every line is whole: the sections were not cut to fit.
    expect(lines).toHaveLength(DIGEST_BUDGET.rootMembers);
    for (const line of lines) expect(line).toMatch(/, in its own alert$/);
  });
});
