import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { ACTION_QUEUE } from '../actions/action-queue.ts';
import { NOTIFY_QUEUE, SIGNAL_QUEUE } from '../queue/queues.ts';
import type { QueueReader } from './queue-gauges.ts';

/** How long one Redis command of a scrape may take, in milliseconds. */
const COMMAND_TIMEOUT_MS = 2_000;

/**
 * Opens read-only handles on jobwatch's three queues for the queue gauges. They share one
 * connection that fails commands at once while Redis is down, instead of queueing them
 * like the workers' connections do, so a scrape during an outage does not hang.
 */
export function openQueueReaders(
  url: string,
  prefix: string,
  logger: Logger,
): { readers: QueueReader[]; close(): Promise<void> } {
  const connection = new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectionName: 'jobwatch-metrics',
  });
  connection.on('error', (err) => logger.debug({ err }, 'metrics connection error'));
  const queues = [SIGNAL_QUEUE, NOTIFY_QUEUE, ACTION_QUEUE].map((name) => {
    const queue = new Queue(name, { connection, prefix });
    queue.on('error', (err) => logger.debug({ err, queue: name }, 'metrics queue error'));
    return queue;
  });
  return {
    readers: queues,
    async close() {
      await Promise.all(queues.map((queue) => queue.close()));
      connection.disconnect();
    },
  };
}
