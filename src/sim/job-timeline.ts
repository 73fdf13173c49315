import { latestTime, timeOf, type ObjectState } from './pod-timeline.ts';
import type { KubeObject } from './resources.ts';

interface JobStatus {
  startTime?: string;
  active?: number;
  failed?: number;
  succeeded?: number;
  conditions?: { type: string; status: string; lastTransitionTime?: string }[];
  [field: string]: unknown;
}

interface PodSummary {
  created: number;
  /** When the pod reached Failed or Succeeded; `undefined` while it never did. */
  finished: number | undefined;
  phase: string | undefined;
}

function summarize(pod: KubeObject): PodSummary {
  const status = (pod['status'] ?? {}) as { phase?: string };
  const created = timeOf(pod.metadata.creationTimestamp) ?? 0;
  const ended = status.phase === 'Failed' || status.phase === 'Succeeded';
  return { created, finished: ended ? (latestTime(status) ?? created) : undefined, phase: status.phase };
}

function ownedBy(job: KubeObject, pod: KubeObject): boolean {
  const refs = (pod.metadata['ownerReferences'] ?? []) as { uid?: string }[];
  return refs.some((ref) => ref.uid === job.metadata.uid);
}

function countAt(pods: PodSummary[], phase: string, t: number, cap: number | undefined): number {
  const count = pods.filter((p) => p.phase === phase && p.finished !== undefined && p.finished <= t).length;
  return Math.min(count, cap ?? count);
}

/** Condition types after which the job controller stops counting pods as active. */
const terminalTypes = ['FailureTarget', 'Failed', 'Complete'];

/** Returns the Job status at time `t`, derived from its pods and its final status. */
function jobStatusAt(final: JobStatus, pods: PodSummary[], t: number): JobStatus {
  const status: JobStatus = {};
  if (final.startTime !== undefined && (timeOf(final.startTime) ?? Infinity) <= t) {
    status.startTime = final.startTime;
  }
  const conditions = final.conditions?.filter((c) => (timeOf(c.lastTransitionTime) ?? 0) <= t) ?? [];
  const terminal = conditions.some((c) => c.status === 'True' && terminalTypes.includes(c.type));
  const running = pods.filter((p) => p.created <= t && (p.finished === undefined || p.finished > t)).length;
  const active = terminal ? (final.active ?? 0) : running;
  if (active > 0) status.active = active;
  const failed = countAt(pods, 'Failed', t, final.failed);
  const succeeded = countAt(pods, 'Succeeded', t, final.succeeded);
  if (failed > 0) status.failed = failed;
  if (succeeded > 0) status.succeeded = succeeded;
  if (conditions.length > 0) status.conditions = conditions;
  status.uncountedTerminatedPods = {};
  return status;
}

/**
 * Returns the states of a Job through its story: empty status at creation, `startTime`,
 * counters that follow its pods, conditions at their `lastTransitionTime`, then the final
 * object.
 */
export function jobStates(job: KubeObject, allObjects: readonly KubeObject[]): ObjectState[] {
  const created = timeOf(job.metadata.creationTimestamp) ?? 0;
  const final = (job['status'] ?? {}) as JobStatus;
  const pods = allObjects.filter((o) => o.kind === 'Pod' && ownedBy(job, o)).map(summarize);
  const end = Math.max(created, latestTime(final) ?? created);
  const times = [
    timeOf(final.startTime),
    ...pods.flatMap((p) => [p.created, p.finished]),
    ...(final.conditions ?? []).map((c) => timeOf(c.lastTransitionTime)),
  ].filter((t) => t !== undefined && t >= created && t < end) as number[];
  const states: ObjectState[] = [{ at: created, object: { ...job, status: {} } }];
  let previous = JSON.stringify({});
  for (const t of [...new Set(times)].sort((a, b) => a - b)) {
    const status = jobStatusAt(final, pods, t);
    const text = JSON.stringify(status);
    if (text === previous) continue;
    previous = text;
    states.push({ at: t, object: { ...job, status } });
  }
  states.push({ at: end, object: job });
  return states;
}
