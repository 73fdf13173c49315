/** Settings for {@link computeBackoffMs}. */
export interface BackoffOptions {
  /** The delay before the first retry, in milliseconds. Default 1,000. */
  baseDelayMs?: number;
  /** The cap on any delay, in milliseconds. Default 30,000. */
  maxDelayMs?: number;
  /** Numbers in [0, 1) for the jitter, injectable for tests. Default `Math.random`. */
  random?: () => number;
}

/** The default delay before the first retry, in milliseconds. */
export const DEFAULT_BASE_DELAY_MS = 1_000;
/** The default cap on a retry delay, in milliseconds. */
export const DEFAULT_MAX_DELAY_MS = 30_000;

/**
 * Computes the delay before retry number `attempt` (1 for the first retry): the base
 * delay doubled per attempt and capped at the maximum, then jittered into the upper half
 * of that ceiling. The lower half stays empty so that a retry never fires at once, and
 * the jitter spreads many watchers restarting after the same API outage.
 */
export function computeBackoffMs(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const max = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const random = options.random ?? Math.random;
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(max, base * 2 ** exponent);
  return ceiling / 2 + random() * (ceiling / 2);
}

/**
 * Waits `ms` milliseconds, or until `signal` aborts. Resolves either way, so a caller
 * that is stopping does not need a catch.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
