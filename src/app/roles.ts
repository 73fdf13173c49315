import type { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config/env.ts';
import { diagnose } from '../diagnose/diagnose.ts';
import type { NotifyRequest } from '../episode/process-signal.ts';
import type { EpisodeStore } from '../episode/store.ts';
import { createHttpListWatchSource } from '../kube/http-source.ts';
import { createSignalQueue, enqueueNotify, SignalProducer } from '../queue/queues.ts';
import { startNotifyWorker, startSignalWorker } from '../queue/workers.ts';
import type { NotifyDeps } from '../notify/process-notify.ts';
import { createStormDeps } from '../notify/storm.ts';
import { muteTargets, type ActionStore } from '../actions/action-store.ts';
import { startWatcherRole } from '../watch/run-watcher.ts';
import { startActiveWatcher, type ActiveWatcher } from '../watch/active-watcher.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { JobwatchDeps } from './start-jobwatch.ts';

/** How long updates to a posted message wait so that bursts become one edit, in milliseconds. */
export const UPDATE_COALESCE_MS = 1000;

/** Signals one worker process handles at once. */
const SIGNAL_CONCURRENCY = 8;
/** Messages one notifier process sends at once. */
const NOTIFY_CONCURRENCY = 4;

/** The configuration, dependencies and connections every role is built from. */
export interface RoleContext {
  config: Config;
  deps: JobwatchDeps;
  store: EpisodeStore;
  /** A new Redis connection for BullMQ, closed when jobwatch stops. */
  connection(role: string): Redis;
  producerConnection(): Redis;
  notifyQueue: Queue<NotifyRequest>;
  /** The process's counting points. */
  metrics: Metrics;
}

/**
 * Starts the watcher with its producer. When the producer's connection comes back
 * after an outage, every failure the cluster shows is sent again, because signals
 * may have been dropped from the bounded outbox meanwhile. The worker drops those
 * it has seen.
 */
export async function startWatcherRoleWithProducer(ctx: RoleContext): Promise<{ watcher: ActiveWatcher; producer: SignalProducer; stop(): Promise<void> }> {
  const { config, deps } = ctx;
  const logger = deps.logger;
  const { kubeConfig, reader } = deps;
  if (!kubeConfig || !reader) throw new Error('the watcher role needs a kubeconfig; set KUBECONFIG or run in a cluster');
  const producerRedis = ctx.producerConnection();
  producerRedis.on('error', (err) => logger.debug({ err }, 'producer connection error'));
  // Each cluster side has its own signal queue, so only this cluster's worker takes its signals.
  const signalQueue = createSignalQueue(producerRedis, config.redis.prefix, logger, config.clusterName);
  const producer = new SignalProducer(signalQueue, logger.child({ stage: 'producer' }));
  const start = (userAgent: string) => startWatcherRole({
    source: createHttpListWatchSource(kubeConfig, { userAgent }),
    reader,
    producer,
    store: ctx.store,
    logger: logger.child({ stage: 'watch' }),
    namespaces: config.kube.namespaces,
    stuckAfterMs: config.stuckAfterSeconds * 1000,
    cronJobStall: { missedRunsThreshold: config.cronJobMissedRuns },
    stallTimeoutMs: config.watchStallSeconds * 1000,
    capture: { tailLines: config.logTailLines, limitBytes: config.logLimitBytes, metrics: ctx.metrics },
  });
  // Only the replica that holds the Lease watches, when leader election is on.
  const watcher = await startActiveWatcher({ election: config.leaderElection, clusterName: config.clusterName, kubeConfig, logger, start });
  let wasDown = false;
  producerRedis.on('close', () => (wasDown = true));
  producerRedis.on('ready', () => {
    if (!wasDown) return;
    wasDown = false;
    logger.info('redis is back; re-sending the failures the cluster shows');
    watcher.current()?.replay();
  });
  return {
    watcher,
    producer,
    async stop() {
      await watcher.stop();
      const left = await producer.drain(10_000);
      if (left > 0) logger.warn({ left }, 'signals still unsent at shutdown; the next start finds them by listing');
      await producer.close();
      await signalQueue.close();
    },
  };
}

/** Starts the worker that turns signals into diagnosed episodes. */
export function startWorkerRole(ctx: RoleContext, actions?: ActionStore): Worker {
  const { config, deps, store } = ctx;
  if (!deps.reader) throw new Error('the worker role needs a kubeconfig; set KUBECONFIG or run in a cluster');
  const logger = deps.logger.child({ stage: 'worker' });
  const worker = startSignalWorker(
    { connection: ctx.connection('worker'), prefix: config.redis.prefix, concurrency: SIGNAL_CONCURRENCY, logger, cluster: config.clusterName },
    {
      store,
      reader: deps.reader,
      diagnose,
      ...(deps.logPatterns === undefined ? {} : { logPatterns: deps.logPatterns }),
      route: (target) => deps.route({ ...target, cluster: config.clusterName }),
      notify: async (request: NotifyRequest) => {
        // Updates of a posted message wait a moment, so a burst of attempts becomes one
        // edit; the final state is shown at once.
        const update = request.kind === 'alert' && request.settled !== true && (await store.getDelivery('alert', request.uid)) !== undefined;
        await enqueueNotify(ctx.notifyQueue, request, update ? UPDATE_COALESCE_MS : 0);
      },
      logger,
      metrics: ctx.metrics,
      ...(actions
        ? {
            async mutedBy(namespace: string, jobName: string, cronJobName?: string) {
              for (const target of muteTargets(namespace, jobName, cronJobName)) {
                const mute = await actions.getMute(target, config.clusterName);
                if (mute) return mute;
              }
              return undefined;
            },
            actionOfJob: (jobUid: string) => actions.actionOfJob(jobUid),
          }
        : {}),
      cluster: config.clusterName,
      bootstrapPostMaxAgeMs: config.bootstrapPostMaxAgeSeconds * 1000,
      tailLines: config.logTailLines,
      limitBytes: config.logLimitBytes,
    },
  );
  return worker;
}

/** Starts the worker that posts and updates messages. */
export function startNotifierRole(ctx: RoleContext, enqueue: (request: NotifyRequest, delayMs?: number) => Promise<void>, extra: Pick<NotifyDeps, 'decorate' | 'actions'> = {}): Worker {
  const { config, deps, store } = ctx;
  const logger = deps.logger.child({ stage: 'notify' });
  const storm = createStormDeps(config.storm, {
    redis: store.redis,
    prefix: config.redis.prefix,
    ttlSeconds: config.stateTtlSeconds,
    command: deps.policy?.file.command ?? '/job',
    slack: config.slack.output === 'slack',
  });
  const worker = startNotifyWorker(
    { connection: ctx.connection('notifier'), prefix: config.redis.prefix, concurrency: NOTIFY_CONCURRENCY, logger },
    { store, messenger: deps.messenger, render: deps.render, defaultChannel: deps.defaultChannel, logger, enqueue, metrics: ctx.metrics, ...storm, ...extra },
  );
  return worker;
}
