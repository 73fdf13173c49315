import type { Signal } from '../queue/signals.ts';
import type { SlimContainer, SlimPod, SlimTermination } from './slim.ts';

/** One abnormal end of a container run or of a whole pod. */
export interface DetectedAttempt {
  /** `<podUid>.<run>`: one key per pod run, so every path to the same failure agrees. */
  key: string;
  container?: string;
  init?: boolean;
  run: number;
  termination?: SlimTermination;
  /** Pod-level reason when the pod failed without a container exit (eviction, node loss). */
  podReason?: string;
}

/** Terminated reasons that mean the container ended badly even with exit code 0. */
const ABNORMAL_REASONS = new Set(['OOMKilled', 'Error', 'ContainerCannotRun', 'StartError', 'DeadlineExceeded', 'ContainerStatusUnknown']);

/** True when a terminated state is a failure rather than a clean exit. */
export function isAbnormal(t: SlimTermination): boolean {
  return t.exitCode !== 0 || (t.reason !== undefined && ABNORMAL_REASONS.has(t.reason));
}

/**
 * Compares two observations of a pod and returns the failed runs that the newer
 * one shows for the first time. With no older observation (a fresh list), every
 * failure the pod shows is returned: consumers deduplicate by key.
 */
export function detectAttempts(old: SlimPod | undefined, pod: SlimPod): DetectedAttempt[] {
  const found = new Map<string, DetectedAttempt>();
  for (const container of pod.containers) {
    const before = old?.containers.find((c) => c.name === container.name && c.init === container.init);
    for (const attempt of containerAttempts(pod, before, container)) {
      if (!found.has(attempt.key)) found.set(attempt.key, attempt);
    }
  }
  const newlyFailed = pod.phase === 'Failed' && old?.phase !== 'Failed';
  if (newlyFailed && found.size === 0 && !alreadyCounted(old, pod)) {
    const run = Math.max(0, ...pod.containers.map((c) => c.restartCount));
    const attempt: DetectedAttempt = { key: `${pod.uid}.${run}`, run };
    if (pod.reason !== undefined) attempt.podReason = pod.reason;
    found.set(attempt.key, attempt);
  }
  return [...found.values()];
}

function containerAttempts(pod: SlimPod, before: SlimContainer | undefined, now: SlimContainer): DetectedAttempt[] {
  const attempts: DetectedAttempt[] = [];
  const current = now.terminated;
  const wasTerminated = before?.terminated !== undefined && before.restartCount === now.restartCount;
  if (current && isAbnormal(current) && !wasTerminated) {
    attempts.push(attemptOf(pod, now, now.restartCount, current));
  }
  // A restart (restartPolicy OnFailure, or a restarting sidecar) moves the failed
  // run into lastState before anyone may have seen it as the current state.
  const last = now.lastTerminated;
  const restarted = before === undefined || now.restartCount > before.restartCount;
  if (last && isAbnormal(last) && restarted && now.restartCount > 0) {
    attempts.push(attemptOf(pod, now, now.restartCount - 1, last));
  }
  return attempts;
}

function attemptOf(pod: SlimPod, container: SlimContainer, run: number, t: SlimTermination): DetectedAttempt {
  return { key: `${pod.uid}.${run}`, container: container.name, init: container.init, run, termination: t };
}

function alreadyCounted(old: SlimPod | undefined, pod: SlimPod): boolean {
  if (!old) return false;
  return pod.containers.some((c) => c.terminated && isAbnormal(c.terminated));
}

/** Converts a detected attempt of `pod` into the attempt record of an `attempt-failed` signal. */
export function attemptRecord(pod: SlimPod, attempt: DetectedAttempt): Extract<Signal, { type: 'attempt-failed' }>['attempt'] {
  const record: Extract<Signal, { type: 'attempt-failed' }>['attempt'] = {
    key: attempt.key,
    podUid: pod.uid,
    pod: pod.name,
    restartCount: attempt.run,
  };
  if (attempt.container !== undefined) record.container = attempt.container;
  if (attempt.init) record.init = true;
  if (pod.nodeName !== undefined) record.node = pod.nodeName;
  if (pod.completionIndex !== undefined) record.index = pod.completionIndex;
  const t = attempt.termination;
  if (t) {
    record.exitCode = t.exitCode;
    if (t.reason !== undefined) record.reason = t.reason;
    if (t.startedAt !== undefined) record.startedAt = t.startedAt;
    if (t.finishedAt !== undefined) record.finishedAt = t.finishedAt;
  } else if (attempt.podReason !== undefined) {
    record.reason = attempt.podReason;
  }
  return record;
}
