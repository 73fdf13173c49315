import type { CoreV1Event, V1CronJob, V1Job } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose/diagnose.ts';
import type { Snapshot } from '../../src/diagnose/types.ts';

function cronJob(overrides: Partial<NonNullable<V1CronJob['spec']>> = {}, lastScheduleTime = '2026-05-04T02:00:00Z'): V1CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'ledger-export', namespace: 'finance', uid: 'cj-1', creationTimestamp: new Date('2026-01-01T00:00:00Z') },
    spec: { schedule: '0 * * * *', concurrencyPolicy: 'Forbid', jobTemplate: { spec: { template: { spec: { containers: [] } } } }, ...overrides },
    status: { lastScheduleTime: new Date(lastScheduleTime), active: [{ kind: 'Job', name: 'ledger-export-29630040', namespace: 'finance', uid: 'j-1' }] },
  };
}

function runningJob(): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: 'ledger-export-29630040', namespace: 'finance', uid: 'j-1', creationTimestamp: new Date('2026-05-04T02:00:00Z'),
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'ledger-export', uid: 'cj-1', controller: true }],
    },
    spec: { template: { spec: { containers: [{ name: 'export', image: 'ledger:1' }] } } },
    status: { active: 1, startTime: new Date('2026-05-04T02:00:01Z') },
  };
}

function cronEvent(reason: string, message: string, count: number, type = 'Normal'): CoreV1Event {
  return {
    metadata: { name: `ledger-export.${reason}`, namespace: 'finance' },
    involvedObject: { kind: 'CronJob', name: 'ledger-export', namespace: 'finance', uid: 'cj-1' },
    reason, message, type, count,
    firstTimestamp: new Date('2026-05-04T03:00:00Z'),
    lastTimestamp: new Date('2026-05-04T16:00:00Z'),
  };
}

const alreadyActive = cronEvent('JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid', 14);

function snapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return { job: runningJob(), cronJob: cronJob(), pods: [], events: [alreadyActive], logs: [], now: '2026-05-04T16:05:00Z', ...overrides };
}

