import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedis } from '../../src/queue/redis.ts';
import { alertOf, waitReady } from '../integration/slack-view.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { JobStory } from '../support/job-story.ts';
import { MASTER_NAME, startSentinelGroup, waitFor, type SentinelGroup } from '../queue/sentinel-servers.ts';

/**
 * A Sentinel failover promotes the replica, and the old primary becomes its replica. A
 * client from createRedis must then follow the Sentinel to the new primary, and jobwatch
 * must keep posting alerts without a restart.
 */

const logger = pino({ level: 'silent' }, new Writable({ write: (_c, _e, done) => done() }));

let group: SentinelGroup | undefined;
let harness: Harness | undefined;
const clients: Redis[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await harness?.stop();
  harness = undefined;
  await group?.stop();
  group = undefined;
});

async function startGroup(): Promise<SentinelGroup> {
  group = await startSentinelGroup({ replica: true, redisPassword: 'primary-pw', sentinelPassword: 'sentinel-pw' });
  return group;
}

/**
 * Sends SENTINEL FAILOVER and waits until the Sentinel names the replica as primary. The
 * Sentinel replies NOGOODSLAVE until it has read the replica's own INFO, so the command is
 * repeated until it returns OK.
 */
async function failOver(g: SentinelGroup): Promise<number> {
  const replicaPort = g.replica?.port;
  if (replicaPort === undefined) throw new Error('the group has no replica to promote');
  await waitFor(async () => {
    expect(await g.sentinel('SENTINEL', 'FAILOVER', MASTER_NAME)).toBe('OK');
  });
  await waitFor(async () => {
    expect(await g.primaryPort()).toBe(replicaPort);
  });
  return replicaPort;
}

/** Returns the port of the server a client is connected to. */
async function serverPort(client: Redis): Promise<number> {
  const info = String(await client.call('INFO', 'server'));
  return Number(/tcp_port:(\d+)/.exec(info)?.[1]);
}

describe('Sentinel failover', () => {
  it('moves a createRedis client to the promoted replica', async () => {
    const g = await startGroup();
    const redis = createRedis(g.url(), { role: 'test', logger, reconnectMaxDelayMs: 200 });
    clients.push(redis);
    await redis.set('before-failover', 'kept');
    expect(await serverPort(redis)).toBe(g.primary.port);

    const newPrimary = await failOver(g);

    // Writes fail with READONLY on a replica, so a successful write shows the new primary.
    await waitFor(async () => {
      await redis.set('after-failover', 'written');
      expect(await serverPort(redis)).toBe(newPrimary);
    });
    expect(await redis.get('before-failover')).toBe('kept');
    expect(await redis.get('after-failover')).toBe('written');
  });

  it('keeps jobwatch posting alerts after a failover', async () => {
    const g = await startGroup();
    harness = await startHarness({ redisUrl: g.url() });
    const h = harness;
    await waitReady(h);
    const first = new JobStory(h.sim, { namespace: 'failover', name: 'before', backoffLimit: 0 });
    first.failPod(first.startPod(), { exitCode: 1, reason: 'Error', log: 'Error: before\n' });
    first.failJob();
    expect(await eventually(() => alertOf(h.slack, first.uid), 'the alert before the failover')).toBeDefined();

    await failOver(g);

    const second = new JobStory(h.sim, { namespace: 'failover', name: 'after', backoffLimit: 0 });
    second.failPod(second.startPod(), { exitCode: 1, reason: 'Error', log: 'Error: after\n' });
    second.failJob();
    const alert = await eventually(() => alertOf(h.slack, second.uid), 'the alert after the failover', 60_000);
    expect(alert).toBeDefined();
    // The test's read may reach the demoted primary until its client detects the switch and
    // reconnects. The new primary has the view as soon as the alert is posted.
    expect(await eventually(() => h.jobwatch.store.getView(second.uid), 'the stored view after the failover')).toBeDefined();
  });
});
