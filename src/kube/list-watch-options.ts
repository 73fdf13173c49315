import type { Logger } from 'pino';
import type { ListWatchSource, RawObject } from './list-watch-source.ts';

/**
 * Callbacks of a {@link ListWatch}. They run synchronously inside the loop, in event
 * order. An exception thrown by one is logged, counted in `handlerErrors` and passed to
 * `onError`, and the loop goes on.
 */
export interface ListWatchHandlers<T> {
  /** An object appeared: a watch `ADDED`, or a new key found by a (re-)list. */
  onAdd?: (object: T) => void;
  /**
   * An object changed: a watch `MODIFIED`, or a key that a re-list found again with a new
   * resourceVersion. With `emitUnchangedOnRelist`, a re-list also reports keys whose
   * resourceVersion is unchanged, with `old` and `object` at the same resourceVersion.
   */
  onUpdate?: (old: T, object: T) => void;
  /** An object went away: a watch `DELETED`, or a key missing from a re-list. */
  onDelete?: (object: T) => void;
  /** A full list finished and the cache matches it; `namespace` is set for per-namespace loops. */
  onSynced?: (namespace: string | undefined) => void;
  /**
   * A step failed and the loop recovers by itself. List and watch failures arrive as a
   * `KubeApiError`; exceptions from `slim`, `keyOf` and the handlers arrive unchanged.
   */
  onError?: (err: Error) => void;
}

/** Options of a {@link ListWatch}. Delays are in milliseconds unless named otherwise. */
export interface ListWatchOptions<T> extends ListWatchHandlers<T> {
  /** Performs the requests; see `createHttpListWatchSource`. */
  source: ListWatchSource;
  /**
   * The collection path: cluster-wide (`/apis/batch/v1/jobs`) or namespaced. With
   * `namespaces`, it must contain `{namespace}`, which each loop fills in.
   */
  path: string;
  /** Runs one loop per namespace, for a bot whose RBAC covers only these namespaces. */
  namespaces?: string[] | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  /** Reduces a raw object to the fields the caller keeps, so the cache stays small. */
  slim: (raw: RawObject) => T;
  /** The cache key of a slim object, unique across the watched scope (e.g. its uid). */
  keyOf: (object: T) => string;
  /** Items per list page (the `limit` query parameter). Default 500. */
  pageSize?: number;
  /**
   * Aborts and resumes a watch that sent no event or bookmark for this long, and fails a
   * list page that took longer. Default 120,000.
   */
  stallTimeoutMs?: number;
  /** The first retry delay after a failure. Default 1,000. */
  baseDelayMs?: number;
  /** The cap on retry delays. Default 30,000. */
  maxDelayMs?: number;
  /** Whether a re-list reports objects whose resourceVersion did not change. Default false. */
  emitUnchangedOnRelist?: boolean;
  /** Logger for restarts, re-lists and errors. */
  logger: Logger;
  /** Waits between retries; injectable so tests run without real delays. Default: a timer. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The clock, in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
  /** A source of numbers in [0, 1) for jitter. Default `Math.random`. */
  random?: () => number;
}

/**
 * Reason a watch was opened again. `expired` follows 410 Gone, and `stall` follows an abort
 * by the watchdog. `closed` follows an end by the server: its timeout, or a close within
 * 1 s without events. `error` follows any other failure of a list or watch.
 */
export type WatchRestartReason = 'expired' | 'error' | 'stall' | 'closed';

/** Counters of one or all loops of a {@link ListWatch}. */
export interface ListWatchStats {
  /** Recoveries from a failed list or watch, an expired resourceVersion or a stall. */
  restarts: number;
  /** Reopened watches by reason: every recovery of `restarts`, plus the clean ends of `resumes`. */
  restartsByReason: Record<WatchRestartReason, number>;
  /** Completed lists after the first one of each loop. */
  relists: number;
  /** Watches reopened from the last resourceVersion after the server ended one cleanly. */
  resumes: number;
  /** Watches aborted by the stall watchdog. */
  stalls: number;
  /** Events whose object `slim` or `keyOf` rejected, so the cache skipped them. */
  droppedEvents: number;
  /** Exceptions thrown by the caller's handlers. */
  handlerErrors: number;
  /** Epoch milliseconds of the last watch event or bookmark; undefined before the first. */
  lastEventAt: number | undefined;
  /**
   * The `lastEventAt` of the loop that heard from its server longest ago; undefined while
   * any loop has had no event. Equal to `lastEventAt` for a single loop.
   */
  oldestLastEventAt: number | undefined;
  /** Objects held in the cache. */
  objects: number;
  /** Whether every loop has completed at least one list. */
  synced: boolean;
}
