import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { Logger } from 'pino';
import type { NotifyRequest } from '../episode/process-signal.ts';
import { DEFAULT_CLUSTER, signalQueueName } from './cluster-names.ts';
import { signalJobId, type Signal } from './signals.ts';

export { SIGNAL_QUEUE } from './cluster-names.ts';

/** Queue of posts and updates from the worker to the notifier, shared by every cluster. */
export const NOTIFY_QUEUE = 'notify';

/**
 * Completed queue jobs are kept this long so that a re-sent signal with the same
 * job id is dropped by BullMQ; after that the worker's idempotent episode update
 * drops it.
 */
const KEEP_COMPLETED_SECONDS = 3600;

const SIGNAL_JOB_OPTIONS: JobsOptions = {
  attempts: 12,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: KEEP_COMPLETED_SECONDS, count: 50_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

const NOTIFY_JOB_OPTIONS: JobsOptions = {
  attempts: 15,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: KEEP_COMPLETED_SECONDS, count: 50_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** The job id of a notify request: one per message version, reply or incident version. */
export function notifyJobId(request: NotifyRequest): string {
  switch (request.kind) {
    case 'alert':
      return `alert.${request.uid}.v${request.version}`;
    case 'reply':
      return `reply.${request.uid}.${request.attemptKey}`;
    case 'incident':
      return `incident.${request.key}.v${request.version}`;
    case 'digest':
      // One refresh per shown version, so that joins in a burst share it.
      return `digest.${request.key}.after${request.after}`;
    case 'alert-refresh':
      return `refresh.${request.uid}.${request.at}`;
    case 'action':
      return `action.${request.id}.${request.stage}`;
    case 'action-outcome':
      return `outcome.${request.id}.${request.jobUid}.${request.outcome}`;
  }
}

/** Opens the signal queue of one cluster, named by `signalQueueName`. Default cluster: `default`. */
export function createSignalQueue(connection: ConnectionOptions, prefix: string, logger: Logger, cluster = DEFAULT_CLUSTER): Queue<Signal> {
  const name = signalQueueName(cluster);
  return withErrorLog(new Queue<Signal>(name, { connection, prefix, defaultJobOptions: SIGNAL_JOB_OPTIONS }), logger);
}

export function createNotifyQueue(connection: ConnectionOptions, prefix: string, logger: Logger): Queue<NotifyRequest> {
  return withErrorLog(new Queue<NotifyRequest>(NOTIFY_QUEUE, { connection, prefix, defaultJobOptions: NOTIFY_JOB_OPTIONS }), logger);
}

/** Routes a queue's connection errors to the log; without a listener BullMQ prints them to stderr. */
function withErrorLog<T extends Queue>(queue: T, logger: Logger): T {
  queue.on('error', (err) => logger.debug({ err, queue: queue.name }, 'queue connection error'));
  return queue;
}

/** Adds a notify request; updates to a posted message wait `delayMs` so bursts coalesce. */
export async function enqueueNotify(queue: Queue<NotifyRequest>, request: NotifyRequest, delayMs = 0): Promise<void> {
  await queue.add(request.kind, request, { jobId: notifyJobId(request), ...(delayMs > 0 ? { delay: delayMs } : {}) });
}

/**
 * Sends signals to the queue without blocking the watcher. When Redis is unreachable,
 * signals wait in a bounded in-memory outbox and are retried. If the outbox overflows,
 * the oldest are dropped and counted, and the re-list that runs when Redis returns
 * derives them again from the cluster.
 */
export class SignalProducer {
  readonly #queue: Queue<Signal>;
  readonly #logger: Logger;
  readonly #maxPending: number;
  readonly #outbox: Signal[] = [];
  #inFlight = 0;
  #dropped = 0;
  #timer: NodeJS.Timeout | undefined;
  #flushing = false;

  constructor(queue: Queue<Signal>, logger: Logger, options: { maxPending?: number; retryMs?: number } = {}) {
    this.#queue = queue;
    this.#logger = logger;
    this.#maxPending = options.maxPending ?? 10_000;
    this.#timer = setInterval(() => void this.flush(), options.retryMs ?? 1000);
    this.#timer.unref();
  }

  /** Signals waiting for Redis, plus those being sent now. */
  get pending(): number {
    return this.#outbox.length + this.#inFlight;
  }

  /** Signals dropped because the outbox was full. */
  get dropped(): number {
    return this.#dropped;
  }

  send(signal: Signal): void {
    this.#inFlight += 1;
    this.#add(signal)
      .catch((err: unknown) => {
        this.#keep(signal);
        this.#logger.debug({ err, jobUid: signal.jobUid }, 'signal kept in outbox');
      })
      .finally(() => {
        this.#inFlight -= 1;
      });
  }

  /** Retries what the outbox holds, oldest first, stopping at the first failure. */
  async flush(): Promise<void> {
    if (this.#flushing || this.#outbox.length === 0) return;
    this.#flushing = true;
    try {
      while (this.#outbox.length > 0) {
        const next = this.#outbox[0];
        if (!next) break;
        await this.#add(next);
        this.#outbox.shift();
      }
      this.#logger.info('signal outbox drained');
    } catch (err) {
      this.#logger.debug({ err, pending: this.#outbox.length }, 'signal outbox still waiting for redis');
    } finally {
      this.#flushing = false;
    }
  }

  /** Waits until nothing is pending or `timeoutMs` passes; returns what is left. */
  async drain(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending > 0 && Date.now() < deadline) {
      await this.flush();
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.pending;
  }

  close(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    return Promise.resolve();
  }

  async #add(signal: Signal): Promise<void> {
    await this.#queue.add(signal.type, signal, { jobId: signalJobId(signal) });
  }

  #keep(signal: Signal): void {
    this.#outbox.push(signal);
    if (this.#outbox.length > this.#maxPending) {
      this.#outbox.shift();
      this.#dropped += 1;
      if (this.#dropped === 1 || this.#dropped % 1000 === 0) {
        this.#logger.warn({ dropped: this.#dropped }, 'signal outbox full; oldest signals dropped until the next re-list');
      }
    }
  }
}
