import { BatchV1Api, type KubeConfig, type V1Job } from '@kubernetes/client-node';
import type { App } from '@slack/bolt';
import type { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { ActionQueues, createActionQueue, startActionWorker, type ActionMessage } from '../actions/action-queue.ts';
import { ActionStore, muteTargets } from '../actions/action-store.ts';
import { applyLimits, cronJobPatch } from '../actions/limits.ts';
import { createReadAnswers } from '../actions/read-answers.ts';
import { buildRetry } from '../actions/retry-job.ts';
import type { ActionPolicy } from '../actions/types.ts';
import type { Config } from '../config/env.ts';
import type { Policy } from '../config/policy.ts';
import { diagnose } from '../diagnose/diagnose.ts';
import type { UserLogPattern } from '../diagnose/user-patterns.ts';
import type { ClusterReader } from '../episode/cluster-reader.ts';
import type { NotifyRequest } from '../episode/process-signal.ts';
import type { EpisodeStore } from '../episode/store.ts';
import { toKubeApiError } from '../kube/errors.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { createKubeWrites } from '../kube/writes.ts';
import { notifyAction, type ActionSlack } from '../notify/action-notify.ts';
import type { NotifyDeps } from '../notify/process-notify.ts';
import { enqueueNotify } from '../queue/queues.ts';
import type { AlertView } from '../slack/alert-view.ts';
import { registerAlertButtons } from '../slack/interactions/alert-buttons.ts';
import type { InteractionDeps } from '../slack/interactions/context.ts';
import { registerJobCommand } from '../slack/interactions/job-command.ts';
import { registerLimitsModal } from '../slack/interactions/limits-modal.ts';
import type { Logger } from 'pino';
import { createClusterRegistry } from './cluster-registry.ts';

/** The settings and connections the action parts of each role are built from. */
export interface ActionContext {
  config: Config;
  logger: Logger;
  redis: Redis;
  episodes: EpisodeStore;
  notifyQueue: Queue<NotifyRequest>;
  connection(role: string): Redis;
  /** Counts actions by outcome. Default: not counted. */
  metrics?: Metrics;
  /** Log patterns from `JOBWATCH_LOG_PATTERNS_FILE`, for `/job why`. Default none. */
  logPatterns?: readonly UserLogPattern[];
}

/** Creates the action store on jobwatch's Redis, under its key prefix. */
export function createActionStore(ctx: ActionContext): ActionStore {
  return new ActionStore(ctx.redis, { prefix: ctx.config.redis.prefix, ...(ctx.metrics ? { metrics: ctx.metrics } : {}) });
}

/** Maximum Jobs read for one `/job list` reply or name suggestion. */
const MAX_LISTED_JOBS = 20_000;

/**
 * Lists Jobs of a namespace, or of every namespace jobwatch watches, page by page, for
 * `/job list` and name suggestions. With `JOBWATCH_NAMESPACES` set, "every namespace" is
 * those namespaces, because the RBAC of a namespaced install allows no cluster-wide list.
 */
function jobLister(kc: KubeConfig, watched: readonly string[] | 'all'): (namespace?: string) => Promise<V1Job[]> {
  const batch = kc.makeApiClient(BatchV1Api);
  const listOne = async (namespace: string | undefined): Promise<V1Job[]> => {
    const items: V1Job[] = [];
    let token: string | undefined;
    do {
      const page = namespace
        ? await batch.listNamespacedJob({ namespace, limit: 500, ...(token ? { _continue: token } : {}) })
        : await batch.listJobForAllNamespaces({ limit: 500, ...(token ? { _continue: token } : {}) });
      items.push(...page.items);
      token = page.metadata?._continue || undefined;
    } while (token && items.length < MAX_LISTED_JOBS);
    return items;
  };
  return async (namespace) => {
    try {
      if (namespace || watched === 'all') return await listOne(namespace);
      const all: V1Job[] = [];
      for (const ns of watched) all.push(...(await listOne(ns)));
      return all;
    } catch (err) {
      throw toKubeApiError(err, { kind: 'Job', ...(namespace ? { namespace } : {}) });
    }
  };
}

/** Starts the cluster side of actions: the worker that plans and performs them. */
export function startActionWorkerRole(ctx: ActionContext, cluster: { kubeConfig: KubeConfig; reader: ClusterReader }, actions: ActionStore): Worker<ActionMessage> {
  const logger = ctx.logger.child({ stage: 'actions' });
  return startActionWorker(
    // Each cluster side takes only its own cluster's actions.
    { connection: ctx.connection('action-worker'), prefix: ctx.config.redis.prefix, logger, cluster: ctx.config.clusterName },
    {
      actions,
      episodes: ctx.episodes,
      writes: createKubeWrites(cluster.kubeConfig),
      answers: createReadAnswers({
        reader: cluster.reader,
        listJobs: jobLister(cluster.kubeConfig, ctx.config.kube.namespaces),
        episodes: ctx.episodes,
        diagnose,
        ...(ctx.logPatterns === undefined ? {} : { logPatterns: ctx.logPatterns }),
        logger,
        tailLines: ctx.config.logTailLines,
        limitBytes: ctx.config.logLimitBytes,
      }),
      buildRetry,
      applyLimits: (job, values) => applyLimits(job, values),
      cronJobPatch,
      notify: (record) => enqueueNotify(ctx.notifyQueue, { kind: 'action', id: record.id, stage: record.stage }),
      logger,
      cluster: ctx.config.clusterName,
    },
  );
}

/**
 * Adds what the notifier shows beside the episode: the acknowledgement, an active mute,
 * the buttons when the app handles interactions, and the messages of actions.
 */
export function notifierActionDeps(actions: ActionStore, episodes: EpisodeStore, slack: ActionSlack | undefined, logger: Logger): Pick<NotifyDeps, 'decorate' | 'actions'> {
  return {
    async decorate(view: AlertView): Promise<AlertView> {
      const decorated: AlertView = { ...view, ...(slack ? { actions: true } : {}) };
      const ack = await actions.getAcknowledgement(view.key);
      if (ack) decorated.ack = ack;
      for (const target of muteTargets(view.namespace, view.jobName, view.cronJob?.name)) {
        const mute = await actions.getMute(target, view.cluster);
        if (mute) decorated.mute = { userId: mute.userId, until: mute.until, target };
      }
      return decorated;
    },
    ...(slack ? { actions: (request) => notifyAction({ actions, episodes, slack, logger: logger.child({ stage: 'actions' }) }, request) } : {}),
  };
}

/**
 * Registers the buttons, the raise-limits modal and the slash command on the Bolt app.
 * Actions go to the queue of the cluster they are about, and the clusters come from the
 * registrations of the cluster sides in Redis. Returns the queues, to close at shutdown.
 */
export function registerInteractions(
  app: App,
  ctx: ActionContext,
  actions: ActionStore,
  policy: { action: ActionPolicy; file: Policy },
  groupsOf: (userId: string) => Promise<string[]> = () => Promise.resolve([]),
): ActionQueues {
  // The queues of every cluster share one connection.
  const connection = ctx.connection('action-queue');
  const queues = new ActionQueues((cluster) => createActionQueue(connection, ctx.config.redis.prefix, ctx.logger, cluster));
  const registry = createClusterRegistry(ctx.redis, ctx.config);
  const deps: InteractionDeps = {
    episodes: ctx.episodes,
    actions,
    policy: policy.action,
    ceilings: policy.file.ceilings,
    enqueueAction: (cluster, id, step) => queues.enqueue(cluster, id, step),
    clusters: () => registry.list(),
    enqueueNotify: (request) => enqueueNotify(ctx.notifyQueue, request),
    groupsOf,
    command: policy.file.command,
    logger: ctx.logger.child({ stage: 'interactions' }),
  };
  registerAlertButtons(app, deps);
  registerLimitsModal(app, deps);
  registerJobCommand(app, deps);
  return queues;
}