describe('CronJob diagnosis', () => {
  it('names schedule-missed for a Forbid run that blocks the schedule', () => {
    const diagnosis = diagnose(snapshot());
    expect(diagnosis.cause).toBe('schedule-missed');
    expect(diagnosis.reason).toBeNull();
    expect(diagnosis.summary).toBe(
      'CronJob finance/ledger-export skipped 14 scheduled run(s) since 2026-05-04 03:00 UTC because run ledger-export-29630040 is still active (concurrencyPolicy Forbid)',
    );
  });

  it('quotes the controller event with its count', () => {
    const evidence = diagnose(snapshot()).evidence;
    expect(evidence[0]).toEqual({
      source: 'event',
      text: 'JobAlreadyActive: Not starting job because prior execution is running and concurrency policy is Forbid (x14)',
      object: 'cronjob/ledger-export',
    });
    expect(evidence.map((q) => q.text)).toContain('spec.concurrencyPolicy: Forbid');
    expect(evidence.map((q) => q.text)).toContain('status.lastScheduleTime: 2026-05-04T02:00:00.000Z');
  });

  it('gives the hung run and the CronJob commands in the fix', () => {
    const fix = diagnose(snapshot()).fix;
    expect(fix).toContain('activeDeadlineSeconds');
    expect(fix).toContain('startingDeadlineSeconds');
    expect(fix).toContain('kubectl get cronjob ledger-export -n finance -o yaml');
    expect(fix).toContain('kubectl get events -n finance --field-selector involvedObject.name=ledger-export');
  });

  it('counts MissSchedule and TooManyMissedTimes together', () => {
    const events = [
      cronEvent('MissSchedule', 'Missed scheduled time to start a job: Mon, 04 May 2026 15:00:00 +0000', 5, 'Warning'),
      cronEvent('TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew', 3, 'Warning'),
    ];
    const diagnosis = diagnose(snapshot({ events, cronJob: cronJob({ startingDeadlineSeconds: 30 }) }));
    expect(diagnosis.summary).toContain('missed 5 scheduled start(s) since 2026-05-04 03:00 UTC that came later than startingDeadlineSeconds (30) allows');
    expect(diagnosis.summary).toContain('counted more than 100 missed start times');
    expect(diagnosis.fix).toContain('spec.startingDeadlineSeconds (30)');
  });

  it('names a schedule the controller rejects', () => {
    const events = [cronEvent('UnknownTimeZone', 'invalid timeZone: "Europe/Atlantis": unknown time zone Europe/Atlantis', 40, 'Warning')];
    const diagnosis = diagnose(snapshot({ events }));
    expect(diagnosis.cause).toBe('schedule-missed');
    expect(diagnosis.summary).toContain('invalid timeZone: "Europe/Atlantis"');
    expect(diagnosis.fix).toContain('spec.timeZone');
  });

  it('ignores CronJob events from before this run', () => {
    const old = { ...alreadyActive, firstTimestamp: new Date('2026-05-01T03:00:00Z'), lastTimestamp: new Date('2026-05-01T04:00:00Z') };
    expect(diagnose(snapshot({ events: [old] })).cause).toBe('unknown');
  });

  it('keeps the run\'s own cause first and adds the skipped runs', () => {
    const pod = {
      metadata: { name: 'ledger-export-29630040-q2x7z', namespace: 'finance', uid: 'p-1', creationTimestamp: new Date('2026-05-04T02:00:01Z') },
      spec: { containers: [{ name: 'export', image: 'ledger:missing' }] },
      status: {
        phase: 'Pending',
        containerStatuses: [{
          name: 'export', image: 'ledger:missing', imageID: '', ready: false, restartCount: 0,
          state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "ledger:missing"' } },
        }],
      },
    };
    const diagnosis = diagnose(snapshot({ pods: [pod] }));
    expect(diagnosis.cause).toBe('image-pull');
    expect(diagnosis.secondary).toContain('schedule-missed');
    expect(diagnosis.evidence.map((q) => q.text)).toContain(
      'JobAlreadyActive: Not starting job because prior execution is running and concurrency policy is Forbid (x14)',
    );
  });

  it('counts scheduled times from the status when the CronJob has no run', () => {
    const standIn: V1Job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'ledger-export', namespace: 'finance' } };
    const idle = cronJob({ concurrencyPolicy: 'Allow' }, '2026-05-04T10:00:00Z');
    delete idle.status?.active;
    const diagnosis = diagnose(snapshot({ job: standIn, cronJob: idle, events: [] }));
    expect(diagnosis.cause).toBe('schedule-missed');
    expect(diagnosis.confidence).toBe('medium');
    expect(diagnosis.summary).toBe('CronJob finance/ledger-export started no run for 6 scheduled time(s) since 2026-05-04 11:00 UTC (status.lastScheduleTime)');
  });

  it('leaves a suspended CronJob without a run alone', () => {
    const standIn: V1Job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'ledger-export', namespace: 'finance' } };
    const diagnosis = diagnose(snapshot({ job: standIn, cronJob: cronJob({ suspend: true }), events: [] }));
    expect(diagnosis.cause).toBe('unknown');
  });
});

describe('CronJob diagnosis of overlapping runs', () => {
  it('names runs that pile up under Allow', () => {
    const allow = cronJob({ concurrencyPolicy: 'Allow' });
    allow.status = {
      active: [
        { kind: 'Job', name: 'ledger-export-29630040', namespace: 'finance', uid: 'j-1' },
        { kind: 'Job', name: 'ledger-export-29630100', namespace: 'finance', uid: 'j-2' },
      ],
    };
    const diagnosis = diagnose(snapshot({ cronJob: allow, events: [] }));
    expect(diagnosis.cause).toBe('schedule-missed');
    expect(diagnosis.summary).toBe(
      'CronJob finance/ledger-export has 2 runs active at once (concurrencyPolicy Allow): ledger-export-29630040, ledger-export-29630100',
    );
    expect(diagnosis.evidence[0]?.text).toBe('status.active: ledger-export-29630040, ledger-export-29630100');
  });
});
