import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack } from '../fake-slack/index.ts';
import type { FakeSlack } from '../fake-slack/types.ts';
import { ALERT_CHANNEL, eventually, startHarness, type Harness } from '../support/harness.ts';
import { JobStory } from '../support/job-story.ts';
import { alertOf, isRoot, messagesWithKey, waitReady, waitSlackQuiet } from './slack-view.ts';

const TEAM_CHANNEL = 'C0TEAMDATA';
const OTHER_CHANNEL = 'C0OTHERTEAM';
const FINAL_CHANNEL = 'C0FINALONLY';
const UNJOINED_PUBLIC = 'C0OPENJOBS';
const UNJOINED_PRIVATE = 'G0SECRETJOBS';

const ROUTES = `
notify: first-failure
exclude:
  namespaces: [kube-system]
routes:
  - name: data
    match: { namespaces: [data] }
    channel: ${TEAM_CHANNEL}
  - name: nightly
    match: { namespaces: [nightly] }
    channel: ${FINAL_CHANNEL}
    notify: final-only
  - name: open
    match: { namespaces: [open] }
    channel: ${UNJOINED_PUBLIC}
  - name: secret
    match: { namespaces: [secret] }
    channel: ${UNJOINED_PRIVATE}
`;

let dir: string;
let slack: FakeSlack;
let harness: Harness;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jobwatch-routes-'));
  const routesFile = join(dir, 'routes.yaml');
  await writeFile(routesFile, ROUTES);
  slack = await startFakeSlack({
    channels: [
      { id: ALERT_CHANNEL, name: 'job-alerts' },
      { id: TEAM_CHANNEL, name: 'team-data' },
      { id: OTHER_CHANNEL, name: 'other-team' },
      { id: FINAL_CHANNEL, name: 'nightly-final' },
      { id: UNJOINED_PUBLIC, name: 'open-jobs', botIsMember: false },
      { id: UNJOINED_PRIVATE, name: 'secret-jobs', isPrivate: true, botIsMember: false },
    ],
  });
  harness = await startHarness({ slack, env: { JOBWATCH_ROUTES_FILE: routesFile, JOBWATCH_STUCK_AFTER_SECONDS: '1' } });
  await waitReady(harness);
});

afterAll(async () => {
  await harness?.stop();
  await slack?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Fails one pod of a new Job and returns the story. */
function failOnce(options: ConstructorParameters<typeof JobStory>[1]): JobStory {
  const story = new JobStory(harness.sim, options);
  story.failPod(story.startPod(), { exitCode: 1, reason: 'Error', log: 'job step failed\n' });
  return story;
}

async function alertPosted(story: JobStory): Promise<NonNullable<ReturnType<typeof alertOf>>> {
  return await eventually(() => alertOf(slack, story.uid), `the alert of ${story.namespace}/${story.name}`);
}

/** Waits until the worker has recorded this many attempts for the Job's episode. */
async function attemptsRecorded(story: JobStory, count: number): Promise<void> {
  await eventually(async () => {
    const episode = await harness.jobwatch.store.getEpisode(story.uid);
    return (episode?.attempts.length ?? 0) >= count;
  }, `${count} attempts recorded for ${story.name}`);
}

describe('routing file', () => {
  it('sends a Job in a routed namespace to its channel', async () => {
    const story = failOnce({ namespace: 'data', name: 'ingest-orders' });
    const alert = await alertPosted(story);
    expect(alert.channel).toBe(TEAM_CHANNEL);
    expect(messagesWithKey(slack, 'jobwatch_alert', story.uid, ALERT_CHANNEL)).toHaveLength(0);
  });

  it('lets the channel annotation win over the route', async () => {
    const story = failOnce({ namespace: 'data', name: 'ingest-refunds', annotations: { 'jobwatch.io/channel': OTHER_CHANNEL } });
    const alert = await alertPosted(story);
    expect(alert.channel).toBe(OTHER_CHANNEL);
    expect(messagesWithKey(slack, 'jobwatch_alert', story.uid, TEAM_CHANNEL)).toHaveLength(0);
  });

  it('posts nothing for excluded namespaces or the ignore annotation', async () => {
    const excluded = failOnce({ namespace: 'kube-system', name: 'etcd-defrag' });
    const ignored = failOnce({ namespace: 'data', name: 'scratch-run', annotations: { 'jobwatch.io/ignore': 'true' } });
    // The control Job shows that alerts from this namespace reach Slack, so silence for the other
    // two comes from routing.
    const control = failOnce({ namespace: 'data', name: 'ingest-control' });
    await attemptsRecorded(excluded, 1);
    await attemptsRecorded(ignored, 1);
    await alertPosted(control);
    excluded.failJob();
    ignored.failJob();
    await eventually(async () => (await harness.jobwatch.store.getEpisode(excluded.uid))?.state === 'failed', 'excluded Job failed');
    await eventually(async () => (await harness.jobwatch.store.getEpisode(ignored.uid))?.state === 'failed', 'ignored Job failed');
    await waitSlackQuiet(slack);

    for (const story of [excluded, ignored]) {
      const calls = slack.calls().filter((c) => JSON.stringify(c.args).includes(story.uid) || JSON.stringify(c.args).includes(story.name));
      expect(calls, `Slack calls about ${story.name}`).toEqual([]);
      expect((await harness.jobwatch.store.getEpisode(story.uid))?.silenced).toBe(true);
    }
  });

  it('holds a final-only alert until the Job has failed', async () => {
    const story = new JobStory(harness.sim, { namespace: 'nightly', name: 'rollup', backoffLimit: 1 });
    story.failPod(story.startPod(), { exitCode: 2, reason: 'Error', log: 'rollup: missing partition\n' });
    await attemptsRecorded(story, 1);
    story.failPod(story.startPod(), { exitCode: 2, reason: 'Error', log: 'rollup: missing partition\n' });
    await attemptsRecorded(story, 2);
    await waitSlackQuiet(slack, 1500);
    expect(slack.messages(FINAL_CHANNEL)).toEqual([]);

    story.failJob();
    const alert = await alertPosted(story);
    expect(alert.channel).toBe(FINAL_CHANNEL);
    expect(alert.text).toMatch(/failed: backoff limit/);
    await waitSlackQuiet(slack);
    expect(slack.messages(FINAL_CHANNEL).filter(isRoot)).toHaveLength(1);
  });

  it('joins a public channel the bot is not in and posts there', async () => {
    const story = failOnce({ namespace: 'open', name: 'sync-catalog' });
    const alert = await alertPosted(story);
    expect(alert.channel).toBe(UNJOINED_PUBLIC);
    expect(slack.calls('conversations.join').some((c) => c.args['channel'] === UNJOINED_PUBLIC)).toBe(true);
    expect(slack.channels().find((c) => c.id === UNJOINED_PUBLIC)?.botIsMember).toBe(true);
  });

  it('falls back to the default channel for a private channel it cannot join', async () => {
    const story = failOnce({ namespace: 'secret', name: 'rotate-keys' });
    const alert = await alertPosted(story);
    expect(alert.channel).toBe(ALERT_CHANNEL);
    expect(slack.messages(UNJOINED_PRIVATE)).toEqual([]);
    const errors = harness
      .logLines()
      .map((line) => JSON.parse(line) as { level: number; channel?: string; msg: string })
      .filter((entry) => entry.level >= 50 && entry.channel === UNJOINED_PRIVATE);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]?.msg).toMatch(/default channel/);
  });
});
