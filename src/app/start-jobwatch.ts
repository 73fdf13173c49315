import type { Writable } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/env.ts';
import { diagnose } from '../diagnose/diagnose.ts';
import type { ClusterReader } from '../episode/cluster-reader.ts';
import type { NotifyRequest, RouteDecision, RouteTarget } from '../episode/process-signal.ts';
import { EpisodeStore } from '../episode/store.ts';
import { createHttpListWatchSource } from '../kube/http-source.ts';
import type { Messenger } from '../notify/messenger.ts';
import type { Renderers } from '../notify/process-notify.ts';
import { createNotifyQueue, createSignalQueue, enqueueNotify, SignalProducer } from '../queue/queues.ts';
import { checkRedis, createRedis, trackReadiness } from '../queue/redis.ts';
import type { Signal } from '../queue/signals.ts';
import { startNotifyWorker, startSignalWorker } from '../queue/workers.ts';
import { startWatcherRole, type WatcherRole } from '../watch/run-watcher.ts';
import { startHttpServer } from './http-server.ts';

/** How long updates to a posted message wait so that bursts become one edit, in milliseconds. */
export const UPDATE_COALESCE_MS = 1000;

export interface JobwatchDeps {
  logger: Logger;
  /** Needed by the watcher and worker roles. */
  kubeConfig?: KubeConfig;
  reader?: ClusterReader;
  messenger: Messenger;
  render: Renderers;
  route: (target: RouteTarget) => RouteDecision;
  defaultChannel: string;
  /** Handles Slack's HTTP requests when the notifier serves Slack. */
  slackListener?: import('node:http').RequestListener;
  out?: Writable;
}

/** A running jobwatch: its roles, readiness and shutdown. */
export interface Jobwatch {
  httpPort: number;
  ready(): boolean;
  readiness(): Record<string, boolean>;
  watcher?: WatcherRole;
  store: EpisodeStore;
  producer?: SignalProducer;
  /** Stops taking work, finishes what is in flight, and closes every connection. */
  stop(): Promise<void>;
}

/**
 * Starts the roles the configuration names in this process. Redis is the only
 * state the roles share, so the same code runs them together or apart.
 */
export async function startJobwatch(config: Config, deps: JobwatchDeps): Promise<Jobwatch> {
  const { logger } = deps;
  const prefix = config.redis.prefix;
  const roles = new Set(config.roles);
  const redis = createRedis(config.redis.url, { role: 'state', logger });
  const readiness = trackReadiness(redis);
  await checkRedis(redis, logger);
  const store = new EpisodeStore(redis, { prefix, ttlSeconds: config.stateTtlSeconds });
  // BullMQ leaves connections it was handed open, so every one made here is closed at stop.
  const connections: Redis[] = [];
  const connection = (options: { maxRetriesPerRequest: number | null; enableOfflineQueue?: boolean } = { maxRetriesPerRequest: null }): Redis => {
    const client = new Redis(config.redis.url, options);
    client.on('error', (err) => logger.debug({ err }, 'queue connection error'));
    connections.push(client);
    return client;
  };

  const closers: (() => Promise<unknown>)[] = [];
  const workers: Worker[] = [];
  const queues: Queue[] = [];
  const notifyQueue = createNotifyQueue(connection(), prefix);
  queues.push(notifyQueue);
  const enqueue = async (request: NotifyRequest, delayMs = 0): Promise<void> => enqueueNotify(notifyQueue, request, delayMs);

  let watcher: WatcherRole | undefined;
  let producer: SignalProducer | undefined;
  if (roles.has('watcher')) {
    if (!deps.kubeConfig || !deps.reader) throw new Error('the watcher role needs a kubeconfig; set KUBECONFIG or run in a cluster');
    const producerRedis = connection({ maxRetriesPerRequest: 1, enableOfflineQueue: false });
    const signalQueue = createSignalQueue(producerRedis, prefix);
    queues.push(signalQueue as unknown as Queue);
    producer = new SignalProducer(signalQueue, logger.child({ stage: 'producer' }));
    watcher = await startWatcherRole({
      source: createHttpListWatchSource(deps.kubeConfig),
      reader: deps.reader,
      producer,
      store,
      logger: logger.child({ stage: 'watch' }),
      namespaces: config.kube.namespaces,
      stuckAfterMs: config.stuckAfterSeconds * 1000,
      stallTimeoutMs: config.watchStallSeconds * 1000,
      capture: { tailLines: config.logTailLines, limitBytes: config.logLimitBytes },
    });
    // Signals dropped while Redis was away are derived again from the cluster.
    let wasDown = false;
    producerRedis.on('close', () => (wasDown = true));
    producerRedis.on('ready', () => {
      if (!wasDown) return;
      wasDown = false;
      logger.info('redis is back; re-sending failures the cluster shows');
      watcher?.replay();
    });
    const role = watcher;
    closers.push(async () => {
      await role.stop();
      const left = await producer?.drain(10_000);
      if (left) logger.warn({ left }, 'signals still unsent at shutdown; the next start re-lists them');
      await producer?.close();
    });
  }
  if (roles.has('worker')) {
    if (!deps.reader) throw new Error('the worker role needs a kubeconfig; set KUBECONFIG or run in a cluster');
    workers.push(
      startSignalWorker(
        { connection: connection(), prefix, concurrency: 8, logger: logger.child({ stage: 'worker' }) },
        {
          store,
          reader: deps.reader,
          diagnose,
          route: deps.route,
          notify: async (request: NotifyRequest) => {
            const update = request.kind === 'alert' && (await store.getDelivery('alert', request.uid)) !== undefined;
            await enqueue(request, update ? UPDATE_COALESCE_MS : 0);
          },
          logger: logger.child({ stage: 'worker' }),
          cluster: config.clusterName,
          bootstrapPostMaxAgeMs: config.bootstrapPostMaxAgeSeconds * 1000,
          tailLines: config.logTailLines,
          limitBytes: config.logLimitBytes,
        },
      ) as unknown as Worker,
    );
  }
  if (roles.has('notifier')) {
    workers.push(
      startNotifyWorker(
        { connection: connection(), prefix, concurrency: 4, logger: logger.child({ stage: 'notify' }) },
        { store, messenger: deps.messenger, render: deps.render, defaultChannel: deps.defaultChannel, logger: logger.child({ stage: 'notify' }), enqueue },
      ) as unknown as Worker,
    );
  }

  const checksOf = (): Record<string, boolean> => {
    const checks: Record<string, boolean> = { redis: readiness.isReady() };
    if (watcher) checks.watch = watcher.synced();
    return checks;
  };
  const http = await startHttpServer({
    port: config.httpPort,
    checks: { readiness: checksOf },
    ...(deps.slackListener ? { slack: deps.slackListener } : {}),
  });
  logger.info({ roles: [...roles], port: http.port }, 'jobwatch started');

  return {
    httpPort: http.port,
    readiness: checksOf,
    ready: () => Object.values(checksOf()).every(Boolean),
    store,
    ...(watcher ? { watcher } : {}),
    ...(producer ? { producer } : {}),
    async stop() {
      logger.info('stopping: finishing work in flight');
      for (const close of closers) await close();
      // Worker.close waits for the jobs it is processing to finish.
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(queues.map((q) => q.close()));
      await http.close();
      for (const client of connections) client.disconnect();
      await redis.quit().catch(() => redis.disconnect());
      logger.info('stopped');
    },
  };
}

export type { Signal };
