import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { recordRun } from '../../src/episode/incidents.ts';
import { EpisodeStore } from '../../src/episode/store.ts';
import type { StoredMessage } from '../fake-slack/types.ts';
import { ALERT_CHANNEL, eventually, startHarness, type Harness } from '../support/harness.ts';
import { JobStory } from '../support/job-story.ts';
import { connectTestRedis, uniquePrefix } from '../support/redis.ts';
import { alertOf, messagesWithKey, rootMessages, waitReady, waitSlackQuiet } from './slack-view.ts';

const NAMESPACE = 'billing';
const CRONJOB = 'invoice-export';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** Creates the CronJob in the simulated store, which the worker reads, and returns its owner identity. */
function createCronJob(h: Harness): { name: string; uid: string } {
  const uid = randomUUID();
  h.sim.store.create({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: CRONJOB, namespace: NAMESPACE, uid },
    spec: {
      schedule: '*/15 * * * *',
      concurrencyPolicy: 'Forbid',
      jobTemplate: { spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'registry.example.com/app:1.0' }] } } } },
    },
    status: {},
  });
  return { name: CRONJOB, uid };
}

/** Plays one failed run of the CronJob: one pod exits 1, then the Job fails. */
function failRun(h: Harness, cronJob: { name: string; uid: string }, run: number): JobStory {
  const story = new JobStory(h.sim, { namespace: NAMESPACE, name: `${CRONJOB}-2911${run}`, backoffLimit: 0, cronJob });
  story.failPod(story.startPod(), { exitCode: 1, reason: 'Error', log: `export run ${run}: upstream returned 502\n` });
  story.failJob();
  return story;
}

async function incidentRoot(h: Harness, what: string, matches: (m: StoredMessage) => boolean): Promise<StoredMessage> {
  return await eventually(() => rootMessages(h.slack, ALERT_CHANNEL).find((m) => m.metadata?.event_type === 'jobwatch_incident' && matches(m)), what);
}

describe('CronJob incident', () => {
  it('threads three failed runs under one root and resolves it in place', async () => {
    harness = await startHarness({ env: { JOBWATCH_STUCK_AFTER_SECONDS: '1' } });
    const h = harness;
    await waitReady(h);
    const cronJob = createCronJob(h);

    // A CronJob with concurrencyPolicy Forbid starts runs one after another, so each run here
    // waits for the alert of the one before.
    const runs: JobStory[] = [];
    for (const run of [1, 2, 3]) {
      const story = failRun(h, cronJob, run);
      runs.push(story);
      await eventually(() => alertOf(h.slack, story.uid), `alert of run ${run}`);
    }
    const root = await incidentRoot(h, 'root that counts three failed runs', (m) => /failed (its last )?3 (of its last \d+ )?runs/.test(m.text));
    await waitSlackQuiet(h.slack);

    expect(rootMessages(h.slack, ALERT_CHANNEL)).toHaveLength(1);
    expect(root.text).toContain(`${NAMESPACE}/${CRONJOB}`);
    for (const story of runs) {
      const alerts = messagesWithKey(h.slack, 'jobwatch_alert', story.uid);
      expect(alerts, `alerts of ${story.name}`).toHaveLength(1);
      expect(alerts[0]?.thread_ts, `thread of ${story.name}`).toBe(root.ts);
    }

    const success = new JobStory(h.sim, { namespace: NAMESPACE, name: `${CRONJOB}-29114`, backoffLimit: 0, cronJob });
    success.startPod();
    success.complete();
    const resolved = await incidentRoot(h, 'resolved root', (m) => /resolved/.test(m.text));

    expect(resolved.ts).toBe(root.ts);
    expect(resolved.text).toContain(`run ${success.name} succeeded after 3 failed runs`);
    expect(resolved.edits.length).toBeGreaterThan(0);
    await waitSlackQuiet(h.slack);
    expect(rootMessages(h.slack, ALERT_CHANNEL)).toHaveLength(1);
    expect(messagesWithKey(h.slack, 'jobwatch_alert', success.uid)).toHaveLength(0);
  });

  // NOTE: expected to fail until incidents are opened atomically. `recordRun` reads the open
  // incident and creates one when there is none, and the worker holds only the lock of one
  // Job's episode around it. Two runs of one CronJob processed in parallel therefore open two
  // incidents with two root messages. Both reads here are sent before either write, as
  // parallel signal workers interleave them.
  it('opens one incident for runs recorded at the same moment', async () => {
    const redis = connectTestRedis();
    try {
      const store = new EpisodeStore(redis, { prefix: uniquePrefix('incident'), ttlSeconds: 600 });
      const cronJob = { cronJobUid: randomUUID(), cronJobName: CRONJOB, namespace: NAMESPACE };
      const runs = [1, 2].map((run) => ({ ...cronJob, jobUid: randomUUID(), jobName: `${CRONJOB}-2911${run}` }));

      const incidents = await Promise.all(runs.map((run) => recordRun(store, run, 'failed')));

      expect(incidents[0]?.key).toBe(incidents[1]?.key);
      const open = await store.getOpenIncidentKey(cronJob.cronJobUid);
      const incident = await store.getIncident(open ?? '');
      expect(incident?.runs.map((r) => r.jobUid).sort()).toEqual(runs.map((r) => r.jobUid).sort());
    } finally {
      await redis.quit();
    }
  });

  it('posts a run alert once while its first post is slow', async () => {
    harness = await startHarness({ env: { JOBWATCH_STUCK_AFTER_SECONDS: '1' } });
    const h = harness;
    await waitReady(h);
    const cronJob = createCronJob(h);
    // Slack responds to the incident root at once and to the run's alert, the second post, after
    // two seconds, while the next version of the same alert is already queued.
    h.slack.acceptThenTimeout('chat.postMessage', 0);
    h.slack.acceptThenTimeout('chat.postMessage', 2000);

    const story = failRun(h, cronJob, 1);
    await eventually(() => alertOf(h.slack, story.uid), 'the run alert');
    await waitSlackQuiet(h.slack);

    expect(rootMessages(h.slack, ALERT_CHANNEL)).toHaveLength(1);
    expect(messagesWithKey(h.slack, 'jobwatch_alert', story.uid)).toHaveLength(1);
  });
});
