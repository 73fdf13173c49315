import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NotifyRequest } from '../../src/episode/process-signal.ts';
import type { EpisodeRecord } from '../../src/episode/record.ts';
import { EpisodeStore } from '../../src/episode/store.ts';
import { BudgetWaitError } from '../../src/notify/channel-budget.ts';
import { DigestStore } from '../../src/notify/digest-store.ts';
import { processNotify, type NotifyDeps } from '../../src/notify/process-notify.ts';
import { SlackMessenger } from '../../src/notify/slack-messenger.ts';
import { createStormDeps } from '../../src/notify/storm.ts';
import type { AlertView } from '../../src/slack/alert-view.ts';
import { createSlackClient, createWebClient } from '../../src/slack/slack-client.ts';
import { renderAlert } from '../../src/slack/render-alert.ts';
import { renderAttemptReply } from '../../src/slack/render-attempt.ts';
import { renderIncident } from '../../src/slack/render-incident.ts';
import { notifyJobId } from '../../src/queue/queues.ts';
import { startFakeSlack } from '../fake-slack/index.ts';
import type { FakeSlack, StoredMessage } from '../fake-slack/types.ts';
import { captureLogger } from '../slack/capture-logger.ts';
import { alertView } from '../slack/views.ts';
import { connectTestRedis, uniquePrefix } from '../support/redis.ts';

const CHANNEL = 'C0ALERTS';
const START_MS = Date.parse('2026-12-04T02:00:00Z');
const STORM = {
  postsPerMinute: 60,
  postBurst: 3,
  updatesPerMinute: 50,
  updateBurst: 10,
  digestMinJobs: 5,
  digestWindowSeconds: 60,
};

let redis: Redis;
let fake: FakeSlack;
let nowMs: number;
let store: EpisodeStore;
let deps: NotifyDeps;
let pending: NotifyRequest[];
let queued: Set<string>;
let waits: number;

beforeEach(async () => {
  nowMs = START_MS;
  redis = connectTestRedis();
  fake = await startFakeSlack({ clock: () => nowMs, channelPostLimit: { perSecond: 1, burst: 3 }, updateLimit: { perMinute: 50, burst: 10 } });
  const prefix = uniquePrefix('digest');
  store = new EpisodeStore(redis, { prefix, ttlSeconds: 3600 });
  const { logger } = captureLogger();
  const web = createWebClient({ token: fake.botToken, slackApiUrl: fake.apiUrl, logger, retries: 0 });
  pending = [];
  queued = new Set();
  waits = 0;
  deps = {
    store,
    messenger: new SlackMessenger(createSlackClient({ client: web, logger })),
    render: { alert: renderAlert, attempt: renderAttemptReply, incident: renderIncident },
    defaultChannel: CHANNEL,
    logger,
    enqueue: (request) => {
      enqueue(request);
      return Promise.resolve();
    },
    ...createStormDeps(STORM, { redis, prefix, ttlSeconds: 3600, command: '/job', slack: true, clock: () => nowMs }),
  };
});
afterEach(async () => {
  await fake.stop();
  await redis.quit();
});

/** Queues a request once per job id, as BullMQ drops a second job with the same id. */
function enqueue(request: NotifyRequest): void {
  const id = notifyJobId(request);
  if (queued.has(id)) return;
  queued.add(id);
  pending.push(request);
}

/**
 * Runs queued requests in order until none is left. A request that must wait for the
 * budget moves the shared clock on by the wait and runs again, as the delayed queue job would.
 */
async function drain(): Promise<void> {
  for (let request = pending.shift(); request; request = pending.shift()) {
    try {
      await processNotify(deps, request);
    } catch (err) {
      if (!(err instanceof BudgetWaitError)) throw err;
      waits += 1;
      nowMs += err.waitMs;
      pending.unshift(request);
    }
  }
}

