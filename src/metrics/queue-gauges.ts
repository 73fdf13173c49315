import { Counter, Gauge, type Registry } from 'prom-client';

/** The read-only part of a BullMQ `Queue` that the queue gauges use. */
export interface QueueReader {
  readonly name: string;
  /** Cluster whose queue this is, as the `cluster` label; absent for a queue clusters share. */
  readonly cluster?: string;
  getJobCounts(...types: ('wait' | 'active' | 'failed')[]): Promise<Record<string, number>>;
  /** BullMQ returns the oldest waiting job first for `getWaiting(0, 0)`. */
  getWaiting(start: number, end: number): Promise<{ timestamp: number; delay: number }[]>;
}

/** Options of {@link registerQueueGauges}. */
export interface QueueGaugeOptions {
  /** The queues to report, read at every scrape, so queues can be added after registration. */
  queues: () => readonly QueueReader[];
  /** Called once per failed reading, with the error, after it is counted. */
  onError: (err: unknown) => void;
  /** How long one reading of Redis serves scrapes, in milliseconds. Default 2,000. */
  cacheMs?: number;
  /** How long one reading may take before it counts as failed, in milliseconds. Default 3,000. */
  timeoutMs?: number;
  /** The clock, in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
}

interface QueueRow {
  queue: string;
  cluster: string | undefined;
  waiting: number;
  active: number;
  failed: number;
  oldestWaitingAgeSeconds: number;
}

/**
 * Registers the queue gauges, read from Redis when Prometheus scrapes. Scrapes within
 * `cacheMs` share one reading, so a burst of scrapes costs Redis one round of commands.
 * A failed reading leaves the gauges without samples rather than with stale values, counts
 * in `jobwatch_metrics_collect_errors_total`, and the scrape itself still succeeds.
 */
export function registerQueueGauges(registry: Registry, options: QueueGaugeOptions): void {
  const errors = new Counter({
    name: 'jobwatch_metrics_collect_errors_total',
    help: 'Scrape-time readings that failed, by collector. The scrape itself succeeds.',
    labelNames: ['collector'],
    registers: [registry],
    // The registry collects metrics concurrently, so this waits for the reading it counts.
    async collect() {
      await read();
    },
  });
  // Starts the series at 0, so a rate over it is defined before the first failure.
  errors.inc({ collector: 'queues' }, 0);
  const read = cachedReader({
    ...options,
    onError(err) {
      errors.inc({ collector: 'queues' });
      options.onError(err);
    },
  });
  const gauge = (name: string, help: string, pick: (row: QueueRow) => number): void => {
    new Gauge({
      name,
      help,
      labelNames: ['queue', 'cluster'],
      registers: [registry],
      async collect() {
        const rows = await read();
        this.reset();
        for (const row of rows ?? []) this.set(queueLabels(row), pick(row));
      },
    });
  };
  gauge('jobwatch_queue_waiting_jobs', 'Queue jobs waiting for a worker.', (row) => row.waiting);
  gauge('jobwatch_queue_active_jobs', 'Queue jobs a worker is processing.', (row) => row.active);
  gauge('jobwatch_queue_failed_jobs', 'Queue jobs that failed for good and are kept.', (row) => row.failed);
  gauge(
    'jobwatch_queue_oldest_waiting_age_seconds',
    'Seconds since the oldest waiting queue job became due; 0 when none waits.',
    (row) => row.oldestWaitingAgeSeconds,
  );
}

function queueLabels(row: QueueRow): { queue: string; cluster?: string } {
  return row.cluster === undefined ? { queue: row.queue } : { queue: row.queue, cluster: row.cluster };
}

function cachedReader(options: QueueGaugeOptions): () => Promise<QueueRow[] | undefined> {
  const now = options.now ?? Date.now;
  const cacheMs = options.cacheMs ?? 2_000;
  let cached: { atMs: number; rows: Promise<QueueRow[] | undefined>; settled: boolean } | undefined;
  return () => {
    const atMs = now();
    // The metrics of one scrape are collected at once, and share a reading still in flight.
    if (cached && (!cached.settled || atMs - cached.atMs < cacheMs)) return cached.rows;
    const reading = withTimeout(readAll(options.queues(), now), options.timeoutMs ?? 3_000)
      .catch((err: unknown) => {
        options.onError(err);
        return undefined;
      })
      .finally(() => {
        entry.settled = true;
      });
    const entry = { atMs, rows: reading, settled: false };
    cached = entry;
    return reading;
  };
}

async function readAll(queues: readonly QueueReader[], now: () => number): Promise<QueueRow[]> {
  return await Promise.all(queues.map((queue) => readQueue(queue, now)));
}

async function readQueue(queue: QueueReader, now: () => number): Promise<QueueRow> {
  const [counts, oldest] = await Promise.all([
    queue.getJobCounts('wait', 'active', 'failed'),
    queue.getWaiting(0, 0),
  ]);
  const first = oldest[0];
  // A delayed job moved to the wait list became due at its timestamp plus its delay.
  // NOTE: a job waiting again after a failed attempt counts from when it was first added.
  const dueAtMs = first ? first.timestamp + (first.delay || 0) : undefined;
  return {
    queue: queue.name,
    cluster: queue.cluster,
    waiting: counts['wait'] ?? 0,
    active: counts['active'] ?? 0,
    failed: counts['failed'] ?? 0,
    oldestWaitingAgeSeconds: dueAtMs === undefined ? 0 : Math.max(0, (now() - dueAtMs) / 1000),
  };
}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`reading the queue counts from Redis timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
