import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { buildBlockActionPayload, sendBlockAction, sendSlashCommand, signRequest, startFakeSlack } from '../fake-slack/index.ts';
import type { FakeSlack, StoredMessage } from '../fake-slack/types.ts';
import { ALERT_CHANNEL, eventually } from '../support/harness.ts';
import { JobStory } from '../support/job-story.ts';
import { testRedisUrl, uniquePrefix } from '../support/redis.ts';
import { resourceTypes, startSimCluster, type SimCluster } from '../../src/sim/index.ts';
import { ClusterRegistry } from '../../src/queue/cluster-registry.ts';
import { contentOf, rootMessages } from '../integration/slack-view.ts';
import { startClusterSide, startSlackApp, writePolicy, type Shared, type Side } from './layout.ts';

const JOBS = resourceTypes.find((t) => t.plural === 'jobs' && t.group === 'batch')!;

/** Two simulated clusters, each with its own cluster side, and one Slack-facing app without a kubeconfig. */
let east: SimCluster;
let west: SimCluster;
let slack: FakeSlack;
let shared: Shared;
let eastSide: Side;
let westSide: Side;
let app: Side;
let redis: Redis;

beforeAll(async () => {
  [east, west] = await Promise.all([startSimCluster(), startSimCluster()]);
  slack = await startFakeSlack({ channels: [{ id: ALERT_CHANNEL, name: 'job-alerts' }] });
  shared = { slack, redisUrl: testRedisUrl(), prefix: uniquePrefix('mc') };
  redis = new Redis(shared.redisUrl);
  // West's registration lapses one second after its last refresh, so a test can stop it.
  [eastSide, westSide] = await Promise.all([
    startClusterSide(shared, 'east', east),
    startClusterSide(shared, 'west', west, { intervalMs: 200, ttlSeconds: 1 }),
  ]);
  app = await startSlackApp(shared, { JOBWATCH_POLICY_FILE: writePolicy() });
  await eventually(() => eastSide.jobwatch.ready() && westSide.jobwatch.ready() && app.jobwatch.ready(), 'every process ready');
}, 60_000);

afterAll(async () => {
  await Promise.all([app?.stop(), eastSide?.stop(), westSide?.stop()]);
  redis?.disconnect();
  await Promise.all([slack?.stop(), east?.stop(), west?.stop()]);
});

function appUrl(): string {
  return `http://127.0.0.1:${app.jobwatch.httpPort}/slack/events`;
}

/** Sends `/job TEXT` as U0ALICE and returns the replies on that command's own response URL. */
async function command(text: string, until: (answers: string) => boolean, what: string): Promise<string> {
  const responseUrl = slack.issueResponseUrl({ channel: ALERT_CHANNEL });
  const id = responseUrl.split('/').pop() ?? '';
  const sent = await sendSlashCommand(appUrl(), slack.signingSecret, { command: '/job', text, user_id: 'U0ALICE', response_url: responseUrl }, { fake: slack });
  expect(sent.status).toBe(200);
  return await eventually(() => {
    const answers = JSON.stringify(slack.responses().filter((response) => response.responseUrlId === id).map((response) => response.body));
    return until(answers) ? answers : undefined;
  }, what);
}

async function clickWithValue(alert: StoredMessage, actionId: string, value: string): Promise<void> {
  const payload = buildBlockActionPayload(slack, { channel: ALERT_CHANNEL, messageTs: alert.ts, actionId: 'jobwatch.retry', userId: 'U0ALICE' });
  const actions = payload['actions'] as Record<string, unknown>[];
  payload['actions'] = [{ ...actions[0], action_id: actionId, value }];
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const res = await fetch(appUrl(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...signRequest(slack.signingSecret, body) }, body });
  await res.body?.cancel();
}

function confirmValue(body: unknown): string {
  const blocks = (body as { blocks?: { elements?: { action_id?: string; value?: string }[] }[] }).blocks ?? [];
  for (const block of blocks) for (const element of block.elements ?? []) if (element.action_id === 'jobwatch.confirm') return element.value ?? '';
  return '';
}

function jobsNamed(sim: SimCluster, name: string) {
  return sim.store.list(JOBS, 'reports').filter((job) => job.metadata.name === name);
}

function retryValue(alert: StoredMessage): string {
  const blocks = (alert.blocks ?? []) as { elements?: { action_id?: string; value?: string }[] }[];
  return blocks.flatMap((block) => block.elements ?? []).find((element) => element.action_id === 'jobwatch.retry')?.value ?? '';
}

