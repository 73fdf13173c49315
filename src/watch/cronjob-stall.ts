import { nextSlot, readCronSchedule, slotsBetween, type CronSchedule } from '../diagnose/cron-schedule.ts';
import type { SlimCronJob, SlimJob } from './slim.ts';

/** Stuck reason of a CronJob whose scheduled times pass without a new Job. */
export const MISSED_SCHEDULES_REASON = 'MissedSchedules';
/** Stuck reason of a CronJob run that keeps running far past its usual duration while runs are lost. */
export const RUN_OVERDUE_REASON = 'RunOverdue';

/**
 * The maximum number of scheduled times counted. The CronJob controller itself treats more
 * than 100 missed start times as too many.
 */
export const MAX_COUNTED_SLOTS = 1000;

/** One Job of a CronJob, as the watcher last saw it. */
export interface CronJobRun {
  uid: string;
  name: string;
  startTime?: string;
  completionTime?: string;
  /** True once the Job has the `Complete` condition. */
  succeeded: boolean;
}

/** Collects the runs of one CronJob from `jobs`, matched by the uid of their owning CronJob. */
export function cronJobRuns(jobs: Iterable<SlimJob>, cronJobUid: string): CronJobRun[] {
  const runs: CronJobRun[] = [];
  for (const job of jobs) {
    if (job.cronJob?.uid !== cronJobUid) continue;
    const run: CronJobRun = { uid: job.uid, name: job.name, succeeded: job.complete };
    if (job.startTime !== undefined) run.startTime = job.startTime;
    if (job.completionTime !== undefined) run.completionTime = job.completionTime;
    runs.push(run);
  }
  return runs;
}

/** Thresholds of {@link findCronJobStall}. */
export interface CronJobStallOptions {
  /** Scheduled times that may pass without a new run before a stall is reported. Default 2. */
  missedRunsThreshold?: number;
  /** How many times its longest recent successful run an active run may take. Default 3. */
  overdueFactor?: number;
  /**
   * How late the controller may start a run before its time counts as missed, in
   * milliseconds, on top of `spec.startingDeadlineSeconds`. Default 60,000.
   */
  startGraceMs?: number;
}

/** A CronJob that has stopped producing runs. */
export interface CronJobStall {
  /** Stable per CronJob and stalled schedule slot (or overdue run), so each is reported once. */
  key: string;
  reason: typeof MISSED_SCHEDULES_REASON | typeof RUN_OVERDUE_REASON;
  /** The first scheduled time without a run (ISO 8601), or the overdue run's start. */
  since: string;
  /** Scheduled times that came due with no new run, up to {@link MAX_COUNTED_SLOTS}. */
  missed: number;
  /** The run that blocks or outlasts the schedule, for `RunOverdue`. */
  job?: { name: string; uid: string };
  message: string;
}

/**
 * Finds a CronJob that stopped producing runs at `nowMs` (milliseconds since the epoch).
 * `MissedSchedules`: the schedule came due more than `missedRunsThreshold` times since
 * `status.lastScheduleTime` (or the CronJob's creation) with no new run. `RunOverdue`:
 * the oldest active run has lasted `overdueFactor` times the longest recent successful
 * run and at least one schedule interval, while `Forbid` skips runs or `Allow` piles them
 * up. A suspended CronJob or a schedule jobwatch cannot read yields undefined.
 */
