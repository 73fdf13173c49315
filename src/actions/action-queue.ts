import { Queue, UnrecoverableError, Worker, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { Logger } from 'pino';
import { z } from 'zod';
import { processAction, type ActionDeps } from './process-action.ts';

/** Queue of actions from the Slack-facing app to the cluster side. */
export const ACTION_QUEUE = 'actions';

const actionMessageSchema = z.object({
  v: z.literal(1),
  id: z.string().min(1),
  step: z.enum(['plan', 'execute']),
});

/** One queued step of an action; the action itself is read from Redis. */
export type ActionMessage = z.infer<typeof actionMessageSchema>;

const ACTION_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export function createActionQueue(connection: ConnectionOptions, prefix: string, logger: Logger): Queue<ActionMessage> {
  const queue = new Queue<ActionMessage>(ACTION_QUEUE, { connection, prefix, defaultJobOptions: ACTION_JOB_OPTIONS });
  queue.on('error', (err) => logger.debug({ err, queue: ACTION_QUEUE }, 'queue connection error'));
  return queue;
}

/** Queues a step; the job id makes a second request for the same step a no-op. */
export async function enqueueAction(queue: Queue<ActionMessage>, id: string, step: 'plan' | 'execute'): Promise<void> {
  await queue.add(step, { v: 1, id, step }, { jobId: `${id}.${step}` });
}

/** Starts the cluster side's worker that performs actions. */
export function startActionWorker(options: { connection: ConnectionOptions; prefix: string; logger: Logger; concurrency?: number }, deps: ActionDeps): Worker<ActionMessage> {
  const worker = new Worker<ActionMessage>(
    ACTION_QUEUE,
    async (job) => {
      const parsed = actionMessageSchema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`invalid action message ${job.id ?? '?'}: ${parsed.error.issues[0]?.message ?? 'unknown problem'}`);
      await processAction(deps, parsed.data.id, parsed.data.step);
    },
    { autorun: true, lockDuration: 15_000, stalledInterval: 15_000, connection: options.connection, prefix: options.prefix, concurrency: options.concurrency ?? 4 },
  );
  worker.on('failed', (job, err) => options.logger.warn({ err, id: job?.id }, 'action step failed'));
  worker.on('error', (err) => options.logger.debug({ err }, 'action worker error'));
  return worker;
}
