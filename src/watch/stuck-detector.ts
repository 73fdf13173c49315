import type { SlimJob, SlimPod } from './slim.ts';

/**
 * Waiting reasons that do not resolve on their own. A pod in one of these for
 * longer than the stuck threshold keeps its Job active until someone acts or the
 * Job's deadline runs out.
 */
export const STUCK_WAITING_REASONS = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
  'PreStartHookError',
  // ContainerCreating is normal progress for seconds; for minutes it means a volume
  // that cannot be attached or mounted.
  'ContainerCreating',
]);

export interface StuckFinding {
  /** Stable per pod and reason, so a stuck pod is reported once. */
  key: string;
  pod?: string;
  container?: string;
  reason: string;
  /** Description of the finding, for findings that a reason alone does not explain. */
  message?: string;
  since: string;
}

/**
 * Returns why a pod is stuck, or undefined. `firstSeenWaiting` is when the watcher
 * first saw the waiting reason; the pod's creation time is used when unknown.
 */
export function podStuckFinding(pod: SlimPod, nowMs: number, stuckAfterMs: number, firstSeenWaiting?: string): StuckFinding | undefined {
  if (pod.phase !== 'Pending' || pod.deleting) return undefined;
  if (pod.unschedulable?.reason === 'Unschedulable') {
    const since = pod.unschedulable.since || pod.createdAt;
    if (nowMs - Date.parse(since) >= stuckAfterMs) {
      return { key: `${pod.uid}.Unschedulable`, pod: pod.name, reason: 'Unschedulable', since };
    }
    return undefined;
  }
  for (const container of pod.containers) {
    const reason = container.waiting?.reason;
    if (reason === undefined || !STUCK_WAITING_REASONS.has(reason)) continue;
    const since = firstSeenWaiting ?? pod.createdAt;
    if (nowMs - Date.parse(since) >= stuckAfterMs) {
      return { key: `${pod.uid}.${reason}`, pod: pod.name, container: container.name, reason, since };
    }
  }
  return undefined;
}

/**
 * A Job that has made no pod for longer than the threshold may be blocked by
 * quota, a LimitRange or an admission webhook. The worker confirms it from the
 * Job's FailedCreate events; the key changes every threshold period, so a Job
 * that was not yet blocked is checked again later.
 */
export function jobWithoutPodsFinding(job: SlimJob, podCount: number, nowMs: number, stuckAfterMs: number): StuckFinding | undefined {
  // The built-in job controller makes no pods for a Job that spec.managedBy hands to
  // another controller (MultiKueue runs it on a worker cluster), so no pods is normal.
  if (job.suspended || job.managedBy !== undefined) return undefined;
  if (job.complete || job.failure || podCount > 0 || job.active > 0) return undefined;
  const ageMs = nowMs - Date.parse(job.createdAt);
  if (ageMs < stuckAfterMs) return undefined;
  const period = Math.floor(ageMs / stuckAfterMs);
  return { key: `no-pods.${period}`, reason: 'NoPods', since: job.createdAt };
}

/** Stuck reason of a Job that stays suspended past the threshold. */
export const SUSPENDED_REASON = 'Suspended';

/**
 * Returns a finding for a Job suspended for longer than the threshold. The job controller
 * (Kubernetes v1.37) deletes a suspended Job's active pods and stops its
 * activeDeadlineSeconds timer, so such a Job does not fail or end until it is resumed. The time is
 * the `Suspended=True` condition's, else the Job's creation (a Job created suspended, as
 * Kueue does, may carry no condition yet). The key contains that time, so each suspension
 * is reported once.
 */
export function suspendedJobFinding(job: SlimJob, nowMs: number, stuckAfterMs: number): StuckFinding | undefined {
  if (!job.suspended || job.complete || job.failure) return undefined;
  const since = job.suspendedSince ?? job.createdAt;
  if (nowMs - Date.parse(since) < stuckAfterMs) return undefined;
  return { key: `suspended.${since}`, reason: SUSPENDED_REASON, since };
}
