import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkRedis, createRedis } from '../../src/queue/redis.ts';
import { alertOf, waitReady } from '../integration/slack-view.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { JobStory } from '../support/job-story.ts';
import { memoryLogger } from '../support/memory-logger.ts';
import { MASTER_NAME, startSentinelGroup, waitFor, type SentinelGroup } from './sentinel-servers.ts';

const REDIS_PASSWORD = 'primary@pw/1';
const SENTINEL_PASSWORD = 'sentinel&pw+2';

let group: SentinelGroup;
const clients: Redis[] = [];
let harness: Harness | undefined;

beforeAll(async () => {
  group = await startSentinelGroup({ redisPassword: REDIS_PASSWORD, sentinelPassword: SENTINEL_PASSWORD });
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await harness?.stop();
  harness = undefined;
});
afterAll(async () => {
  await group.stop();
});

/** Opens a plain connection to the primary itself, bypassing Sentinel. */
function primaryClient(db = 0): Redis {
  const client = new Redis({ host: '127.0.0.1', port: group.primary.port, password: REDIS_PASSWORD, db });
  clients.push(client);
  return client;
}

describe('createRedis through Sentinel', () => {
  it('writes to the primary in the database of the URL', async () => {
    const { logger } = memoryLogger();
    const redis = createRedis(group.url('db=3'), { role: 'test', logger });
    clients.push(redis);
    await redis.set('sentinel-written', 'through-sentinel');
    expect(await redis.get('sentinel-written')).toBe('through-sentinel');
    expect(await primaryClient(3).get('sentinel-written')).toBe('through-sentinel');
    expect(await primaryClient(0).get('sentinel-written')).toBeNull();
  });

  it('names the connection after its role on the primary', async () => {
    const { logger } = memoryLogger();
    const redis = createRedis(group.url(), { role: 'watcher', logger });
    clients.push(redis);
    expect(await redis.call('CLIENT', 'GETNAME')).toBe('jobwatch-watcher');
    const port = /tcp_port:(\d+)/.exec(String(await redis.call('INFO', 'server')))?.[1];
    expect(Number(port)).toBe(group.primary.port);
  });

  it('logs the master name and Sentinels without passwords', async () => {
    const { logger, lines } = memoryLogger();
    const redis = createRedis(group.url(), { role: 'test', logger });
    clients.push(redis);
    await redis.ping();
    await waitFor(() => expect(lines.some((line) => line.msg === 'redis ready')).toBe(true));
    expect(lines[0]?.redis).toBe(`sentinel ${MASTER_NAME} via 127.0.0.1:${group.sentinelPort}`);
    const text = JSON.stringify(lines);
    expect(text).not.toContain('primary@pw');
    expect(text).not.toContain('sentinel&pw');
  });

  it('passes the start checks on the primary', async () => {
    const { logger } = memoryLogger();
    const redis = createRedis(group.url(), { role: 'state', logger });
    clients.push(redis);
    const result = await checkRedis(redis, logger);
    expect(result.maxmemoryPolicy).toBe('noeviction');
    expect(result.warnings).toEqual([]);
  });

  it('logs a sentinel error and stays not ready for an unknown master name', async () => {
    const { logger, lines } = memoryLogger();
    const url = group.url().replace(`/${MASTER_NAME}?`, '/no-such-master?');
    const redis = createRedis(url, { role: 'test', logger, reconnectMaxDelayMs: 50 });
    clients.push(redis);
    await waitFor(() => expect(lines.some((line) => line.msg === 'redis sentinel error')).toBe(true));
    const warning = lines.find((line) => line.msg === 'redis sentinel error');
    expect(warning?.level).toBe(40);
    expect(redis.status).not.toBe('ready');
  });

  it('fails commands at once with failFast while no primary is found', async () => {
    const { logger } = memoryLogger();
    const url = group.url().replace(`/${MASTER_NAME}?`, '/no-such-master?');
    const redis = createRedis(url, { role: 'producer', logger, failFast: true });
    clients.push(redis);
    await expect(redis.set('never', '1')).rejects.toThrow(/Stream isn't writeable|enableOfflineQueue/);
  });
});

describe('jobwatch through Sentinel', () => {
  it('posts a failed Job with every connection on the primary', async () => {
    harness = await startHarness({ redisUrl: group.url() });
    const h = harness;
    await waitReady(h);
    const story = new JobStory(h.sim, { namespace: 'sentinel', name: 'via-sentinel', backoffLimit: 0 });
    story.failPod(story.startPod(), { exitCode: 1, reason: 'Error', log: 'Error: upstream returned 500\n' });
    story.failJob();
    expect(await eventually(() => alertOf(h.slack, story.uid), 'the alert')).toBeDefined();

    const clientList = String(await primaryClient().call('CLIENT', 'LIST'));
    const names = new Set([...clientList.matchAll(/ name=(jobwatch-\S+)/g)].map((m) => m[1]));
    for (const role of ['state', 'producer', 'metrics', 'worker', 'notifier', 'notify-queue']) {
      expect(names, role).toContain(`jobwatch-${role}`);
    }
    const metrics = await (await fetch(`http://127.0.0.1:${h.jobwatch.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/jobwatch_queue_waiting_jobs\{queue="signals",cluster="default"\} \d+/);
  });
});
