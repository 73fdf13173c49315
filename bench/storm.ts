/**
 * Storm: `node --expose-gc bench/storm.ts [JOBS]` fails JOBS Jobs (default 1,000) for one
 * cause into one channel within about ten seconds, with the fake Slack's per-channel post
 * bucket and workspace `chat.update` bucket on at Slack's documented paces and jobwatch's
 * storm controls at their defaults. It prints how long the storm took to settle (every
 * episode has a delivery record and every Job is named in the channel or a thread), the
 * Slack calls and 429s it cost, and the memory of the jobwatch process.
 */
import { Redis } from 'ioredis';
import { CHANNEL_ANNOTATION } from '../src/config/routing.ts';
import { EpisodeStore } from '../src/episode/store.ts';
import type { SimCluster } from '../src/sim/index.ts';
import { JobStory } from '../test/support/job-story.ts';
import { STORM_CONTROLS_DEFAULT } from '../test/support/storm-env.ts';
import { BENCH_REDIS_PREFIX, withBenchStack, type BenchStack } from './stack.ts';

/** The measurements of one storm run. */
export interface StormResult {
  jobs: number;
  /** From the first write to the last Job named in Slack with a delivery record, in ms. */
  settleMs: number;
  posts: number;
  updates: number;
  /** Calls the fake rejected with HTTP 429. */
  rateLimited: number;
  /** Root messages in the channel: alerts posted alone plus digests. */
  roots: number;
  /** jobwatch's memory after a full collection, once settled, in MiB. */
  heapUsedMiB: number;
  rssMiB: number;
}

const LOG = 'Traceback (most recent call last):\nValueError: shard 7 is missing\n';
/** Jobs written before yielding to the simulated server, so its watches flush. */
const WRITE_CHUNK = 50;
/** How often the bench checks whether the storm settled, in milliseconds. */
const POLL_MS = 1000;

/** Warm-up Jobs tried before giving up. */
const WARMUP_ATTEMPTS = 5;

async function writeStorm(sim: SimCluster, jobs: number, prefix = 'storm', annotations: Record<string, string> = {}): Promise<JobStory[]> {
  const stories: JobStory[] = [];
  for (let i = 0; i < jobs; i += 1) {
    const name = `${prefix}-${String(i).padStart(5, '0')}`;
    const story = new JobStory(sim, { namespace: `team-${i % 20}`, name, backoffLimit: 0, annotations });
    story.failPod(story.startPod(), { exitCode: 1, reason: 'Error', log: LOG });
    story.failJob();
    stories.push(story);
    if (i % WRITE_CHUNK === WRITE_CHUNK - 1) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return stories;
}

async function settled(stack: BenchStack, store: EpisodeStore, stories: JobStory[]): Promise<boolean> {
  const text = stack.slack.messages().map((m) => `${m.text}${JSON.stringify(m.blocks ?? [])}`).join('\n');
  if (stories.some((story) => !text.includes(story.name))) return false;
  for (const story of stories) {
    if (!(await store.getDelivery('alert', story.uid))) return false;
  }
  return true;
}

/**
 * Fails one Job at a time into the second channel until one is posted. Failures seen while
 * the watcher's first lists run are recorded without a post, and readiness can come before
 * the CronJob list ends, so the storm starts only after a posted warm-up.
 */
async function warmUp(stack: BenchStack, store: EpisodeStore): Promise<void> {
  const annotations = { [CHANNEL_ANNOTATION]: stack.channelIds[1] ?? '' };
  for (let attempt = 0; attempt < WARMUP_ATTEMPTS; attempt += 1) {
    const [story] = await writeStorm(stack.sim, 1, `warmup-${attempt}`, annotations);
    if (!story) break;
    let outcome: 'posted' | 'silenced' | undefined;
    await waitUntil(async () => {
      if (await store.getDelivery('alert', story.uid)) outcome = 'posted';
      else if ((await store.getEpisode(story.uid))?.silenced === true) outcome = 'silenced';
      return outcome !== undefined;
    }, 'a warm-up alert', 60_000);
    if (outcome === 'posted') return;
  }
  throw new Error(`${WARMUP_ATTEMPTS} warm-up failures were all recorded without a post`);
}

async function waitUntil(done: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`${what} did not settle within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Runs one storm on a fresh stack and stops it. */
export async function runStorm(jobs: number, timeoutMs = 600_000): Promise<StormResult> {
  return await withBenchStack({ roles: 'all', channels: 2, slackLimits: true, env: { ...STORM_CONTROLS_DEFAULT } }, async (stack) => {
    await stack.jobwatch.waitFor((r) => r.ready, 'jobwatch to be ready', 60_000);
    const redis = new Redis(stack.redis.url);
    try {
      const store = new EpisodeStore(redis, { prefix: BENCH_REDIS_PREFIX, ttlSeconds: 3600 });
      await warmUp(stack, store);
      const startedMs = Date.now();
      const callsBefore = stack.slack.calls().length;
      const stories = await writeStorm(stack.sim, jobs);
      await waitUntil(() => settled(stack, store, stories), `the storm of ${jobs} Jobs`, timeoutMs);
      const settleMs = Date.now() - startedMs;
      const report = await stack.jobwatch.measure(true);
      const channel = stack.channelIds[0];
      const roots = stack.slack.messages(channel).filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts);
      const calls = stack.slack.calls().slice(callsBefore);
      return {
        jobs,
        settleMs,
        posts: calls.filter((call) => call.method === 'chat.postMessage').length,
        updates: calls.filter((call) => call.method === 'chat.update').length,
        rateLimited: calls.filter((call) => call.httpStatus === 429).length,
        roots: roots.length,
        heapUsedMiB: Math.round(report.heapUsedBytes / 2 ** 20),
        rssMiB: Math.round(report.rssBytes / 2 ** 20),
      };
    } finally {
      redis.disconnect();
    }
  });
}

if (import.meta.main) {
  const jobs = Number(process.argv[2] ?? 1000);
  if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`JOBS is ${process.argv[2]}, which is not a whole number above 0`);
  const result = await runStorm(jobs);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
