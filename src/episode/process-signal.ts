import type { V1Job } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { DiagnosisOptions } from '../diagnose/diagnose.ts';
import type { Diagnosis, Snapshot } from '../diagnose/types.ts';
import type { UserLogPattern } from '../diagnose/user-patterns.ts';
import type { RouteDecision, RouteTarget } from '../config/routing.ts';
import { failpoint } from '../failpoint.ts';
import { noopMetrics, type Metrics } from '../metrics/metrics.ts';
import { applySignal, isOpen, mergeEvidence, shouldNotify, type EpisodeRecord } from './record.ts';
import type { Signal } from '../queue/signals.ts';
import { buildAlertView } from './alert-view-builder.ts';
import type { ClusterReader } from './cluster-reader.ts';
import { enrichEpisode } from './enrich.ts';
import { enrichCronJobStall, isCronJobEpisode } from './enrich-cronjob.ts';
import { recordRun, type RunOutcome } from './incidents.ts';
import type { EpisodeStore } from './store.ts';

/** Work for the notifier: post or update one message. */
export type NotifyRequest =
  | { kind: 'alert'; uid: string; version: number; /** The episode has settled; show it without waiting. */ settled?: boolean }
  | { kind: 'reply'; uid: string; attemptKey: string }
  | { kind: 'incident'; key: string; version: number }
  /** Refreshes a storm digest; `after` is the digest version shown when it was requested. */
  | { kind: 'digest'; key: string; after: number }
  /** Renders a posted alert again, for an acknowledgement or a mute; `at` keeps each request apart. */
  | { kind: 'alert-refresh'; uid: string; at: string }
  /** Shows an action's new stage: a confirmation, a result, a file. */
  | { kind: 'action'; id: string; stage: string }
  /** Reports in the alert's thread how a Job created by an action ended. */
  | { kind: 'action-outcome'; id: string; jobUid: string; jobName: string; outcome: 'succeeded' | 'failed'; detail?: string; completedAt?: string };

export interface SignalProcessorDeps {
  store: EpisodeStore;
  reader: ClusterReader;
  diagnose: (snapshot: Snapshot, options?: DiagnosisOptions) => Diagnosis;
  /** Log patterns from `JOBWATCH_LOG_PATTERNS_FILE`, passed to every diagnosis. Default none. */
  logPatterns?: readonly UserLogPattern[];
  route: (target: RouteTarget) => RouteDecision;
  notify: (request: NotifyRequest) => Promise<void>;
  logger: Logger;
  cluster?: string;
  bootstrapPostMaxAgeMs: number;
  tailLines: number;
  limitBytes: number;
  clock?: () => number;
  /** The active mute of a Job or its CronJob; a muted episode is recorded, not posted. */
  mutedBy?: (namespace: string, jobName: string, cronJobName?: string) => Promise<{ userId: string; until: string } | undefined>;
  /** The action that created a Job, so that its end is reported in that action's thread. */
  actionOfJob?: (jobUid: string) => Promise<string | undefined>;
  /** Counts the evidence each diagnosis reads. Default: not counted. */
  metrics?: Pick<Metrics, 'evidence'>;
}

export type { RouteDecision, RouteTarget };

export type ProcessOutcome = 'busy' | 'unchanged' | 'dropped' | 'updated';

/**
 * How long one signal may hold its episode's lock, in milliseconds. A worker that
 * dies holding it delays that episode by at most this long.
 */
export const EPISODE_LOCK_MS = 15_000;
/** How long a signal waits for its episode's lock before it is retried later, in milliseconds. */
export const EPISODE_LOCK_WAIT_MS = 20_000;

/**
 * Applies one signal to its episode under the episode's lock, re-diagnoses when the
 * episode changed, and queues the messages that show the change. Returns `busy` when
 * another worker has locked the episode, so the caller can retry shortly.
 */
export async function processSignal(deps: SignalProcessorDeps, signal: Signal): Promise<ProcessOutcome> {
  const held = await deps.store.withLock(signal.jobUid, EPISODE_LOCK_MS, () => processLocked(deps, signal), EPISODE_LOCK_WAIT_MS);
  return held === undefined ? 'busy' : held.value;
}