describe('several clusters behind one Slack app', () => {
  let alert: StoredMessage;

  it('starts the Slack-facing app without a kubeconfig or cluster client', () => {
    expect(app.deps.kubeConfig).toBeUndefined();
    expect(app.deps.reader).toBeUndefined();
    expect(app.jobwatch.readiness()).toEqual({ redis: true });
  });

  it('registers each cluster side with its name, version and namespaces', async () => {
    const registry = new ClusterRegistry(redis, { prefix: shared.prefix, keepSeconds: 3600 });
    const clusters = await registry.list();
    expect(clusters.map((cluster) => cluster.name)).toEqual(['east', 'west']);
    expect(clusters.every((cluster) => cluster.live)).toBe(true);
    expect(clusters[0]?.namespaces).toBe('all');
    expect(clusters[0]?.roles).toEqual(['watcher', 'worker']);
    expect(clusters[0]?.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('posts a failure in the second cluster with that cluster name', async () => {
    // The same namespace and name exist in both clusters; only west's Job fails.
    const twin = new JobStory(east, { namespace: 'reports', name: 'ledger', backoffLimit: 0 });
    twin.startPod();
    const story = new JobStory(west, { namespace: 'reports', name: 'ledger', backoffLimit: 0, memoryLimit: '512Mi' });
    story.failPod(story.startPod(), { exitCode: 137, reason: 'OOMKilled', log: 'loading rows\n' });
    story.failJob();
    alert = await eventually(() => {
      const root = rootMessages(slack, ALERT_CHANNEL).find((message) => message.text.includes('ledger'));
      return root && retryValue(root) !== '' ? root : undefined;
    }, 'the final alert of west');
    expect(contentOf(alert)).toMatch(/cluster\W+west\b/);
    expect(retryValue(alert)).toMatch(/^west\//);
    expect(rootMessages(slack, ALERT_CHANNEL).filter((message) => message.text.includes('ledger'))).toHaveLength(1);
  });

  it('rejects a button value that names another cluster than its alert', async () => {
    const forged = retryValue(alert).replace(/^west\//, 'east/');
    await clickWithValue(alert, 'jobwatch.retry', forged);
    await eventually(() => JSON.stringify(slack.responses()).includes('names another cluster than its alert'), 'the rejection');
    expect(JSON.stringify(slack.responses())).not.toContain('jobwatch.confirm');
  });

  it('creates the retry Job in the alert cluster only', async () => {
    await sendBlockAction(appUrl(), slack.signingSecret, slack, { channel: ALERT_CHANNEL, messageTs: alert.ts, actionId: 'jobwatch.retry', userId: 'U0ALICE' });
    const confirmation = await eventually(() => slack.responses().find((response) => confirmValue(response.body) !== ''), 'the confirmation');
    expect(JSON.stringify(confirmation.body)).toContain('In cluster `west`');
    await clickWithValue(alert, 'jobwatch.confirm', confirmValue(confirmation.body));
    await eventually(() => jobsNamed(west, 'ledger-retry-1')[0], 'the retry Job in west');
    const note = await eventually(() => slack.thread(ALERT_CHANNEL, alert.ts).find((message) => message.text.includes('ledger-retry-1')), 'the thread record');
    expect(note.text).toContain('in cluster `west`');
    expect(jobsNamed(east, 'ledger-retry-1')).toHaveLength(0);
    expect(east.store.list(JOBS, 'reports').map((job) => job.metadata.name)).toEqual(['ledger']);
  });

  it('answers /job status from the cluster named with --cluster or -c', async () => {
    const fromWest = await command('status ledger -n reports --cluster west', (answers) => answers.includes('BackoffLimitExceeded'), 'the answer from west');
    expect(fromWest).toContain('cluster `west`');
    const fromEast = await command('status ledger -n reports -c east', (answers) => answers.includes('cluster `east`') && answers.includes('ledger'), 'the answer from east');
    expect(fromEast).not.toContain('BackoffLimitExceeded');
  });

  it('lists the clusters when /job names none of several', async () => {
    const answer = await command('status ledger -n reports', (answers) => answers.includes('--cluster NAME'), 'the list of clusters');
    expect(answer).toContain('jobwatch watches 2 clusters: `east`, `west`');
    expect(answer).toContain('/job status ledger -n reports --cluster east');
  });

  it('names the known clusters for an unknown one', async () => {
    const answer = await command('status ledger -n reports --cluster north', (answers) => answers.includes('Unknown cluster'), 'the unknown cluster answer');
    expect(answer).toContain('Unknown cluster `north`. Known clusters: `east`, `west`.');
  });

  it('reports a stopped cluster side as not seen once its registration lapses', async () => {
    await westSide.stop();
    const registry = new ClusterRegistry(redis, { prefix: shared.prefix, keepSeconds: 3600 });
    await eventually(async () => (await registry.list()).find((cluster) => cluster.name === 'west' && !cluster.live), 'the lapsed registration of west');
    const answer = await command(
      'status ledger -n reports --cluster west',
      (answers) => answers.includes('has not been seen for'),
      'the not-seen answer',
    );
    expect(answer).toContain('Cluster `west` has not been seen for');
    expect(answer).toContain('so nothing was queued');
    const listed = await command('status ledger -n reports', (answers) => answers.includes('--cluster NAME'), 'the list with west not seen');
    expect(listed).toMatch(/`west` \(not seen for [^)]+\)/);
  });
});
