/**
 * Writes failing Jobs into the simulated cluster the way the job controller and the kubelet
 * would: the Job, its one pod, the pod's failure, then the Job's `Failed` condition.
 */
import { CHANNEL_ANNOTATION, NOTIFY_ANNOTATION, type NotifyMode } from '../src/config/routing.ts';
import type { SimCluster } from '../src/sim/index.ts';
import { JobStory } from '../test/support/job-story.ts';
import { benchNowMs } from './bench-clock.ts';

/** Namespaces the load spreads its Jobs over, as many teams' Jobs would be. */
export const LOAD_NAMESPACES = 50;

/** The last lines of the failed container's log, which the worker reads and diagnoses. */
const FAILED_LOG = [
  'loading partition 2026-12-03 from s3://bench-bucket/events',
  'Traceback (most recent call last):',
  '  File "/app/etl.py", line 88, in <module>',
  'ValueError: column "amount" has 12 null values',
  '',
].join('\n');

/** One Job of the load and what the bench needs to know about it. */
export interface LoadJob {
  index: number;
  story: JobStory;
  channel: string;
  notify: NotifyMode;
  /** When the `Failed` condition was written, on {@link benchNowMs}'s clock. */
  failedAtMs?: number;
}

/** Destination of a Job's alert: its channel (set by annotation) and its notify mode. */
export interface LoadRoute {
  channel: string;
  notify: NotifyMode;
}

/**
 * Creates Job number `index` with `backoffLimit: 0`, routed by the `jobwatch.io/channel` and
 * `jobwatch.io/notify` annotations, then starts its pod and fails it (exit code 1, `Error`).
 */
export function startFailingJob(sim: SimCluster, index: number, route: LoadRoute): LoadJob {
  const story = new JobStory(sim, {
    namespace: `bench-${index % LOAD_NAMESPACES}`,
    name: `etl-${String(index).padStart(5, '0')}`,
    backoffLimit: 0,
    annotations: { [CHANNEL_ANNOTATION]: route.channel, [NOTIFY_ANNOTATION]: route.notify },
  });
  const pod = story.startPod();
  story.failPod(pod, { exitCode: 1, reason: 'Error', log: FAILED_LOG });
  return { index, story, ...route };
}

/**
 * Writes the Job's `FailureTarget` and `Failed` conditions and records the time taken just
 * before the write, so the latency includes the simulated API server's own share.
 */
export function failLoadJob(job: LoadJob): void {
  job.failedAtMs = benchNowMs();
  job.story.failJob();
}
