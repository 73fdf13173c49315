import type { CoreV1Event, V1CronJob } from '@kubernetes/client-node';
import { toMillis } from './context.ts';
import type { DiagnosisContext } from './context.ts';
import { readCronSchedule, slotsBetween } from './cron-schedule.ts';
import { eventQuote, quote } from './evidence.ts';
import type { Finding } from './finding.ts';
import type { Ranking } from './rank.ts';
import type { EvidenceQuote } from './types.ts';

/**
 * Event reasons the CronJob controller of Kubernetes v1.37 records when it does not
 * start a scheduled run (pkg/controller/cronjob). `FailedNeedsStart` is the older
 * controller's "Cannot determine if job needs to be started: too many missed start
 * times (> 100)", which stopped scheduling altogether.
 */
const SKIP_REASONS = ['JobAlreadyActive', 'MissSchedule', 'TooManyMissedTimes', 'FailedNeedsStart'];
/** Reasons of a schedule or time zone the controller cannot use, so no run ever starts. */
const BLOCK_REASONS = ['InvalidSchedule', 'UnparseableSchedule', 'UnknownTimeZone'];

/** Scheduled times counted at most from the CronJob status alone. */
const MAX_COUNTED = 1000;

/**
 * Reads why a CronJob stopped producing runs: the controller's events about the CronJob
 * since this run began, or, with no such events, the scheduled times that passed since
 * `status.lastScheduleTime` while the run snapshot has no status of its own. Returns
 * undefined for a Job that no CronJob owns or a CronJob that is keeping its schedule.
 */
export function cronJobFinding(ctx: DiagnosisContext): Finding | undefined {
  const cronJob = ctx.snapshot.cronJob;
  const name = cronJob?.metadata?.name;
  if (cronJob === undefined || name === undefined) return undefined;
  const sinceMs = toMillis(ctx.snapshot.job.metadata?.creationTimestamp);
  const events = ctx.eventsFor('CronJob', name).filter((e) => lastMs(e) >= sinceMs);
  const blocked = events.filter((e) => BLOCK_REASONS.includes(e.reason ?? '')).at(-1);
  if (blocked !== undefined) return blockedFinding(ctx, cronJob, blocked);
  const skipped = events.filter((e) => SKIP_REASONS.includes(e.reason ?? ''));
  if (skipped.length > 0) return skippedFinding(ctx, cronJob, skipped);
  if (ctx.snapshot.job.status === undefined) return statusFinding(ctx, cronJob);
  return pileFinding(ctx, cronJob);
}

/**
 * Joins the CronJob finding to the ranking of the Job's own findings. A cause read from
 * the run's pods or its failure stays primary, and the missed runs become a secondary
 * cause with their events as evidence. With nothing else found, the missed runs are the cause.
 */
export function withCronJobFinding(ranking: Ranking | undefined, cronJob: Finding | undefined): Ranking | undefined {
  if (cronJob === undefined) return ranking;
  if (ranking === undefined) return { primary: cronJob, share: { same: 1, total: 1 }, secondary: [] };
  const secondary = ranking.secondary.includes(cronJob.cause) ? ranking.secondary : [...ranking.secondary, cronJob.cause];
  return { ...ranking, primary: { ...ranking.primary, evidence: [...ranking.primary.evidence, ...cronJob.evidence] }, secondary };
}

function skippedFinding(ctx: DiagnosisContext, cronJob: V1CronJob, events: CoreV1Event[]): Finding {
  const name = cronJob.metadata?.name ?? '';
  const count = (reason: string) => events.filter((e) => e.reason === reason).reduce((sum, e) => sum + countOf(e), 0);
  const since = formatTime(Math.min(...events.map(firstMs)));
  const active = (cronJob.status?.active ?? []).map((ref) => ref.name).filter((n) => n !== undefined);
  const run = active.length > 0 ? active.join(', ') : ctx.jobName;
  const parts: string[] = [];
  const forbidden = count('JobAlreadyActive');
  if (forbidden > 0) parts.push(`skipped ${forbidden} scheduled run(s) since ${since} because run ${run} is still active (concurrencyPolicy Forbid)`);
  const late = count('MissSchedule');
  const deadline = cronJob.spec?.startingDeadlineSeconds;
  if (late > 0) parts.push(`missed ${late} scheduled start(s) since ${since} that came later than startingDeadlineSeconds (${deadline ?? 'unset'}) allows`);
  if (count('TooManyMissedTimes') + count('FailedNeedsStart') > 0) {
    parts.push('counted more than 100 missed start times since status.lastScheduleTime');
  }
  return {
    cause: 'schedule-missed',
    confidence: 'high',
    detail: `CronJob ${ctx.namespace}/${name} ${parts.join('; ')}`,
    fix: skipFix(ctx, cronJob, forbidden > 0 ? run : undefined),
    evidence: [...latestPerReason(events).map((e) => eventQuote(e)), ...specQuotes(cronJob)],
    atMs: Math.max(...events.map(lastMs)),
    ran: active.length > 0,
  };
}

function blockedFinding(ctx: DiagnosisContext, cronJob: V1CronJob, event: CoreV1Event): Finding {
  const name = cronJob.metadata?.name ?? '';
  return {
    cause: 'schedule-missed',
    confidence: 'high',
    detail: `CronJob ${ctx.namespace}/${name} starts no run because the controller rejects its schedule: ${event.message ?? event.reason ?? ''}`,
    fix: `Correct spec.schedule or spec.timeZone of CronJob ${name}. More: \`${cronJobYaml(ctx, name)}\` and \`${cronJobEvents(ctx, name)}\`.`,
    evidence: [eventQuote(event), ...specQuotes(cronJob)],
    atMs: lastMs(event),
    ran: false,
  };
}

