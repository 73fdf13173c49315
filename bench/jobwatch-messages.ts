/** The IPC messages between the bench and the jobwatch process it runs. */

/** Memory and watch state of the jobwatch process, sent in reply to `measure`. */
export interface ProcessReport {
  type: 'report';
  /** Whether a full garbage collection ran just before the numbers were read. */
  collected: boolean;
  /** `process.memoryUsage()`, in bytes. */
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
  /** CPU time the process has used so far, user plus system, in microseconds. */
  cpuMicros: number;
  /** Event loop delay since start or the last reset, in milliseconds (10 ms resolution). */
  loopDelayMs: { p50: number; p99: number; max: number };
  /** Whether every role reports ready: Redis reachable and, for the watcher, lists synced. */
  ready: boolean;
  /** Jobs and pods in the watcher's cache, 0 without the watcher role. */
  jobs: number;
  pods: number;
  /** Evidence reads started by the watcher and not finished yet. */
  pendingCaptures: number;
  /** Signals not yet accepted by Redis. */
  pendingSignals: number;
}

/**
 * A request from the bench. `measure` with `gc` runs a full collection first, and with
 * `resetLoopDelay` starts the event loop delay histogram afresh after reading it.
 */
export type BenchRequest = { type: 'measure'; gc: boolean; resetLoopDelay?: boolean } | { type: 'stop' };

/** A message from the jobwatch process. */
export type ProcessMessage = { type: 'started' } | ProcessReport | { type: 'failed'; error: string };
