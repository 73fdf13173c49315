import type { FailedPod } from './job-rules.ts';
import type { KubeObject } from './resources.ts';

/** Readings of a Job's pods that the simulated job controller decides on. */

type Fields = Record<string, unknown>;

/** Returns `value` as a field map, or an empty one. */
export function fieldsOf(value: unknown): Fields {
  return value !== null && typeof value === 'object' ? (value as Fields) : {};
}

/** Returns whether a pod reached `Succeeded` or `Failed`. */
export function podFinished(pod: KubeObject): boolean {
  const phase = fieldsOf(pod['status'])['phase'];
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Returns whether every container of a pod reports ready. */
export function podReady(pod: KubeObject): boolean {
  const statuses = (fieldsOf(pod['status'])['containerStatuses'] ?? []) as Fields[];
  return statuses.length > 0 && statuses.every((c) => c['ready'] === true);
}

/** Returns the uid of a pod's controlling owner. */
export function ownerUid(pod: KubeObject): string | undefined {
  const refs = pod.metadata['ownerReferences'];
  return Array.isArray(refs) ? (refs as Fields[]).find((r) => r['controller'] === true)?.['uid'] as string | undefined : undefined;
}

/** Returns a failed pod as `podFailurePolicy` rules see it. */
export function failedPodOf(pod: KubeObject): FailedPod {
  const status = fieldsOf(pod['status']);
  const containers = ((status['containerStatuses'] ?? []) as Fields[]).map((c) => ({
    name: String(c['name']),
    exitCode: Number(fieldsOf(fieldsOf(c['state'])['terminated'])['exitCode'] ?? 0),
  }));
  const conditions = (status['conditions'] ?? []) as { type: string; status: string }[];
  return { namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', containers, conditions };
}

/** Returns the sum of the restart counts of a pod's containers. */
export function restartsOf(pod: KubeObject): number {
  const statuses = (fieldsOf(pod['status'])['containerStatuses'] ?? []) as Fields[];
  return statuses.reduce((sum, c) => sum + Number(c['restartCount'] ?? 0), 0);
}

