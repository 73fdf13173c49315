import type { AttemptRecord, CapturedEvidence, Signal } from '../queue/signals.ts';
import type { NotifyMode } from '../config/routing.ts';
import type { EpisodeState } from '../slack/alert-view.ts';
import { gonePodCount } from './gone-pod-attempts.ts';

/** Maximum attempts an episode keeps; older ones are dropped beyond it. */
export const MAX_ATTEMPTS_KEPT = 50;

/** The stored state of one failure episode of one Job, keyed on the Job uid. */
export interface EpisodeRecord {
  key: string;
  namespace: string;
  jobName: string;
  state: EpisodeState;
  /** The Job's final condition reason, or the stuck reason such as ImagePullBackOff. */
  reason: string | null;
  openedAt: string;
  closedAt?: string;
  attempts: AttemptRecord[];
  stuck?: { reason: string; pod?: string; container?: string; since: string };
  /** Seen only in the first list of a new install and older than the posting age. */
  silenced?: boolean;
  /** Bumped on every change that the alert should show. */
  version: number;
  /** The alert's channel and posting mode, decided by the routing rules when the episode opened. */
  route?: { channel: string; notify: NotifyMode };
  /** The CronJob incident this run belongs to. */
  incident?: string;
  /** The alert whose thread this episode joins: the Job is a retry started from that alert. */
  threadUnder?: string;
}


/**
 * Decides whether the episode's message should be posted or updated now. In
 * `final-only` mode nothing is posted while attempts remain, and a Job that
 * recovers before any post stays silent.
 */
export function shouldNotify(episode: EpisodeRecord, alreadyPosted: boolean): boolean {
  if (episode.silenced || !episode.route) return false;
  if (alreadyPosted || episode.route.notify === 'first-failure') return true;
  return episode.state === 'failed' || episode.state === 'stuck';
}

export interface ApplyContext {
  nowMs: number;
  /** Bootstrap failures younger than this are posted; older ones are recorded silently. */
  bootstrapPostMaxAgeMs: number;
}

export interface ApplyResult {
  episode: EpisodeRecord | undefined;
  changed: boolean;
  /** The attempt this signal added, for its thread reply. */
  newAttempt?: AttemptRecord;
}

const OPEN_STATES: ReadonlySet<EpisodeState> = new Set(['failing', 'stuck']);

/** True while the episode can still change state on its own. */
export function isOpen(state: EpisodeState): boolean {
  return OPEN_STATES.has(state);
}

/**
 * Applies one signal to an episode. Pure and idempotent: applying the same signal
 * twice changes nothing the second time, which is what makes re-sent signals
 * after a restart or a re-list harmless.
 */
export function applySignal(episode: EpisodeRecord | undefined, signal: Signal, ctx: ApplyContext): ApplyResult {
  switch (signal.type) {
    case 'attempt-failed':
      return applyAttempt(episode, signal, ctx);
    case 'stuck':
      return applyStuck(episode, signal, ctx);
    case 'job-failed':
      return applyFailed(episode, signal, ctx);
    case 'job-completed':
      return closeOpen(episode, 'recovered', signal.completedAt ?? signal.observedAt);
    case 'job-deleted':
      return closeOpen(episode, 'deleted', signal.observedAt);
  }
}

function applyAttempt(episode: EpisodeRecord | undefined, signal: Extract<Signal, { type: 'attempt-failed' }>, ctx: ApplyContext): ApplyResult {
  const attempt = signal.attempt;
  if (episode?.attempts.some((a) => a.key === attempt.key)) return { episode, changed: false };
  // A failure counted from the Job's status is already shown when the episode contains as
  // many attempts, such as after a watcher restart that no longer finds the failed pods.
  const goneCount = gonePodCount(attempt);
  if (episode && goneCount !== undefined && episode.attempts.length >= goneCount) return { episode, changed: false };
  const base = episode ?? open(signal, 'failing', attempt.finishedAt ?? signal.observedAt, ctx);
  return { episode: { ...base, attempts: withAttempt(base.attempts, attempt), version: base.version + 1 }, changed: true, newAttempt: attempt };
}

