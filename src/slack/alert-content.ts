/**
 * The content of an alert, independent of where it is shown: the Slack and terminal
 * renderers both start from {@link describeAlert}, so they show the same lines. Every string
 * that came from the cluster is sanitized here, and each renderer escapes it for its output.
 */
import type { CauseId, Confidence, EvidenceSource } from '../diagnose/types.ts';
import type { AlertView, AttemptView, JobParameters } from './alert-view.ts';
import { failedIndexesText } from './attempt-title.ts';
import { cleanText } from './escape.ts';
import { elapsedMs, formatDuration, formatUtc, parseTime } from './format.ts';
import { headline } from './headline.ts';

export interface EvidenceLine {
  source: EvidenceSource;
  object?: string;
  text: string;
}

export interface AttemptLine {
  number: number;
  pod: string;
  index?: number;
  /** Kubernetes reason, such as `OOMKilled`. */
  reason?: string;
  exitCode?: number;
  /** How long the attempt ran, in human units. */
  ran?: string;
}

/** A label and its value, such as `backoffLimit` and `6`. */
export interface Fact {
  label: string;
  value: string;
  /** True for names from the cluster, which Slack shows as inline code. */
  fromCluster?: boolean;
  /** For a time: the same instant in epoch seconds, which Slack shows in each reader's zone. */
  epochSeconds?: number;
}

export interface AlertContent {
  /** The header line with its state emoji, also used as the notification text. */
  headline: string;
  /** `namespace/name` of the Job. */
  jobRef: string;
  cause: CauseId;
  confidence: Confidence;
  secondary: CauseId[];
  summary: string;
  evidence: EvidenceLine[];
  fix: string;
  attempts: AttemptLine[];
  params: Fact[];
  /** CronJob, cluster and times, shown in small print. */
  context: Fact[];
  /** True for a recovered Job: the body shrinks to one line of what had gone wrong. */
  compact: boolean;
}

/** Builds the shared content of one alert from its view. */
export function describeAlert(view: AlertView): AlertContent {
  return {
    headline: headline(view),
    jobRef: cleanText(`${view.namespace}/${view.jobName}`),
    cause: view.cause,
    confidence: view.confidence,
    secondary: view.secondary,
    summary: cleanText(view.summary),
    evidence: view.evidence.map((quote) => ({
      source: quote.source,
      ...(quote.object === undefined ? {} : { object: cleanText(quote.object) }),
      text: cleanText(quote.text),
    })),
    fix: cleanText(view.fix),
    attempts: view.attempts.map(describeAttempt),
    params: describeParams(view.params),
    context: describeContext(view),
    compact: view.state === 'recovered',
  };
}

/**
 * Describes how one attempt ended: `OOMKilled, exit code 137`, or `no exit recorded`.
 *
 * @param formatReason - Formats the sanitized reason; Slack shows it as inline code.
 */
export function attemptOutcome(
  attempt: Pick<AttemptView, 'reason' | 'exitCode'>,
  formatReason: (reason: string) => string = (reason) => reason,
): string {
  const parts: string[] = [];
  if (attempt.reason !== undefined) {
    parts.push(formatReason(cleanText(attempt.reason)));
  }
  if (attempt.exitCode !== undefined) {
    parts.push(`exit code ${attempt.exitCode}`);
  }
  return parts.length > 0 ? parts.join(', ') : 'no exit recorded';
}

/** Returns how long an attempt ran, in human units, when both its times are known. */
export function attemptRunTime(attempt: AttemptView): string | undefined {
  const ms = elapsedMs(attempt.startedAt, attempt.finishedAt);
  return ms === undefined ? undefined : formatDuration(ms);
}

function describeAttempt(attempt: AttemptView): AttemptLine {
  const ran = attemptRunTime(attempt);
  return {
    number: attempt.number,
    pod: cleanText(attempt.pod),
    ...(attempt.index === undefined ? {} : { index: attempt.index }),
    ...(attempt.reason === undefined ? {} : { reason: cleanText(attempt.reason) }),
    ...(attempt.exitCode === undefined ? {} : { exitCode: attempt.exitCode }),
    ...(ran === undefined ? {} : { ran }),
  };
}

function describeParams(params: JobParameters): Fact[] {
  const facts: Fact[] = [];
  const add = (label: string, value: string | number | undefined): void => {
    if (value !== undefined) {
      facts.push({ label, value: cleanText(String(value)) });
    }
  };
  const allowed = params.attemptsAllowed;
  const failedIndexes = failedIndexesText(params);
  // A Job with backoffLimitPerIndex fails by index, so its counter is the failed indexes.
  if (failedIndexes === undefined) {
    add('Attempts', allowed === undefined ? params.attemptsUsed : `${params.attemptsUsed} of ${allowed}`);
  } else {
    add('Failed indexes', failedIndexes);
  }
  add('Duration', params.durationMs === undefined ? undefined : formatDuration(params.durationMs));
  add('backoffLimit', params.backoffLimit);
  add('backoffLimitPerIndex', params.backoffLimitPerIndex);
  add('activeDeadlineSeconds', deadlineText(params.activeDeadlineSeconds));
  add('completions', params.completions);
  add('parallelism', params.parallelism);
  add('completionMode', params.completionMode);
  add('restartPolicy', params.restartPolicy);
  add('Pods', `${params.failed} failed, ${params.succeeded} succeeded, ${params.active} active`);
  return facts;
}

function deadlineText(seconds: number | undefined): string | undefined {
  return seconds === undefined ? undefined : `${seconds} (${formatDuration(seconds * 1000)})`;
}

function describeContext(view: AlertView): Fact[] {
  const facts: Fact[] = [];
  if (view.cronJob !== undefined) {
    facts.push({ label: 'CronJob', value: cleanText(view.cronJob.name), fromCluster: true });
  }
  if (view.cluster !== undefined) {
    facts.push({ label: 'cluster', value: cleanText(view.cluster), fromCluster: true });
  }
  facts.push(...timeFact('opened', view.openedAt), ...timeFact('closed', view.closedAt));
  return facts;
}

/** Builds the fact for a time, or none when the time is absent or does not parse. */
export function timeFact(label: string, iso: string | undefined): Fact[] {
  const millis = parseTime(iso);
  const utc = formatUtc(iso);
  if (millis === undefined || utc === undefined) {
    return [];
  }
  return [{ label, value: utc, epochSeconds: millis / 1000 }];
}
