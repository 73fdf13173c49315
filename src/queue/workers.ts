import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { processSignal, type NotifyRequest, type SignalProcessorDeps } from '../episode/process-signal.ts';
import { BudgetWaitError } from '../notify/channel-budget.ts';
import { DeliveryError } from '../notify/messenger.ts';
import { NotReadyError, processNotify, type NotifyDeps } from '../notify/process-notify.ts';
import { signalQueueName } from './cluster-names.ts';
import { NOTIFY_QUEUE } from './queues.ts';
import { parseSignal, type Signal } from './signals.ts';

/**
 * A job whose worker died is picked up again once its lock expires and a stalled
 * check runs; BullMQ's 30 s defaults would delay alerts after a crash by up to a
 * minute. Locks are renewed every half period, so live workers keep theirs.
 */
const WORKER_SETTINGS = { autorun: true, lockDuration: 15_000, stalledInterval: 15_000 } as const;

/** How long a signal waits before trying again when its episode is locked, in milliseconds. */
const BUSY_RETRY_MS = 200;
/** How long a reply waits for the message it threads under, in milliseconds. */
const NOT_READY_RETRY_MS = 500;
/** How long a reply waits for its alert before it is dropped, in milliseconds. */
const NOT_READY_GIVE_UP_MS = 15 * 60_000;

export interface WorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  logger: Logger;
  /** The cluster whose signal queue the signal worker consumes. Default `default`. */
  cluster?: string;
}

/** Starts the worker that applies signals to episodes and diagnoses them. */
export function startSignalWorker(options: WorkerOptions, deps: SignalProcessorDeps): Worker<Signal> {
  const worker = new Worker<Signal>(
    signalQueueName(options.cluster),
    async (job, token) => {
      let signal: Signal;
      try {
        signal = parseSignal(job.data);
      } catch (err) {
        throw new UnrecoverableError(`${(err as Error).message} (queue job ${job.id ?? '?'})`);
      }
      const outcome = await processSignal(deps, signal);
      if (outcome === 'busy') await delay(job, token);
      return outcome;
    },
    { ...WORKER_SETTINGS, connection: options.connection, prefix: options.prefix, concurrency: options.concurrency },
  );
  attachLogging(worker, options.logger, 'signal');
  return worker;
}

/** Starts the worker that posts and updates messages. */
export function startNotifyWorker(options: WorkerOptions, deps: NotifyDeps): Worker<NotifyRequest> {
  const worker = new Worker<NotifyRequest>(
    NOTIFY_QUEUE,
    async (job, token) => {
      try {
        return await processNotify(deps, job.data);
      } catch (err) {
        // The message this one threads under is not posted yet: wait without
        // spending an attempt.
        if (err instanceof NotReadyError) {
          // A reply whose alert could never be posted would otherwise wait forever.
          if (Date.now() - job.timestamp > NOT_READY_GIVE_UP_MS) throw new UnrecoverableError(`${err.message}; gave up after ${NOT_READY_GIVE_UP_MS / 60_000} minutes`);
          return await delay(job, token, NOT_READY_RETRY_MS);
        }
        // The shared Slack budget is spent, or Slack returned 429 and the budget now
        // blocks until Retry-After. Either way the job runs again after the wait, without
        // spending an attempt.
        if (err instanceof BudgetWaitError) return await delay(job, token, err.waitMs);
        if (err instanceof DeliveryError && err.retryAfterSeconds !== undefined) {
          return await delay(job, token, err.retryAfterSeconds * 1000);
        }
        if (err instanceof DeliveryError && err.permanent) throw new UnrecoverableError(`${err.code}: ${err.message}`);
        throw err;
      }
    },
    { ...WORKER_SETTINGS, connection: options.connection, prefix: options.prefix, concurrency: options.concurrency },
  );
  attachLogging(worker, options.logger, 'notify');
  return worker;
}

async function delay(job: Job, token: string | undefined, ms = BUSY_RETRY_MS): Promise<never> {
  await job.moveToDelayed(Date.now() + ms, token);
  throw new DelayedError();
}

/** Logs a worker's failed jobs, and its errors at a falling rate while Redis is down. */
export function attachLogging(worker: Worker, logger: Logger, queue: string): void {
  worker.on('failed', (job, err) => {
    const final = job !== undefined && (job.attemptsMade >= (job.opts.attempts ?? 1) || err instanceof UnrecoverableError);
    const fields = { err, queue, id: job?.id, attemptsMade: job?.attemptsMade };
    if (final) logger.error(fields, 'queue job failed for good');
    else logger.warn(fields, 'queue job failed; will retry');
  });
  // While Redis is down every poll fails; log the 1st, 2nd, 4th, 8th… error, not each one.
  let errors = 0;
  // The Redis connection logs the outage itself; the stack is kept for LOG_LEVEL=debug.
  worker.on('error', (err) => {
    errors += 1;
    if ((errors & (errors - 1)) === 0) logger.warn({ error: err.message, queue, errors }, 'queue worker error');
    logger.debug({ err, queue }, 'queue worker error stack');
  });
}
