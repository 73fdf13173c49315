/**
 * Runs jobwatch in a process of its own for the benchmarks, configured by the environment
 * like `jobwatch run`, and responds to the bench over IPC. It reports memory and watch state on
 * `measure` and stops cleanly on `stop`, so that `--cpu-prof` can write its profile.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildRuntime } from '../src/app/runtime.ts';
import { createLogger } from '../src/app/logger.ts';
import { startJobwatch, type Jobwatch } from '../src/app/start-jobwatch.ts';
import { loadConfig } from '../src/config/env.ts';
import type { BenchRequest, ProcessMessage, ProcessReport } from './jobwatch-messages.ts';

function send(message: ProcessMessage): void {
  process.send?.(message);
}

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

function loopDelayMs(): ProcessReport['loopDelayMs'] {
  const ms = (nanoseconds: number): number => nanoseconds / 1e6;
  return { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) };
}

function report(jobwatch: Jobwatch, gc: boolean): ProcessReport {
  const collect = gc ? globalThis.gc : undefined;
  collect?.();
  const memory = process.memoryUsage();
  const watcher = jobwatch.watcher?.watcher;
  const cpu = process.cpuUsage();
  return {
    type: 'report',
    collected: collect !== undefined,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    heapTotalBytes: memory.heapTotal,
    externalBytes: memory.external,
    arrayBuffersBytes: memory.arrayBuffers,
    cpuMicros: cpu.user + cpu.system,
    loopDelayMs: loopDelayMs(),
    ready: jobwatch.ready(),
    jobs: watcher?.jobCount ?? 0,
    pods: watcher?.podCount ?? 0,
    pendingCaptures: watcher?.pendingCaptures ?? 0,
    pendingSignals: jobwatch.producer?.pending ?? 0,
  };
}

async function main(): Promise<void> {
  if (!process.send) throw new Error('bench/jobwatch-process.ts must be started by the bench with an IPC channel');
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  const runtime = await buildRuntime(config, logger);
  const jobwatch = await startJobwatch(config, runtime.deps);
  process.on('message', (request: BenchRequest) => {
    if (request.type === 'measure') {
      send(report(jobwatch, request.gc));
      if (request.resetLoopDelay) loopDelay.reset();
      return;
    }
    jobwatch
      .stop()
      .then(() => runtime.close())
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        logger.error({ err }, 'bench: jobwatch did not stop cleanly');
        process.exit(1);
      });
  });
  send({ type: 'started' });
}

main().catch((err: unknown) => {
  const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`${error}\n`);
  // Exits once the message is handed to the channel, so the bench receives the cause.
  if (process.send) process.send({ type: 'failed', error } satisfies ProcessMessage, () => process.exit(1));
  else process.exit(1);
});