/**
 * Adds an attempt, newest last. An attempt read from a pod takes the place of the first
 * one counted from the Job's status, because that count may have been the same pod seen late.
 */
function withAttempt(attempts: AttemptRecord[], attempt: AttemptRecord): AttemptRecord[] {
  const placeholder = gonePodCount(attempt) === undefined ? attempts.findIndex((a) => gonePodCount(a) !== undefined) : -1;
  if (placeholder >= 0) return attempts.map((a, i) => (i === placeholder ? attempt : a));
  return [...attempts, attempt].slice(-MAX_ATTEMPTS_KEPT);
}

function applyStuck(episode: EpisodeRecord | undefined, signal: Extract<Signal, { type: 'stuck' }>, ctx: ApplyContext): ApplyResult {
  const { stuck } = signal;
  if (episode && !isOpen(episode.state)) return { episode, changed: false };
  if (episode?.state === 'stuck' && episode.stuck?.reason === stuck.reason) return { episode, changed: false };
  const base = episode ?? open(signal, 'stuck', stuck.since, ctx);
  const record: NonNullable<EpisodeRecord['stuck']> = { reason: stuck.reason, since: stuck.since };
  if (stuck.pod !== undefined) record.pod = stuck.pod;
  if (stuck.container !== undefined) record.container = stuck.container;
  return {
    episode: { ...base, state: 'stuck', reason: stuck.reason, stuck: record, version: base.version + 1 },
    changed: true,
  };
}

function applyFailed(episode: EpisodeRecord | undefined, signal: Extract<Signal, { type: 'job-failed' }>, ctx: ApplyContext): ApplyResult {
  const { condition } = signal;
  const at = condition.at || signal.observedAt;
  if (condition.type !== 'Failed') {
    // FailureTarget: the controller has decided, the pods are still terminating.
    if (episode) return { episode, changed: false };
    return { episode: { ...open(signal, 'failing', at, ctx), reason: condition.reason, version: 1 }, changed: true };
  }
  if (episode?.state === 'failed') return { episode, changed: false };
  const base = episode ?? open(signal, 'failed', at, ctx);
  return {
    episode: { ...base, state: 'failed', reason: condition.reason, closedAt: at, version: base.version + 1 },
    changed: true,
  };
}

function closeOpen(episode: EpisodeRecord | undefined, state: 'recovered' | 'deleted', at: string): ApplyResult {
  if (!episode || !isOpen(episode.state)) return { episode, changed: false };
  return { episode: { ...episode, state, closedAt: at, version: episode.version + 1 }, changed: true };
}

function open(signal: Signal, state: EpisodeState, at: string, ctx: ApplyContext): EpisodeRecord {
  const episode: EpisodeRecord = {
    key: signal.jobUid,
    namespace: signal.namespace,
    jobName: signal.jobName,
    state,
    reason: null,
    openedAt: at,
    attempts: [],
    version: 0,
  };
  if (signal.bootstrap && ctx.nowMs - Date.parse(at) > ctx.bootstrapPostMaxAgeMs) episode.silenced = true;
  return episode;
}

/** Merges newly captured evidence into what was stored before, newest logs winning. */
export function mergeEvidence(stored: CapturedEvidence | undefined, incoming: CapturedEvidence): CapturedEvidence {
  if (!stored) return incoming;
  const logs = new Map(stored.logs.map((l) => [`${l.pod}/${l.container}/${l.previous}`, l]));
  for (const log of incoming.logs) logs.set(`${log.pod}/${log.container}/${log.previous}`, log);
  const merged: CapturedEvidence = { logs: [...logs.values()], missing: [...new Set([...stored.missing, ...incoming.missing])] };
  const pod = incoming.pod ?? stored.pod;
  if (pod) merged.pod = pod;
  return merged;
}
