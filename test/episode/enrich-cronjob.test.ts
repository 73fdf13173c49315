import type { CoreV1Event, V1CronJob, V1Job } from '@kubernetes/client-node';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ClusterReader } from '../../src/episode/cluster-reader.ts';
import { enrichCronJobStall, isCronJobEpisode } from '../../src/episode/enrich-cronjob.ts';
import { enrichEpisode } from '../../src/episode/enrich.ts';
import type { Signal } from '../../src/queue/signals.ts';

const logger = pino({ level: 'silent' });

const cronJob: V1CronJob = {
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'ledger-export', namespace: 'finance', uid: 'cj-1', labels: { team: 'ledger' } },
  spec: {
    schedule: '0 * * * *',
    jobTemplate: { metadata: { labels: { app: 'ledger' } }, spec: { template: { spec: { containers: [{ name: 'export', image: 'ledger:1' }] } } } },
  },
  status: { lastScheduleTime: new Date('2026-05-04T02:00:00Z') },
};

const skipped: CoreV1Event = {
  metadata: { name: 'ledger-export.1' },
  involvedObject: { kind: 'CronJob', name: 'ledger-export', uid: 'cj-1' },
  reason: 'JobAlreadyActive',
  message: 'Not starting job because prior execution is running and concurrency policy is Forbid',
  count: 9,
};

function readerWith(requested: string[], options: { cronJob?: V1CronJob; failEvents?: boolean } = {}): ClusterReader {
  return {
    getJob: () => Promise.resolve(undefined),
    getCronJob: () => Promise.resolve(options.cronJob),
    getPod: () => Promise.resolve(undefined),
    listJobPods: () => Promise.resolve([]),
    listEventsFor: (_namespace, object) => {
      requested.push(`${object.kind}/${object.name}`);
      if (options.failEvents) return Promise.reject(new Error('events is forbidden'));
      return Promise.resolve(object.kind === 'CronJob' ? [skipped] : []);
    },
    readPodLog: () => Promise.resolve({ unavailable: 'pod-not-found' }),
  };
}

const target = { namespace: 'finance', name: 'ledger-export', uid: 'cj-1' };

describe('enrichCronJobStall', () => {
  it('builds a snapshot from the CronJob and its events', async () => {
    const requested: string[] = [];
    const nowMs = Date.parse('2026-05-04T16:00:00Z');
    const enriched = await enrichCronJobStall({ reader: readerWith(requested, { cronJob }), logger, nowMs }, target);
    expect(requested).toEqual(['CronJob/ledger-export']);
    expect(enriched?.snapshot.cronJob).toBe(cronJob);
    expect(enriched?.snapshot.events).toEqual([skipped]);
    expect(enriched?.snapshot.now).toBe('2026-05-04T16:00:00.000Z');
    expect(enriched?.snapshot.job.metadata?.name).toBe('ledger-export');
    expect(enriched?.snapshot.job.metadata?.labels).toEqual({ app: 'ledger' });
    expect(enriched?.snapshot.job.status).toBeUndefined();
  });

  it('returns nothing for a CronJob re-created under a new uid', async () => {
    const other = { ...cronJob, metadata: { ...cronJob.metadata, uid: 'cj-2' } };
    expect(await enrichCronJobStall({ reader: readerWith([], { cronJob: other }), logger, nowMs: 0 }, target)).toBeUndefined();
  });

  it('goes on without events it cannot read', async () => {
    const enriched = await enrichCronJobStall({ reader: readerWith([], { cronJob, failEvents: true }), logger, nowMs: 0 }, target);
    expect(enriched?.snapshot.events).toEqual([]);
  });
});

describe('enrichEpisode of a CronJob run', () => {
  it('adds the events of the owning CronJob', async () => {
    const requested: string[] = [];
    const job: V1Job = {
      metadata: {
        name: 'ledger-export-29630040', namespace: 'finance', uid: 'j-1',
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'ledger-export', uid: 'cj-1', controller: true }],
      },
    };
    const enriched = await enrichEpisode({ reader: readerWith(requested, { cronJob }), logger, tailLines: 10, limitBytes: 1000 }, { namespace: 'finance', name: job.metadata?.name ?? '', uid: 'j-1' }, job, {});
    expect(requested).toContain('CronJob/ledger-export');
    expect(enriched?.snapshot.events.map((e) => e.reason)).toContain('JobAlreadyActive');
  });
});

describe('isCronJobEpisode', () => {
  const base = { v: 1 as const, jobUid: 'cj-1', namespace: 'finance', jobName: 'ledger-export', observedAt: '2026-05-04T16:00:00Z' };

  it('recognises a missed-schedule signal and its later signals', () => {
    const stuck: Signal = { ...base, type: 'stuck', stuck: { key: 'cronjob.missed.x', reason: 'MissedSchedules', since: '2026-05-04T03:00:00Z' } };
    expect(isCronJobEpisode(stuck, undefined)).toBe(true);
    const completed: Signal = { ...base, type: 'job-completed' };
    const episode = { key: 'cj-1', namespace: 'finance', jobName: 'ledger-export', state: 'stuck' as const, reason: 'MissedSchedules', openedAt: '', attempts: [], version: 1, stuck: { reason: 'MissedSchedules', since: '' } };
    expect(isCronJobEpisode(completed, episode)).toBe(true);
    expect(isCronJobEpisode(completed, undefined)).toBe(false);
  });

  it('leaves an overdue run to its Job', () => {
    const stuck: Signal = { ...base, type: 'stuck', stuck: { key: 'cronjob.overdue.j-1', reason: 'RunOverdue', since: '2026-05-04T02:00:00Z' } };
    expect(isCronJobEpisode(stuck, undefined)).toBe(false);
  });
});
