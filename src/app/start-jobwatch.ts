import type { RequestListener } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/env.ts';
import type { RouteDecision } from '../config/routing.ts';
import type { UserLogPattern } from '../diagnose/user-patterns.ts';
import type { ClusterReader } from '../episode/cluster-reader.ts';
import type { NotifyRequest, RouteTarget } from '../episode/process-signal.ts';
import { EpisodeStore } from '../episode/store.ts';
import type { Messenger } from '../notify/messenger.ts';
import type { Renderers } from '../notify/process-notify.ts';
import { createNotifyQueue, enqueueNotify, type SignalProducer } from '../queue/queues.ts';
import { checkRedis, createRedis, redisTarget, trackReadiness } from '../queue/redis.ts';
import type { WatcherRole } from '../watch/run-watcher.ts';
import type { ActiveWatcher } from '../watch/active-watcher.ts';
import type { App } from '@slack/bolt';
import type { ActionPolicy } from '../actions/types.ts';
import type { Policy } from '../config/policy.ts';
import type { ActionSlack } from '../notify/action-notify.ts';
import { countDenials } from '../metrics/count-denials.ts';
import { openQueueReaders } from '../metrics/queue-readers.ts';
import { createJobwatchMetrics, type JobwatchMetrics } from '../metrics/registry.ts';
import { createActionStore, notifierActionDeps, registerInteractions, startActionWorkerRole, type ActionContext } from './action-roles.ts';
import { createClusterRegistry, startClusterRegistration, type RegistrationTiming } from './cluster-registry.ts';
import { startHttpServer } from './http-server.ts';
import { startNotifierRole, startWatcherRoleWithProducer, startWorkerRole, type RoleContext } from './roles.ts';

export interface JobwatchDeps {
  logger: Logger;
  /** Needed by the watcher role. */
  kubeConfig?: KubeConfig;
  /** Needed by the watcher and worker roles. */
  reader?: ClusterReader;
  messenger: Messenger;
  render: Renderers;
  route: (target: RouteTarget) => RouteDecision;
  defaultChannel: string;
  /** Handles Slack's HTTP requests when the notifier serves Slack. */
  slackListener?: RequestListener;
  /** The Bolt app that receives commands and clicks, when the notifier serves Slack. */
  slackApp?: App;
  /** Shows actions in Slack; absent in terminal mode, where alerts have no buttons. */
  actionSlack?: ActionSlack;
  /** The Slack user groups of a user, among those the policy names. */
  groupsOf?: (userId: string) => Promise<string[]>;
  /** The action policy file as loaded, and the policy built from it. */
  policy?: { file: Policy; action: ActionPolicy };
  /** Log patterns from `JOBWATCH_LOG_PATTERNS_FILE`, for the worker's diagnoses. Default none. */
  logPatterns?: readonly UserLogPattern[];
  /** The process's metrics, served on `/metrics`; a fresh registry when absent. */
  metrics?: JobwatchMetrics;
  /** Refresh period and TTL of the cluster side's registration in Redis. Default 30 s and 90 s. */
  clusterRegistration?: RegistrationTiming;
}

/** A running jobwatch: its roles, readiness and shutdown. */
export interface Jobwatch {
  httpPort: number;
  ready(): boolean;
  readiness(): Record<string, boolean>;
  /** The running watcher role; absent while this process is a follower or has no watcher role. */
  readonly watcher?: WatcherRole | undefined;
  store: EpisodeStore;
  producer?: SignalProducer;
  /**
   * Stops watching and releases the Lease, stops taking queue jobs, gives those in flight
   * `graceMs` (default `JOBWATCH_SHUTDOWN_GRACE_SECONDS`) to finish, and closes every connection.
   */
  stop(options?: { graceMs?: number }): Promise<void>;
}

/**
 * Returns the checks behind `/readyz`. A process with the watcher role is not ready
 * until that role exists and its watches have synced, so it reports not ready from
 * the start rather than only once the role is built. Under leader election a follower
 * is ready as a standby (`standby: true`) while it can read the Lease, and the leader
 * shows `leader: true`.
 */
