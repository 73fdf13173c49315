/**
 * Runs at most `concurrency` calls of `fn` at once and queues the rest in order.
 * The watcher reads failed pods and their logs through it, so a first list with
 * thousands of failed pods does not hold thousands of log bodies in memory at once.
 */
export function limitConcurrency<A extends unknown[], R>(concurrency: number, fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = (): void => {
    running -= 1;
    waiting.shift()?.();
  };
  return async (...args: A): Promise<R> => {
    if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await fn(...args);
    } finally {
      release();
    }
  };
}
