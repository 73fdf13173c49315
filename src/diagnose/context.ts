import type {
  CoreV1Event,
  KubernetesObject,
  V1Container,
  V1ContainerStatus,
  V1Node,
  V1Pod,
  V1PodCondition,
} from '@kubernetes/client-node';
import { secretEnvNames } from './redact.ts';
import type { ContainerLog, Snapshot } from './types.ts';
import type { UserLogPattern } from './user-patterns.ts';

/** The Job's terminal or soon-terminal condition. */
export interface JobFailure {
  /** `Failed` when final, `FailureTarget` while the controller is still stopping pods. */
  type: 'Failed' | 'FailureTarget';
  reason: string;
  message: string;
  /** When the controller decided the Job failed (FailureTarget time when present), ms since epoch; 0 when unknown. */
  atMs: number;
}

/** One container of one pod, with its spec and status side by side. */
export interface ContainerView {
  pod: V1Pod;
  podName: string;
  name: string;
  init: boolean;
  status: V1ContainerStatus;
  spec: V1Container | undefined;
}

/** The snapshot with look-ups the rules share. Built once per diagnosis. */
export interface DiagnosisContext {
  snapshot: Snapshot;
  namespace: string;
  jobName: string;
  failure: JobFailure | undefined;
  secretNames: string[];
  /** Configured log patterns, in file order; empty when none are configured. */
  logPatterns: readonly UserLogPattern[];
  eventsFor(kind: string, name: string): CoreV1Event[];
  logFor(podName: string, container: string, previous: boolean): ContainerLog | undefined;
  node(name: string | undefined): V1Node | undefined;
  other(kind: string, name: string): KubernetesObject | undefined;
}

/** Reads a Kubernetes time, which is a Date from client-node and a string from JSON, as ms since epoch (0 when absent). */
export function toMillis(value: Date | string | undefined | null): number {
  if (value === undefined || value === null) return 0;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(ms) ? 0 : ms;
}

/** Sorts events oldest first by last occurrence, then by name for a stable order. */
function eventTime(event: CoreV1Event): number {
  return toMillis(event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata?.creationTimestamp);
}

export function buildContext(
  snapshot: Snapshot,
  logPatterns: readonly UserLogPattern[] = [],
): DiagnosisContext {
  const events = [...snapshot.events].sort(
    (a, b) => eventTime(a) - eventTime(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
  );
  const secretNames = new Set<string>();
  const template = snapshot.job.spec?.template.spec;
  for (const spec of [template, ...snapshot.pods.map((p) => p.spec)]) {
    if (spec !== undefined) for (const name of secretEnvNames(spec)) secretNames.add(name);
  }
  return {
    snapshot,
    namespace: snapshot.job.metadata?.namespace ?? 'default',
    jobName: snapshot.job.metadata?.name ?? '(unnamed)',
    failure: readJobFailure(snapshot),
    secretNames: [...secretNames].sort(),
    logPatterns,
    eventsFor: (kind, name) =>
      events.filter((e) => e.involvedObject.kind === kind && e.involvedObject.name === name),
    logFor: (podName, container, previous) =>
      snapshot.logs.find((l) => l.pod === podName && l.container === container && l.previous === previous),
    node: (name) => (name === undefined ? undefined : snapshot.nodes?.find((n) => n.metadata?.name === name)),
    other: (kind, name) => snapshot.others?.find((o) => o.kind === kind && o.metadata?.name === name),
  };
}

function readJobFailure(snapshot: Snapshot): JobFailure | undefined {
  const conditions = snapshot.job.status?.conditions ?? [];
  const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
  const target = conditions.find((c) => c.type === 'FailureTarget' && c.status === 'True');
  const chosen = failed ?? target;
  if (chosen === undefined) return undefined;
  return {
    type: failed === undefined ? 'FailureTarget' : 'Failed',
    reason: chosen.reason ?? '',
    message: chosen.message ?? '',
    atMs: toMillis(target?.lastTransitionTime ?? chosen.lastTransitionTime),
  };
}

/** Lists every container of a pod, init containers first, each with its status when the kubelet reported one. */
export function containerViews(pod: V1Pod): ContainerView[] {
  const podName = pod.metadata?.name ?? '';
  const views: ContainerView[] = [];
  const add = (specs: V1Container[] | undefined, statuses: V1ContainerStatus[] | undefined, init: boolean) => {
    for (const status of statuses ?? []) {
      const spec = specs?.find((c) => c.name === status.name);
      views.push({ pod, podName, name: status.name, init, status, spec });
    }
  };
  add(pod.spec?.initContainers, pod.status?.initContainerStatuses, true);
  add(pod.spec?.containers, pod.status?.containerStatuses, false);
  return views;
}

/** True when any container of the pod started a process (now or in an earlier run). */
export function podRan(pod: V1Pod): boolean {
  return containerViews(pod).some(({ status }) => {
    const terminated = [status.state?.terminated, status.lastState?.terminated];
    if (status.state?.running !== undefined) return true;
    return terminated.some(
      (t) => t !== undefined && t.reason !== 'StartError' && t.reason !== 'ContainerCannotRun',
    );
  });
}

/** Finds the pod's condition of the given type, when the kubelet or control plane set one. */
export function podCondition(pod: V1Pod, type: string): V1PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

/** When the pod last changed, for ordering pods that failed without a container exit. */
export function podTime(pod: V1Pod): number {
  const times = (pod.status?.conditions ?? []).map((c) => toMillis(c.lastTransitionTime));
  return Math.max(toMillis(pod.status?.startTime), toMillis(pod.metadata?.creationTimestamp), ...times);
}
