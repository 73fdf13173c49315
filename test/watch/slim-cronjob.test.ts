import { describe, expect, it } from 'vitest';
import { slimCronJob } from '../../src/watch/slim.ts';

describe('slimCronJob', () => {
  it('keeps the schedule, policy and status fields', () => {
    const slim = slimCronJob({
      metadata: { name: 'ledger-export', namespace: 'finance', uid: 'cj-1', resourceVersion: '7', creationTimestamp: new Date('2026-01-01T00:00:00Z') },
      spec: {
        schedule: '0 2 * * *',
        timeZone: 'Europe/Berlin',
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 300,
        suspend: true,
        jobTemplate: { spec: { template: {} } },
      },
      status: {
        lastScheduleTime: new Date('2026-05-04T00:00:00Z'),
        lastSuccessfulTime: new Date('2026-05-04T00:12:00Z'),
        active: [{ kind: 'Job', name: 'ledger-export-29630040', uid: 'j-1' }],
      },
    });
    expect(slim).toEqual({
      uid: 'cj-1', namespace: 'finance', name: 'ledger-export', resourceVersion: '7', createdAt: '2026-01-01T00:00:00.000Z',
      schedule: '0 2 * * *', timeZone: 'Europe/Berlin', suspended: true, concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 300,
      lastScheduleTime: '2026-05-04T00:00:00.000Z', lastSuccessfulTime: '2026-05-04T00:12:00.000Z',
      active: [{ name: 'ledger-export-29630040', uid: 'j-1' }],
    });
  });

  it('defaults concurrencyPolicy to Allow and leaves unset fields out', () => {
    const slim = slimCronJob({ metadata: { name: 'a', namespace: 'b', uid: 'c' }, spec: { schedule: '@daily', jobTemplate: {} } });
    expect(slim.concurrencyPolicy).toBe('Allow');
    expect(slim.suspended).toBe(false);
    expect(slim.active).toEqual([]);
    expect('lastScheduleTime' in slim).toBe(false);
    expect('timeZone' in slim).toBe(false);
  });
});