/** Counts the scheduled times that passed with no run, from the CronJob's spec and status. */
function statusFinding(ctx: DiagnosisContext, cronJob: V1CronJob): Finding | undefined {
  const spec = cronJob.spec;
  if (spec === undefined || spec.suspend === true) return undefined;
  const schedule = readCronSchedule(spec.schedule, spec.timeZone);
  const sinceMs = toMillis(cronJob.status?.lastScheduleTime ?? cronJob.metadata?.creationTimestamp);
  const nowMs = toMillis(ctx.snapshot.now);
  if (schedule === undefined || sinceMs === 0 || nowMs === 0) return undefined;
  const slackMs = (spec.startingDeadlineSeconds ?? 0) * 1000;
  const due = slotsBetween(schedule, sinceMs, nowMs - slackMs, MAX_COUNTED);
  const first = due[0];
  if (first === undefined) return undefined;
  const name = cronJob.metadata?.name ?? '';
  const lastRun = cronJob.status?.lastScheduleTime === undefined ? 'it was created' : 'status.lastScheduleTime';
  return {
    cause: 'schedule-missed',
    confidence: 'medium',
    detail: `CronJob ${ctx.namespace}/${name} started no run for ${due.length} scheduled time(s) since ${formatTime(first)} (${lastRun})`,
    fix: skipFix(ctx, cronJob, undefined),
    evidence: specQuotes(cronJob),
    atMs: nowMs,
    ran: false,
  };
}

/** Reads `status.active` of an `Allow` CronJob whose runs overlap while this one has not failed. */
function pileFinding(ctx: DiagnosisContext, cronJob: V1CronJob): Finding | undefined {
  const active = (cronJob.status?.active ?? []).map((ref) => ref.name ?? '');
  const policy = cronJob.spec?.concurrencyPolicy ?? 'Allow';
  if (policy !== 'Allow' || active.length < 2 || !active.includes(ctx.jobName) || ctx.failure !== undefined) return undefined;
  const name = cronJob.metadata?.name ?? '';
  return {
    cause: 'schedule-missed',
    confidence: 'medium',
    detail: `CronJob ${ctx.namespace}/${name} has ${active.length} runs active at once (concurrencyPolicy Allow): ${active.join(', ')}`,
    fix: skipFix(ctx, cronJob, active[0]),
    evidence: [quote('status', `status.active: ${active.join(', ')}`, `cronjob/${name}`), ...specQuotes(cronJob)],
    atMs: toMillis(ctx.snapshot.now),
    ran: true,
  };
}

function skipFix(ctx: DiagnosisContext, cronJob: V1CronJob, activeRun: string | undefined): string {
  const name = cronJob.metadata?.name ?? '';
  const steps: string[] = [];
  if (activeRun !== undefined) {
    steps.push(`Find why run ${activeRun} hangs and delete it to let the schedule resume; set spec.jobTemplate.spec.activeDeadlineSeconds so a hung run ends on its own.`);
  }
  const deadline = cronJob.spec?.startingDeadlineSeconds;
  steps.push(
    deadline === undefined
      ? 'Set spec.startingDeadlineSeconds so the controller counts missed start times only within that window and a long outage cannot stop the schedule.'
      : `Check that spec.startingDeadlineSeconds (${deadline}) is longer than the controller's start delay and clock skew.`,
  );
  return `${steps.join(' ')} More: \`${cronJobYaml(ctx, name)}\` and \`${cronJobEvents(ctx, name)}\`.`;
}

function specQuotes(cronJob: V1CronJob): EvidenceQuote[] {
  const object = `cronjob/${cronJob.metadata?.name ?? ''}`;
  const spec = cronJob.spec;
  const quotes = [quote('spec', `spec.schedule: ${spec?.schedule ?? ''}`, object)];
  quotes.push(quote('spec', `spec.concurrencyPolicy: ${spec?.concurrencyPolicy ?? 'Allow'}`, object));
  if (spec?.startingDeadlineSeconds !== undefined) quotes.push(quote('spec', `spec.startingDeadlineSeconds: ${spec.startingDeadlineSeconds}`, object));
  const last = cronJob.status?.lastScheduleTime;
  if (last !== undefined) quotes.push(quote('status', `status.lastScheduleTime: ${new Date(last).toISOString()}`, object));
  return quotes;
}

function latestPerReason(events: CoreV1Event[]): CoreV1Event[] {
  const byReason = new Map<string, CoreV1Event>();
  for (const event of events) byReason.set(event.reason ?? '', event);
  return [...byReason.values()];
}

function countOf(event: CoreV1Event): number {
  return event.count ?? event.series?.count ?? 1;
}

function firstMs(event: CoreV1Event): number {
  return toMillis(event.firstTimestamp ?? event.eventTime ?? event.lastTimestamp);
}

function lastMs(event: CoreV1Event): number {
  return toMillis(event.lastTimestamp ?? event.series?.lastObservedTime ?? event.eventTime ?? event.firstTimestamp);
}

/** `2026-05-04 02:00 UTC`: scheduled times fall on whole minutes. */
function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function cronJobYaml(ctx: DiagnosisContext, name: string): string {
  return `kubectl get cronjob ${name} -n ${ctx.namespace} -o yaml`;
}

function cronJobEvents(ctx: DiagnosisContext, name: string): string {
  return `kubectl get events -n ${ctx.namespace} --field-selector involvedObject.name=${name}`;
}
