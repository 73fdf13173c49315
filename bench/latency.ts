/**
 * Latency: from a Job's `Failed` condition written into the simulated store to the Slack call
 * that first shows the `failed` state, at a steady rate of failures.
 */
import type { NotifyMode } from '../src/config/routing.ts';
import { benchNowMs, sleep } from './bench-clock.ts';
import { failLoadJob, startFailingJob, type LoadJob } from './failure-load.ts';
import { waitForFinalAlerts } from './arrival-wait.ts';
import type { AlertArrival } from './slack-arrivals.ts';
import { startCpuMeter, type CpuSpent } from './cpu-meter.ts';
import { readTimelines, summarizeStages, withRedis, type StageName } from './stage-breakdown.ts';
import { BENCH_REDIS_PREFIX, withBenchStack, type BenchStack } from './stack.ts';
import { summarize, type Summary } from './stats.ts';

/** Notify mode of the load's Jobs. `mixed` alternates the two modes Job by Job. */
export type NotifyChoice = NotifyMode | 'mixed';

export interface LatencyOptions {
  /** Failed conditions written per second. Default 10. */
  ratePerSecond: number;
  /** Length of the measured load, in seconds. Default 60. */
  durationSeconds: number;
  /** Time between a Job's pod failing and its `Failed` condition, in milliseconds. Default 1,000. */
  gapMs: number;
  /** Slack channels the Jobs are spread over. Default 8. */
  channels: number;
  /** Jobs run at the same rate before the measured ones and left out of the numbers. Default 20. */
  warmupJobs: number;
  notify: NotifyChoice;
  /** Wait for the last alerts after the load ends, in seconds. Default 30. */
  settleSeconds: number;
  /** More Node options for the jobwatch process. */
  nodeOptions: readonly string[];
  cpuProfileDir?: string;
}

/** Latencies of the Jobs of one notify mode. */
export interface ModeLatency {
  notify: NotifyMode;
  jobs: number;
  /** Jobs whose alert never showed the `failed` state before the wait ended. */
  missing: number;
  /** Milliseconds from the `Failed` write to the call that showed it. */
  latencyMs?: Summary;
  /** Counts of Jobs whose final state came by a post and by an update. */
  finalBy: { post: number; update: number };
  /** The latency split into pipeline stages, from BullMQ's job times. */
  stagesMs?: Partial<Record<StageName, Summary>>;
}

export interface LatencyResult {
  /** Failed conditions per second actually written, over the measured Jobs. */
  achievedRatePerSecond: number;
  /** Lag of the condition writes behind their schedule, in milliseconds. */
  scheduleLagMs?: Summary;
  modes: ModeLatency[];
  /** CPU time per measured Job, from the start of the load until the last alert, in ms. */
  cpuMsPerJob: { jobwatch: number; bench: number };
  /** Event loop delay of the jobwatch process while measuring, in milliseconds. */
  loopDelayMs: CpuSpent['jobwatchLoopDelayMs'];
}

interface ScheduledJob {
  index: number;
  failAtMs: number;
  notify: NotifyMode;
  job?: LoadJob;
}

function notifyFor(choice: NotifyChoice, index: number): NotifyMode {
  if (choice !== 'mixed') return choice;
  return index % 2 === 0 ? 'final-only' : 'first-failure';
}

function modeLatency(notify: NotifyMode, jobs: LoadJob[], arrivals: Map<string, AlertArrival>): ModeLatency {
  const latencies: number[] = [];
  const finalBy = { post: 0, update: 0 };
  for (const job of jobs) {
    const arrival = arrivals.get(job.story.uid);
    if (arrival?.finalAtMs === undefined || job.failedAtMs === undefined) continue;
    latencies.push(arrival.finalAtMs - job.failedAtMs);
    if (arrival.finalMethod === 'chat.update') finalBy.update += 1;
    else finalBy.post += 1;
  }
  const latencyMs = summarize(latencies);
  return { notify, jobs: jobs.length, missing: jobs.length - latencies.length, finalBy, ...(latencyMs ? { latencyMs } : {}) };
}