export function readinessChecks(
  roles: ReadonlySet<string>,
  redisReady: boolean,
  watcher: { synced(): boolean; leading?(): boolean | undefined; standbyReady?(): boolean } | undefined,
): Record<string, boolean> {
  if (!roles.has('watcher')) return { redis: redisReady };
  const leading = watcher?.leading?.();
  if (leading === false) return { redis: redisReady, standby: watcher?.standbyReady?.() ?? true };
  return { redis: redisReady, watch: watcher?.synced() ?? false, ...(leading === true ? { leader: true } : {}) };
}

/**
 * Starts the roles the configuration names in this process. Redis is the only
 * state the roles share, so the same code runs them together or apart. The HTTP
 * server starts first, so `/healthz` responds and `/readyz` reports "not ready"
 * while Redis is still unreachable.
 */
export async function startJobwatch(config: Config, deps: JobwatchDeps): Promise<Jobwatch> {
  const { logger } = deps;
  const roles = new Set(config.roles);
  const redis = createRedis(config.redis.url, { role: 'state', logger });
  const redisReady = trackReadiness(redis);
  let watcher: ActiveWatcher | undefined;
  const readiness = (): Record<string, boolean> => readinessChecks(roles, redisReady.isReady(), watcher);
  const metrics = deps.metrics ?? createJobwatchMetrics({ logger: logger.child({ component: 'metrics' }) });
  const http = await startHttpServer({
    port: config.httpPort,
    checks: { readiness },
    metrics: () => metrics.scrape(),
    ...(deps.slackListener ? { slack: deps.slackListener } : {}),
  }).catch((err: unknown) => {
    // Nothing else has started yet; a reconnecting Redis client would keep the process alive.
    redis.disconnect();
    throw err;
  });
  const waiting = setTimeout(() => logger.warn({ port: http.port }, 'waiting for redis before starting; /readyz reports not ready'), 2000);
  try {
    await checkRedis(redis, logger);
  } catch (err) {
    await http.close();
    redis.disconnect();
    throw err;
  } finally {
    clearTimeout(waiting);
  }

  const queueReaders = openQueueReaders({
    connection: createRedis(config.redis.url, { role: 'metrics', logger, failFast: true, commandTimeoutMs: 2_000 }),
    prefix: config.redis.prefix,
    cluster: config.clusterName,
    clusterQueues: roles.has('watcher') || roles.has('worker'),
    logger: logger.child({ component: 'metrics' }),
  });
  metrics.addQueues(queueReaders.readers);
  // BullMQ leaves connections it was handed open, so every one made here is closed at stop.
  const connections: Redis[] = [];
  const ctx: RoleContext = {
    config,
    deps,
    store: new EpisodeStore(redis, { prefix: config.redis.prefix, ttlSeconds: config.stateTtlSeconds, cluster: config.clusterName }),
    connection: (role) => track(connections, createRedis(config.redis.url, { role, logger })),
    // The producer fails fast while Redis is down, so signals go to its outbox at once.
    producerConnection: () => track(connections, createRedis(config.redis.url, { role: 'producer', logger, failFast: true })),
    notifyQueue: undefined as unknown as Queue<NotifyRequest>,
    metrics: metrics.metrics,
  };
  ctx.notifyQueue = createNotifyQueue(ctx.connection('notify-queue'), config.redis.prefix, logger);
  const workers: Worker[] = [];
  let producer: SignalProducer | undefined;
  let stopWatcher = async (): Promise<void> => {};
  if (roles.has('watcher')) {
    const started = await startWatcherRoleWithProducer(ctx);
    watcher = started.watcher;
    producer = started.producer;
    metrics.addWatches([
      { resource: 'jobs', stats: () => started.watcher.current()?.jobs.stats() },
      { resource: 'pods', stats: () => started.watcher.current()?.pods.stats() },
    ]);
    stopWatcher = () => started.stop();
  }
  const actionCtx: ActionContext = {
    config,
    logger,
    redis,
    episodes: ctx.store,
    notifyQueue: ctx.notifyQueue,
    connection: (role) => ctx.connection(role),
    metrics: metrics.metrics,
    ...(deps.logPatterns === undefined ? {} : { logPatterns: deps.logPatterns }),
  };
  const actions = createActionStore(actionCtx);
  const queues: { close(): Promise<void> }[] = [];
  if (roles.has('worker')) {
    workers.push(startWorkerRole(ctx, actions));
    if (deps.kubeConfig && deps.reader) workers.push(startActionWorkerRole(actionCtx, { kubeConfig: deps.kubeConfig, reader: deps.reader }, actions));
  }
  if (roles.has('notifier')) {
    const extra = notifierActionDeps(actions, ctx.store, deps.actionSlack, logger);
    workers.push(startNotifierRole(ctx, (request, delayMs) => enqueueNotify(ctx.notifyQueue, request, delayMs), extra));
    if (deps.slackApp && deps.policy) {
      const policy = { ...deps.policy, action: countDenials(deps.policy.action, metrics.metrics) };
      queues.push(registerInteractions(deps.slackApp, actionCtx, actions, policy, deps.groupsOf));
    }
  }
  // A cluster side registers itself in Redis, so the Slack-facing app can list this cluster.
  const registration = startClusterRegistration(createClusterRegistry(redis, config), config, logger, deps.clusterRegistration);
  await registration?.registered;
  logger.info({ roles: [...roles], port: http.port, cluster: config.clusterName }, 'jobwatch started');

  return {
    httpPort: http.port,
    readiness,
    ready: () => Object.values(readiness()).every(Boolean),
    store: ctx.store,
    get watcher() {
      return watcher?.current();
    },
    ...(producer ? { producer } : {}),
    async stop(options = {}) {
      logger.info('stopping: finishing work in flight');
      registration?.stop();
      await stopWatcher();
      const graceMs = options.graceMs ?? config.shutdownGraceSeconds * 1000;
      // Jobs in flight cannot record their end while Redis is unreachable, so waiting the
      // whole grace for them would only delay the exit.
      const reachable = redisReady.isReady();
      if (!reachable) logger.warn({ redis: redisTarget(config.redis.url) }, 'redis is unreachable at shutdown; not waiting for queue jobs in flight');
      await closeWorkers(workers, reachable ? graceMs : Math.min(graceMs, UNREACHABLE_GRACE_MS), logger);
      await Promise.all(queues.map((q) => q.close()));
      await ctx.notifyQueue.close();
      await queueReaders.close();
      await http.close();
      for (const client of connections) client.disconnect();
      await redis.quit().catch(() => redis.disconnect());
      logger.info('stopped');
    },
  };
}

/** Grace for queue jobs in flight when Redis is unreachable at shutdown, in milliseconds. */
const UNREACHABLE_GRACE_MS = 1_000;

/**
 * Stops the workers from taking queue jobs and waits up to `graceMs` for those in flight.
 * Jobs still running then are abandoned when the connections close: their locks expire and
 * BullMQ's stalled-job check hands them to another worker.
 */
async function closeWorkers(workers: Worker[], graceMs: number, logger: Logger): Promise<void> {
  // Worker.close() stops fetching at once and resolves when the active jobs have finished.
  // A later close(true) would return that same pending promise, so it cannot cut the wait.
  const closed = Promise.all(workers.map((w) => w.close()));
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => (timer = setTimeout(() => resolve('expired'), graceMs)));
  const outcome = await Promise.race([closed.then(() => 'closed' as const), expired]);
  clearTimeout(timer);
  if (outcome === 'closed') return;
  logger.warn({ graceMs }, 'queue jobs still running after the shutdown grace period; leaving them to another worker');
  closed.catch((err: unknown) => logger.debug({ err }, 'worker closed after the grace period failed'));
}

function track(connections: Redis[], client: Redis): Redis {
  connections.push(client);
  return client;
}
