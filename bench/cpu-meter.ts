import type { JobwatchProcess } from './jobwatch-child.ts';

/** CPU time spent during one measured stretch, in milliseconds, and how busy jobwatch was. */
export interface CpuSpent {
  /** The jobwatch process. */
  jobwatchMs: number;
  /** The bench process: the simulated API server, the fake Slack and the load generator. */
  benchMs: number;
  /** Event loop delay of the jobwatch process during the stretch, in milliseconds. */
  jobwatchLoopDelayMs: { p50: number; p99: number; max: number };
}

/**
 * Starts counting the CPU time of the jobwatch process and of this process, and the event
 * loop delay of jobwatch. CPU time per failure depends far less on other load on the
 * machine than wall-clock rates do.
 */
export async function startCpuMeter(jobwatch: JobwatchProcess): Promise<() => Promise<CpuSpent>> {
  const jobwatchStart = (await jobwatch.measure(false, true)).cpuMicros;
  const benchStart = process.cpuUsage();
  return async () => {
    const end = await jobwatch.measure();
    const bench = process.cpuUsage(benchStart);
    return {
      jobwatchMs: (end.cpuMicros - jobwatchStart) / 1000,
      benchMs: (bench.user + bench.system) / 1000,
      jobwatchLoopDelayMs: end.loopDelayMs,
    };
  };
}
