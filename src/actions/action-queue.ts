import { Queue, UnrecoverableError, Worker, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { Logger } from 'pino';
import { z } from 'zod';
import { actionQueueName, CLUSTER_NAME, DEFAULT_CLUSTER } from '../queue/cluster-names.ts';
import { processAction, type ActionDeps } from './process-action.ts';

export { ACTION_QUEUE } from '../queue/cluster-names.ts';

/**
 * One queued step. Version 1 messages written before clusters were named carry no
 * `cluster`; they belong to the default cluster, whose queue they are in.
 */
const actionMessageSchema = z.object({
  v: z.literal(1),
  id: z.string().min(1),
  step: z.enum(['plan', 'execute']),
  cluster: z.string().regex(CLUSTER_NAME).optional(),
});

/** One queued step of an action; the action itself is read from Redis. */
export type ActionMessage = z.infer<typeof actionMessageSchema>;

const ACTION_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** Opens the action queue of one cluster, named by `actionQueueName`. Default cluster: `default`. */
export function createActionQueue(connection: ConnectionOptions, prefix: string, logger: Logger, cluster = DEFAULT_CLUSTER): Queue<ActionMessage> {
  const name = actionQueueName(cluster);
  const queue = new Queue<ActionMessage>(name, { connection, prefix, defaultJobOptions: ACTION_JOB_OPTIONS });
  queue.on('error', (err) => logger.debug({ err, queue: name }, 'queue connection error'));
  return queue;
}

/** Queues a step; the job id makes a second request for the same step a no-op. */
export async function enqueueAction(queue: Queue<ActionMessage>, id: string, step: 'plan' | 'execute', cluster = DEFAULT_CLUSTER): Promise<void> {
  await queue.add(step, { v: 1, id, step, cluster }, { jobId: `${id}.${step}` });
}

/**
 * The action queues of every cluster, as the Slack-facing app sends to them. A cluster's
 * queue is opened on its first action and kept until `close`.
 */
export class ActionQueues {
  readonly #open: (cluster: string) => Queue<ActionMessage>;
  readonly #queues = new Map<string, Queue<ActionMessage>>();

  /** @param open - Opens one cluster's queue, normally with {@link createActionQueue}. */
  constructor(open: (cluster: string) => Queue<ActionMessage>) {
    this.#open = open;
  }

  /** Queues a step of an action in the queue of `cluster`. */
  async enqueue(cluster: string, id: string, step: 'plan' | 'execute'): Promise<void> {
    let queue = this.#queues.get(cluster);
    if (!queue) {
      queue = this.#open(cluster);
      this.#queues.set(cluster, queue);
    }
    await enqueueAction(queue, id, step, cluster);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((queue) => queue.close()));
    this.#queues.clear();
  }
}

/**
 * Starts the cluster side's worker that performs actions. It consumes only the queue of
 * `options.cluster`, and fails a message or an action record that names another cluster
 * without running it.
 */
export function startActionWorker(
  options: { connection: ConnectionOptions; prefix: string; logger: Logger; concurrency?: number; cluster?: string },
  deps: ActionDeps,
): Worker<ActionMessage> {
  const cluster = options.cluster ?? DEFAULT_CLUSTER;
  const worker = new Worker<ActionMessage>(
    actionQueueName(cluster),
    async (job) => {
      const parsed = actionMessageSchema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`invalid action message ${job.id ?? '?'}: ${parsed.error.issues[0]?.message ?? 'unknown problem'}`);
      const target = parsed.data.cluster ?? DEFAULT_CLUSTER;
      if (target !== cluster) {
        throw new UnrecoverableError(`action message ${job.id ?? '?'} is for cluster ${target}, not ${cluster}; nothing was done`);
      }
      // The record is what the Slack-facing app stored after checking the alert, so its
      // cluster decides, whatever queue the message came through.
      // A missing record is left to processAction, which logs it.
      const record = await deps.actions.get(parsed.data.id);
      const recordCluster = record?.cluster ?? DEFAULT_CLUSTER;
      if (record && recordCluster !== cluster) {
        throw new UnrecoverableError(`action ${parsed.data.id} is for cluster ${recordCluster}, not ${cluster}; nothing was done`);
      }
      await processAction(deps, parsed.data.id, parsed.data.step);
    },
    { autorun: true, lockDuration: 15_000, stalledInterval: 15_000, connection: options.connection, prefix: options.prefix, concurrency: options.concurrency ?? 4 },
  );
  worker.on('failed', (job, err) => options.logger.warn({ err, id: job?.id, cluster }, 'action step failed'));
  worker.on('error', (err) => options.logger.debug({ err }, 'action worker error'));
  return worker;
}
