import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createSignalQueue } from '../../src/queue/queues.ts';
import { SIGNAL_VERSION } from '../../src/queue/signals.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { testRedisUrl } from '../support/redis.ts';

/**
 * During an upgrade, replicas of two versions share the signal queue. A worker reads only
 * the payload version it supports and fails any other for good, with one error line that
 * names the version field, instead of misreading it.
 */

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe('signal payload versions', () => {
  it('fails a payload of the previous version with one error line', async () => {
    harness = await startHarness();
    const h = harness;
    await eventually(() => h.jobwatch.ready(), 'jobwatch ready');
    const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    const queue = createSignalQueue(redis, h.prefix, pino({ level: 'silent' }));
    try {
      const previous = SIGNAL_VERSION - 1;
      const payload = { v: previous, type: 'job-deleted', jobUid: 'uid-old', namespace: 'ns', jobName: 'old-version', observedAt: new Date().toISOString() };
      // The payload is not of today's type, which is the point of the test.
      await queue.add('job-deleted', payload as never, { jobId: 'old-version-signal' });
      const failedLine = await eventually(
        () => h.logLines().find((line) => line.includes('queue job failed for good') && line.includes('old-version-signal')),
        'the failure of the old payload',
      );
      const entry = JSON.parse(failedLine) as { level: number; err: { message: string } };
      expect(entry.level).toBe(50);
      expect(entry.err.message).toContain('invalid signal payload at v');
      const job = await queue.getJob('old-version-signal');
      expect(await job?.getState()).toBe('failed');
      expect(job?.attemptsMade).toBe(1);
      expect(h.logLines().filter((line) => line.includes('old-version-signal'))).toHaveLength(1);
    } finally {
      await queue.close();
      redis.disconnect();
    }
  });
});
