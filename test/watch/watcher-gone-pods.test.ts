import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { Signal } from '../../src/queue/signals.ts';
import { GONE_POD_GRACE_MS } from '../../src/watch/gone-pod-tracker.ts';
import { Watcher } from '../../src/watch/watcher.ts';
import { failedPod, job } from './slim-builders.ts';

const T0 = Date.parse('2026-05-04T13:10:00Z');

function setup(): { watcher: Watcher; signals: Signal[]; advance: (ms: number) => void } {
  const signals: Signal[] = [];
  let now = T0;
  const watcher = new Watcher({
    emit: (s) => signals.push(s),
    capture: () => Promise.resolve({ logs: [], missing: [] }),
    logger: pino({ level: 'silent' }),
    stuckAfterMs: 60 * 60 * 1000,
    clock: () => now,
  });
  return { watcher, signals, advance: (ms) => (now += ms) };
}

const attemptKeys = (signals: Signal[]): string[] => signals.flatMap((s) => (s.type === 'attempt-failed' ? [s.attempt.key] : []));

describe('Watcher with failed pods it never saw', () => {
  it('reports a failure the Job counts once the grace period passes', () => {
    const { watcher, signals, advance } = setup();
    watcher.upsertJob(job());
    watcher.upsertJob(job({ failed: 1 }));
    watcher.checkStuck();
    expect(attemptKeys(signals)).toEqual([]);
    advance(GONE_POD_GRACE_MS);
    watcher.checkStuck();
    watcher.checkStuck();
    expect(attemptKeys(signals)).toEqual(['gone.1']);
  });

  it('reports nothing extra when the failed pod was seen', async () => {
    const { watcher, signals, advance } = setup();
    watcher.upsertJob(job());
    watcher.upsertPod(failedPod());
    watcher.upsertJob(job({ failed: 1 }));
    advance(GONE_POD_GRACE_MS);
    watcher.checkStuck();
    await new Promise((resolve) => setImmediate(resolve));
    expect(attemptKeys(signals)).toEqual(['pod-1.0']);
  });

  it('sends one job-failed signal for a Failed Job whose pods were never seen', async () => {
    const { watcher, signals, advance } = setup();
    const failure = { type: 'Failed', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', at: '2026-05-04T13:09:00Z' };
    watcher.upsertJob(job({ failed: 1, active: 0, failure }));
    advance(GONE_POD_GRACE_MS);
    watcher.checkStuck();
    // The failure signal waits a moment for the pod it counts, which never comes.
    await vi.waitFor(() => expect(signals.length).toBeGreaterThan(0), { timeout: 5000 });
    expect(signals.map((s) => s.type)).toEqual(['job-failed']);
  });

  it('holds the failure signal until the failed pod counted by the Job arrives', async () => {
    const { watcher, signals } = setup();
    const failure = { type: 'Failed', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', at: '2026-05-04T13:09:00Z' };
    watcher.upsertJob(job());
    watcher.upsertJob(job({ failed: 1, active: 0, failure }));
    expect(signals).toEqual([]);
    watcher.upsertPod(failedPod());
    await vi.waitFor(() => expect(signals.length).toBe(2), { timeout: 5000 });
    expect(signals.map((s) => s.type)).toEqual(['attempt-failed', 'job-failed']);
  });

  it('sends the failure signal at once when every failed pod was seen', async () => {
    const { watcher, signals } = setup();
    const failure = { type: 'Failed', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', at: '2026-05-04T13:09:00Z' };
    watcher.upsertJob(job());
    watcher.upsertPod(failedPod());
    await new Promise((resolve) => setImmediate(resolve));
    watcher.upsertJob(job({ failed: 1, active: 0, failure }));
    expect(signals.map((s) => s.type)).toEqual(['attempt-failed', 'job-failed']);
  });
});
