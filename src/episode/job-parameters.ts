import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { AttemptRecord } from '../queue/signals.ts';
import type { JobParameters } from '../slack/alert-view.ts';

/** The backoffLimit Kubernetes applies when a Job leaves it unset. */
export const DEFAULT_BACKOFF_LIMIT = 6;

/**
 * Copies a Job's limits and counters and works out "attempt N of M" for its
 * shape: retries count failed pods with `restartPolicy: Never`, container restarts
 * with `OnFailure` (where `status.failed` stays 0 until the Job fails), and each
 * index on its own with `backoffLimitPerIndex`.
 */
export function jobParameters(job: V1Job, pods: V1Pod[], attempts: AttemptRecord[], nowMs: number): JobParameters {
  const spec = job.spec ?? { template: {} };
  const status = job.status ?? {};
  const params: JobParameters = {
    failed: status.failed ?? 0,
    succeeded: status.succeeded ?? 0,
    active: status.active ?? 0,
    attemptsUsed: 0,
  };
  setIf(params, 'backoffLimit', spec.backoffLimit);
  setIf(params, 'backoffLimitPerIndex', spec.backoffLimitPerIndex);
  setIf(params, 'activeDeadlineSeconds', spec.activeDeadlineSeconds);
  setIf(params, 'completions', spec.completions);
  setIf(params, 'parallelism', spec.parallelism);
  setIf(params, 'completionMode', spec.completionMode);
  setIf(params, 'restartPolicy', spec.template?.spec?.restartPolicy);
  if (spec.backoffLimitPerIndex !== undefined && spec.backoffLimitPerIndex !== null) {
    setIf(params, 'maxFailedIndexes', spec.maxFailedIndexes);
    // The job controller keeps status.failedIndexes, as "1,3-5", only for Jobs with a
    // per-index limit. Until it writes the field, the failed indexes are unknown.
    const failedIndexes = status.failedIndexes;
    if (failedIndexes !== undefined && failedIndexes !== null) {
      params.failedIndexes = failedIndexes;
      params.failedIndexCount = countIndexes(failedIndexes);
    }
  }
  const start = isoOf(status.startTime);
  if (start) {
    params.startTime = start;
    const end = failedAt(job) ?? isoOf(status.completionTime);
    params.durationMs = Math.max(0, (end ? Date.parse(end) : nowMs) - Date.parse(start));
  }
  Object.assign(params, attemptCounts(job, pods, attempts));
  return params;
}

function attemptCounts(job: V1Job, pods: V1Pod[], attempts: AttemptRecord[]): Pick<JobParameters, 'attemptsUsed' | 'attemptsAllowed'> {
  const spec = job.spec;
  const perIndex = spec?.backoffLimitPerIndex;
  if (perIndex !== undefined && perIndex !== null) {
    // Per-index limits: report the index of the newest failure.
    const index = attempts.at(-1)?.index;
    const used = attempts.filter((a) => a.index === index).length;
    return { attemptsUsed: used, attemptsAllowed: perIndex + 1 };
  }
  const allowed = (spec?.backoffLimit ?? DEFAULT_BACKOFF_LIMIT) + 1;
  const failed = job.status?.failed ?? 0;
  let used = failed;
  if (spec?.template?.spec?.restartPolicy === 'OnFailure') {
    // The controller counts restarts of pods that have not finished yet.
    used += pods
      .filter((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')
      .flatMap((p) => p.status?.containerStatuses ?? [])
      .reduce((sum, s) => sum + (s.restartCount ?? 0), 0);
  }
  return { attemptsUsed: Math.min(allowed, Math.max(used, attempts.length)), attemptsAllowed: allowed };
}

/**
 * Counts the indexes of an interval list such as `"1,3-5,7"` (5), the format of a Job's
 * `status.completedIndexes` and `status.failedIndexes`. Returns 0 for an empty list and
 * skips intervals that do not parse.
 */
export function countIndexes(list: string): number {
  let count = 0;
  for (const interval of list.split(',')) {
    const match = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(interval);
    if (!match) continue;
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last >= first) count += last - first + 1;
  }
  return count;
}

function failedAt(job: V1Job): string | undefined {
  const failed = job.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  return isoOf(failed?.lastTransitionTime);
}

function isoOf(value: Date | string | undefined | null): string | undefined {
  if (value === undefined || value === null) return undefined;
  return value instanceof Date ? value.toISOString() : value;
}

function setIf<K extends keyof JobParameters>(target: JobParameters, key: K, value: JobParameters[K] | null | undefined): void {
  if (value !== undefined && value !== null) target[key] = value;
}
