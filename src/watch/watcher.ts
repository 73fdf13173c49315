import type { Logger } from 'pino';
import { failpoint } from '../failpoint.ts';
import type { CapturedEvidence, Signal } from '../queue/signals.ts';
import { SIGNAL_VERSION } from '../queue/signals.ts';
import { gonePodAttemptKey } from '../episode/gone-pod-attempts.ts';
import { attemptRecord, detectAttempts, type DetectedAttempt } from './attempt-detector.ts';
import { FailureHold } from './failure-hold.ts';
import { cronJobRuns, findCronJobStall, MISSED_SCHEDULES_REASON, type CronJobStall, type CronJobStallOptions } from './cronjob-stall.ts';
import { GonePodTracker } from './gone-pod-tracker.ts';
import type { SlimCronJob, SlimJob, SlimPod } from './slim.ts';
import { jobWithoutPodsFinding, podStuckFinding, suspendedJobFinding, type StuckFinding } from './stuck-detector.ts';

export interface WatcherOptions {
  /** Hands a signal to the queue; may reject, in which case the caller's outbox keeps it. */
  emit: (signal: Signal) => void;
  /** Reads the pod and its logs right after a failure, before anything deletes them. */
  capture: (pod: SlimPod, attempt: DetectedAttempt) => Promise<CapturedEvidence | undefined>;
  logger: Logger;
  /** A pod waiting this long in a state that does not resolve itself is stuck. */
  stuckAfterMs: number;
  /** Thresholds for CronJobs that stopped producing runs; see {@link findCronJobStall}. */
  cronJobStall?: CronJobStallOptions;
  /** Milliseconds since the epoch. */
  clock?: () => number;
}

/**
 * Turns Job and Pod changes into failure signals. It keeps only the latest slim Jobs
 * and Pods in memory. The worker deduplicates signals against Redis, so a restarted
 * watcher may send the same signal again safely.
 */
export class Watcher {
  readonly #options: WatcherOptions;
  readonly #clock: () => number;
  readonly #jobs = new Map<string, SlimJob>();
  readonly #pods = new Map<string, SlimPod>();
  readonly #podsByJob = new Map<string, Set<string>>();
  readonly #waitingSince = new Map<string, string>();
  readonly #troubled = new Set<string>();
  readonly #reported = new Set<string>();
  readonly #gonePods = new GonePodTracker();
  readonly #failureHold = new FailureHold();
  readonly #cronJobs = new Map<string, SlimCronJob>();
  /** CronJobs reported for missed schedules, whose episode closes when a run starts again. */
  readonly #stalledCronJobs = new Set<string>();
  #bootstrap = false;
  #pendingCaptures = 0;

  constructor(options: WatcherOptions) {
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
  }

  /** Marks signals as seen in the first list of a new install until turned off. */
  setBootstrap(on: boolean): void {
    this.#bootstrap = on;
  }

  get jobCount(): number {
    return this.#jobs.size;
  }

  get cronJobCount(): number {
    return this.#cronJobs.size;
  }

  get podCount(): number {
    return this.#pods.size;
  }

  get pendingCaptures(): number {
    return this.#pendingCaptures;
  }

  upsertJob(job: SlimJob): void {
    this.#gonePods.observe(job, this.#clock());
    const old = this.#jobs.get(job.uid);
    this.#jobs.set(job.uid, job);
    if (job.failure && (!old?.failure || old.failure.type !== job.failure.type)) {
      this.#troubled.add(job.uid);
      const signal = { type: 'job-failed' as const, condition: job.failure };
      const bootstrap = this.#bootstrap;
      this.#failureHold.after(job.uid, () => this.#gonePods.seenAll(job), () => this.#emit(job, signal, bootstrap));
    }
    if (job.complete && !old?.complete && this.#completionMatters(job, old === undefined)) {
      this.#emit(job, completedSignal(job.completionTime));
    }
  }

  deleteJob(job: SlimJob): void {
    const known = this.#jobs.get(job.uid) ?? job;
    this.#jobs.delete(job.uid);
    if (this.#troubled.has(job.uid) || known.failed > 0 || known.failure) {
      this.#emit(known, { type: 'job-deleted' });
    }
    this.#troubled.delete(job.uid);
    this.#gonePods.forget(job.uid);
    this.#forgetReports(job.uid);
  }

