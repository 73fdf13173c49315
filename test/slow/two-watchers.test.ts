import { afterEach, describe, expect, it } from 'vitest';
import { eventually, harnessEnv, launchInProcess, startHarness, type Harness, type InProcessJobwatch } from '../support/harness.ts';
import { JobStory } from '../support/job-story.ts';
import { testRedisUrl } from '../support/redis.ts';
import { alertOf, messagesWithKey, rootMessages, waitSlackQuiet } from '../integration/slack-view.ts';

/**
 * A leader that lost the Lease and has not noticed yet still watches for up to the renew
 * deadline, next to the new leader. Both then send the same signals; their queue job ids
 * and the worker's per-Job episode make one alert of them.
 */

const NAMESPACE = 'nightly';

let harness: Harness | undefined;
let second: InProcessJobwatch | undefined;
afterEach(async () => {
  await second?.jobwatch.stop();
  await second?.close();
  second = undefined;
  await harness?.stop();
  harness = undefined;
});

function failingJob(h: Harness, name: string, attempts: number): JobStory {
  const story = new JobStory(h.sim, { namespace: NAMESPACE, name, backoffLimit: attempts - 1 });
  for (let i = 0; i < attempts; i += 1) {
    story.failPod(story.startPod(), { exitCode: 1, reason: 'Error', log: `${name}: ValueError: bad row ${i}\n` });
  }
  story.failJob();
  return story;
}

describe('two watcher roles on one cluster and one Redis', () => {
  it('post one alert per failure episode', async () => {
    harness = await startHarness({ env: { JOBWATCH_NAMESPACES: NAMESPACE } });
    const h = harness;
    // The second process runs only a watcher, with the same Redis prefix, so both feed one queue.
    const env = { ...harnessEnv(h.slack, testRedisUrl(), h.prefix), KUBECONFIG: h.sim.kubeconfigPath, JOBWATCH_ROLES: 'watcher', JOBWATCH_NAMESPACES: NAMESPACE };
    second = await launchInProcess(env, []);
    const other = second.jobwatch;
    await eventually(() => h.jobwatch.ready() && other.ready(), 'both watchers synced');

    const stories = [failingJob(h, 'export-a', 1), failingJob(h, 'export-b', 2), failingJob(h, 'export-c', 3)];
    for (const story of stories) {
      await eventually(() => alertOf(h.slack, story.uid), `the alert of ${story.name}`);
    }
    // Both watchers saw every Job, so each failure was signalled twice.
    await eventually(() => other.watcher?.watcher.jobCount === stories.length, 'the second watcher to see the Jobs');
    expect(h.jobwatch.watcher?.watcher.jobCount).toBe(stories.length);

    // Updates of a posted message wait one second, so 1.5 s without calls means none is pending.
    await waitSlackQuiet(h.slack, 1500);
    for (const story of stories) {
      expect(messagesWithKey(h.slack, 'jobwatch_alert', story.uid), story.name).toHaveLength(1);
    }
    const rootPosts = h.slack.calls('chat.postMessage').filter((c) => c.args['thread_ts'] === undefined);
    expect(rootPosts).toHaveLength(stories.length);
    expect(rootMessages(h.slack)).toHaveLength(stories.length);
  });
});
