import { describe, expect, it } from 'vitest';
import { applySignal, shouldNotify, type EpisodeRecord } from '../../src/episode/record.ts';
import type { Signal } from '../../src/queue/signals.ts';

const NOW = Date.parse('2026-05-04T13:10:00Z');
const ctx = { nowMs: NOW, bootstrapPostMaxAgeMs: 0 };
const ids = { v: 1 as const, jobUid: 'uid-1', namespace: 'reports', jobName: 'nightly', observedAt: '2026-05-04T13:09:00Z' };

function attempt(key: string, extra: Partial<Extract<Signal, { type: 'attempt-failed' }>> = {}): Signal {
  return { ...ids, type: 'attempt-failed', attempt: { key, podUid: 'p', pod: 'nightly-abcde', exitCode: 137, reason: 'OOMKilled', finishedAt: '2026-05-04T13:08:00Z' }, ...extra };
}
const failed: Signal = { ...ids, type: 'job-failed', condition: { type: 'Failed', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', at: '2026-05-04T13:09:30Z' } };

function apply(signals: Signal[]): EpisodeRecord | undefined {
  let episode: EpisodeRecord | undefined;
  for (const s of signals) episode = applySignal(episode, s, ctx).episode;
  return episode;
}

describe('applySignal', () => {
  it('opens a failing episode on the first failed attempt', () => {
    const result = applySignal(undefined, attempt('p.0'), ctx);
    expect(result.changed).toBe(true);
    expect(result.episode?.state).toBe('failing');
    expect(result.episode?.attempts.map((a) => a.key)).toEqual(['p.0']);
    expect(result.newAttempt?.key).toBe('p.0');
  });

  it('ignores the same attempt sent twice', () => {
    const first = apply([attempt('p.0')]);
    const again = applySignal(first, attempt('p.0'), ctx);
    expect(again.changed).toBe(false);
    expect(again.episode?.version).toBe(first?.version);
  });

  it('moves to failed with the condition reason and closes', () => {
    const episode = apply([attempt('p.0'), failed]);
    expect(episode?.state).toBe('failed');
    expect(episode?.reason).toBe('BackoffLimitExceeded');
    expect(episode?.closedAt).toBe('2026-05-04T13:09:30Z');
  });

  it('keeps a failed episode final when the Job completes later', () => {
    const episode = apply([attempt('p.0'), failed]);
    const completed = applySignal(episode, { ...ids, type: 'job-completed' }, ctx);
    expect(completed.changed).toBe(false);
    expect(completed.episode?.state).toBe('failed');
  });

  it('recovers an open episode when the Job completes', () => {
    const episode = apply([attempt('p.0'), { ...ids, type: 'job-completed', completedAt: '2026-05-04T13:09:50Z' }]);
    expect(episode?.state).toBe('recovered');
    expect(episode?.closedAt).toBe('2026-05-04T13:09:50Z');
  });

  it('opens no episode for a completion or deletion alone', () => {
    expect(applySignal(undefined, { ...ids, type: 'job-completed' }, ctx).episode).toBeUndefined();
    expect(applySignal(undefined, { ...ids, type: 'job-deleted' }, ctx).episode).toBeUndefined();
  });

  it('marks a deleted open episode as deleted', () => {
    expect(apply([attempt('p.0'), { ...ids, type: 'job-deleted' }])?.state).toBe('deleted');
  });

  it('adds attempts that arrive after the final state', () => {
    const episode = apply([failed, attempt('p.0')]);
    expect(episode?.state).toBe('failed');
    expect(episode?.attempts).toHaveLength(1);
  });

  it('opens a stuck episode and does not repeat the same reason', () => {
    const stuck: Signal = { ...ids, type: 'stuck', stuck: { key: 'p.ImagePullBackOff', pod: 'p', reason: 'ImagePullBackOff', since: '2026-05-04T13:00:00Z' } };
    const first = applySignal(undefined, stuck, ctx);
    expect(first.episode?.state).toBe('stuck');
    expect(first.episode?.reason).toBe('ImagePullBackOff');
    expect(applySignal(first.episode, stuck, ctx).changed).toBe(false);
  });

  it('silences bootstrap failures older than the posting age', () => {
    const old = applySignal(undefined, { ...failed, bootstrap: true }, ctx).episode;
    expect(old?.silenced).toBe(true);
    const young = applySignal(undefined, { ...failed, bootstrap: true }, { ...ctx, bootstrapPostMaxAgeMs: 3600_000 }).episode;
    expect(young?.silenced).toBeUndefined();
  });

  it('does not silence failures seen after the first list', () => {
    expect(applySignal(undefined, failed, ctx).episode?.silenced).toBeUndefined();
  });

  it('opens on FailureTarget without closing', () => {
    const target: Signal = { ...failed, condition: { ...failed.condition, type: 'FailureTarget' } };
    const episode = applySignal(undefined, target, ctx).episode;
    expect(episode?.state).toBe('failing');
    expect(episode?.closedAt).toBeUndefined();
  });
});

describe('shouldNotify', () => {
  const base = apply([attempt('p.0')]) as EpisodeRecord;

  it('posts at the first failure when the route asks for it', () => {
    expect(shouldNotify({ ...base, route: { channel: 'C1', notify: 'first-failure' } }, false)).toBe(true);
  });

  it('waits for the final state in final-only mode', () => {
    const finalOnly = { ...base, route: { channel: 'C1', notify: 'final-only' as const } };
    expect(shouldNotify(finalOnly, false)).toBe(false);
    expect(shouldNotify({ ...finalOnly, state: 'failed' }, false)).toBe(true);
    expect(shouldNotify({ ...finalOnly, state: 'recovered' }, false)).toBe(false);
    expect(shouldNotify({ ...finalOnly, state: 'recovered' }, true)).toBe(true);
  });

  it('never posts a silenced or unrouted episode', () => {
    expect(shouldNotify({ ...base, silenced: true, route: { channel: 'C1', notify: 'first-failure' } }, false)).toBe(false);
    expect(shouldNotify(base, false)).toBe(false);
  });
});
