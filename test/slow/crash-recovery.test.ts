import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EpisodeStore } from '../../src/episode/store.ts';
import { startSimCluster, type SimCluster } from '../../src/sim/index.ts';
import { startFakeSlack } from '../fake-slack/index.ts';
import type { FakeSlack } from '../fake-slack/types.ts';
import { eventually } from '../support/harness.ts';
import { killAll, processEnv, startReadyJobwatch, type JobwatchProcess } from '../support/jobwatch-process.ts';
import { JobStory } from '../support/job-story.ts';
import { testRedisUrl, uniquePrefix } from '../support/redis.ts';

const CHANNEL = 'C0ALERTS';
let sim: SimCluster;
let slack: FakeSlack;
let redis: Redis;

beforeAll(async () => {
  sim = await startSimCluster();
  slack = await startFakeSlack({ channels: [{ id: CHANNEL, name: 'job-alerts' }] });
  redis = new Redis(testRedisUrl());
});
const started: JobwatchProcess[] = [];
afterEach(() => killAll(started));
afterAll(async () => {
  redis.disconnect();
  await slack.stop();
  await sim.stop();
});

// Each test watches a namespace of its own, so the failures of earlier tests do not
// reach the failpoints of later ones.
function envFor(prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...processEnv(prefix, sim, slack, CHANNEL), ...extra };
}

function rootsFor(jobName: string) {
  return slack.messages(CHANNEL).filter((m) => (m.thread_ts === undefined || m.thread_ts === m.ts) && m.text.includes(jobName));
}

function startReady(env: Record<string, string>): Promise<JobwatchProcess> {
  return startReadyJobwatch(env, started);
}

function failJob(namespace: string, name: string): JobStory {
  const story = new JobStory(sim, { namespace, name, backoffLimit: 0 });
  const pod = story.startPod();
  story.failPod(pod, { exitCode: 1, reason: 'Error', log: 'Traceback (most recent call last):\nValueError: bad row 17\n' });
  story.failJob();
  return story;
}

describe('a killed jobwatch process', () => {
  it('adopts a post Slack accepted before the crash instead of posting twice', async () => {
    const prefix = uniquePrefix('crash-post');
    const first = await startReady(envFor(prefix, { JOBWATCH_FAILPOINTS: 'notify-after-post' }));
    const story = failJob(prefix, 'export-after-post');
    expect(await first.exited).toBe('SIGKILL');
    expect(rootsFor(story.name)).toHaveLength(1);

    const second = await startReady(envFor(prefix));
    const store = new EpisodeStore(redis, { prefix, ttlSeconds: 60 });
    const delivery = await eventually(() => store.getDelivery('alert', story.uid), 'the adopted delivery record', 120_000);
    expect(delivery.ts).toBe(rootsFor(story.name)[0]?.ts);
    await eventually(() => /backoff limit/i.test(rootsFor(story.name)[0]?.text ?? ''), 'the final state shown', 90_000);
    expect(rootsFor(story.name)).toHaveLength(1);
    expect(second.output()).toContain('adopted a post that was accepted before it was recorded');
    second.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('posts an episode stored just before the worker was killed', async () => {
    const prefix = uniquePrefix('crash-worker');
    const first = await startReady(envFor(prefix, { JOBWATCH_FAILPOINTS: 'worker-after-apply' }));
    const story = failJob(prefix, 'export-after-apply');
    expect(await first.exited).toBe('SIGKILL');
    expect(rootsFor(story.name)).toHaveLength(0);

    const second = await startReady(envFor(prefix));
    await eventually(() => rootsFor(story.name).length === 1, 'the alert after restart', 120_000);
    await eventually(() => /backoff limit/i.test(rootsFor(story.name)[0]?.text ?? ''), `the final state shown:\n${rootsFor(story.name)[0]?.text}`, 90_000).catch((err: unknown) => {
      throw new Error(`${String(err)}\n--- first ---\n${first.output()}\n--- second ---\n${second.output()}`);
    });
    expect(rootsFor(story.name)).toHaveLength(1);
    second.kill('SIGTERM');
    await second.exited;
  });

  it('re-detects a failure whose signal the watcher never queued', async () => {
    const prefix = uniquePrefix('crash-watch');
    const first = await startReady(envFor(prefix, { JOBWATCH_FAILPOINTS: 'watcher-after-capture' }));
    const story = new JobStory(sim, { namespace: prefix, name: 'export-after-capture', backoffLimit: 2 });
    story.failPod(story.startPod(), { exitCode: 2, reason: 'Error', log: 'usage: export [-h]\nexport: error: unrecognized arguments: --fast\n' });
    expect(await first.exited).toBe('SIGKILL');

    const second = await startReady(envFor(prefix));
    const root = await eventually(() => rootsFor(story.name)[0], 'the alert after restart', 90_000);
    expect(root.text.toLowerCase()).toContain('attempt 1 of 3');
    second.kill('SIGTERM');
    await second.exited;
  });

  it('finishes in-flight work and exits cleanly on SIGTERM', async () => {
    const prefix = uniquePrefix('sigterm');
    const proc = await startReady(envFor(prefix));
    const story = failJob(prefix, 'export-sigterm');
    await eventually(() => rootsFor(story.name).length === 1, 'the first post', 90_000).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${proc.output()}`);
    });
    proc.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(proc.output()).toContain('"msg":"stopped"');
  });
});
