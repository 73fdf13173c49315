import { afterEach, describe, expect, it } from 'vitest';
import { startSimCluster, type SimCluster } from '../../src/sim/index.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { JobStory } from '../support/job-story.ts';
import { alertOf, messagesWithKey, waitReady, waitSlackQuiet } from './slack-view.ts';

let sim: SimCluster | undefined;
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  await sim?.stop();
  harness = undefined;
  sim = undefined;
});

/** Plays a Job that fails its only attempt and then fails for good. */
function failedJob(cluster: SimCluster, name: string): JobStory {
  const story = new JobStory(cluster, { namespace: 'etl', name, backoffLimit: 0 });
  story.failPod(story.startPod(), { exitCode: 1, reason: 'Error', log: `${name}: source table is locked\n` });
  story.failJob();
  return story;
}

async function episodeState(h: Harness, story: JobStory): Promise<{ state: string; silenced: boolean } | undefined> {
  const episode = await h.jobwatch.store.getEpisode(story.uid);
  return episode && { state: episode.state, silenced: episode.silenced === true };
}

/** Waits until the worker has recorded the Job's episode as failed. */
async function recordedFailed(h: Harness, story: JobStory): Promise<{ state: string; silenced: boolean }> {
  return await eventually(async () => {
    const episode = await episodeState(h, story);
    return episode?.state === 'failed' ? episode : undefined;
  }, `episode of ${story.name} recorded as failed`);
}

describe('first start of an install', () => {
  it('records failures older than the first start without posting them', async () => {
    sim = await startSimCluster();
    const old = [failedJob(sim, 'load-orders'), failedJob(sim, 'load-refunds')];
    harness = await startHarness({ sim, env: { JOBWATCH_STUCK_AFTER_SECONDS: '1' } });
    const h = harness;
    await waitReady(h);
    for (const story of old) expect(await recordedFailed(h, story)).toEqual({ state: 'failed', silenced: true });

    // A failure after the first list is posted, which shows that the bootstrap caused the silence.
    const fresh = failedJob(sim, 'load-payouts');
    await eventually(() => alertOf(h.slack, fresh.uid), 'the alert of a failure after start');
    await waitSlackQuiet(h.slack);
    const posts = h.slack.calls('chat.postMessage').map((c) => JSON.stringify(c.args));
    for (const story of old) {
      expect(messagesWithKey(h.slack, 'jobwatch_alert', story.uid), story.name).toEqual([]);
      expect(posts.filter((post) => post.includes(story.name)), `posts naming ${story.name}`).toEqual([]);
    }
  });

  it('posts earlier failures younger than the bootstrap post age', async () => {
    sim = await startSimCluster();
    const old = [failedJob(sim, 'load-orders'), failedJob(sim, 'load-refunds')];
    harness = await startHarness({ sim, env: { JOBWATCH_STUCK_AFTER_SECONDS: '1', JOBWATCH_BOOTSTRAP_POST_MAX_AGE_SECONDS: '3600' } });
    const h = harness;
    await waitReady(h);
    for (const story of old) await eventually(() => alertOf(h.slack, story.uid), `the alert of ${story.name}`);
    await waitSlackQuiet(h.slack);
    for (const story of old) expect(messagesWithKey(h.slack, 'jobwatch_alert', story.uid), story.name).toHaveLength(1);
  });
});

describe('restart of an installed jobwatch', () => {
  it('posts failures from while it was down and nothing twice', async () => {
    sim = await startSimCluster();
    const silenced = failedJob(sim, 'load-orders');
    harness = await startHarness({ sim, env: { JOBWATCH_STUCK_AFTER_SECONDS: '1' } });
    const h = harness;
    await waitReady(h);
    await recordedFailed(h, silenced);
    await eventually(() => h.jobwatch.store.isInstalled(), 'the install marker');
    const posted = failedJob(sim, 'load-refunds');
    await eventually(() => alertOf(h.slack, posted.uid), 'the alert of a failure after start');
    await waitSlackQuiet(h.slack);

    await h.jobwatch.stop();
    const whileDown = failedJob(sim, 'load-payouts');
    await h.restart();
    await waitReady(h);

    await eventually(() => alertOf(h.slack, whileDown.uid), 'the alert of the failure while down');
    await waitSlackQuiet(h.slack);
    expect(messagesWithKey(h.slack, 'jobwatch_alert', whileDown.uid)).toHaveLength(1);
    expect(messagesWithKey(h.slack, 'jobwatch_alert', posted.uid)).toHaveLength(1);
    expect(messagesWithKey(h.slack, 'jobwatch_alert', silenced.uid)).toEqual([]);
    expect(await episodeState(h, silenced)).toEqual({ state: 'failed', silenced: true });
  });
});
