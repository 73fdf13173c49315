import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Signal } from '../../src/queue/signals.ts';
import { Watcher } from '../../src/watch/watcher.ts';
import { failedPod, job } from './slim-builders.ts';

const logger = pino({ level: 'silent' });
const NOW = Date.parse('2026-05-04T13:10:00Z');

function watcherWith(signals: Signal[]): Watcher {
  return new Watcher({
    emit: (s) => signals.push(s),
    capture: () => Promise.resolve({ logs: [], missing: [] }),
    logger,
    stuckAfterMs: 60_000,
    clock: () => NOW,
  });
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const failure = (type: string) => ({ type, reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', at: '2026-05-04T13:09:00Z' });

describe('Watcher', () => {
  it('sends FailureTarget and Failed as two signals', () => {
    const signals: Signal[] = [];
    const watcher = watcherWith(signals);
    watcher.upsertJob(job());
    watcher.upsertJob(job({ resourceVersion: '2', failure: failure('FailureTarget') }));
    watcher.upsertJob(job({ resourceVersion: '3', failure: failure('Failed') }));
    expect(signals.map((s) => (s.type === 'job-failed' ? s.condition.type : s.type))).toEqual(['FailureTarget', 'Failed']);
  });

  it('sends an attempt with its captured evidence', async () => {
    const signals: Signal[] = [];
    const watcher = watcherWith(signals);
    watcher.upsertJob(job());
    watcher.upsertPod(failedPod());
    await flush();
    const attempt = signals.find((s) => s.type === 'attempt-failed');
    if (attempt?.type !== 'attempt-failed') throw new Error('no attempt-failed signal was sent');
    expect(attempt.attempt.exitCode).toBe(1);
    expect(attempt.evidence).toEqual({ logs: [], missing: [] });
  });

  it('replays every failure once and terminates', async () => {
    const signals: Signal[] = [];
    const watcher = watcherWith(signals);
    watcher.upsertJob(job({ failure: failure('Failed') }));
    watcher.upsertJob(job({ uid: 'job-2', name: 'other', failure: failure('Failed') }));
    watcher.upsertPod(failedPod());
    await flush();
    signals.length = 0;
    watcher.replayAll();
    await flush();
    expect(signals.filter((s) => s.type === 'job-failed')).toHaveLength(2);
    expect(signals.filter((s) => s.type === 'attempt-failed')).toHaveLength(1);
  });

  it('sends a deletion only for a Job that had trouble', () => {
    const signals: Signal[] = [];
    const watcher = watcherWith(signals);
    watcher.upsertJob(job());
    watcher.deleteJob(job());
    expect(signals).toEqual([]);
    watcher.upsertJob(job({ uid: 'job-2', failed: 1 }));
    watcher.deleteJob(job({ uid: 'job-2', failed: 1 }));
    expect(signals.map((s) => s.type)).toEqual(['job-deleted']);
  });

  it('marks signals from the first list of a new install', () => {
    const signals: Signal[] = [];
    const watcher = watcherWith(signals);
    watcher.setBootstrap(true);
    watcher.upsertJob(job({ failure: failure('Failed') }));
    watcher.setBootstrap(false);
    watcher.upsertJob(job({ uid: 'job-2', failure: failure('Failed') }));
    expect(signals.map((s) => s.bootstrap === true)).toEqual([true, false]);
  });
});
