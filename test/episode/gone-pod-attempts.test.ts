import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { gonePodAttemptKey, gonePodCount, nameGonePods, UNSEEN_POD } from '../../src/episode/gone-pod-attempts.ts';
import { applySignal, type EpisodeRecord } from '../../src/episode/record.ts';
import type { AttemptRecord, Signal } from '../../src/queue/signals.ts';

const ctx = { nowMs: Date.parse('2026-05-04T13:10:00Z'), bootstrapPostMaxAgeMs: 0 };
const ids = { v: 1 as const, jobUid: 'uid-1', namespace: 'reports', jobName: 'nightly', observedAt: '2026-05-04T13:09:00Z' };

function signalOf(attempt: AttemptRecord): Signal {
  return { ...ids, type: 'attempt-failed', attempt };
}

const unseenPodAttempt = (count: number): AttemptRecord => ({ key: gonePodAttemptKey(count), podUid: '', pod: '' });
const seen = (key: string): AttemptRecord => ({ key, podUid: 'p', pod: 'nightly-abcde', exitCode: 1 });

function apply(attempts: AttemptRecord[]): EpisodeRecord | undefined {
  let episode: EpisodeRecord | undefined;
  for (const a of attempts) episode = applySignal(episode, signalOf(a), ctx).episode;
  return episode;
}

function created(name: string, at: string): CoreV1Event {
  return {
    metadata: { name: `nightly.${name}` },
    involvedObject: { kind: 'Job', name: 'nightly' },
    reason: 'SuccessfulCreate',
    message: `Created pod: ${name}`,
    lastTimestamp: new Date(at),
  };
}

describe('gone-pod attempts', () => {
  it('reads the failed count back from the key', () => {
    expect(gonePodCount(unseenPodAttempt(3))).toBe(3);
    expect(gonePodCount(seen('pod-1.0'))).toBeUndefined();
  });

  it('open a failing episode when no episode exists', () => {
    const episode = apply([unseenPodAttempt(1)]);
    expect(episode?.state).toBe('failing');
    expect(episode?.attempts.map((a) => a.key)).toEqual(['gone.1']);
  });

  it('are dropped when the episode already holds that many attempts', () => {
    const before = apply([seen('pod-1.0')]);
    const result = applySignal(before, signalOf(unseenPodAttempt(1)), ctx);
    expect(result.changed).toBe(false);
    expect(result.episode?.attempts.map((a) => a.key)).toEqual(['pod-1.0']);
  });

  it('give way to the attempt read from a pod seen late', () => {
    const episode = apply([unseenPodAttempt(1), seen('pod-1.0')]);
    expect(episode?.attempts.map((a) => a.key)).toEqual(['pod-1.0']);
    expect(episode?.version).toBe(2);
  });

  it('take the names of created pods the snapshot no longer has, oldest first', () => {
    const pods: V1Pod[] = [{ metadata: { name: 'nightly-ccccc' } }];
    const events = [created('nightly-bbbbb', '2026-05-04T13:05:00Z'), created('nightly-aaaaa', '2026-05-04T13:01:00Z'), created('nightly-ccccc', '2026-05-04T13:08:00Z')];
    const snapshot = { job: {}, pods, events, logs: [] };
    const named = nameGonePods([unseenPodAttempt(1), seen('pod-1.0'), unseenPodAttempt(2), unseenPodAttempt(3)], snapshot);
    expect(named.map((a) => a.pod)).toEqual(['nightly-aaaaa', 'nightly-abcde', 'nightly-bbbbb', UNSEEN_POD]);
  });
});
