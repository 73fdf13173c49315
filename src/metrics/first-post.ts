import type { V1Job } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { AlertView } from '../slack/alert-view.ts';
import type { Metrics } from './metrics.ts';

/** Job conditions that mark the controller's decision that the Job failed. */
const FAILURE_CONDITIONS = new Set(['FailureTarget', 'Failed']);

/**
 * Returns when a Job failed, in epoch milliseconds: the earliest `lastTransitionTime` of
 * its true `FailureTarget` or `Failed` condition, else the earliest `finishedAt` of its
 * failed attempts. Undefined when neither is known, as for a pod stuck before it ran.
 */
export function failureTimeMs(
  job: V1Job | undefined,
  attempts: readonly { finishedAt?: string }[],
): number | undefined {
  const conditionTimes = (job?.status?.conditions ?? [])
    .filter((c) => FAILURE_CONDITIONS.has(c.type) && c.status === 'True')
    .map((c) => timeMs(c.lastTransitionTime));
  const fromConditions = earliest(conditionTimes);
  if (fromConditions !== undefined) return fromConditions;
  return earliest(attempts.map((attempt) => timeMs(attempt.finishedAt)));
}

/**
 * Counts an alert posted on its own for the first time, with its failure-to-post latency.
 * An alert shown only in a storm digest is not counted. The Job's conditions come from the
 * copy the worker stored. A failed read is logged, and the latency then falls back to the
 * attempts, because metrics must not fail a delivery.
 */
export async function reportFirstPost(
  deps: { metrics: Metrics; getJob(uid: string): Promise<V1Job | undefined>; logger: Logger },
  view: AlertView,
  acceptedAtMs: number | undefined,
): Promise<void> {
  const job = await deps.getJob(view.key).catch((err: unknown) => {
    deps.logger.debug({ err, jobUid: view.key }, 'stored job not read for the post latency');
    return undefined;
  });
  deps.metrics.firstPost({
    cluster: view.cluster ?? '',
    cause: view.cause,
    failedAtMs: failureTimeMs(job, view.attempts),
    acceptedAtMs,
  });
}

function timeMs(value: Date | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function earliest(times: (number | undefined)[]): number | undefined {
  const known = times.filter((t): t is number => t !== undefined);
  return known.length > 0 ? Math.min(...known) : undefined;
}
