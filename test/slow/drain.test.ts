import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EpisodeStore } from '../../src/episode/store.ts';
import { startRedisServer } from '../../src/queue/redis-server.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { JobStory } from '../support/job-story.ts';
import { testRedisUrl } from '../support/redis.ts';

/**
 * On shutdown jobwatch stops taking queue jobs and lets those in flight finish within the
 * grace period. Slack's response to the alert's post is held back, so the notify job is in
 * flight when the stop begins.
 */

const NAMESPACE = 'reports';

let harness: Harness | undefined;
const redis = new Redis(testRedisUrl());
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});
afterAll(() => redis.disconnect());

/** Reads delivery records on a connection of its own, which outlives jobwatch's stop. */
function deliveryOf(h: Harness, jobUid: string) {
  return new EpisodeStore(redis, { prefix: h.prefix, ttlSeconds: 60 }).getDelivery('alert', jobUid);
}

async function postInFlight(h: Harness, name: string, holdMs: number): Promise<JobStory> {
  h.slack.acceptThenTimeout('chat.postMessage', holdMs);
  const story = new JobStory(h.sim, { namespace: NAMESPACE, name, backoffLimit: 0 });
  story.failPod(story.startPod(), { exitCode: 1, reason: 'Error', log: 'ValueError: bad row 17\n' });
  story.failJob();
  await eventually(() => h.slack.calls('chat.postMessage').length > 0, 'the post to reach Slack');
  return story;
}

describe('shutdown drain', () => {
  it('finishes a notify job in flight within the grace period', async () => {
    harness = await startHarness();
    const h = harness;
    await eventually(() => h.jobwatch.ready(), 'jobwatch ready');
    const story = await postInFlight(h, 'export-drain', 1_500);
    expect(await deliveryOf(h, story.uid)).toBeUndefined();

    await h.jobwatch.stop({ graceMs: 60_000 });
    // The post's response arrived during the stop and was recorded before the stop ended.
    expect(await deliveryOf(h, story.uid)).toBeDefined();
    const lines = h.logLines();
    const stopping = lines.findIndex((line) => line.includes('stopping: finishing work in flight'));
    const stopped = lines.findIndex((line) => line.includes('"msg":"stopped"'));
    expect(stopping).toBeGreaterThanOrEqual(0);
    expect(stopped).toBeGreaterThan(stopping);
    expect(lines.some((line) => line.includes('shutdown grace period'))).toBe(false);
  });

  it('stops waiting for work in flight when the grace period ends', async () => {
    harness = await startHarness();
    const h = harness;
    await eventually(() => h.jobwatch.ready(), 'jobwatch ready');
    const story = await postInFlight(h, 'export-slow', 5_000);

    await h.jobwatch.stop({ graceMs: 100 });
    expect(h.logLines().some((line) => line.includes('queue jobs still running after the shutdown grace period'))).toBe(true);
    expect(await deliveryOf(h, story.uid)).toBeUndefined();
  });

  it('does not wait the grace period for queue jobs when Redis is gone', async () => {
    const server = await startRedisServer({ appendOnly: false });
    try {
      harness = await startHarness({ redisUrl: server.url });
      const h = harness;
      await eventually(() => h.jobwatch.ready(), 'jobwatch ready');
      await server.kill();
      await eventually(() => !h.jobwatch.ready(), 'jobwatch to see Redis gone');

      await h.jobwatch.stop({ graceMs: 120_000 });
      const lines = h.logLines();
      expect(lines.some((line) => line.includes('redis is unreachable at shutdown'))).toBe(true);
      expect(lines.some((line) => line.includes('queue jobs still running after the shutdown grace period'))).toBe(false);
      expect(lines.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
    } finally {
      await server.stop().catch(() => undefined);
    }
  });
});