async function failJob(index: number, overrides: Partial<AlertView> = {}): Promise<AlertView> {
  const key = `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
  const openedAt = new Date(START_MS + index * 1000).toISOString();
  const view = alertView({ key, namespace: 'etl', jobName: `load-${index}`, state: 'failed', reason: 'BackoffLimitExceeded', cause: 'image-pull', summary: 'registry.example.com rate limit', openedAt, version: 1, attempts: [], ...overrides });
  const episode: EpisodeRecord = { key, namespace: view.namespace, jobName: view.jobName, state: view.state, reason: view.reason, openedAt, attempts: [], version: view.version, route: { channel: CHANNEL, notify: 'first-failure' } };
  await store.putView(view);
  await store.putEpisode(episode);
  enqueue({ kind: 'alert', uid: key, version: view.version });
  return view;
}

async function change(view: AlertView, overrides: Partial<AlertView>): Promise<AlertView> {
  const next = { ...view, ...overrides, version: view.version + 1 };
  await store.putView(next);
  const episode = await store.getEpisode(view.key);
  if (episode) await store.putEpisode({ ...episode, state: next.state, version: next.version });
  enqueue({ kind: 'alert', uid: view.key, version: next.version });
  return next;
}

function roots(): StoredMessage[] {
  return fake.messages(CHANNEL).filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts);
}

function digestRoot(): StoredMessage {
  const found = roots().find((m) => m.metadata?.event_type === 'jobwatch_digest');
  if (!found) throw new Error(`no digest root among ${roots().length} roots`);
  return found;
}

function everything(): string {
  return fake.messages(CHANNEL).map((m) => JSON.stringify(m.blocks ?? m.text)).join('\n');
}

describe('digests', () => {
  it('posts the first four alone and groups the later ones into one digest', async () => {
    const views: AlertView[] = [];
    for (let i = 1; i <= 12; i += 1) views.push(await failJob(i));
    await drain();
    const alone = roots().filter((m) => m.metadata?.event_type === 'jobwatch_alert');
    expect(alone.map((m) => m.text)).toHaveLength(4);
    expect(digestRoot().text).toContain('12 Jobs failed: image-pull — registry.example.com rate limit');
    for (const view of views) {
      expect(everything()).toContain(view.jobName);
      expect(await store.getDelivery('alert', view.key)).toBeDefined();
    }
    expect(fake.calls('chat.postMessage').filter((c) => c.httpStatus === 429)).toHaveLength(0);
  });

  it('caps the root list and names every Job in thread replies', async () => {
    for (let i = 1; i <= 75; i += 1) await failJob(i);
    await drain();
    const root = digestRoot();
    expect(JSON.stringify(root.blocks)).toContain('and 55 more Jobs');
    const thread = fake.thread(CHANNEL, root.ts).slice(1);
    expect(thread.map((m) => m.text)).toEqual(['Jobs 1 to 30 of 75 in this digest', 'Jobs 31 to 60 of 75 in this digest', 'Jobs 61 to 75 of 75 in this digest']);
    const listed = thread.map((m) => JSON.stringify(m.blocks)).join('\n');
    for (let i = 1; i <= 75; i += 1) expect(listed).toContain(`load-${i}\``);
    expect(waits).toBeGreaterThan(0);
  });

  it('updates the digest in place as Jobs join later', async () => {
    for (let i = 1; i <= 6; i += 1) await failJob(i);
    await drain();
    const before = digestRoot();
    for (let i = 7; i <= 9; i += 1) await failJob(i);
    await drain();
    const after = digestRoot();
    expect(after.ts).toBe(before.ts);
    expect(after.text).toContain('9 Jobs failed');
    expect(roots()).toHaveLength(5);
  });

  it('moves a Job whose cause changes to an alert of its own', async () => {
    const views: AlertView[] = [];
    for (let i = 1; i <= 6; i += 1) views.push(await failJob(i));
    await drain();
    const member = views[5];
    if (!member) throw new Error('missing view');
    const digestTs = digestRoot().ts;
    await change(member, { cause: 'oom-killed', summary: 'Container load went over its memory limit' });
    await drain();
    const own = roots().find((m) => m.metadata?.event_type === 'jobwatch_alert' && m.text.includes(member.jobName));
    expect(own).toBeDefined();
    expect((await store.getDelivery('alert', member.key))?.ts).toBe(own?.ts);
    expect(digestRoot().ts).toBe(digestTs);
    // The digest's message never showed the single alert, not even for one edit.
    expect(digestRoot().edits.some((edit) => edit.text.includes(`etl/${member.jobName} failed`))).toBe(false);
    expect(JSON.stringify(digestRoot().blocks)).toContain('now `oom-killed`, in its own alert');
    expect(digestRoot().text).toContain('5 Jobs failed');
  });

  it('shows a member that recovered as recovered', async () => {
    const views: AlertView[] = [];
    for (let i = 1; i <= 5; i += 1) views.push(await failJob(i, { state: 'failing', reason: null }));
    await drain();
    const member = views[4];
    if (!member) throw new Error('missing view');
    await change(member, { state: 'recovered' });
    await drain();
    const blocks = JSON.stringify(digestRoot().blocks);
    expect(blocks).toContain(`🟢 \`prod-eu\`/\`etl\`/\`${member.jobName}\``);
    expect(digestRoot().text).toContain('4 Jobs failed');
    expect(await new DigestStore(redis, { prefix: store.key(), ttlSeconds: 60 }).memberOf(member.key)).toBeDefined();
  });

  it('skips attempt replies of a Job shown only in the digest', async () => {
    for (let i = 1; i <= 5; i += 1) await failJob(i);
    await drain();
    const member = '00000000-0000-4000-8000-000000000005';
    expect(await processNotify(deps, { kind: 'reply', uid: member, attemptKey: 'a1' })).toBe('skipped');
    expect(await processNotify(deps, { kind: 'alert-refresh', uid: member, at: 'now' })).toBe('skipped');
  });

  it('keeps every alert alone when digests are off', async () => {
    deps = { ...deps, ...createStormDeps({ ...STORM, digestMinJobs: 0 }, { redis, prefix: store.key(), ttlSeconds: 3600, command: '/job', slack: true, clock: () => nowMs }) };
    for (let i = 1; i <= 8; i += 1) await failJob(i);
    await drain();
    expect(roots().every((m) => m.metadata?.event_type === 'jobwatch_alert')).toBe(true);
    expect(roots()).toHaveLength(8);
  });
});

