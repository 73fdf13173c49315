import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { NOTIFY_QUEUE } from '../queue/queues.ts';
import { actionQueueName, signalQueueName } from '../queue/cluster-names.ts';
import type { QueueReader } from './queue-gauges.ts';

/** Options of {@link openQueueReaders}. */
export interface QueueReaderOptions {
  /**
   * Connection the readers share, from `createRedis` with `failFast` and a command timeout
   * so that a scrape during an outage does not hang. Closed by `close()`.
   */
  connection: Redis;
  /** Key prefix of the queues (`JOBWATCH_REDIS_PREFIX`). */
  prefix: string;
  /** The cluster this process serves (`JOBWATCH_CLUSTER_NAME`). */
  cluster: string;
  /**
   * Whether this process serves a cluster side (the watcher or worker role) and so reports
   * that cluster's signal and action queues. A Slack-facing process reports only the notify
   * queue. Default true.
   */
  clusterQueues?: boolean;
  logger: Logger;
}

/**
 * Opens read-only handles for the queue gauges on the signal and action queues of
 * `cluster` and on the notify queue, which every cluster shares and which therefore has
 * no cluster.
 */
export function openQueueReaders(options: QueueReaderOptions): {
  readers: QueueReader[];
  close(): Promise<void>;
} {
  const { connection, prefix, cluster, logger } = options;
  const open = (name: string, queueCluster: string | undefined): Opened => {
    const queue = new Queue(name, { connection, prefix });
    queue.on('error', (err) => logger.debug({ err, queue: name }, 'metrics queue error'));
    return { queue, reader: readerOf(queue, queueCluster) };
  };
  const opened =
    options.clusterQueues === false
      ? [open(NOTIFY_QUEUE, undefined)]
      : [open(signalQueueName(cluster), cluster), open(NOTIFY_QUEUE, undefined), open(actionQueueName(cluster), cluster)];
  return {
    readers: opened.map((entry) => entry.reader),
    async close() {
      await Promise.all(opened.map((entry) => entry.queue.close()));
      connection.disconnect();
    },
  };
}

interface Opened {
  queue: Queue;
  reader: QueueReader;
}

function readerOf(queue: Queue, cluster: string | undefined): QueueReader {
  return {
    name: queue.name,
    ...(cluster === undefined ? {} : { cluster }),
    getJobCounts: (...types) => queue.getJobCounts(...types),
    getWaiting: (start, end) => queue.getWaiting(start, end),
  };
}
