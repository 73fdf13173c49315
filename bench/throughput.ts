/**
 * Throughput: a burst of failed Jobs written at once, spread over several channels, timed
 * until the last alert shows the `failed` state. The fake Slack's per-channel bucket is off,
 * so Slack's rate limits do not set the pace.
 */
import type { NotifyMode } from '../src/config/routing.ts';
import type { SimCluster } from '../src/sim/index.ts';
import { waitForFinalAlerts } from './arrival-wait.ts';
import { failLoadJob, startFailingJob, type LoadJob } from './failure-load.ts';
import type { AlertArrival } from './slack-arrivals.ts';
import { requestsByKind } from './api-requests.ts';
import { startCpuMeter, type CpuSpent } from './cpu-meter.ts';
import { readStages } from './latency.ts';
import type { StageName } from './stage-breakdown.ts';
import { withBenchStack } from './stack.ts';
import { percentile, summarize, type Summary } from './stats.ts';

export interface ThroughputOptions {
  /** Failed Jobs in the burst. Default 2,000. */
  jobs: number;
  /** Slack channels the Jobs are spread over, round robin. Default 8. */
  channels: number;
  /** Notify mode of every Job. Default `first-failure`, jobwatch's default. */
  notify: NotifyMode;
  /** Jobs sent and drained before the burst, left out of the numbers. Default 20. */
  warmupJobs: number;
  /** Wait for the burst to drain, in seconds. Default 150. */
  timeoutSeconds: number;
  /** More Node options for the jobwatch process. */
  nodeOptions: readonly string[];
  cpuProfileDir?: string;
}

export interface ThroughputResult {
  jobs: number;
  channels: number;
  /** Jobs whose alert never showed the `failed` state before the wait ended. */
  missing: number;
  /** Time the load generator took to write every Job of the burst, in milliseconds. */
  writeMs: number;
  /** From the first `Failed` write to the last alert showing it, in milliseconds. */
  drainMs: number;
  /** Jobs divided by the drain time. */
  overallPerSecond: number;
  /**
   * Rate between the 10th and the 90th percentile of final-alert arrivals, which leaves out
   * the start of the burst and its tail.
   */
  sustainedPerSecond: number;
  /** Each Job's time from its `Failed` write to its final alert, in milliseconds. */
  latencyMs?: Summary;
  /** Accepted Slack calls on the root alerts, per Job. */
  alertCallsPerJob: number;
  /** CPU time per Job of the burst, from the first write until drained, in milliseconds. */
  cpuMsPerJob?: { jobwatch: number; bench: number };
  /** Event loop delay of the jobwatch process while draining, in milliseconds. */
  loopDelayMs?: CpuSpent['jobwatchLoopDelayMs'];
  /** Requests to the simulated API server per Job of the burst, by kind. */
  apiRequestsPerJob?: Record<string, number>;
  /** Each Job's latency split into pipeline stages, from BullMQ's job times. */
  stagesMs?: Partial<Record<StageName, Summary>>;
}

/** Chunk of Jobs written before the load generator yields to the simulated server. */
const WRITE_CHUNK = 25;

/** Writes `count` failed Jobs from `firstIndex`, yielding now and then so watches flush. */
async function writeBurst(sim: SimCluster, channelIds: string[], firstIndex: number, count: number, notify: NotifyMode): Promise<LoadJob[]> {
  const jobs: LoadJob[] = [];
  for (let i = 0; i < count; i += 1) {
    const index = firstIndex + i;
    const job = startFailingJob(sim, index, { channel: channelIds[index % channelIds.length] as string, notify });
    failLoadJob(job);
    jobs.push(job);
    if (i % WRITE_CHUNK === WRITE_CHUNK - 1) await new Promise((resolve) => setImmediate(resolve));
  }
  return jobs;
}

/** Computes the result of a burst from its Jobs and the alert arrivals. */
export function burstResult(jobs: readonly LoadJob[], arrivals: Map<string, AlertArrival>, channels: number): ThroughputResult {
  const written = jobs.map((j) => j.failedAtMs ?? 0);
  const start = Math.min(...written);
  const finals: number[] = [];
  const latencies: number[] = [];
  let alertCalls = 0;
  for (const job of jobs) {
    const arrival = arrivals.get(job.story.uid);
    alertCalls += arrival?.calls ?? 0;
    if (arrival?.finalAtMs === undefined || job.failedAtMs === undefined) continue;
    finals.push(arrival.finalAtMs);
    latencies.push(arrival.finalAtMs - job.failedAtMs);
  }

  finals.sort((a, b) => a - b);
  const drainMs = finals.length > 0 ? (finals.at(-1) as number) - start : 0;
  const latencyMs = summarize(latencies);
  return {
    jobs: jobs.length,
    channels,
    missing: jobs.length - finals.length,
    writeMs: Math.max(...written) - start,
    drainMs,
    overallPerSecond: drainMs > 0 ? (finals.length * 1000) / drainMs : 0,
    sustainedPerSecond: sustainedRate(finals),
    ...(latencyMs ? { latencyMs } : {}),
    alertCallsPerJob: jobs.length > 0 ? alertCalls / jobs.length : 0,
  };
}

/** Returns arrivals per second between the 10th and 90th percentile of sorted arrival times. */
function sustainedRate(sortedArrivals: readonly number[]): number {
  if (sortedArrivals.length < 10) return 0;
  const t10 = percentile(sortedArrivals, 10);
  const t90 = percentile(sortedArrivals, 90);
  if (t90 <= t10) return 0;
  const between = sortedArrivals.filter((t) => t >= t10 && t <= t90).length;
  return ((between - 1) * 1000) / (t90 - t10);
}

/** Runs the throughput benchmark on a fresh stack and stops it. */
export async function runThroughput(options: ThroughputOptions): Promise<ThroughputResult> {
  const stackOptions = {
    roles: 'all' as const,
    channels: options.channels,
    nodeOptions: options.nodeOptions,
    ...(options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}),
  };
  return await withBenchStack(stackOptions, async (stack) => {
    await stack.jobwatch.waitFor((r) => r.ready, 'jobwatch to be ready', 60_000);
    const uids = (jobs: LoadJob[]): string[] => jobs.map((j) => j.story.uid);
    const warmup = await writeBurst(stack.sim, stack.channelIds, 0, options.warmupJobs, options.notify);
    const warmed = await waitForFinalAlerts(stack.slack, uids(warmup), 60_000);
    const cold = warmup.filter((j) => warmed.get(j.story.uid)?.finalAtMs === undefined).length;
    if (cold > 0) throw new Error(`${cold} of ${warmup.length} warm-up Jobs got no final alert within 60 s`);
    const stopMeter = await startCpuMeter(stack.jobwatch);
    const requestsBefore = stack.sim.faults.requests.length;
    const burst = await writeBurst(stack.sim, stack.channelIds, options.warmupJobs, options.jobs, options.notify);
    const arrivals = await waitForFinalAlerts(stack.slack, uids(burst), options.timeoutSeconds * 1000);
    const cpu = await stopMeter();
    const cpuMsPerJob = { jobwatch: cpu.jobwatchMs / burst.length, bench: cpu.benchMs / burst.length };
    const apiRequestsPerJob = requestsByKind(stack.sim.faults.requests.slice(requestsBefore), burst.length);
    const stagesMs = await readStages(stack.redis.url, burst, arrivals);
    const measured = { cpuMsPerJob, apiRequestsPerJob, loopDelayMs: cpu.jobwatchLoopDelayMs, stagesMs };
    return { ...burstResult(burst, arrivals, options.channels), ...measured };
  });
}
