import { afterEach, describe, expect, it } from 'vitest';
import type { ListWatchStats } from '../../src/kube/list-watch.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { JobStory } from '../support/job-story.ts';
import { alertOf, messagesWithKey, rootMessages, waitReady, waitSlackQuiet } from './slack-view.ts';

const NAMESPACE = 'reports';

let harness: Harness | undefined;
afterEach(async () => {
  harness?.sim.faults.clear();
  await harness?.stop();
  harness = undefined;
});

async function start(env: Record<string, string> = {}): Promise<Harness> {
  harness = await startHarness({ env: { JOBWATCH_STUCK_AFTER_SECONDS: '1', ...env } });
  await waitReady(harness);
  return harness;
}

/** Plays a Job whose only attempt fails, then the Job fails. */
function failedJob(h: Harness, name: string): JobStory {
  const story = new JobStory(h.sim, { namespace: NAMESPACE, name, backoffLimit: 0 });
  story.failPod(story.startPod(), { exitCode: 1, reason: 'Error', log: `${name}: report query timed out\n` });
  story.failJob();
  return story;
}

async function alerted(h: Harness, story: JobStory): Promise<void> {
  await eventually(() => alertOf(h.slack, story.uid), `the alert of ${story.name}`);
}

/** Returns the counters of the Job and Pod watch loops. */
function watchStats(h: Harness): { jobs: ListWatchStats; pods: ListWatchStats } {
  const role = h.jobwatch.watcher;
  if (!role) throw new Error('the harness runs no watcher role');
  return { jobs: role.jobs.stats(), pods: role.pods.stats() };
}

/** Checks that each Job has one alert, that no root message repeats a key and that no root post was sent twice. */
async function expectOneAlertEach(h: Harness, stories: JobStory[]): Promise<void> {
  // Updates of a posted message wait one second, so 1.5 s without calls means none is pending.
  await waitSlackQuiet(h.slack, 1500);
  for (const story of stories) {
    expect(messagesWithKey(h.slack, 'jobwatch_alert', story.uid), story.name).toHaveLength(1);
  }
  const keys = rootMessages(h.slack).map((m) => String(m.metadata?.event_payload['key']));
  expect(new Set(keys).size).toBe(keys.length);
  expect(h.slack.calls('chat.postMessage').filter((c) => c.args['thread_ts'] === undefined)).toHaveLength(stories.length);
}

describe('watch faults', () => {
  it('re-lists after 410 Gone and alerts each Job once', async () => {
    const h = await start();
    const before = failedJob(h, 'daily-before');
    await alerted(h, before);

    // The watches end, the Job fails before the loops resume, and the history is dropped, so
    // the loops resume from versions older than the compacted history and get 410 Gone.
    h.sim.faults.closeWatches();
    const during = failedJob(h, 'daily-during');
    h.sim.faults.compactHistory();
    await eventually(() => watchStats(h).jobs.relists > 0 && watchStats(h).pods.relists > 0, 'both loops to re-list');
    const after = failedJob(h, 'daily-after');

    await alerted(h, during);
    await alerted(h, after);
    await expectOneAlertEach(h, [before, during, after]);
  });

  it('restarts a stalled watch and alerts the Job failed during the stall', async () => {
    const h = await start({ JOBWATCH_WATCH_STALL_SECONDS: '10' });
    const before = failedJob(h, 'hourly-before');
    await alerted(h, before);

    // Watches opened from now on send headers and then nothing, not even bookmarks.
    h.sim.faults.hangWatches();
    h.sim.faults.closeWatches();
    const during = failedJob(h, 'hourly-during');
    await eventually(() => watchStats(h).jobs.stalls > 0 && watchStats(h).pods.stalls > 0, 'the stall watchdog', 25_000);
    h.sim.faults.releaseWatches();

    await alerted(h, during);
    await expectOneAlertEach(h, [before, during]);
  }, 40_000);

  it('re-lists after an API server restart with new resource versions', async () => {
    const h = await start();
    const before = failedJob(h, 'weekly-before');
    await alerted(h, before);

    h.sim.faults.restart({ renumber: true });
    const during = failedJob(h, 'weekly-during');
    await eventually(() => watchStats(h).jobs.relists > 0 && watchStats(h).pods.relists > 0, 'both loops to re-list');
    const after = failedJob(h, 'weekly-after');

    await alerted(h, during);
    await alerted(h, after);
    await expectOneAlertEach(h, [before, during, after]);
  });

  it('retries through API errors in the watch and the worker reads', async () => {
    const h = await start();
    const before = failedJob(h, 'monthly-before');
    await alerted(h, before);

    // The watcher lists and watches all namespaces, while the worker reads one Job by name.
    h.sim.faults.failNext('/apis/batch/v1/jobs', { code: 500, count: 1 });
    h.sim.faults.failNext('/api/v1/pods', { code: 500, count: 1 });
    h.sim.faults.failNext(`/apis/batch/v1/namespaces/${NAMESPACE}/jobs/monthly-during`, { code: 500, count: 2 });
    h.sim.faults.closeWatches({ abrupt: true });
    const during = failedJob(h, 'monthly-during');
    await eventually(() => watchStats(h).jobs.restarts > 0 && watchStats(h).pods.restarts > 0, 'both loops to recover');

    await alerted(h, during);
    expect(h.sim.faults.requestCount(`/apis/batch/v1/namespaces/${NAMESPACE}/jobs/monthly-during`)).toBeGreaterThan(2);
    await expectOneAlertEach(h, [before, during]);
  });
});
