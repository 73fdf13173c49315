import { jobStates } from './job-timeline.ts';
import { podStates, timeOf, type ContainerStatus, type ObjectState } from './pod-timeline.ts';
import type { KubeObject } from './resources.ts';
import type { ScenarioLog } from './scenario.ts';

/** One thing the player does, at a time in ms since the epoch. */
export type Step =
  | { at: number; kind: 'apply'; object: KubeObject }
  | { at: number; kind: 'logs'; log: ScenarioLog };

interface EventShape {
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  count?: number;
}

function eventStates(event: KubeObject): ObjectState[] {
  const shape = event as unknown as EventShape;
  const first =
    timeOf(shape.firstTimestamp) ??
    timeOf(shape.eventTime) ??
    timeOf(event.metadata.creationTimestamp) ??
    0;
  const last = timeOf(shape.lastTimestamp) ?? first;
  if ((shape.count ?? 1) <= 1 || last <= first) return [{ at: first, object: event }];
  const opening = { ...event, count: 1, lastTimestamp: shape.firstTimestamp ?? shape.lastTimestamp };
  return [
    { at: first, object: opening },
    { at: last, object: event },
  ];
}

function statesOf(object: KubeObject, all: readonly KubeObject[]): ObjectState[] {
  if (object.kind === 'Job') return jobStates(object, all);
  if (object.kind === 'Pod') return podStates(object);
  if (object.kind === 'Event') return eventStates(object);
  return [{ at: timeOf(object.metadata.creationTimestamp) ?? 0, object }];
}

function containerStatus(pod: KubeObject | undefined, name: string): ContainerStatus | undefined {
  const status = (pod?.['status'] ?? {}) as {
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
  return [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])].find(
    (c) => c.name === name,
  );
}

/**
 * Returns when a log becomes readable: the current run's log once it started, the previous
 * run's log once that run ended.
 */
function logTime(log: ScenarioLog, objects: readonly KubeObject[]): number {
  const pod = objects.find(
    (o) => o.kind === 'Pod' && o.metadata.name === log.pod && o.metadata.namespace === log.namespace,
  );
  const created = timeOf(pod?.metadata.creationTimestamp) ?? 0;
  const status = containerStatus(pod, log.container);
  const previousEnd = timeOf(status?.lastState?.terminated?.finishedAt);
  if (log.previous) return previousEnd ?? created;
  const started =
    timeOf(status?.state?.running?.startedAt) ?? timeOf(status?.state?.terminated?.startedAt);
  return started ?? previousEnd ?? created;
}

/**
 * Orders a story's steps by time. Nothing happens before `start`: objects older than the
 * story (a Node, a CronJob) appear at once. At equal times, objects come in file order and
 * logs after them, so a pod exists before its log is set.
 */
export function buildTimeline(
  objects: readonly KubeObject[],
  logs: readonly ScenarioLog[],
  start: number,
): Step[] {
  const steps: Step[] = [];
  for (const object of objects) {
    for (const state of statesOf(object, objects)) {
      steps.push({ at: Math.max(state.at, start), kind: 'apply', object: state.object });
    }
  }
  for (const log of logs) steps.push({ at: Math.max(logTime(log, objects), start), kind: 'logs', log });
  // Array.prototype.sort is stable, so equal times keep the push order described above.
  return steps.sort((a, b) => a.at - b.at);
}

/** Options of {@link playbackDelays}. */
export interface PlaybackPace {
  /** How many story seconds pass per played second. Default 60. */
  speed: number;
  /** Maximum wait between two steps, in ms, whatever the story gap. Default 1500. */
  maxGapMs: number;
}

/** Returns, for each step, how long to wait after the previous one, in ms. */
export function playbackDelays(steps: readonly Step[], pace: PlaybackPace): number[] {
  return steps.map((step, i) => {
    const before = i === 0 ? step.at : (steps[i - 1]?.at ?? step.at);
    return Math.min((step.at - before) / pace.speed, pace.maxGapMs);
  });
}
