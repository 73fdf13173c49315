/**
 * The content of a CronJob incident, shared by the Slack and terminal renderers. Strings
 * from the cluster are sanitized here and escaped by each renderer.
 */
import type { CauseId } from '../diagnose/types.ts';
import type { IncidentView } from './alert-view.ts';
import { cleanText } from './escape.ts';
import { plural } from './format.ts';

/** Maximum runs shown in the history line, newest kept. */
export const MAX_HISTORY_RUNS = 20;

/** Maximum runs listed by name, newest kept. */
export const MAX_LISTED_RUNS = 5;

const OUTCOME_EMOJI = { succeeded: '✅', failed: '❌', running: '⏳' } as const;

type Run = IncidentView['runs'][number];

export interface IncidentContent {
  headline: string;
  /** Outcome emoji of the newest runs, oldest first, such as `✅ ✅ ❌ ❌`. */
  history: string;
  /** Runs left out of the history line. */
  hiddenRuns: number;
  /** The newest runs by name, oldest first. */
  recentRuns: { emoji: string; jobName: string }[];
  lastCause?: CauseId;
  lastSummary?: string;
  cluster?: string;
}

/** Builds the shared content of a CronJob incident from its view. */
export function describeIncident(view: IncidentView): IncidentContent {
  const shown = view.runs.slice(-MAX_HISTORY_RUNS);
  return {
    headline: incidentHeadline(view),
    history: shown.map((run) => OUTCOME_EMOJI[run.outcome]).join(' '),
    hiddenRuns: view.runs.length - shown.length,
    recentRuns: view.runs.slice(-MAX_LISTED_RUNS).map((run) => ({
      emoji: OUTCOME_EMOJI[run.outcome],
      jobName: cleanText(run.jobName),
    })),
    ...(view.lastCause === undefined ? {} : { lastCause: view.lastCause }),
    ...(view.lastSummary === undefined ? {} : { lastSummary: cleanText(view.lastSummary) }),
    ...(view.cluster === undefined ? {} : { cluster: cleanText(view.cluster) }),
  };
}

/**
 * Builds the sanitized, unescaped headline of an incident, such as
 * `🔴 reports/nightly-report failed 3 of its last 4 runs`, `🟡 … is failing` while the
 * first troubled run still retries, or once resolved
 * `🟢 reports/nightly-report resolved: run nightly-report-28911460 succeeded after 3 failed
 * runs`.
 */
export function incidentHeadline(view: IncidentView): string {
  const cronJob = cleanText(`${view.namespace}/${view.cronJobName}`);
  const failed = plural(view.failedRuns, 'failed run');
  if (view.resolved) {
    const success = view.runs.findLast((run) => run.outcome === 'succeeded');
    const run = success === undefined ? 'a run' : `run ${cleanText(success.jobName)}`;
    return `🟢 ${cronJob} resolved: ${run} succeeded after ${failed}`;
  }
  if (view.failedRuns === 0) {
    // The first troubled run is still retrying: nothing has failed for good yet.
    const running = view.runs.findLast((run) => run.outcome === 'running');
    return `🟡 ${cronJob} is failing: run ${cleanText(running?.jobName ?? 'unknown')} is retrying`;
  }
  const window = failureWindow(view.runs, view.failedRuns);
  if (window === undefined) return `🔴 ${cronJob} failed ${plural(view.failedRuns, 'run')}`;
  if (window === view.failedRuns) {
    return window === 1 ? `🔴 ${cronJob} failed its last run` : `🔴 ${cronJob} failed its last ${window} runs`;
  }
  return `🔴 ${cronJob} failed ${view.failedRuns} of its last ${plural(window, 'run')}`;
}

/**
 * Counts the newest finished runs that hold the incident's `failedRuns` failures, or
 * returns undefined when the history is too short to hold them all.
 */
function failureWindow(runs: Run[], failedRuns: number): number | undefined {
  if (failedRuns <= 0) {
    return undefined;
  }
  const finished = runs.filter((run) => run.outcome !== 'running');
  let failures = 0;
  for (let i = finished.length - 1; i >= 0; i -= 1) {
    if (finished[i]?.outcome === 'failed') {
      failures += 1;
    }
    if (failures === failedRuns) {
      return finished.length - i;
    }
  }
  return undefined;
}
