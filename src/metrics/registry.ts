import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.ts';
import { createPromMetrics } from './prom-metrics.ts';
import { registerQueueGauges, type QueueReader } from './queue-gauges.ts';
import { registerWatchGauges, type WatchEntry, type WatchSource } from './watch-gauges.ts';

/** Options of {@link createJobwatchMetrics}. */
export interface JobwatchMetricsOptions {
  /** Logs failed collections at debug level; they are counted in any case. */
  logger?: Logger;
  /** How long one reading of the queues serves scrapes, in milliseconds. Default 2,000. */
  queueCacheMs?: number;
  /** How long one reading of the queues may take, in milliseconds. Default 3,000. */
  queueTimeoutMs?: number;
  /** The clock, in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
}

/** The metrics of one jobwatch process: its own registry, what feeds it, and the scrape. */
export interface JobwatchMetrics {
  readonly registry: Registry;
  /** The counting points to pass to the pipeline. */
  readonly metrics: Metrics;
  /** Adds queues whose counts each scrape reads from Redis. */
  addQueues(queues: readonly QueueReader[]): void;
  /** Adds list/watch loops whose counters each scrape reads. */
  addWatches(watches: readonly WatchSource[]): void;
  /** Renders every metric in the Prometheus text format; never rejects for a Redis outage. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

/**
 * Creates a registry for one process, with Node's process metrics under the `jobwatch_`
 * prefix. Each process, and each test, gets its own registry, so nothing is registered
 * twice and nothing leaks between runs.
 */
export function createJobwatchMetrics(options: JobwatchMetricsOptions = {}): JobwatchMetrics {
  const now = options.now ?? Date.now;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'jobwatch_' });
  const queues: QueueReader[] = [];
  const watches: WatchEntry[] = [];
  registerQueueGauges(registry, {
    queues: () => queues,
    onError(err) {
      options.logger?.debug({ err }, 'queue metrics not collected');
    },
    now,
    ...(options.queueCacheMs === undefined ? {} : { cacheMs: options.queueCacheMs }),
    ...(options.queueTimeoutMs === undefined ? {} : { timeoutMs: options.queueTimeoutMs }),
  });
  registerWatchGauges(registry, () => watches, now);
  return {
    registry,
    metrics: createPromMetrics(registry),
    addQueues: (added) => void queues.push(...added),
    addWatches: (added) => void watches.push(...added.map((source) => ({ source }))),
    async scrape() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
