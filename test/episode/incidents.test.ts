import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { incidentView, recordRun } from '../../src/episode/incidents.ts';
import { EpisodeStore } from '../../src/episode/store.ts';
import { renderIncident } from '../../src/slack/render-incident.ts';
import { testRedisUrl, uniquePrefix } from '../support/redis.ts';

const redis = new Redis(testRedisUrl());
afterAll(() => redis.disconnect());

function run(n: number) {
  return { cronJobUid: 'cron-1', cronJobName: 'nightly', namespace: 'reports', jobUid: `job-${n}`, jobName: `nightly-${n}` };
}

describe('recordRun', () => {
  it('opens an incident on the first failure with earlier successes as history', async () => {
    const store = new EpisodeStore(redis, { prefix: uniquePrefix('inc'), ttlSeconds: 60 });
    expect(await recordRun(store, run(1), 'succeeded')).toBeUndefined();
    expect(await recordRun(store, run(2), 'succeeded')).toBeUndefined();
    const incident = await recordRun(store, run(3), 'failed');
    expect(incident?.runs.map((r) => r.outcome)).toEqual(['succeeded', 'succeeded', 'failed']);
    expect(renderIncident(incidentView(incident!)).text).toBe('🔴 reports/nightly failed its last run');
  });

  it('keeps one incident across failed runs and resolves it on a success', async () => {
    const store = new EpisodeStore(redis, { prefix: uniquePrefix('inc'), ttlSeconds: 60 });
    const first = await recordRun(store, run(1), 'running');
    await recordRun(store, run(1), 'failed');
    const second = await recordRun(store, run(2), 'failed');
    expect(second?.key).toBe(first?.key);
    expect(second?.runs.filter((r) => r.outcome === 'failed')).toHaveLength(2);
    const resolved = await recordRun(store, run(3), 'succeeded');
    expect(resolved?.key).toBe(first?.key);
    expect(resolved?.resolved).toBe(true);
    expect(await store.getOpenIncidentKey('cron-1')).toBeUndefined();
  });

  it('opens a new incident for a failure after resolution', async () => {
    const store = new EpisodeStore(redis, { prefix: uniquePrefix('inc'), ttlSeconds: 60 });
    const first = await recordRun(store, run(1), 'failed');
    await recordRun(store, run(2), 'succeeded');
    const next = await recordRun(store, run(3), 'failed');
    expect(next?.key).not.toBe(first?.key);
    expect(next?.resolved).toBe(false);
  });

  it('changes nothing when a run repeats its outcome', async () => {
    const store = new EpisodeStore(redis, { prefix: uniquePrefix('inc'), ttlSeconds: 60 });
    await recordRun(store, run(1), 'failed');
    expect(await recordRun(store, run(1), 'failed')).toBeUndefined();
  });
});