/** Returns the member lines of the digest's root message, one per Job. */
function rootLines(): string[] {
  // The fake stores the blocks as Slack received them, so they are read as plain JSON here.
  const blocks = (digestRoot().blocks ?? []) as { type?: string; text?: { text?: string } }[];
  const sections = blocks.flatMap((block) => (block.type === 'section' && block.text?.text !== undefined ? [block.text.text] : []));
  return sections.flatMap((text) => text.split('\n')).filter((line) => /^\d+\. /.test(line));
}

describe('digests of several clusters', () => {
  it('names each Job with its cluster', async () => {
    for (let i = 1; i <= 6; i += 1) {
      await failJob(i, { cluster: i % 2 === 0 ? 'prod-us' : 'prod-eu', jobName: `load-${Math.ceil(i / 2)}` });
    }
    await drain();
    const lines = rootLines();
    expect(lines).toHaveLength(6);
    expect(lines.filter((line) => line.includes('`prod-eu`/`etl`/`load-1`'))).toHaveLength(1);
    expect(lines.filter((line) => line.includes('`prod-us`/`etl`/`load-1`'))).toHaveLength(1);
    expect(new Set(lines.map((line) => line.replace(/^\d+\. /, ''))).size).toBe(6);
    expect(digestRoot().text).toContain('6 Jobs failed');
  });

  it('keeps same-named Jobs of two clusters apart', async () => {
    const eu = await failJob(1, { cluster: 'prod-eu', jobName: 'load' });
    const us = await failJob(2, { cluster: 'prod-us', jobName: 'load' });
    for (let i = 3; i <= 5; i += 1) await failJob(i, { cluster: 'prod-eu' });
    await drain();
    await change(us, { state: 'recovered' });
    await drain();
    const lines = rootLines();
    expect(lines.find((line) => line.includes('`prod-us`/`etl`/`load`'))).toMatch(/^\d+\. 🟢 /);
    expect(lines.find((line) => line.includes('`prod-eu`/`etl`/`load`'))).toMatch(/^\d+\. 🔴 /);
    const digests = new DigestStore(redis, { prefix: store.key(), ttlSeconds: 60 });
    const euMember = await digests.memberOf(eu.key);
    const usMember = await digests.memberOf(us.key);
    expect(euMember?.member.cluster).toBe('prod-eu');
    expect(usMember?.member.cluster).toBe('prod-us');
    expect(usMember?.key).toBe(euMember?.key);
  });

  it('shows the --cluster option in the hint', async () => {
    for (let i = 1; i <= 5; i += 1) await failJob(i, { cluster: 'prod-eu' });
    await drain();
    expect(JSON.stringify(digestRoot().blocks)).toContain('status NAME -n NAMESPACE --cluster CLUSTER');
  });

  it('leaves the cluster out when every Job is in the default cluster', async () => {
    for (let i = 1; i <= 5; i += 1) await failJob(i, { cluster: 'default' });
    await drain();
    const lines = rootLines();
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).toMatch(/^\d+\. \S+ `etl`\/`load-\d+` · /);
    expect(JSON.stringify(digestRoot().blocks)).not.toContain('--cluster');
  });
});

describe('rate limits', () => {
  it('waits out a 429 for every request to that channel, then posts once', async () => {
    fake.rateLimit('chat.postMessage', { calls: 1, retryAfterSeconds: 7 });
    const view = await failJob(1);
    const request = pending.shift();
    if (!request) throw new Error('nothing queued');
    const error = await processNotify(deps, request).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(BudgetWaitError);
    expect((error as BudgetWaitError).waitMs).toBe(7000);
    // Another request to the same channel waits too, without calling Slack.
    const second = await failJob(2);
    const blocked = await processNotify(deps, pending.shift() ?? request).catch((err: unknown) => err);
    expect((blocked as BudgetWaitError).waitMs).toBe(7000);
    expect(fake.calls('chat.postMessage')).toHaveLength(1);
    nowMs += 7000;
    pending.push(request, { kind: 'alert', uid: second.key, version: 1 });
    await drain();
    expect(roots().map((m) => m.metadata?.event_payload['key'])).toEqual([view.key, second.key]);
    expect(fake.calls('chat.postMessage').filter((c) => c.httpStatus === 429)).toHaveLength(1);
  });

  it('spaces posts to one channel to the budget instead of meeting 429s', async () => {
    await store.redis.ping();
    for (let i = 1; i <= 4; i += 1) await failJob(i * 100);
    await drain();
    expect(roots()).toHaveLength(4);
    expect(waits).toBe(1);
    expect(fake.calls('chat.postMessage').every((c) => c.httpStatus === 200)).toBe(true);
  });
});
