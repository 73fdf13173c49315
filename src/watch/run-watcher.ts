import type { Logger } from 'pino';
import type { ClusterReader } from '../episode/cluster-reader.ts';
import type { EpisodeStore } from '../episode/store.ts';
import { ListWatch } from '../kube/list-watch.ts';
import type { ListWatchSource, RawObject } from '../kube/list-watch-source.ts';
import type { SignalProducer } from '../queue/queues.ts';
import { captureEvidence, type CaptureLimits } from './evidence-capture.ts';
import { createForbiddenReporter } from './forbidden-reporter.ts';
import { limitConcurrency } from './limiter.ts';
import type { CronJobStallOptions } from './cronjob-stall.ts';
import { slimCronJob, slimJob, slimPod, type SlimCronJob, type SlimJob, type SlimPod } from './slim.ts';
import { Watcher } from './watcher.ts';

/** Failed pods read at once, with their logs; the rest wait their turn. */
export const CAPTURE_CONCURRENCY = 16;

/** Selects the pods that the job controller made: they all carry this label. */
export const JOB_POD_SELECTOR = 'batch.kubernetes.io/controller-uid';

export interface WatcherRoleOptions {
  source: ListWatchSource;
  reader: ClusterReader;
  producer: SignalProducer;
  store: EpisodeStore;
  logger: Logger;
  namespaces: readonly string[] | 'all';
  stuckAfterMs: number;
  stallTimeoutMs: number;
  capture: CaptureLimits;
  /** Thresholds for CronJobs that stopped producing runs. */
  cronJobStall?: CronJobStallOptions;
  /** How often stuck pods and stalled CronJobs are looked for, in milliseconds. Default 5,000. */
  stuckCheckIntervalMs?: number;
  clock?: () => number;
}

/** The running watcher role: its loops, its state and how to stop it. */
export interface WatcherRole {
  watcher: Watcher;
  jobs: ListWatch<SlimJob>;
  pods: ListWatch<SlimPod>;
  cronJobs: ListWatch<SlimCronJob>;
  /** True once both loops have completed a list. */
  synced(): boolean;
  /** Sends every failure the cluster shows again, after Redis was unreachable. */
  replay(): void;
  stop(): Promise<void>;
}

/**
 * Starts the loops over Jobs and their Pods and feeds them to a {@link Watcher}.
 * On a brand-new install (no install marker in Redis), failures found by the first
 * list are marked as bootstrap, so the worker records old ones without posting.
 */
export async function startWatcherRole(options: WatcherRoleOptions): Promise<WatcherRole> {
  const { logger } = options;
  const firstStart = !(await options.store.isInstalled());
  const watcher = new Watcher({
    emit: (signal) => options.producer.send(signal),
    capture: limitConcurrency(CAPTURE_CONCURRENCY, (pod, attempt) => captureEvidence(options.reader, pod, attempt, options.capture)),
    logger,
    stuckAfterMs: options.stuckAfterMs,
    ...(options.cronJobStall ? { cronJobStall: options.cronJobStall } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  watcher.setBootstrap(firstStart);
  if (firstStart) logger.info('first start of this install: existing failures are recorded, not posted');

  const namespaced = options.namespaces !== 'all';
  const common = {
    source: options.source,
    logger,
    stallTimeoutMs: options.stallTimeoutMs,
    ...(namespaced ? { namespaces: [...options.namespaces] } : {}),
  };
  const forbidden = createForbiddenReporter(logger);
  let syncedLoops = 0;
  const onSynced = (namespace: string | undefined): void => {
    syncedLoops += 1;
    forbidden.onSynced(namespace);
    if (firstStart && jobs.stats().synced && pods.stats().synced) {
      watcher.setBootstrap(false);
      options.store.markInstalled().catch((err: unknown) => logger.warn({ err }, 'could not record the install marker'));
    }
  };
  const jobs = new ListWatch<SlimJob>({
    ...common,
    path: namespaced ? '/apis/batch/v1/namespaces/{namespace}/jobs' : '/apis/batch/v1/jobs',
    slim: (raw: RawObject) => slimJob(raw),
    keyOf: (job) => job.uid,
    onAdd: (job) => watcher.upsertJob(job),
    onUpdate: (_old, job) => watcher.upsertJob(job),
    onDelete: (job) => watcher.deleteJob(job),
    onSynced,
    onError: forbidden.onError('jobs'),
  });
  const pods = new ListWatch<SlimPod>({
    ...common,
    path: namespaced ? '/api/v1/namespaces/{namespace}/pods' : '/api/v1/pods',
    labelSelector: JOB_POD_SELECTOR,
    slim: (raw: RawObject) => slimPod(raw),
    keyOf: (pod) => pod.uid,
    onAdd: (pod) => watcher.upsertPod(pod),
    onUpdate: (_old, pod) => watcher.upsertPod(pod),
    onDelete: (pod) => watcher.deletePod(pod),
    onSynced,
    onError: forbidden.onError('pods'),
  });
  // Readiness and the install marker wait for Jobs and Pods only, so an install whose
  // RBAC predates the CronJob watch still starts. The forbidden reporter logs the gap.
  const cronJobs = new ListWatch<SlimCronJob>({
    ...common,
    path: namespaced ? '/apis/batch/v1/namespaces/{namespace}/cronjobs' : '/apis/batch/v1/cronjobs',
    slim: (raw: RawObject) => slimCronJob(raw),
    keyOf: (cronJob) => cronJob.uid,
    onAdd: (cronJob) => watcher.upsertCronJob(cronJob),
    onUpdate: (_old, cronJob) => watcher.upsertCronJob(cronJob),
    onDelete: (cronJob) => watcher.deleteCronJob(cronJob),
    onError: forbidden.onError('cronjobs'),
  });
  // Jobs first, so pods found by the first list already have their Job, and CronJobs
  // last, so their first check finds the runs. The caller awaits no start, because with
  // the API server unreachable the loops keep retrying while the process reports not ready.
  const started = jobs.start().then(() => pods.start()).then(() => cronJobs.start());
  // start() also resolves for a loop that RBAC forbids. Ending bootstrap here keeps one
  // namespace without a Role from marking every later failure as bootstrap, never posted.
  // NOTE: a namespace granted later is first listed with bootstrap off, so the failures
  // it already shows are posted.
  started.then(
    () => watcher.setBootstrap(false),
    (err: unknown) => logger.error({ err }, 'watch loops failed to start'),
  );
  const timer = setInterval(() => watcher.checkStuck(), options.stuckCheckIntervalMs ?? 5000);
  timer.unref();
  return {
    watcher,
    jobs,
    pods,
    cronJobs,
    synced: () => jobs.stats().synced && pods.stats().synced && syncedLoops > 0,
    replay: () => watcher.replayAll(),
    async stop() {
      clearInterval(timer);
      await Promise.all([jobs.stop(), pods.stop(), cronJobs.stop()]);
      const deadline = Date.now() + 10_000;
      while (watcher.pendingCaptures > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    },
  };
}