async function processLocked(deps: SignalProcessorDeps, signal: Signal): Promise<ProcessOutcome> {
  const { store } = deps;
  const nowMs = (deps.clock ?? Date.now)();
  const log = deps.logger.child({ jobUid: signal.jobUid, namespace: signal.namespace, job: signal.jobName, signal: signal.type });
  const before = await store.getEpisode(signal.jobUid);
  await reportActionOutcome(deps, signal);

  if (signal.type === 'attempt-failed' && signal.evidence) {
    const stored = (await store.getEvidence(signal.jobUid))[signal.attempt.key];
    await store.putEvidence(signal.jobUid, signal.attempt.key, mergeEvidence(stored, signal.evidence));
  }
  if (signal.type === 'stuck' && signal.stuck.reason === 'NoPods' && !(await hasFailedCreate(deps, signal))) {
    return 'dropped';
  }
  if (signal.type === 'job-completed' && !before) {
    await recordCronSuccess(deps, signal);
    return 'unchanged';
  }

  const result = applySignal(before, signal, { nowMs, bootstrapPostMaxAgeMs: deps.bootstrapPostMaxAgeMs });
  if (!result.episode) return 'unchanged';
  if (!result.changed) {
    // A worker that died between storing a change and queueing its message left
    // the message behind; the re-sent signal finishes that work.
    await requestNotifications(deps, result.episode, signal.type === 'attempt-failed' ? signal.attempt.key : undefined);
    return 'unchanged';
  }
  const episode = result.episode;

  const lastJob = await store.getJob(signal.jobUid);
  const cronJobTarget = { namespace: signal.namespace, name: signal.jobName, uid: signal.jobUid };
  const enriched = isCronJobEpisode(signal, before)
    ? await enrichCronJobStall({ reader: deps.reader, logger: log, nowMs }, cronJobTarget)
    : await enrichEpisode(
    { reader: deps.reader, logger: log, tailLines: deps.tailLines, limitBytes: deps.limitBytes, metrics: deps.metrics ?? noopMetrics },
    { namespace: signal.namespace, name: signal.jobName, uid: signal.jobUid },
    lastJob ?? placeholderJob(signal),
    await store.getEvidence(signal.jobUid),
  );
  if (!enriched) return 'dropped';
  const { snapshot } = enriched;
  await store.putJob(signal.jobUid, snapshot.job);

  if (!episode.route && !episode.silenced) {
    const cronJobName = snapshot.cronJob?.metadata?.name;
    const mute = await deps.mutedBy?.(episode.namespace, signal.jobName, cronJobName);
    if (mute) {
      log.info({ mutedBy: mute.userId, until: mute.until }, 'episode muted; recorded but not posted');
      episode.silenced = true;
    } else {
      decideRoute(deps, episode, snapshot, log);
    }
    // A retry started from an alert joins that alert's thread.
    const origin = snapshot.job.metadata?.annotations?.['jobwatch.dev/alert'];
    if (origin && origin !== episode.key && !episode.incident) episode.threadUnder = origin;
  }
  const diagnosis = diagnoseSafely(deps, snapshot, log);
  const view = buildAlertView(episode, snapshot, diagnosis, { ...(deps.cluster ? { cluster: deps.cluster } : {}), nowMs });
  await linkIncident(deps, episode, snapshot);
  await store.putView(view);
  await store.putEpisode(episode);
  failpoint('worker-after-apply');
  log.info({ state: episode.state, cause: diagnosis.cause, version: episode.version, silenced: episode.silenced === true }, 'episode updated');
  await requestNotifications(deps, episode, result.newAttempt?.key);
  return 'updated';
}

/** Reports the end of a Job an action created (a retry) in the thread of that action. */
async function reportActionOutcome(deps: SignalProcessorDeps, signal: Signal): Promise<void> {
  const failed = signal.type === 'job-failed' && signal.condition.type === 'Failed';
  if ((signal.type !== 'job-completed' && !failed) || !deps.actionOfJob) return;
  const id = await deps.actionOfJob(signal.jobUid);
  if (!id) return;
  const detail = signal.type === 'job-failed' ? `${signal.condition.reason}: ${signal.condition.message}` : undefined;
  const completedAt = signal.type === 'job-completed' ? signal.completedAt : undefined;
  await deps.notify({
    kind: 'action-outcome',
    id,
    jobUid: signal.jobUid,
    jobName: signal.jobName,
    outcome: failed ? 'failed' : 'succeeded',
    ...(detail ? { detail } : {}),
    ...(completedAt ? { completedAt } : {}),
  });
}

/**
 * Queues the message for the episode's newest version, unless it has been shown,
 * and the reply of an attempt. Queue job ids and the notifier's delivery records
 * make repeated requests harmless.
 */
