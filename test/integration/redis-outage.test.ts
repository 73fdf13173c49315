import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../src/queue/redis-server.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { JobStory } from '../support/job-story.ts';
import type { OutageCommand, OutageMessage } from './redis-outage-run.ts';
import { alertOf, messagesWithKey, readyzStatus, sleep, waitReady, waitSlackQuiet } from './slack-view.ts';

let redis: RedisServer | undefined;
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  await redis?.stop();
  harness = undefined;
  redis = undefined;
});

/** Plays a Job whose only attempt fails, then the Job fails, and returns it with its pod name. */
function failedJob(h: Harness, name: string): { story: JobStory; pod: string } {
  const story = new JobStory(h.sim, { namespace: 'ledger', name, backoffLimit: 0 });
  const pod = story.startPod();
  story.failPod(pod, { exitCode: 2, reason: 'Error', log: `${name}: ledger total does not balance\n` });
  story.failJob();
  return { story, pod };
}

/** Starts a private Redis with an append-only file and jobwatch on it, and waits until ready. */
async function startOnPrivateRedis(): Promise<Harness> {
  redis = await startRedisServer();
  harness = await startHarness({ redisUrl: redis.url, env: { JOBWATCH_STUCK_AFTER_SECONDS: '1' } });
  await waitReady(harness);
  expect(await readyzStatus(harness)).toBe(200);
  return harness;
}

/** Kills Redis as a crash would and waits until `/readyz` reports 503. */
async function killRedis(h: Harness, server: RedisServer): Promise<void> {
  await server.kill();
  await eventually(async () => (await readyzStatus(h)) === 503, '/readyz to report 503');
}

/** Waits until the watcher has read the log of each pod, which it does without Redis. */
async function evidenceCaptured(h: Harness, pods: string[]): Promise<void> {
  for (const pod of pods) {
    await eventually(() => h.sim.faults.requestCount(`/api/v1/namespaces/ledger/pods/${pod}/log`) > 0, `capture of ${pod}`);
  }
}

interface OutageOutcome {
  readyzWhileDown: number;
  alertsWhileDown: number;
  readyzAfter: number;
  alertsPerJob: Record<string, number>;
}

/**
 * Runs `redis-outage-run.ts` in a worker thread, kills and restarts `server` on the thread's
 * requests, and returns what the thread observed. Rejects when the thread fails, exhausts
 * its heap or does not finish within `timeoutMs`.
 */
async function runOutageStory(server: RedisServer, timeoutMs = 35_000): Promise<OutageOutcome> {
  const worker = new Worker(new URL('./redis-outage-run.ts', import.meta.url), {
    workerData: { redisUrl: server.url },
    resourceLimits: { maxOldGenerationSizeMb: 384 },
  });
  const outcome: Partial<OutageOutcome> = {};
  const finished = new Promise<OutageOutcome>((resolve, reject) => {
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`outage story thread exited with code ${code} before it finished`)));
    worker.on('message', (message: OutageMessage) => {
      if (message.type === 'kill') void server.kill().then(() => worker.postMessage('killed' satisfies OutageCommand), reject);
      if (message.type === 'restart') {
        Object.assign(outcome, { readyzWhileDown: message.readyzWhileDown, alertsWhileDown: message.alertsWhileDown });
        void server.restart().then(() => worker.postMessage('restarted' satisfies OutageCommand), reject);
      }
      if (message.type === 'done') resolve({ ...(outcome as OutageOutcome), ...message });
    });
  });
  const timer = setTimeout(() => void worker.terminate(), timeoutMs);
  try {
    return await finished;
  } finally {
    clearTimeout(timer);
    await worker.terminate();
  }
}

describe('Redis outage', () => {
  // NOTE: expected to fail until the watcher's replay ends. When Redis comes back,
  // `Watcher.replayAll` deletes and re-adds each Job in the Map it is iterating, so the loop
  // visits the same Jobs forever and emits signals until the heap is exhausted. The story runs
  // in a worker thread with a heap limit, so that loop ends the thread and not the test run.
  it('alerts every Job that failed while Redis was down, once', async () => {
    const server = await startRedisServer();
    redis = server;
    const outcome = await runOutageStory(server);

    expect(outcome.readyzWhileDown).toBe(503);
    expect(outcome.alertsWhileDown).toBe(0);
    expect(outcome.readyzAfter).toBe(200);
    expect(outcome.alertsPerJob).toEqual({ 'close-day': 1, 'close-month': 1, 'close-quarter': 1 });
  }, 45_000);

  it('alerts Jobs that failed and were removed while Redis was down, once', async () => {
    const h = await startOnPrivateRedis();
    const server = redis as RedisServer;

    await killRedis(h, server);
    const during = [failedJob(h, 'close-month'), failedJob(h, 'close-quarter')];
    await evidenceCaptured(h, during.map((d) => d.pod));
    // ttlSecondsAfterFinished removes finished Jobs and their pods, so only the producer's outbox
    // keeps their signals.
    for (const { story, pod } of during) {
      story.deletePod(pod);
      story.deleteJob();
    }
    await eventually(() => h.jobwatch.watcher?.watcher.jobCount === 0, 'the watcher to drop the deleted Jobs');
    await sleep(500);
    expect(await readyzStatus(h)).toBe(503);
    for (const { story } of during) expect(alertOf(h.slack, story.uid), story.name).toBeUndefined();

    await server.restart();
    for (const { story } of during) await eventually(() => alertOf(h.slack, story.uid), `the alert of ${story.name}`, 25_000);
    await eventually(async () => (await readyzStatus(h)) === 200, '/readyz to report 200 again');
    await waitSlackQuiet(h.slack);
    for (const { story } of during) {
      const alerts = messagesWithKey(h.slack, 'jobwatch_alert', story.uid);
      expect(alerts, story.name).toHaveLength(1);
      expect(alerts[0]?.text, story.name).toMatch(/failed: backoff limit/);
    }
  }, 45_000);
});
