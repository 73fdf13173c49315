/**
 * The first line of an alert: which Job, how bad, and why. Slack shows it as the header
 * and as the notification text; the terminal prints it first.
 */
import type { AlertView, EpisodeState } from './alert-view.ts';
import { attemptTitle, failedIndexCountText, failedIndexList } from './attempt-title.ts';
import { cleanText } from './escape.ts';
import { formatDuration, plural } from './format.ts';

/** The emoji that opens the headline of each episode state. */
export const STATE_EMOJI: Record<EpisodeState, string> = {
  failing: '🟡',
  stuck: '🟠',
  failed: '🔴',
  recovered: '🟢',
  deleted: '⚪',
};

/**
 * Builds the sanitized, unescaped headline of an alert, such as
 * `🔴 reports/nightly-report-28911440 failed: backoff limit reached (7 of 7 attempts, 14m)`.
 */
export function headline(view: AlertView): string {
  const job = cleanText(`${view.namespace}/${view.jobName}`);
  return `${STATE_EMOJI[view.state]} ${job} ${stateClause(view)}`;
}

function stateClause(view: AlertView): string {
  switch (view.state) {
    case 'failing':
      return `is failing: ${lastReason(view)} (${attemptCount(view)})`;
    case 'stuck':
      return `is stuck: ${stuckReason(view)}`;
    case 'failed':
      return `failed: ${howItEnded(view)}`;
    case 'recovered':
      return `recovered after ${plural(failedAttempts(view), 'failed attempt')}`;
    case 'deleted':
      return 'was deleted while failing';
  }
}

/** Counts the failed attempts of a view, from the Job status or else from its attempts. */
export function failedAttempts(view: AlertView): number {
  return Math.max(view.params.failed, view.attempts.length);
}

/** Returns the newest attempt's Kubernetes reason, or else the cause id. */
function lastReason(view: AlertView): string {
  const reason = view.attempts.at(-1)?.reason;
  return reason === undefined ? view.cause : cleanText(reason);
}

function attemptCount(view: AlertView): string {
  const { attemptsUsed, attemptsAllowed, backoffLimitPerIndex } = view.params;
  if (backoffLimitPerIndex !== undefined) {
    const newest = view.attempts.at(-1);
    return newest === undefined ? failedIndexCountText(view.params) : attemptTitle(view.params, newest);
  }
  return attemptsAllowed === undefined
    ? `attempt ${attemptsUsed}`
    : `attempt ${attemptsUsed} of ${attemptsAllowed}`;
}

function stuckReason(view: AlertView): string {
  const reason = view.reason === null ? view.cause : cleanText(view.reason);
  const ms = view.params.durationMs;
  return ms === undefined ? reason : `${reason} for ${formatDuration(ms)}`;
}

/** Says how a failed Job ended, from the reason of its `Failed` condition. */
function howItEnded(view: AlertView): string {
  const { params } = view;
  const took = params.durationMs === undefined ? '' : `, ${formatDuration(params.durationMs)}`;
  switch (view.reason) {
    case 'BackoffLimitExceeded':
      return `backoff limit reached (${attemptsAgainstBackoffLimit(view)}${took})`;
    case 'DeadlineExceeded': {
      const deadline = params.activeDeadlineSeconds;
      return deadline === undefined
        ? 'deadline exceeded'
        : `deadline exceeded (activeDeadlineSeconds ${formatDuration(deadline * 1000)})`;
    }
    case 'PodFailurePolicy': {
      const exitCode = view.attempts.at(-1)?.exitCode;
      return exitCode === undefined
        ? 'pod failure policy'
        : `pod failure policy (exit code ${exitCode})`;
    }
    case 'MaxFailedIndexesExceeded':
      return `too many failed indexes (${overMaxFailedIndexes(view)}${took})`;
    case 'FailedIndexes':
      return `some indexes failed (${failedIndexList(params) ?? plural(params.failed, 'failed pod')}${took})`;
    case null:
      return view.cause;
    default:
      return cleanText(view.reason);
  }
}

/** `7 of 7 attempts`; with backoffLimitPerIndex, attemptsUsed counts one index, so failed pods. */
function attemptsAgainstBackoffLimit(view: AlertView): string {
  const { params } = view;
  if (params.backoffLimitPerIndex !== undefined) return plural(params.failed, 'failed pod');
  return params.attemptsAllowed === undefined
    ? plural(params.attemptsUsed, 'attempt')
    : `${params.attemptsUsed} of ${params.attemptsAllowed} attempts`;
}

/** `3 of 2 allowed: indexes 1,3-4`, or the failed pod count before the controller reports indexes. */
function overMaxFailedIndexes(view: AlertView): string {
  const { params } = view;
  const indexList = failedIndexList(params);
  if (indexList === undefined || params.maxFailedIndexes === undefined) return plural(params.failed, 'failed pod');
  return `${params.failedIndexCount ?? 0} of ${params.maxFailedIndexes} allowed: ${indexList}`;
}
