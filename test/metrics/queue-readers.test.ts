import { Writable } from 'node:stream';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openQueueReaders } from '../../src/metrics/queue-readers.ts';
import { createJobwatchMetrics } from '../../src/metrics/registry.ts';
import { actionQueueName, signalQueueName } from '../../src/queue/cluster-names.ts';
import { NOTIFY_QUEUE } from '../../src/queue/queues.ts';
import { createRedis } from '../../src/queue/redis.ts';
import { connectTestRedis, testRedisUrl, uniquePrefix } from '../support/redis.ts';

const logger = pino({ level: 'silent' }, new Writable({ write: (_c, _e, done) => done() }));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Opens the readers of `cluster` and a registry that reads them. */
function gaugesFor(prefix: string, cluster: string) {
  const connection = createRedis(testRedisUrl(), { role: 'metrics', logger, failFast: true });
  const opened = openQueueReaders({ connection, prefix, cluster, logger });
  cleanups.push(() => opened.close());
  const metrics = createJobwatchMetrics({ queueCacheMs: 0 });
  metrics.addQueues(opened.readers);
  return { readers: opened.readers, scrape: async () => (await metrics.scrape()).body };
}

/** Adds `count` waiting jobs to a queue under `prefix`. */
async function fill(prefix: string, name: string, count: number): Promise<void> {
  const connection = connectTestRedis();
  const queue = new Queue(name, { connection, prefix });
  for (let i = 0; i < count; i += 1) await queue.add('job', { i });
  await queue.close();
  connection.disconnect();
}

describe('openQueueReaders', () => {
  it('reads the queues of a named cluster and the shared notify queue', () => {
    const { readers } = gaugesFor(uniquePrefix('qr'), 'prod-eu-1');
    expect(readers.map((reader) => [reader.name, reader.cluster])).toEqual([
      ['signals.prod-eu-1', 'prod-eu-1'],
      ['notify', undefined],
      ['actions.prod-eu-1', 'prod-eu-1'],
    ]);
  });

  it('reads only the notify queue in a Slack-facing process', () => {
    const connection = createRedis(testRedisUrl(), { role: 'metrics', logger, failFast: true });
    const opened = openQueueReaders({ connection, prefix: uniquePrefix('qr'), cluster: 'default', clusterQueues: false, logger });
    cleanups.push(() => opened.close());
    expect(opened.readers.map((reader) => reader.name)).toEqual(['notify']);
  });

  it('reads the unsuffixed queues of the default cluster', () => {
    const { readers } = gaugesFor(uniquePrefix('qr'), 'default');
    expect(readers.map((reader) => reader.name)).toEqual(['signals', 'notify', 'actions']);
  });

  it('labels the gauges with queue and cluster', async () => {
    const prefix = uniquePrefix('qr');
    await fill(prefix, signalQueueName('prod-eu-1'), 3);
    await fill(prefix, actionQueueName('prod-eu-1'), 1);
    await fill(prefix, NOTIFY_QUEUE, 2);
    const body = await gaugesFor(prefix, 'prod-eu-1').scrape();
    expect(body).toContain('jobwatch_queue_waiting_jobs{queue="signals.prod-eu-1",cluster="prod-eu-1"} 3');
    expect(body).toContain('jobwatch_queue_waiting_jobs{queue="actions.prod-eu-1",cluster="prod-eu-1"} 1');
    expect(body).toContain('jobwatch_queue_waiting_jobs{queue="notify"} 2');
  });

  it('leaves out the queues of other clusters', async () => {
    const prefix = uniquePrefix('qr');
    await fill(prefix, signalQueueName('prod-us-1'), 5);
    await fill(prefix, signalQueueName('default'), 4);
    const body = await gaugesFor(prefix, 'prod-eu-1').scrape();
    expect(body).toContain('jobwatch_queue_waiting_jobs{queue="signals.prod-eu-1",cluster="prod-eu-1"} 0');
    expect(body).not.toContain('prod-us-1');
    expect(body).not.toContain('queue="signals",');
  });

  it('closes the connection it was given', async () => {
    const connection = createRedis(testRedisUrl(), { role: 'metrics', logger, failFast: true });
    const opened = openQueueReaders({ connection, prefix: uniquePrefix('qr'), cluster: 'default', logger });
    // failFast rejects commands sent before the first connect, so wait for it.
    await new Promise((resolve) => connection.once('ready', resolve));
    await opened.close();
    await vi.waitFor(() => expect(connection.status).toBe('end'), { timeout: 10_000 });
  });
});