/** Reads the stage times of the Jobs from the run's Redis and summarizes them. */
export async function readStages(redisUrl: string, jobs: readonly LoadJob[], arrivals: Map<string, AlertArrival>): Promise<Partial<Record<StageName, Summary>>> {
  const requests = jobs.map((job) => {
    const finalAtMs = arrivals.get(job.story.uid)?.finalAtMs;
    return { uid: job.story.uid, failedAtMs: job.failedAtMs ?? 0, ...(finalAtMs !== undefined ? { finalAtMs } : {}) };
  });
  const timelines = await withRedis(redisUrl, (redis) => readTimelines(redis, BENCH_REDIS_PREFIX, requests));
  return summarizeStages(timelines);
}

/**
 * Runs the schedule: each Job's pod fails `gapMs` before its `Failed` condition, and the
 * conditions follow one another at `ratePerSecond`. Returns the lag of each condition write.
 */
async function playSchedule(stack: BenchStack, options: LatencyOptions, schedule: ScheduledJob[]): Promise<number[]> {
  type Step = { atMs: number; run: () => void };
  const lags: number[] = [];
  const steps: Step[] = [];
  for (const entry of schedule) {
    const channel = stack.channelIds[entry.index % stack.channelIds.length] as string;
    steps.push({ atMs: entry.failAtMs - options.gapMs, run: () => (entry.job = startFailingJob(stack.sim, entry.index, { channel, notify: entry.notify })) });
    steps.push({
      atMs: entry.failAtMs,
      run: () => {
        if (!entry.job) throw new Error(`bench schedule wrote the Failed condition of job ${entry.index} before its pod`);
        failLoadJob(entry.job);
        lags.push((entry.job.failedAtMs ?? entry.failAtMs) - entry.failAtMs);
      },
    });
  }
  steps.sort((a, b) => a.atMs - b.atMs);
  for (const step of steps) {
    const wait = step.atMs - benchNowMs();
    if (wait > 1) await sleep(wait);
    step.run();
  }
  return lags;
}

/** Runs the latency benchmark on a fresh stack and stops it. */
export async function runLatency(options: LatencyOptions): Promise<LatencyResult> {
  const stackOptions = {
    roles: 'all' as const,
    channels: options.channels,
    nodeOptions: options.nodeOptions,
    ...(options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}),
  };
  return await withBenchStack(stackOptions, async (stack) => {
    await stack.jobwatch.waitFor((r) => r.ready, 'jobwatch to be ready', 60_000);
    const measured = Math.round(options.ratePerSecond * options.durationSeconds);
    const total = options.warmupJobs + measured;
    const startMs = benchNowMs() + options.gapMs + 100;
    const schedule: ScheduledJob[] = Array.from({ length: total }, (_, index) => ({
      index,
      failAtMs: startMs + (index * 1000) / options.ratePerSecond,
      notify: notifyFor(options.notify, index),
    }));
    const stopMeter = await startCpuMeter(stack.jobwatch);
    const lags = await playSchedule(stack, options, schedule);
    const jobs = schedule.slice(options.warmupJobs).map((entry) => entry.job as LoadJob);
    const arrivals = await waitForFinalAlerts(stack.slack, jobs.map((j) => j.story.uid), options.settleSeconds * 1000);
    const cpu = await stopMeter();
    const first = jobs[0]?.failedAtMs ?? 0;
    const last = jobs.at(-1)?.failedAtMs ?? 0;
    const modes: ModeLatency[] = [];
    for (const notify of ['final-only', 'first-failure'] as const) {
      const modeJobs = jobs.filter((j) => j.notify === notify);
      if (modeJobs.length === 0) continue;
      const stagesMs = await readStages(stack.redis.url, modeJobs, arrivals);
      modes.push({ ...modeLatency(notify, modeJobs, arrivals), stagesMs });
    }
    const scheduleLagMs = summarize(lags.slice(options.warmupJobs));
    return {
      achievedRatePerSecond: jobs.length > 1 ? ((jobs.length - 1) * 1000) / (last - first) : 0,
      ...(scheduleLagMs ? { scheduleLagMs } : {}),
      modes,
      cpuMsPerJob: { jobwatch: cpu.jobwatchMs / total, bench: cpu.benchMs / total },
      loopDelayMs: cpu.jobwatchLoopDelayMs,
    };
  });
}