export function findCronJobStall(
  cronJob: SlimCronJob,
  runs: readonly CronJobRun[],
  nowMs: number,
  options: CronJobStallOptions = {},
): CronJobStall | undefined {
  if (cronJob.suspended) return undefined;
  const schedule = readCronSchedule(cronJob.schedule, cronJob.timeZone);
  if (!schedule) return undefined;
  const sinceMs = Date.parse(cronJob.lastScheduleTime ?? cronJob.createdAt);
  if (Number.isNaN(sinceMs)) return undefined;
  const slackMs = (cronJob.startingDeadlineSeconds ?? 0) * 1000 + (options.startGraceMs ?? 60_000);
  const due = slotsBetween(schedule, sinceMs, nowMs - slackMs, MAX_COUNTED_SLOTS);
  if (cronJob.active.length > 0 && cronJob.concurrencyPolicy !== 'Replace') {
    const overdue = overdueRun(cronJob, schedule, runs, nowMs, options.overdueFactor ?? 3);
    const blocked = cronJob.concurrencyPolicy === 'Forbid' ? due.length > 0 : cronJob.active.length > 1;
    if (overdue && blocked) return overdueStall(cronJob, overdue, due.length);
    // Forbid skips runs on purpose while the last one is within its usual time.
    if (cronJob.concurrencyPolicy === 'Forbid') return undefined;
  }
  if (due.length <= (options.missedRunsThreshold ?? 2)) return undefined;
  const first = new Date(due[0] ?? sinceMs).toISOString();
  return {
    key: `missed.${cronJob.lastScheduleTime ?? cronJob.createdAt}`,
    reason: MISSED_SCHEDULES_REASON,
    since: first,
    missed: due.length,
    message: `${countText(due.length)} scheduled run(s) of schedule "${cronJob.schedule}" (${schedule.timeZone}) came due since ${first} with no new Job`,
  };
}

interface OverdueRun {
  job: { name: string; uid: string };
  startMs: number;
  runningMs: number;
  limitMs: number;
  usualMs: number | undefined;
}

/**
 * Returns the oldest active run when it has run past its limit: `factor` times the
 * longest successful run seen, and never less than one schedule interval. With no
 * successful run seen, the limit is `factor` schedule intervals.
 */
function overdueRun(cronJob: SlimCronJob, schedule: CronSchedule, runs: readonly CronJobRun[], nowMs: number, factor: number): OverdueRun | undefined {
  const active = cronJob.active
    .map((ref) => ({ ref, run: runs.find((r) => r.uid === ref.uid) }))
    .map(({ ref, run }) => ({ job: ref, startMs: Date.parse(run?.startTime ?? cronJob.lastScheduleTime ?? '') }))
    .filter((a) => !Number.isNaN(a.startMs))
    .sort((a, b) => a.startMs - b.startMs)[0];
  if (!active) return undefined;
  const first = nextSlot(schedule, active.startMs);
  const intervalMs = nextSlot(schedule, first) - first;
  const usualMs = longestSuccessMs(runs);
  const limitMs = usualMs === undefined ? factor * intervalMs : Math.max(factor * usualMs, intervalMs);
  const runningMs = nowMs - active.startMs;
  if (runningMs < limitMs) return undefined;
  return { ...active, runningMs, limitMs, usualMs };
}

function longestSuccessMs(runs: readonly CronJobRun[]): number | undefined {
  const durations = runs
    .filter((r) => r.succeeded && r.startTime !== undefined && r.completionTime !== undefined)
    .map((r) => Date.parse(r.completionTime ?? '') - Date.parse(r.startTime ?? ''))
    .filter((ms) => Number.isFinite(ms) && ms >= 0);
  return durations.length === 0 ? undefined : Math.max(...durations);
}

function overdueStall(cronJob: SlimCronJob, overdue: OverdueRun, missed: number): CronJobStall {
  const usual = overdue.usualMs === undefined ? 'no successful run seen' : `longest recent successful run ${formatDuration(overdue.usualMs)}`;
  const lost =
    cronJob.concurrencyPolicy === 'Forbid'
      ? `${countText(missed)} scheduled run(s) skipped (concurrencyPolicy Forbid)`
      : `${cronJob.active.length} runs active at once (concurrencyPolicy ${cronJob.concurrencyPolicy})`;
  return {
    key: `overdue.${overdue.job.uid}`,
    reason: RUN_OVERDUE_REASON,
    since: new Date(overdue.startMs).toISOString(),
    missed,
    job: overdue.job,
    message: `Job ${overdue.job.name} has run ${formatDuration(overdue.runningMs)}, past its limit of ${formatDuration(overdue.limitMs)} (${usual}); ${lost}`,
  };
}

function countText(count: number): string {
  return count >= MAX_COUNTED_SLOTS ? `${MAX_COUNTED_SLOTS}+` : String(count);
}

/** Formats milliseconds as `2h05m`, `12m` or `40s`. */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes === 0) return `${Math.floor(ms / 1000)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours === 0) return `${minutes}m`;
  return `${hours}h${String(minutes % 60).padStart(2, '0')}m`;
}
