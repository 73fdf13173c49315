import type { KubeObject } from './resources.ts';

/** One state of an object in a story, at a time in ms since the epoch. */
export interface ObjectState {
  at: number;
  object: KubeObject;
}

interface Terminated {
  startedAt?: string;
  finishedAt?: string;
}

interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: Terminated;
}

/** The parts of a container status that change over a story. */
export interface ContainerStatus {
  name: string;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
  [field: string]: unknown;
}

interface PodStatus {
  phase?: string;
  startTime?: string;
  conditions?: { lastTransitionTime?: string }[];
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
  [field: string]: unknown;
}

/** Parses an RFC 3339 time; `undefined` for absent or invalid values. */
export function timeOf(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const parsed = Date.parse(text);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** Returns the latest RFC 3339 time anywhere inside `value`, or `undefined`. */
export function latestTime(value: unknown): number | undefined {
  if (typeof value === 'string') return /^\d{4}-\d\d-\d\dT/.test(value) ? timeOf(value) : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  const times = Object.values(value).map(latestTime).filter((t) => t !== undefined);
  return times.length === 0 ? undefined : Math.max(...times);
}

const creating: ContainerState = { waiting: { reason: 'ContainerCreating' } };

function runningOrWaiting(startedAt: string | undefined, t: number): ContainerState {
  const start = timeOf(startedAt);
  if (start === undefined || t < start || startedAt === undefined) return creating;
  return { running: { startedAt } };
}

/** Returns the times of the restarts before the last one, spread evenly after `created`. */
function earlierRestarts(status: ContainerStatus, created: number): number[] {
  const lastEnd = timeOf(status.lastState?.terminated?.finishedAt);
  const restarts = status.restartCount ?? 0;
  if (lastEnd === undefined || restarts < 2) return [];
  const period = (lastEnd - created) / restarts;
  return Array.from({ length: restarts - 1 }, (_, i) => created + period * (i + 1));
}

/**
 * Returns the status of one container at time `t`. Restarts before the last one are spread
 * evenly between `created` and the end of the last earlier run.
 * NOTE: a scenario keeps only the last earlier run, so every earlier restart shows that
 * run's `lastState`.
 */
export function containerAt(status: ContainerStatus, t: number, created: number): ContainerStatus {
  const last = status.lastState?.terminated;
  const lastEnd = timeOf(last?.finishedAt);
  const restarts = status.restartCount ?? 0;
  const result: ContainerStatus = { ...status, ready: false, started: false, restartCount: 0, lastState: {} };
  if (last !== undefined && lastEnd !== undefined && t < lastEnd) {
    const done = earlierRestarts(status, created).filter((time) => time <= t).length;
    if (done > 0) result.lastState = status.lastState ?? {};
    result.restartCount = done;
    result.state = runningOrWaiting(last.startedAt, t);
  } else {
    result.restartCount = last !== undefined && lastEnd !== undefined ? restarts : 0;
    if (result.restartCount > 0) result.lastState = status.lastState ?? {};
    result.state = finalStateAt(status.state ?? {}, t);
  }
  result.started = result.state?.running !== undefined;
  return result;
}

function finalStateAt(state: ContainerState, t: number): ContainerState {
  if (state.terminated !== undefined) {
    const end = timeOf(state.terminated.finishedAt);
    if (end !== undefined && t >= end) return state;
    return runningOrWaiting(state.terminated.startedAt, t);
  }
  if (state.running !== undefined) return runningOrWaiting(state.running.startedAt, t);
  return state.waiting !== undefined ? state : creating;
}

function changeTimes(status: ContainerStatus, created: number): number[] {
  const times = [
    status.state?.running?.startedAt,
    status.state?.terminated?.startedAt,
    status.state?.terminated?.finishedAt,
    status.lastState?.terminated?.startedAt,
    status.lastState?.terminated?.finishedAt,
  ].map(timeOf);
  return [...times, ...earlierRestarts(status, created)].filter((t) => t !== undefined);
}

function phaseAt(main: ContainerStatus[], restartPolicy: string | undefined, finalPhase: string | undefined) {
  const allEnded = main.length > 0 && main.every((c) => c.state?.terminated !== undefined);
  if (allEnded && restartPolicy === 'Never') return finalPhase ?? 'Failed';
  const started = main.some((c) => c.state?.running !== undefined || (c.restartCount ?? 0) > 0);
  return started || allEnded ? 'Running' : 'Pending';
}

function podStatusAt(pod: KubeObject, status: PodStatus, t: number, created: number): PodStatus {
  const init = status.initContainerStatuses?.map((c) => containerAt(c, t, created));
  const main = (status.containerStatuses ?? []).map((c) => containerAt(c, t, created));
  const restartPolicy = (pod['spec'] as { restartPolicy?: string } | undefined)?.restartPolicy;
  const result: PodStatus = { phase: phaseAt(main, restartPolicy, status.phase) };
  const conditions = status.conditions?.filter((c) => (timeOf(c.lastTransitionTime) ?? 0) <= t);
  if (conditions !== undefined && conditions.length > 0) result.conditions = conditions;
  for (const key of ['hostIP', 'podIP', 'podIPs', 'qosClass'] as const) {
    if (status[key] !== undefined) result[key] = status[key];
  }
  if (status.startTime !== undefined && (timeOf(status.startTime) ?? Infinity) <= t) {
    result.startTime = status.startTime;
  }
  if (init !== undefined) result.initContainerStatuses = init;
  if (main.length > 0) result.containerStatuses = main;
  return result;
}

/**
 * Returns the states of a Pod through its story: Pending (or its waiting state) at creation,
 * Running once a container starts, restarts as they happen, and the final object at the
 * latest time its status mentions.
 */
export function podStates(pod: KubeObject): ObjectState[] {
  const created = timeOf(pod.metadata.creationTimestamp) ?? 0;
  const status = (pod['status'] ?? {}) as PodStatus;
  const end = Math.max(created, latestTime(status) ?? created);
  const containers = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])];
  const times = [created, ...containers.flatMap((c) => changeTimes(c, created))]
    .filter((t) => t >= created && t < end);
  const unique = [...new Set(times)].sort((a, b) => a - b);
  const states: ObjectState[] = unique.map((t) => ({
    at: t,
    object: { ...pod, status: podStatusAt(pod, status, t, created) },
  }));
  states.push({ at: end, object: pod });
  return states;
}
