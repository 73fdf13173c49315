import { describe, expect, it } from 'vitest';
import { readCronSchedule, slotsBetween } from '../../src/diagnose/cron-schedule.ts';
import { findCronJobStall, formatDuration, type CronJobRun } from '../../src/watch/cronjob-stall.ts';
import type { SlimCronJob } from '../../src/watch/slim.ts';

function cronJob(overrides: Partial<SlimCronJob> = {}): SlimCronJob {
  return {
    uid: 'cj-1', namespace: 'billing', name: 'invoice-sync', resourceVersion: '1',
    createdAt: '2026-01-01T00:00:00Z', schedule: '0 * * * *', suspended: false,
    concurrencyPolicy: 'Allow', lastScheduleTime: '2026-05-04T10:00:00Z', active: [], ...overrides,
  };
}

const at = (iso: string): number => Date.parse(iso);

const successes: CronJobRun[] = [
  { uid: 'j-1', name: 'invoice-sync-1', startTime: '2026-05-04T07:00:02Z', completionTime: '2026-05-04T07:10:02Z', succeeded: true },
  { uid: 'j-2', name: 'invoice-sync-2', startTime: '2026-05-04T08:00:02Z', completionTime: '2026-05-04T08:20:02Z', succeeded: true },
];

describe('findCronJobStall', () => {
  it('returns nothing while no more than two scheduled times passed', () => {
    expect(findCronJobStall(cronJob(), [], at('2026-05-04T12:30:00Z'))).toBeUndefined();
  });

  it('reports missed schedules once a third scheduled time passed', () => {
    const stall = findCronJobStall(cronJob(), [], at('2026-05-04T13:05:00Z'));
    expect(stall?.reason).toBe('MissedSchedules');
    expect(stall?.missed).toBe(3);
    expect(stall?.since).toBe('2026-05-04T11:00:00.000Z');
    expect(stall?.key).toBe('missed.2026-05-04T10:00:00Z');
  });

  it('counts a scheduled time only after the start grace', () => {
    expect(findCronJobStall(cronJob(), [], at('2026-05-04T13:00:30Z'))).toBeUndefined();
    expect(findCronJobStall(cronJob(), [], at('2026-05-04T13:01:01Z'))?.missed).toBe(3);
  });

  it('honours a custom threshold', () => {
    const stall = findCronJobStall(cronJob(), [], at('2026-05-04T11:05:00Z'), { missedRunsThreshold: 0 });
    expect(stall?.missed).toBe(1);
  });

  it('adds startingDeadlineSeconds to the slack of each scheduled time', () => {
    const late = cronJob({ startingDeadlineSeconds: 3600 });
    expect(findCronJobStall(late, [], at('2026-05-04T13:30:00Z'))).toBeUndefined();
    expect(findCronJobStall(late, [], at('2026-05-04T14:02:00Z'))?.missed).toBe(3);
  });

  it('ignores a suspended CronJob', () => {
    expect(findCronJobStall(cronJob({ suspended: true }), [], at('2026-05-05T00:00:00Z'))).toBeUndefined();
  });

  it('counts from the creation of a CronJob that never ran', () => {
    const fresh = cronJob({ createdAt: '2026-05-04T12:10:00Z' });
    delete fresh.lastScheduleTime;
    expect(findCronJobStall(fresh, [], at('2026-05-04T13:30:00Z'))).toBeUndefined();
    const stall = findCronJobStall(fresh, [], at('2026-05-04T15:30:00Z'));
    expect(stall?.missed).toBe(3);
    expect(stall?.key).toBe('missed.2026-05-04T12:10:00Z');
  });

  it('reads the schedule in spec.timeZone', () => {
    // 02:00 in New York is 06:00 UTC in May (daylight saving time).
    const daily = cronJob({ schedule: '0 2 * * *', timeZone: 'America/New_York', lastScheduleTime: '2026-05-01T06:00:00Z' });
    expect(findCronJobStall(daily, [], at('2026-05-04T06:00:30Z'))).toBeUndefined();
    const stall = findCronJobStall(daily, [], at('2026-05-04T06:01:30Z'));
    expect(stall?.since).toBe('2026-05-02T06:00:00.000Z');
    expect(stall?.missed).toBe(3);
  });

  it('reads a CRON_TZ prefix in the schedule', () => {
    const daily = cronJob({ schedule: 'CRON_TZ=Asia/Tokyo 0 9 * * *', lastScheduleTime: '2026-05-01T00:00:00Z' });
    expect(findCronJobStall(daily, [], at('2026-05-04T00:01:30Z'))?.since).toBe('2026-05-02T00:00:00.000Z');
  });

  it('ignores schedules it cannot read', () => {
    for (const schedule of ['@every 1h', 'not a schedule', '0 0 * * * *']) {
      expect(findCronJobStall(cronJob({ schedule }), [], at('2026-06-01T00:00:00Z'))).toBeUndefined();
    }
    expect(findCronJobStall(cronJob({ timeZone: 'Mars/Olympus' }), [], at('2026-06-01T00:00:00Z'))).toBeUndefined();
  });

  it('leaves a Forbid run within its usual time alone', () => {
    const forbid = cronJob({ concurrencyPolicy: 'Forbid', active: [{ name: 'invoice-sync-3', uid: 'j-3' }] });
    const runs = [...successes, { uid: 'j-3', name: 'invoice-sync-3', startTime: '2026-05-04T10:00:02Z', succeeded: false }];
    expect(findCronJobStall(forbid, runs, at('2026-05-04T10:50:00Z'))).toBeUndefined();
  });

  it('leaves a long Forbid run alone while it skipped nothing', () => {
    const daily = cronJob({ schedule: '0 3 * * *', concurrencyPolicy: 'Forbid', lastScheduleTime: '2026-05-04T03:00:00Z', active: [{ name: 'r', uid: 'j-3' }] });
    const runs = [...successes, { uid: 'j-3', name: 'r', startTime: '2026-05-04T03:00:02Z', succeeded: false }];
    expect(findCronJobStall(daily, runs, at('2026-05-04T12:00:00Z'))).toBeUndefined();
  });

  it('reports a Forbid run far past its usual time that skips runs', () => {
    const forbid = cronJob({ concurrencyPolicy: 'Forbid', active: [{ name: 'invoice-sync-3', uid: 'j-3' }] });
    const runs = [...successes, { uid: 'j-3', name: 'invoice-sync-3', startTime: '2026-05-04T10:00:02Z', succeeded: false }];
    const stall = findCronJobStall(forbid, runs, at('2026-05-04T11:05:00Z'));
    expect(stall?.reason).toBe('RunOverdue');
    expect(stall?.job).toEqual({ name: 'invoice-sync-3', uid: 'j-3' });
    expect(stall?.missed).toBe(1);
    expect(stall?.key).toBe('overdue.j-3');
    expect(stall?.message).toContain('longest recent successful run 20m');
    expect(stall?.message).toContain('1 scheduled run(s) skipped (concurrencyPolicy Forbid)');
  });

  it('waits three intervals for a Forbid run with no successful run seen', () => {
    const forbid = cronJob({ concurrencyPolicy: 'Forbid', active: [{ name: 'invoice-sync-3', uid: 'j-3' }] });
    const runs = [{ uid: 'j-3', name: 'invoice-sync-3', startTime: '2026-05-04T10:00:02Z', succeeded: false }];
    expect(findCronJobStall(forbid, runs, at('2026-05-04T12:50:00Z'))).toBeUndefined();
    expect(findCronJobStall(forbid, runs, at('2026-05-04T13:01:00Z'))?.reason).toBe('RunOverdue');
  });

  it('reports Allow runs that pile up behind an overdue one', () => {
    const allow = cronJob({
      lastScheduleTime: '2026-05-04T11:00:00Z',
      active: [{ name: 'a', uid: 'j-3' }, { name: 'b', uid: 'j-4' }],
    });
    const runs = [
      ...successes,
      { uid: 'j-3', name: 'a', startTime: '2026-05-04T10:00:02Z', succeeded: false },
      { uid: 'j-4', name: 'b', startTime: '2026-05-04T11:00:02Z', succeeded: false },
    ];
    const stall = findCronJobStall(allow, runs, at('2026-05-04T11:10:00Z'));
    expect(stall?.reason).toBe('RunOverdue');
    expect(stall?.job?.uid).toBe('j-3');
    expect(stall?.message).toContain('2 runs active at once (concurrencyPolicy Allow)');
  });

  it('falls back to missed schedules for a single overdue Allow run', () => {
    const allow = cronJob({ active: [{ name: 'a', uid: 'j-3' }] });
    const runs = [...successes, { uid: 'j-3', name: 'a', startTime: '2026-05-04T10:00:02Z', succeeded: false }];
    expect(findCronJobStall(allow, runs, at('2026-05-04T11:30:00Z'))).toBeUndefined();
    expect(findCronJobStall(allow, runs, at('2026-05-04T13:05:00Z'))?.reason).toBe('MissedSchedules');
  });
});

describe('readCronSchedule', () => {
  it('expands descriptors', () => {
    expect(readCronSchedule('@daily')).toEqual({ fields: '0 0 * * *', timeZone: 'UTC' });
  });

  it('lists slots across a daylight saving change', () => {
    const schedule = readCronSchedule('30 1 * * *', 'Europe/Berlin');
    if (!schedule) throw new Error('schedule was not read');
    const slots = slotsBetween(schedule, at('2026-03-28T00:00:00Z'), at('2026-03-30T00:00:00Z'), 10);
    expect(slots.map((ms) => new Date(ms).toISOString())).toEqual([
      '2026-03-28T00:30:00.000Z',
      '2026-03-29T00:30:00.000Z',
      // Central European Summer Time starts at 01:00 UTC on 29 March 2026.
      '2026-03-29T23:30:00.000Z',
    ]);
  });
});

describe('formatDuration', () => {
  it('formats seconds, minutes and hours', () => {
    expect(formatDuration(40_000)).toBe('40s');
    expect(formatDuration(12 * 60_000)).toBe('12m');
    expect(formatDuration(125 * 60_000)).toBe('2h05m');
  });
});
