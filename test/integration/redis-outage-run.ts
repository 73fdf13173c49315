/**
 * The Redis outage story, run in a worker thread by `redis-outage.test.ts` so that a
 * jobwatch that stops responding there cannot stop the test process. The test thread owns
 * the Redis server, so this thread sends it requests to kill and restart Redis, then sends
 * back what it observed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { JobStory } from '../support/job-story.ts';
import { alertOf, messagesWithKey, readyzStatus, sleep, waitReady, waitSlackQuiet } from './slack-view.ts';

/** Step that the test thread has finished, sent to this thread. */
export type OutageCommand = 'killed' | 'restarted';

/** Message from this thread: a request for the next step, or the outcome. */
export type OutageMessage =
  | { type: 'kill' }
  | { type: 'restart'; readyzWhileDown: number; alertsWhileDown: number }
  | { type: 'done'; alertsPerJob: Record<string, number>; readyzAfter: number };

const port = parentPort;
if (!port) throw new Error('redis-outage-run.ts has no parent port; start it with new Worker() as redis-outage.test.ts does');
const { redisUrl } = workerData as { redisUrl: string };

/** Sends `message` and resolves when the test thread reports `expected`. */
async function ask(message: OutageMessage, expected: OutageCommand): Promise<void> {
  const reply = new Promise<void>((resolve) => {
    port?.once('message', (command: OutageCommand) => {
      if (command === expected) resolve();
    });
  });
  port?.postMessage(message);
  await reply;
}

function failedJob(h: Harness, name: string): { story: JobStory; pod: string } {
  const story = new JobStory(h.sim, { namespace: 'ledger', name, backoffLimit: 0 });
  const pod = story.startPod();
  story.failPod(pod, { exitCode: 2, reason: 'Error', log: `${name}: ledger total does not balance\n` });
  story.failJob();
  return { story, pod };
}

const harness = await startHarness({ redisUrl, env: { JOBWATCH_STUCK_AFTER_SECONDS: '1' } });
try {
  await waitReady(harness);
  const before = failedJob(harness, 'close-day').story;
  await eventually(() => alertOf(harness.slack, before.uid), 'the alert before the outage');
  // The server syncs its append-only file every second (appendfsync everysec), so once
  // Slack is quiet the last delivery record is on disk.
  await waitSlackQuiet(harness.slack);

  await ask({ type: 'kill' }, 'killed');
  await eventually(async () => (await readyzStatus(harness)) === 503, '/readyz to report 503');
  const during = [failedJob(harness, 'close-month'), failedJob(harness, 'close-quarter')];
  for (const { pod } of during) {
    const path = `/api/v1/namespaces/ledger/pods/${pod}/log`;
    await eventually(() => harness.sim.faults.requestCount(path) > 0, `capture of ${pod}`);
  }
  await sleep(500);
  const alertsWhileDown = during.filter(({ story }) => alertOf(harness.slack, story.uid)).length;
  await ask({ type: 'restart', readyzWhileDown: await readyzStatus(harness), alertsWhileDown }, 'restarted');

  for (const { story } of during) {
    await eventually(() => alertOf(harness.slack, story.uid), `the alert of ${story.name}`, 25_000);
  }
  await eventually(async () => (await readyzStatus(harness)) === 200, '/readyz to report 200 again');
  await waitSlackQuiet(harness.slack);
  const alertsPerJob: Record<string, number> = {};
  for (const story of [before, ...during.map((d) => d.story)]) {
    alertsPerJob[story.name] = messagesWithKey(harness.slack, 'jobwatch_alert', story.uid).length;
  }
  port.postMessage({ type: 'done', alertsPerJob, readyzAfter: await readyzStatus(harness) } satisfies OutageMessage);
} finally {
  await harness.stop();
}
