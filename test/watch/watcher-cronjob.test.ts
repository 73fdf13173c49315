import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Signal } from '../../src/queue/signals.ts';
import type { SlimCronJob, SlimJob } from '../../src/watch/slim.ts';
import { Watcher } from '../../src/watch/watcher.ts';

const logger = pino({ level: 'silent' });

function cronJob(overrides: Partial<SlimCronJob> = {}): SlimCronJob {
  return {
    uid: 'cj-1', namespace: 'billing', name: 'invoice-sync', resourceVersion: '1',
    createdAt: '2026-01-01T00:00:00Z', schedule: '0 * * * *', suspended: false,
    concurrencyPolicy: 'Forbid', lastScheduleTime: '2026-05-04T10:00:00Z', active: [], ...overrides,
  };
}

function run(overrides: Partial<SlimJob>): SlimJob {
  return {
    uid: 'j-1', namespace: 'billing', name: 'invoice-sync-29630000', resourceVersion: '1',
    createdAt: '2026-05-04T07:00:00Z', cronJob: { name: 'invoice-sync', uid: 'cj-1' },
    suspended: false, active: 0, failed: 0, succeeded: 1, complete: true,
    startTime: '2026-05-04T07:00:01Z', completionTime: '2026-05-04T07:12:01Z', ...overrides,
  };
}

function watcherAt(signals: Signal[], clock: { now: number }): Watcher {
  return new Watcher({
    emit: (s) => signals.push(s),
    capture: () => Promise.resolve(undefined),
    logger,
    stuckAfterMs: 60_000,
    clock: () => clock.now,
  });
}

const stuckOf = (signals: Signal[]) => signals.filter((s) => s.type === 'stuck');

describe('Watcher with CronJobs', () => {
  it('reports missed schedules on the CronJob once', () => {
    const signals: Signal[] = [];
    const clock = { now: Date.parse('2026-05-04T13:05:00Z') };
    const watcher = watcherAt(signals, clock);
    watcher.upsertCronJob(cronJob({ concurrencyPolicy: 'Allow' }));
    watcher.checkStuck();
    clock.now = Date.parse('2026-05-04T14:05:00Z');
    watcher.checkStuck();
    const stuck = stuckOf(signals);
    expect(stuck).toHaveLength(1);
    const signal = stuck[0];
    if (signal?.type !== 'stuck') throw new Error('no stuck signal was sent');
    expect(signal.jobUid).toBe('cj-1');
    expect(signal.jobName).toBe('invoice-sync');
    expect(signal.stuck.reason).toBe('MissedSchedules');
    expect(signal.stuck.key).toBe('cronjob.missed.2026-05-04T10:00:00Z');
    expect(signal.stuck.message).toContain('3 scheduled run(s)');
  });

  it('closes the missed-schedule episode when a run starts', () => {
    const signals: Signal[] = [];
    const clock = { now: Date.parse('2026-05-04T13:05:00Z') };
    const watcher = watcherAt(signals, clock);
    watcher.upsertCronJob(cronJob({ concurrencyPolicy: 'Allow' }));
    watcher.checkStuck();
    watcher.upsertCronJob(cronJob({ concurrencyPolicy: 'Allow', resourceVersion: '2', lastScheduleTime: '2026-05-04T13:00:00Z' }));
    expect(signals.map((s) => s.type)).toEqual(['stuck', 'job-completed']);
    expect(signals[1]?.jobUid).toBe('cj-1');
  });

  it('sends no end for a CronJob that was never reported', () => {
    const signals: Signal[] = [];
    const watcher = watcherAt(signals, { now: Date.parse('2026-05-04T10:30:00Z') });
    watcher.upsertCronJob(cronJob());
    watcher.checkStuck();
    watcher.upsertCronJob(cronJob({ resourceVersion: '2', lastScheduleTime: '2026-05-04T11:00:00Z' }));
    watcher.deleteCronJob(cronJob());
    expect(signals).toEqual([]);
  });

  it('reports an overdue Forbid run on its own Job once', () => {
    const signals: Signal[] = [];
    const clock = { now: Date.parse('2026-05-04T11:05:00Z') };
    const watcher = watcherAt(signals, clock);
    watcher.upsertJob(run({}));
    const hung = run({ uid: 'j-2', name: 'invoice-sync-29630040', createdAt: '2026-05-04T10:00:00Z', startTime: '2026-05-04T10:00:01Z', active: 1, succeeded: 0, complete: false });
    delete hung.completionTime;
    watcher.upsertJob(hung);
    watcher.upsertCronJob(cronJob({ active: [{ name: hung.name, uid: hung.uid }] }));
    watcher.checkStuck();
    clock.now = Date.parse('2026-05-04T12:05:00Z');
    watcher.checkStuck();
    const stuck = stuckOf(signals);
    expect(stuck).toHaveLength(1);
    const signal = stuck[0];
    if (signal?.type !== 'stuck') throw new Error('no stuck signal was sent');
    expect(signal.jobUid).toBe('j-2');
    expect(signal.jobName).toBe('invoice-sync-29630040');
    expect(signal.stuck.reason).toBe('RunOverdue');
    expect(signal.stuck.message).toContain('longest recent successful run 12m');
  });

  it('reports a suspended CronJob never', () => {
    const signals: Signal[] = [];
    const watcher = watcherAt(signals, { now: Date.parse('2026-06-01T00:00:00Z') });
    watcher.upsertCronJob(cronJob({ suspended: true }));
    watcher.checkStuck();
    expect(signals).toEqual([]);
  });

  it('reports the stall again after a replay', () => {
    const signals: Signal[] = [];
    const watcher = watcherAt(signals, { now: Date.parse('2026-05-04T13:05:00Z') });
    watcher.upsertCronJob(cronJob({ concurrencyPolicy: 'Allow' }));
    watcher.checkStuck();
    watcher.replayAll();
    expect(stuckOf(signals)).toHaveLength(2);
    expect(watcher.cronJobCount).toBe(1);
  });
});