async function requestNotifications(deps: SignalProcessorDeps, episode: EpisodeRecord, attemptKey?: string): Promise<void> {
  const delivery = await deps.store.getDelivery('alert', episode.key);
  if (!shouldNotify(episode, delivery !== undefined)) return;
  if (!delivery || delivery.version < episode.version) {
    await deps.notify({ kind: 'alert', uid: episode.key, version: episode.version, settled: !isOpen(episode.state) || episode.state === 'stuck' });
  }
  if (attemptKey) await deps.notify({ kind: 'reply', uid: episode.key, attemptKey });
}

function decideRoute(deps: SignalProcessorDeps, episode: EpisodeRecord, snapshot: Snapshot, log: Logger): void {
  const target: RouteTarget = {
    namespace: episode.namespace,
    labels: snapshot.job.metadata?.labels ?? {},
    annotations: snapshot.job.metadata?.annotations ?? {},
  };
  if (snapshot.cronJob) {
    target.cronJob = { labels: snapshot.cronJob.metadata?.labels ?? {}, annotations: snapshot.cronJob.metadata?.annotations ?? {} };
  }
  const decision = deps.route(target);
  if (decision.action === 'drop') {
    log.info({ why: decision.why }, 'episode not alerted by routing');
    episode.silenced = true;
    return;
  }
  if (decision.warnings?.length) log.warn({ warnings: decision.warnings, matched: decision.matched }, 'routing annotations ignored');
  episode.route = { channel: decision.channel, notify: decision.notify };
}

function diagnoseSafely(deps: SignalProcessorDeps, snapshot: Snapshot, log: Logger): Diagnosis {
  try {
    return deps.diagnose(snapshot, { logPatterns: deps.logPatterns ?? [] });
  } catch (err) {
    log.error({ err }, 'diagnosis failed; alerting without a cause');
    return {
      cause: 'unknown',
      reason: null,
      summary: 'jobwatch could not diagnose this failure; the evidence below is what it read',
      evidence: [],
      fix: `kubectl describe job ${snapshot.job.metadata?.name ?? ''} -n ${snapshot.job.metadata?.namespace ?? ''}`,
      secondary: [],
      confidence: 'low',
    };
  }
}

async function linkIncident(deps: SignalProcessorDeps, episode: EpisodeRecord, snapshot: Snapshot): Promise<void> {
  const ref = snapshot.job.metadata?.ownerReferences?.find((r) => r.controller && r.kind === 'CronJob');
  if (!ref || episode.silenced) return;
  let outcome: RunOutcome = 'failed';
  if (episode.state === 'failing') outcome = 'running';
  if (episode.state === 'recovered') outcome = 'succeeded';
  const incident = await recordRun(
    deps.store,
    { cronJobUid: ref.uid, cronJobName: ref.name, namespace: episode.namespace, jobUid: episode.key, jobName: episode.jobName },
    outcome,
  );
  if (incident) {
    episode.incident = incident.key;
    if (episode.route && !incident.channel) {
      incident.channel = episode.route.channel;
      await deps.store.putIncident(incident);
    }
    await deps.notify({ kind: 'incident', key: incident.key, version: incident.version });
  }
}

async function recordCronSuccess(deps: SignalProcessorDeps, signal: Signal): Promise<void> {
  const job = (await deps.reader.getJob(signal.namespace, signal.jobName)) ?? (await deps.store.getJob(signal.jobUid));
  const ref = job?.metadata?.ownerReferences?.find((r) => r.controller && r.kind === 'CronJob');
  if (!ref) return;
  const incident = await recordRun(
    deps.store,
    { cronJobUid: ref.uid, cronJobName: ref.name, namespace: signal.namespace, jobUid: signal.jobUid, jobName: signal.jobName },
    'succeeded',
  );
  if (incident) await deps.notify({ kind: 'incident', key: incident.key, version: incident.version });
}

async function hasFailedCreate(deps: SignalProcessorDeps, signal: Signal): Promise<boolean> {
  const events = await deps.reader.listEventsFor(signal.namespace, { kind: 'Job', name: signal.jobName, uid: signal.jobUid });
  return events.some((e) => e.reason === 'FailedCreate');
}

/** Stands in for a Job deleted before jobwatch could read it, so its captured evidence still counts. */
function placeholderJob(signal: Signal): V1Job {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: signal.jobName, namespace: signal.namespace, uid: signal.jobUid } };
}
