/**
 * Attempt titles and failed-index counts in words. A Job with backoffLimitPerIndex retries
 * each index against its own limit and fails indexes rather than the whole Job, so its
 * attempts count within their index and the Job counts failed indexes.
 */
import type { AttemptView, JobParameters } from './alert-view.ts';
import { plural } from './format.ts';

/**
 * Names an attempt in lower case: `attempt 2 of 7`, `attempt 2 of 7 (index 3)`, or
 * `index 3, attempt 1 of 2` when the Job limits each index, where the limit is
 * backoffLimitPerIndex + 1 runs. "of N" is left out when the limit is unknown.
 */
export function attemptTitle(params: JobParameters, attempt: Pick<AttemptView, 'number' | 'index'>): string {
  const perIndex = params.backoffLimitPerIndex;
  if (perIndex !== undefined) {
    if (attempt.index === undefined) {
      // Counted from status.failed after the pod was gone: the index and its limit are unknown.
      return `attempt ${attempt.number}`;
    }
    return `index ${attempt.index}, attempt ${attempt.number} of ${perIndex + 1}`;
  }
  const allowed = params.attemptsAllowed === undefined ? '' : ` of ${params.attemptsAllowed}`;
  const index = attempt.index === undefined ? '' : ` (index ${attempt.index})`;
  return `attempt ${attempt.number}${allowed}${index}`;
}

/** Returns {@link attemptTitle} capitalized, to open a line: `Attempt 2 of 7`, `Index 3, …`. */
export function attemptHeading(params: JobParameters, attempt: Pick<AttemptView, 'number' | 'index'>): string {
  const title = attemptTitle(params, attempt);
  return title.charAt(0).toUpperCase() + title.slice(1);
}

/**
 * Describes the failed indexes of a Job that limits each index: `none`, `1 (index 3)`,
 * `3 of 2 allowed (indexes 1,3-4)` when `spec.maxFailedIndexes` is set, or `not reported`
 * before the controller writes `status.failedIndexes`. Returns undefined for other Jobs.
 */
export function failedIndexesText(params: JobParameters): string | undefined {
  if (params.backoffLimitPerIndex === undefined) return undefined;
  const max = params.maxFailedIndexes;
  const count = params.failedIndexCount;
  if (count === undefined) return max === undefined ? 'not reported' : `not reported, ${max} allowed`;
  const allowed = max === undefined ? '' : ` of ${max} allowed`;
  if (count === 0) return allowed === '' ? 'none' : `0${allowed}`;
  const indexList = failedIndexList(params);
  return indexList === undefined ? `${count}${allowed}` : `${count}${allowed} (${indexList})`;
}

/** Lists the failed indexes: `index 3`, `indexes 1,3-4`, or undefined when none are reported. */
export function failedIndexList(params: JobParameters): string | undefined {
  const list = params.failedIndexes ?? '';
  if (list === '' || params.failedIndexCount === undefined) return undefined;
  return `${params.failedIndexCount === 1 ? 'index' : 'indexes'} ${list}`;
}

/**
 * Counts failed indexes in words for a headline: `1 failed index`, `3 failed indexes`, or
 * `failed indexes not reported` before the controller writes them.
 */
export function failedIndexCountText(params: JobParameters): string {
  const count = params.failedIndexCount;
  return count === undefined ? 'failed indexes not reported' : plural(count, 'failed index', 'failed indexes');
}
