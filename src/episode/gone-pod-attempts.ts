import type { Snapshot } from '../diagnose/types.ts';
import type { AttemptRecord } from '../queue/signals.ts';

/**
 * Attempts the watcher reports from a Job's `status.failed` count alone, for failed pods it
 * never saw. Such a pod was deleted (preempted, removed by pod garbage collection or with
 * its node) before the watcher listed it, or the watcher was down at the time. Their key is
 * `gone.<count>`, and they carry no pod name until the snapshot names the pod.
 */
const GONE_KEY = /^gone\.(\d+)$/;

/** Returns the attempt key for the `count`-th failure of a Job whose pod was never seen. */
export function gonePodAttemptKey(count: number): string {
  return `gone.${count}`;
}

/**
 * Returns the Job's failed count that a gone-pod attempt represents, or undefined for an
 * attempt read from a pod.
 */
export function gonePodCount(attempt: Pick<AttemptRecord, 'key'>): number | undefined {
  const found = GONE_KEY.exec(attempt.key);
  return found?.[1] === undefined ? undefined : Number(found[1]);
}

const CREATED_POD = /^Created pod: (\S+)$/;

/** Shown in place of a pod name when no event names the gone pod either. */
export const UNSEEN_POD = '(pod gone before it was seen)';

/**
 * Fills in the pod names of attempts counted from the Job's status, from the job
 * controller's `SuccessfulCreate` events for pods the snapshot no longer has, oldest first.
 */
export function nameGonePods(attempts: AttemptRecord[], snapshot: Snapshot): AttemptRecord[] {
  const present = new Set(snapshot.pods.map((p) => p.metadata?.name));
  const createdPodNames = snapshot.events
    .filter((e) => e.involvedObject.kind === 'Job' && e.reason === 'SuccessfulCreate')
    .sort((a, b) => eventMs(a) - eventMs(b))
    .map((e) => CREATED_POD.exec(e.message ?? '')?.[1])
    .filter((name): name is string => name !== undefined && !present.has(name));
  let next = 0;
  return attempts.map((attempt) => {
    if (gonePodCount(attempt) === undefined || attempt.pod !== '') return attempt;
    const pod = createdPodNames[next] ?? UNSEEN_POD;
    next += 1;
    return { ...attempt, pod };
  });
}

function eventMs(event: Snapshot['events'][number]): number {
  const at = event.lastTimestamp ?? event.firstTimestamp ?? event.metadata?.creationTimestamp;
  return at === undefined ? 0 : new Date(at).getTime();
}
