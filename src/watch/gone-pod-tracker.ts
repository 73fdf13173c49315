import type { SlimJob } from './slim.ts';

/**
 * How long a Job's `status.failed` may stay ahead of the failed pods the watcher saw before
 * the difference is reported, in ms. Jobs and Pods come through separate watches, so a pod's
 * Failed update can arrive a moment after the Job counted it.
 */
export const GONE_POD_GRACE_MS = 3000;

/**
 * Compares each Job's `status.failed` with the failed pods the watcher saw, to find failures
 * whose pod was gone before the watcher could see it fail. Such a Job would otherwise open
 * no episode until it fails for good, and one that recovers would never be reported.
 */
export class GonePodTracker {
  readonly #failedPods = new Map<string, Set<string>>();
  /** Per Job: the failed count that ran ahead of the pods seen, and since when (ms since epoch). */
  readonly #ahead = new Map<string, { count: number; sinceMs: number }>();

  /** Records a pod of the Job seen in phase Failed. */
  podFailed(jobUid: string, podUid: string): void {
    let pods = this.#failedPods.get(jobUid);
    if (!pods) this.#failedPods.set(jobUid, (pods = new Set()));
    pods.add(podUid);
  }

  /** Notes when the Job's failed count first ran ahead of the failed pods seen. */
  observe(job: SlimJob, nowMs: number): void {
    const seen = this.#failedPods.get(job.uid)?.size ?? 0;
    if (job.failed <= seen) {
      this.#ahead.delete(job.uid);
      return;
    }
    const known = this.#ahead.get(job.uid);
    if (known?.count !== job.failed) this.#ahead.set(job.uid, { count: job.failed, sinceMs: known?.sinceMs ?? nowMs });
  }

  /**
   * Returns the Job's failed count when failures without a seen pod have lasted past
   * {@link GONE_POD_GRACE_MS}, else undefined. Finished Jobs are left out: their
   * Failed or Complete condition reports them, and a restarted watcher must not reopen them.
   * So are Jobs that `spec.managedBy` hands to another controller, whose pods run elsewhere.
   */
  unexplained(job: SlimJob, nowMs: number): number | undefined {
    if (job.failure || job.complete || job.managedBy !== undefined) return undefined;
    this.observe(job, nowMs);
    const ahead = this.#ahead.get(job.uid);
    if (!ahead || nowMs - ahead.sinceMs < GONE_POD_GRACE_MS) return undefined;
    return ahead.count;
  }

  /** Tells whether a failed pod was seen for every failure the Job counts. */
  seenAll(job: SlimJob): boolean {
    return job.failed <= (this.#failedPods.get(job.uid)?.size ?? 0);
  }

  forget(jobUid: string): void {
    this.#failedPods.delete(jobUid);
    this.#ahead.delete(jobUid);
  }
}
