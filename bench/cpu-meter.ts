import type { JobwatchProcess } from './jobwatch-child.ts';

/** CPU time spent during one measured stretch, in milliseconds. */
export interface CpuSpent {
  /** The jobwatch process. */
  jobwatchMs: number;
  /** The bench process: the simulated API server, the fake Slack and the load generator. */
  benchMs: number;
}

/**
 * Starts counting the CPU time of the jobwatch process and of this process. CPU time per
 * failure depends far less on other load on the machine than wall-clock rates do.
 */
export async function startCpuMeter(jobwatch: JobwatchProcess): Promise<() => Promise<CpuSpent>> {
  const jobwatchStart = (await jobwatch.measure()).cpuMicros;
  const benchStart = process.cpuUsage();
  return async () => {
    const jobwatchEnd = (await jobwatch.measure()).cpuMicros;
    const bench = process.cpuUsage(benchStart);
    return { jobwatchMs: (jobwatchEnd - jobwatchStart) / 1000, benchMs: (bench.user + bench.system) / 1000 };
  };
}
