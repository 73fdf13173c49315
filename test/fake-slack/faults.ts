/** A scripted response that replaces the normal handling of one request. */
export type Fault =
  | { kind: 'rate-limit'; retryAfterSeconds: number }
  | { kind: 'platform-error'; error: string }
  | { kind: 'http-status'; httpStatus: number };

/**
 * Faults that tests queue per method. Each queued fault replaces the handling of
 * exactly one request, oldest first. A delay lets one request run normally but
 * holds back its response.
 */
export class ScriptedFaults {
  private readonly queues = new Map<string, Fault[]>();
  private readonly delays = new Map<string, number[]>();

  /** Queues `calls` 429 responses for `method`. */
  rateLimit(method: string, calls: number, retryAfterSeconds: number): void {
    if (!Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 0) {
      throw new Error(
        `retryAfterSeconds must be a whole number of seconds, got ${retryAfterSeconds}`,
      );
    }
    this.push(method, calls, { kind: 'rate-limit', retryAfterSeconds });
  }

  /** Queues `times` failures for `method`: a platform error code or a bare HTTP status. */
  failNext(method: string, error: string | { httpStatus: number }, times: number): void {
    const fault: Fault =
      typeof error === 'string'
        ? { kind: 'platform-error', error }
        : { kind: 'http-status', httpStatus: error.httpStatus };
    this.push(method, times, fault);
  }

  /** Delays the response to the next request to `method` by `delayMs` wall-clock ms. */
  delayNext(method: string, delayMs: number): void {
    const queue = this.delays.get(method) ?? [];
    queue.push(delayMs);
    this.delays.set(method, queue);
  }

  /** Removes and returns the next fault for `method`, if any. */
  takeFault(method: string): Fault | undefined {
    return this.queues.get(method)?.shift();
  }

  /** Removes and returns the next response delay for `method`, if any. */
  takeDelay(method: string): number | undefined {
    return this.delays.get(method)?.shift();
  }

  private push(method: string, count: number, fault: Fault): void {
    if (!Number.isInteger(count) || count < 1) {
      throw new Error(`fault count for ${method} must be a positive integer, got ${count}`);
    }
    const queue = this.queues.get(method) ?? [];
    for (let i = 0; i < count; i += 1) queue.push(fault);
    this.queues.set(method, queue);
  }
}
