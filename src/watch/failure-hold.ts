/** Maximum time a Job's failure signal waits for its failed pods and their evidence, in milliseconds. */
export const FAILURE_HOLD_MS = 1000;

/** How often a held failure signal checks again whether the failed pods have arrived, in ms. */
const RECHECK_MS = 20;

/**
 * Holds a Job's failure signal until the failed pods it counts have been seen
 * and their evidence captures have settled, so the first alert already shows
 * the last attempt instead of being edited a moment later. Jobs and Pods come
 * through separate watches, so the Job's `Failed` condition often arrives
 * before the update of the pod that failed. The hold ends after `maxWaitMs`
 * whatever happened, so a pod deleted before anyone saw it delays the alert by
 * that much at most.
 */
export class FailureHold {
  readonly #pending = new Map<string, Set<Promise<unknown>>>();
  readonly #maxWaitMs: number;

  constructor(maxWaitMs = FAILURE_HOLD_MS) {
    this.#maxWaitMs = maxWaitMs;
  }

  /** Records an evidence capture of one of the Job's pods until it settles. */
  track(jobUid: string, capture: Promise<unknown>): void {
    const captures = this.#pending.get(jobUid) ?? new Set<Promise<unknown>>();
    this.#pending.set(jobUid, captures);
    captures.add(capture);
    const done = (): void => {
      captures.delete(capture);
      if (captures.size === 0 && this.#pending.get(jobUid) === captures) this.#pending.delete(jobUid);
    };
    capture.then(done, done);
  }

  /**
   * Runs `next` once `podsSeen()` is true and the Job's captures have settled, or
   * when `maxWaitMs` has passed. Runs it at once, synchronously, when both hold now.
   */
  after(jobUid: string, podsSeen: () => boolean, next: () => void): void {
    if (podsSeen() && !this.#pending.has(jobUid)) {
      next();
      return;
    }
    const deadline = Date.now() + this.#maxWaitMs;
    const check = (): void => {
      if (Date.now() >= deadline || (podsSeen() && !this.#pending.has(jobUid))) {
        next();
        return;
      }
      setTimeout(check, RECHECK_MS).unref();
    };
    setTimeout(check, RECHECK_MS).unref();
  }
}
