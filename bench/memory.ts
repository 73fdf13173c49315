/**
 * Watcher memory: the watcher role alone, in its own process, after its first list of a
 * cluster with many Jobs and their pods has synced and the signals it found have been sent.
 */
import type { SimCluster } from '../src/sim/index.ts';
import type { KubeObject } from '../src/sim/resources.ts';
import { benchNowMs } from './bench-clock.ts';
import { rawJob, rawPod } from './cluster-objects.ts';
import { cacheListSnapshots } from './list-snapshot-cache.ts';
import { withBenchStack } from './stack.ts';

export interface MemoryOptions {
  /** Jobs in the cluster, each with one pod. Default 50,000. */
  jobs: number;
  /** Percentage of Jobs that failed; the rest completed. Default 10. */
  failedPercent: number;
  /** Build each list snapshot once (see `list-snapshot-cache.ts`). Default true. */
  listCache: boolean;
  /** How long the watcher may take to list and send its signals, in seconds. Default 150. */
  timeoutSeconds: number;
  cpuProfileDir?: string;
}

/** Memory of the watcher process, in bytes. */
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
  /** Read as the lists synced, without a forced garbage collection. */
  atSync: MemorySample;
  /** Read after settling and a full garbage collection (`--expose-gc`). */
  settled: MemorySample;
  /** The highest resident size of the process (`VmHWM`), in bytes. */
  peakRssBytes: number;
}

/** An RFC 3339 time two hours ago, so no Job counts as a recent completion. */
function twoHoursAgo(): string {
  return new Date(Date.now() - 2 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Writes the Jobs and pods; every `100 / failedPercent`-th Job failed. */
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

/** Runs the memory benchmark on a fresh stack and stops it. */
export async function runMemory(options: MemoryOptions): Promise<MemoryResult> {
  let failedJobs = 0;
  let populateMs = 0;
  const stackOptions = {
    roles: ['watcher' as const],
    channels: 1,
    populate: (sim: SimCluster) => {
      const started = benchNowMs();
      if (options.listCache) cacheListSnapshots(sim.store);
      failedJobs = populate(sim, options);
      populateMs = benchNowMs() - started;
    },
    ...(options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}),
  };
  return await withBenchStack(stackOptions, async (stack) => {
    const timeoutMs = options.timeoutSeconds * 1000;
    const started = benchNowMs();
    const synced = await stack.jobwatch.waitFor((r) => r.ready, 'the watcher to list and sync', timeoutMs);
    const syncMs = benchNowMs() - started;
    const settledAt = await stack.jobwatch.waitFor((r) => r.pendingCaptures === 0 && r.pendingSignals === 0, 'evidence reads and signals to finish', timeoutMs);
    const settleMs = benchNowMs() - started - syncMs;
    const settled = await stack.jobwatch.measure(true);
    const kernel = await stack.jobwatch.kernelMemory();
    const sample = (r: typeof settled): MemorySample => ({ rssBytes: r.rssBytes, heapUsedBytes: r.heapUsedBytes, heapTotalBytes: r.heapTotalBytes, externalBytes: r.externalBytes });
    return {
      jobs: options.jobs,
      failedJobs,
      cachedJobs: settledAt.jobs,
      cachedPods: settledAt.pods,
      populateMs,
      syncMs,
      settleMs,
      atSync: sample(synced),
      settled: { ...sample(settled), rssBytes: kernel.rssBytes },
      peakRssBytes: kernel.peakRssBytes,
    };
  });
}