  upsertPod(pod: SlimPod): void {
    if (!pod.jobUid) return;
    const old = this.#pods.get(pod.uid);
    this.#pods.set(pod.uid, pod);
    let set = this.#podsByJob.get(pod.jobUid);
    if (!set) this.#podsByJob.set(pod.jobUid, (set = new Set()));
    set.add(pod.uid);
    this.#trackWaiting(pod);
    if (pod.phase === 'Failed') this.#gonePods.podFailed(pod.jobUid, pod.uid);
    for (const attempt of detectAttempts(old, pod)) this.#reportAttempt(pod, attempt);
  }

  deletePod(pod: SlimPod): void {
    this.#pods.delete(pod.uid);
    this.#podsByJob.get(pod.jobUid)?.delete(pod.uid);
    if (this.#podsByJob.get(pod.jobUid)?.size === 0) this.#podsByJob.delete(pod.jobUid);
    for (const key of [...this.#waitingSince.keys()]) if (key.startsWith(`${pod.uid}/`)) this.#waitingSince.delete(key);
  }

  upsertCronJob(cronJob: SlimCronJob): void {
    const old = this.#cronJobs.get(cronJob.uid);
    this.#cronJobs.set(cronJob.uid, cronJob);
    // A new lastScheduleTime means the controller started a run: the missed-schedule
    // episode is over, and a later stall gets a new key.
    if (old && old.lastScheduleTime !== cronJob.lastScheduleTime && this.#stalledCronJobs.delete(cronJob.uid)) {
      this.#emit(cronJob, completedSignal(cronJob.lastScheduleTime));
    }
  }

  deleteCronJob(cronJob: SlimCronJob): void {
    this.#cronJobs.delete(cronJob.uid);
    if (this.#stalledCronJobs.delete(cronJob.uid)) this.#emit(cronJob, { type: 'job-deleted' });
    this.#forgetReports(cronJob.uid);
  }

  /** Looks for CronJobs that stopped producing runs; {@link checkStuck} calls it. */
  checkCronJobs(): void {
    const now = this.#clock();
    for (const cronJob of this.#cronJobs.values()) {
      const stall = findCronJobStall(cronJob, cronJobRuns(this.#jobs.values(), cronJob.uid), now, this.#options.cronJobStall);
      if (stall) this.#reportCronJobStall(cronJob, stall);
    }
  }

  /** Looks for pods, Jobs and CronJobs stuck past their thresholds; call it every few seconds. */
  checkStuck(): void {
    const now = this.#clock();
    for (const pod of this.#pods.values()) {
      if (pod.phase !== 'Pending') continue;
      const job = this.#jobs.get(pod.jobUid);
      if (!job || job.failure || job.complete) continue;
      const waiting = pod.containers.find((c) => c.waiting)?.name;
      const since = waiting === undefined ? undefined : this.#waitingSince.get(`${pod.uid}/${waiting}`);
      const finding = podStuckFinding(pod, now, this.#options.stuckAfterMs, since);
      if (finding) this.#reportStuck(job, finding);
    }
    for (const job of this.#jobs.values()) {
      const finding = jobWithoutPodsFinding(job, this.#podsByJob.get(job.uid)?.size ?? 0, now, this.#options.stuckAfterMs);
      if (finding) this.#reportStuck(job, finding);
      const suspended = suspendedJobFinding(job, now, this.#options.stuckAfterMs);
      if (suspended) this.#reportStuck(job, suspended);
      const goneCount = this.#gonePods.unexplained(job, now);
      if (goneCount !== undefined) this.#reportGonePod(job, goneCount);
    }
    this.checkCronJobs();
  }

  /** Re-sends every failure the current objects show, after Redis comes back. */
  replayAll(): void {
    this.#reported.clear();
    // Iterate over a copy: upsertJob re-adds each Job, and a Map iterator visits
    // entries added during the loop, so iterating the Map itself never ends.
    for (const job of [...this.#jobs.values()]) {
      this.#jobs.delete(job.uid);
      this.upsertJob(job);
    }
    for (const pod of this.#pods.values()) {
      for (const attempt of detectAttempts(undefined, pod)) this.#reportAttempt(pod, attempt);
    }
    this.checkStuck();
  }

  #forgetReports(uid: string): void {
    for (const key of [...this.#reported]) if (key.startsWith(`${uid}.`)) this.#reported.delete(key);
  }

  #completionMatters(job: SlimJob, fromList: boolean): boolean {
    const interesting = job.failed > 0 || job.cronJob !== undefined || job.fromAction === true || this.#troubled.has(job.uid);
    if (!fromList) return interesting;
    // A fresh list shows every finished Job; only recent ones can close an episode
    // or an incident that is still open.
    const finished = Date.parse(job.completionTime ?? job.createdAt);
    return interesting && this.#clock() - finished < 60 * 60 * 1000;
  }

  #trackWaiting(pod: SlimPod): void {
    for (const container of pod.containers) {
      const key = `${pod.uid}/${container.name}`;
      if (container.waiting) {
        if (!this.#waitingSince.has(key)) this.#waitingSince.set(key, new Date(this.#clock()).toISOString());
      } else {
        this.#waitingSince.delete(key);
      }
    }
  }

  #reportAttempt(pod: SlimPod, attempt: DetectedAttempt): void {
    const job = this.#jobs.get(pod.jobUid);
    const reportKey = `${pod.jobUid}.attempt.${attempt.key}`;
    if (this.#reported.has(reportKey)) return;
    this.#reported.add(reportKey);
    this.#troubled.add(pod.jobUid);
    const record = attemptRecord(pod, attempt);
    const identity = job ?? { uid: pod.jobUid, namespace: pod.namespace, name: pod.jobName };
    const bootstrap = this.#bootstrap;
    this.#pendingCaptures += 1;
    const capture = this.#options
      .capture(pod, attempt)
      .catch((err: unknown) => {
        this.#options.logger.warn({ err, pod: pod.name, namespace: pod.namespace }, 'evidence capture failed');
        return undefined;
      })
      .then((evidence) => {
        failpoint('watcher-after-capture');
        const signal = { type: 'attempt-failed' as const, attempt: record, ...(evidence ? { evidence } : {}) };
        this.#emit(identity, signal, bootstrap);
      })
      .finally(() => {
        this.#pendingCaptures -= 1;
      });
    this.#failureHold.track(pod.jobUid, capture);
  }

  /**
   * Reports a missed schedule on the CronJob itself (its uid keys the episode) and an
   * overdue run on that run's Job, so its alert joins the Job's own episode.
   */
  #reportCronJobStall(cronJob: SlimCronJob, stall: CronJobStall): void {
    const finding: StuckFinding = { key: `cronjob.${stall.key}`, reason: stall.reason, since: stall.since, message: stall.message };
    if (stall.reason === MISSED_SCHEDULES_REASON) {
      if (this.#reportStuck(cronJob, finding)) this.#stalledCronJobs.add(cronJob.uid);
      return;
    }
    if (!stall.job?.uid) return;
    this.#reportStuck(this.#jobs.get(stall.job.uid) ?? { ...stall.job, namespace: cronJob.namespace }, finding);
  }

  /**
   * Reports a failure the Job counts but whose pod the watcher never saw fail. The worker
   * names the pod from the Job's events and drops the report when the episode already
   * contains that many attempts.
   */
  #reportGonePod(job: SlimJob, failedCount: number): void {
    const key = gonePodAttemptKey(failedCount);
    if (this.#reported.has(`${job.uid}.attempt.${key}`)) return;
    this.#reported.add(`${job.uid}.attempt.${key}`);
    this.#troubled.add(job.uid);
    this.#emit(job, { type: 'attempt-failed', attempt: { key, podUid: '', pod: '' } });
  }

  /** Sends a stuck signal once per object and key; returns false when it was sent before. */
  #reportStuck(job: Pick<SlimJob, 'uid' | 'namespace' | 'name'>, finding: StuckFinding): boolean {
    const reportKey = `${job.uid}.stuck.${finding.key}`;
    if (this.#reported.has(reportKey)) return false;
    this.#reported.add(reportKey);
    this.#troubled.add(job.uid);
    this.#emit(job, { type: 'stuck', stuck: finding });
    return true;
  }

  #emit(
    job: Pick<SlimJob, 'uid' | 'namespace' | 'name'>,
    body: DistributiveOmit<Signal, 'v' | 'jobUid' | 'namespace' | 'jobName' | 'observedAt' | 'bootstrap'>,
    bootstrap = this.#bootstrap,
  ): void {
    const signal = {
      v: SIGNAL_VERSION,
      jobUid: job.uid,
      namespace: job.namespace,
      jobName: job.name,
      observedAt: new Date(this.#clock()).toISOString(),
      ...(bootstrap ? { bootstrap: true } : {}),
      ...body,
    } as Signal;
    this.#options.emit(signal);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function completedSignal(completedAt: string | undefined): { type: 'job-completed'; completedAt?: string } {
  return completedAt === undefined ? { type: 'job-completed' } : { type: 'job-completed', completedAt };
}
