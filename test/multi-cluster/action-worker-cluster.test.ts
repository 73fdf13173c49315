import type { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createActionQueue, enqueueAction, startActionWorker, type ActionMessage } from '../../src/actions/action-queue.ts';
import { ActionStore, type ActionRecord } from '../../src/actions/action-store.ts';
import type { ActionDeps } from '../../src/actions/process-action.ts';
import { EpisodeStore } from '../../src/episode/store.ts';
import { eventually } from '../support/harness.ts';
import { connectTestRedis, uniquePrefix } from '../support/redis.ts';

const logger = pino({ level: 'silent' });

function statusRecord(id: string, cluster: string | undefined): ActionRecord {
  const now = new Date().toISOString();
  return {
    id,
    kind: 'status',
    stage: 'requested',
    actor: { id: 'U0ALICE', groups: [] },
    ...(cluster === undefined ? {} : { cluster }),
    namespace: 'reports',
    name: 'ledger',
    reply: { userId: 'U0ALICE', channel: 'C0ALERTS' },
    createdAt: now,
    updatedAt: now,
  };
}

/** Action dependencies whose status reply names the cluster that computed it; nothing else is used. */
function fakeDeps(redis: Redis, prefix: string, actions: ActionStore, cluster: string): ActionDeps {
  const unused = () => Promise.reject(new Error('not used by status actions'));
  return {
    actions,
    episodes: new EpisodeStore(redis, { prefix, ttlSeconds: 3600 }),
    writes: { createJob: unused, patchCronJob: unused, getCronJob: unused, getJob: unused },
    answers: { status: (namespace, name) => Promise.resolve(`${namespace}/${name} as seen in ${cluster}`), why: unused, list: unused, logs: unused },
    buildRetry: () => {
      throw new Error('not used by status actions');
    },
    applyLimits: (job) => job,
    cronJobPatch: () => ({}),
    notify: () => Promise.resolve(),
    logger,
    cluster,
  };
}

describe('action worker of one cluster', () => {
  let redis: Redis;
  let prefix: string;
  let actions: ActionStore;
  let worker: Worker<ActionMessage> | undefined;
  let queue: Queue<ActionMessage> | undefined;
  // BullMQ leaves the connections it is given open, so the test closes them.
  const connections: Redis[] = [];

  beforeEach(() => {
    redis = connectTestRedis();
    prefix = uniquePrefix('aw');
    actions = new ActionStore(redis, { prefix });
  });

  afterEach(async () => {
    await worker?.close();
    await queue?.close();
    for (const connection of connections.splice(0)) connection.disconnect();
    await redis.quit();
  });

  function start(cluster: string): void {
    const [workerConnection, queueConnection] = [connectTestRedis(), connectTestRedis()];
    connections.push(workerConnection, queueConnection);
    worker = startActionWorker({ connection: workerConnection, prefix, logger, cluster }, fakeDeps(redis, prefix, actions, cluster));
    queue = createActionQueue(queueConnection, prefix, logger, cluster);
  }

  it('performs an action of its own cluster', async () => {
    start('east');
    await actions.create(statusRecord('cmd.status.1', 'east'));
    await enqueueAction(queue!, 'cmd.status.1', 'plan', 'east');
    const done = await eventually(async () => {
      const record = await actions.get('cmd.status.1');
      return record?.stage === 'done' ? record : undefined;
    }, 'the performed action');
    expect(done.result?.text).toBe('reports/ledger as seen in east');
  });

  it('fails an action whose record names another cluster and leaves it untouched', async () => {
    start('east');
    await actions.create(statusRecord('cmd.status.2', 'west'));
    await enqueueAction(queue!, 'cmd.status.2', 'plan', 'east');
    const failed = await eventually(async () => {
      const job = await queue!.getJob('cmd.status.2.plan');
      return job && (await job.isFailed()) ? job : undefined;
    }, 'the failed queue job');
    expect(failed.failedReason).toBe('action cmd.status.2 is for cluster west, not east; nothing was done');
    expect(failed.attemptsMade).toBe(1);
    expect((await actions.get('cmd.status.2'))?.stage).toBe('requested');
  });

  it('takes messages without a cluster as the default cluster', async () => {
    start('default');
    await actions.create(statusRecord('cmd.status.3', undefined));
    // A message queued before clusters were named has no cluster field.
    await queue!.add('plan', { v: 1, id: 'cmd.status.3', step: 'plan' }, { jobId: 'cmd.status.3.plan' });
    await eventually(async () => (await actions.get('cmd.status.3'))?.stage === 'done', 'the performed action');
    expect(queue!.name).toBe('actions');
  });
});
