/**
 * Wall-clock time in milliseconds since the epoch with sub-millisecond resolution. The load
 * generator stamps its writes with it and the fake Slack stamps arriving calls with it, so
 * both ends of a latency come from one clock in one process.
 */
export function benchNowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
