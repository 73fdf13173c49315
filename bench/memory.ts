/**
 * Watcher memory: the watcher role alone, in its own process, after its first list of a
 * cluster with many Jobs and their pods has synced and the signals it found have been sent.
 * The same process on an empty cluster gives the baseline that the Jobs add to.
 */
import type { SimCluster } from '../src/sim/index.ts';
import type { KubeObject } from '../src/sim/resources.ts';
import { benchNowMs, sleep } from './bench-clock.ts';
import { rawJob, rawPod } from './cluster-objects.ts';
import type { JobwatchProcess } from './jobwatch-child.ts';
import { cacheListSnapshots } from './list-snapshot-cache.ts';
import { withBenchStack, type StackOptions } from './stack.ts';

export interface MemoryOptions {
  /** Jobs in the cluster, each with one pod. Default 50,000. */
  jobs: number;
  /** Percentage of Jobs that failed, while the rest completed. Default 10. */
  failedPercent: number;
  /** Build each list snapshot once (see `list-snapshot-cache.ts`). Default true. */
  listCache: boolean;
  /** Time the watcher may take to list and send its signals, in seconds. Default 150. */
  timeoutSeconds: number;
  /**
   * Idle time after settling before the last sample, in seconds, so that HTTP connections
   * kept alive by the evidence reads close. Default 10.
   */
  idleSeconds: number;
  /** More Node options for the watcher process, such as `--max-semi-space-size=16`. */
  nodeOptions: readonly string[];
  cpuProfileDir?: string;
}

/** Memory of the watcher process, in bytes. RSS is the kernel's `VmRSS`. */
export interface MemorySample {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
}

export interface MemoryResult {
  jobs: number;
  failedJobs: number;
  /** Jobs and pods in the watcher's cache once synced. */
  cachedJobs: number;
  cachedPods: number;
  /** Time to write the objects into the simulated store, in milliseconds. */
  populateMs: number;
  /** From starting the process to both lists synced, in milliseconds. */
  syncMs: number;
  /** From synced to every evidence read done and every signal accepted by Redis, in ms. */
  settleMs: number;
  /** The same process on an empty cluster, after a full garbage collection. */
  baseline: MemorySample & { peakRssBytes: number };
  /** Read as the lists synced, without a forced garbage collection. */
  atSync: MemorySample;
  /** Read right after settling, after a full garbage collection. */
  settled: MemorySample;
  /** Read after the idle time, after a full garbage collection. */
  idle: MemorySample;
  /** The highest resident size of the process (`VmHWM`), in bytes. */
  peakRssBytes: number;
}

/** Returns the RFC 3339 time two hours ago, so that no Job counts as a recent completion. */
function twoHoursAgo(): string {
  return new Date(Date.now() - 2 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Writes the Jobs and pods with every `100 / failedPercent`-th Job failed, and returns that count. */
function populate(sim: SimCluster, options: MemoryOptions): number {
  const time = twoHoursAgo();
  const every = options.failedPercent > 0 ? Math.round(100 / options.failedPercent) : 0;
  let failed = 0;
  for (let index = 0; index < options.jobs; index += 1) {
    const isFailed = every > 0 && index % every === 0;
    if (isFailed) failed += 1;
    sim.store.create(rawJob(index, { failed: isFailed, time }) as unknown as KubeObject);
    sim.store.create(rawPod(index, { failed: isFailed, time }) as unknown as KubeObject);
  }
  return failed;
}

/** Takes a sample, with a full garbage collection first when `gc` is set. */
async function sample(jobwatch: JobwatchProcess, gc: boolean): Promise<MemorySample> {
  const report = await jobwatch.measure(gc);
  const kernel = await jobwatch.kernelMemory();
  return { rssBytes: kernel.rssBytes, heapUsedBytes: report.heapUsedBytes, heapTotalBytes: report.heapTotalBytes, externalBytes: report.externalBytes };
}

/** Builds stack options for the watcher alone. Only the loaded run is profiled. */
function stackOptions(options: MemoryOptions, populateCluster?: (sim: SimCluster) => void): StackOptions {
  return {
    roles: ['watcher'],
    channels: 1,
    nodeOptions: options.nodeOptions,
    ...(populateCluster ? { populate: populateCluster } : {}),
    ...(populateCluster && options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}),
  };
}

/** Measures the watcher process on an empty cluster. */
async function measureBaseline(options: MemoryOptions): Promise<MemoryResult['baseline']> {
  return await withBenchStack(stackOptions(options), async (stack) => {
    await stack.jobwatch.waitFor((r) => r.ready, 'the watcher to sync an empty cluster', 60_000);
    await sleep(options.idleSeconds * 1000);
    const idle = await sample(stack.jobwatch, true);
    return { ...idle, peakRssBytes: (await stack.jobwatch.kernelMemory()).peakRssBytes };
  });
}

/** Runs the memory benchmark: the baseline first, then the loaded cluster. */
export async function runMemory(options: MemoryOptions): Promise<MemoryResult> {
  const baseline = await measureBaseline(options);
  let failedJobs = 0;
  let populateMs = 0;
  const fill = (sim: SimCluster): void => {
    const started = benchNowMs();
    if (options.listCache) cacheListSnapshots(sim.store);
    failedJobs = populate(sim, options);
    populateMs = benchNowMs() - started;
  };
  return await withBenchStack(stackOptions(options, fill), async (stack) => {
    const { jobwatch } = stack;
    const timeoutMs = options.timeoutSeconds * 1000;
    const started = benchNowMs();
    await jobwatch.waitFor((r) => r.ready, 'the watcher to list and sync', timeoutMs);
    const syncMs = benchNowMs() - started;
    const atSync = await sample(jobwatch, false);
    const done = await jobwatch.waitFor((r) => r.pendingCaptures === 0 && r.pendingSignals === 0, 'evidence reads and signals to finish', timeoutMs);
    const settleMs = benchNowMs() - started - syncMs;
    const settled = await sample(jobwatch, true);
    await sleep(options.idleSeconds * 1000);
    const idle = await sample(jobwatch, true);
    const { peakRssBytes } = await jobwatch.kernelMemory();
    return { jobs: options.jobs, failedJobs, cachedJobs: done.jobs, cachedPods: done.pods, populateMs, syncMs, settleMs, baseline, atSync, settled, idle, peakRssBytes };
  });
}
