import { QueueEvents, type Queue, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NotifyRequest } from '../../src/episode/process-signal.ts';
import { EpisodeStore } from '../../src/episode/store.ts';
import { SlackMessenger } from '../../src/notify/slack-messenger.ts';
import { createStormDeps } from '../../src/notify/storm.ts';
import { createNotifyQueue, enqueueNotify, NOTIFY_QUEUE } from '../../src/queue/queues.ts';
import { startNotifyWorker } from '../../src/queue/workers.ts';
import { createSlackClient, createWebClient } from '../../src/slack/slack-client.ts';
import { renderAlert } from '../../src/slack/render-alert.ts';
import { renderAttemptReply } from '../../src/slack/render-attempt.ts';
import { renderIncident } from '../../src/slack/render-incident.ts';
import { startFakeSlack } from '../fake-slack/index.ts';
import type { FakeSlack } from '../fake-slack/types.ts';
import { captureLogger } from '../slack/capture-logger.ts';
import { alertView } from '../slack/views.ts';
import { connectTestRedis, uniquePrefix } from '../support/redis.ts';

const CHANNEL = 'C0ALERTS';
const STORM = { postsPerMinute: 60, postBurst: 3, updatesPerMinute: 50, updateBurst: 10, digestMinJobs: 5, digestWindowSeconds: 60 };

let redis: Redis;
let fake: FakeSlack;
let queue: Queue<NotifyRequest>;
let events: QueueEvents;
let worker: Worker<NotifyRequest>;
let store: EpisodeStore;
let prefix: string;

beforeEach(async () => {
  redis = connectTestRedis();
  fake = await startFakeSlack();
  prefix = uniquePrefix('nworker');
  store = new EpisodeStore(redis, { prefix, ttlSeconds: 3600 });
  const { logger } = captureLogger();
  const web = createWebClient({ token: fake.botToken, slackApiUrl: fake.apiUrl, logger, retries: 0 });
  queue = createNotifyQueue(connectTestRedis(), prefix, logger);
  events = new QueueEvents(NOTIFY_QUEUE, { connection: connectTestRedis(), prefix });
  await events.waitUntilReady();
  worker = startNotifyWorker(
    { connection: connectTestRedis(), prefix, concurrency: 2, logger },
    {
      store,
      messenger: new SlackMessenger(createSlackClient({ client: web, logger })),
      render: { alert: renderAlert, attempt: renderAttemptReply, incident: renderIncident },
      defaultChannel: CHANNEL,
      logger,
      enqueue: (request, delayMs) => enqueueNotify(queue, request, delayMs),
      ...createStormDeps(STORM, { redis, prefix, ttlSeconds: 3600, command: '/job', slack: true }),
    },
  );
});
afterEach(async () => {
  await worker.close();
  await events.close();
  await queue.close();
  await fake.stop();
  await redis.quit();
});

describe('notify worker', () => {
  it('re-queues a request after a 429 and posts it once', async () => {
    const view = alertView({ key: '00000000-0000-4000-8000-000000000001', version: 1, attempts: [] });
    await store.putView(view);
    await store.putEpisode({ key: view.key, namespace: view.namespace, jobName: view.jobName, state: view.state, reason: null, openedAt: view.openedAt, attempts: [], version: 1, route: { channel: CHANNEL, notify: 'first-failure' } });
    fake.rateLimit('chat.postMessage', { calls: 1, retryAfterSeconds: 1 });
    const request: NotifyRequest = { kind: 'alert', uid: view.key, version: 1 };
    await enqueueNotify(queue, request);
    const job = await queue.getJob(`alert.${view.key}.v1`);
    if (!job) throw new Error('the request was not queued');
    await job.waitUntilFinished(events, 30_000);

    const finished = await queue.getJob(`alert.${view.key}.v1`);
    expect(finished?.returnvalue).toBe('posted');
    // The run that met the 429 was delayed, not failed: only the run that posted counts
    // as an attempt, although the worker started the request twice.
    expect(finished?.attemptsStarted).toBe(2);
    expect(finished?.attemptsMade).toBe(1);
    expect(fake.calls('chat.postMessage').map((call) => call.httpStatus)).toEqual([429, 200]);
    expect(fake.messages(CHANNEL)).toHaveLength(1);
    expect((await store.getDelivery('alert', view.key))?.ts).toBe(fake.messages(CHANNEL)[0]?.ts);
    // The block is in the shared bucket, where every notifier process reads it.
    expect(await redis.hget(`${prefix}:budget:post:${CHANNEL}`, 'blocked')).not.toBe('0');
  });
});
