import type { Logger } from 'pino';
import { computeBackoffMs, sleep as timerSleep } from './backoff.ts';
import { kubeApiErrorFromStatus, toKubeApiError } from './errors.ts';
import type { KubeApiError } from './errors.ts';
import type { ListWatchOptions, ListWatchStats, WatchRestartReason } from './list-watch-options.ts';
import type { RawObject, WatchEvent } from './list-watch-source.ts';
import { diffStores, resourceVersionOf } from './object-store.ts';
import type { StoredObject } from './object-store.ts';
import { watchFailure, watchOnce } from './watch-once.ts';

const DEFAULT_STALL_TIMEOUT_MS = 120_000;

type ObjectMap<T> = Map<string, StoredObject<T>>;

/** Options of one loop: the shared options with the path of one scope filled in. */
export interface ReflectorOptions<T> extends Omit<ListWatchOptions<T>, 'namespaces'> {
  /** The namespace of a per-namespace loop, for logs and `onSynced`. */
  namespace?: string | undefined;
}

/**
 * One list-and-watch loop over one collection path: lists page by page, then watches
 * from the list's resourceVersion, resuming after clean ends and re-listing after 410
 * Gone. Any other failure is retried with capped exponential backoff, forever, until
 * `stop()`.
 */
export class Reflector<T> {
  readonly #options: ReflectorOptions<T>;
  readonly #log: Logger;
  readonly #stop = new AbortController();
  #store: ObjectMap<T> = new Map();
  #resourceVersion = '';
  #failureStreak = 0;
  /** 410 answers since the last event; a dropped connection before one does not count. */
  #goneStreak = 0;
  #listsCompleted = 0;
  #running: Promise<void> | undefined;
  #resolveSynced: () => void = () => {};
  readonly #synced = new Promise<void>((resolve) => (this.#resolveSynced = resolve));
  readonly #counts = { restarts: 0, resumes: 0, stalls: 0, droppedEvents: 0, handlerErrors: 0 };
  readonly #reasons: Record<WatchRestartReason, number> = { expired: 0, error: 0, stall: 0, closed: 0 };
  #lastEventAt: number | undefined;

  constructor(options: ReflectorOptions<T>) {
    this.#options = options;
    this.#log = options.logger.child({ path: options.path });
  }

  /**
   * Starts the loop; resolves after the first completed list, after the first 403 Forbidden,
   * or when stopped first.
   */
  start(): Promise<void> {
    this.#running ??= this.#run();
    return this.#synced;
  }

  /** Aborts the current request or backoff wait and resolves once the loop has exited. */
  async stop(): Promise<void> {
    this.#stop.abort();
    this.#resolveSynced();
    await this.#running;
  }

  /** Returns the cached slim objects. */
  list(): T[] {
    return Array.from(this.#store.values(), (entry) => entry.object);
  }

  /** Returns the cached slim object with this key. */
  get(key: string): T | undefined {
    return this.#store.get(key)?.object;
  }

  /** Counters of this loop. */
  stats(): ListWatchStats {
    return {
      ...this.#counts,
      restartsByReason: { ...this.#reasons },
      relists: Math.max(this.#listsCompleted - 1, 0),
      lastEventAt: this.#lastEventAt,
      oldestLastEventAt: this.#lastEventAt,
      objects: this.#store.size,
      synced: this.#listsCompleted > 0,
    };
  }

  async #run(): Promise<void> {
    let needList = true;
    while (!this.#stop.signal.aborted) {
      try {
        if (needList) {
          await this.#listAll();
          needList = false;
        }
        await this.#watch();
        this.#counts.resumes += 1;
        this.#reasons.closed += 1;
      } catch (err) {
        if (this.#stop.signal.aborted) break;
        const error = toKubeApiError(err, { namespace: this.#options.namespace });
        needList ||= error.isGone;
        await this.#recover(error);
      }
    }
    this.#log.debug({ resourceVersion: this.#resourceVersion }, 'list-watch loop stopped');
  }

  /**
   * Reports a failure and waits before the next attempt. The first 410 Gone since the
   * last event re-lists at once, also when it follows a dropped connection (an API server
   * restart, then a resume from a compacted resourceVersion). Every other failure waits
   * with backoff, and so does a 410 that repeats before any event arrived, because a
   * broken server must not be hammered.
   */
  async #recover(error: KubeApiError): Promise<void> {
    this.#counts.restarts += 1;
    this.#reasons[restartReason(error)] += 1;
    this.#failureStreak += 1;
    if (error.isGone) this.#goneStreak += 1;
    if (error.isGone && this.#goneStreak === 1) {
      this.#report(error, 'list-watch re-listing after 410 Gone');
      return;
    }
    // A loop that RBAC forbids counts as started, so one namespace without a Role does
    // not hold back the callers of start(). It keeps retrying and syncs once access is granted.
    if (error.code === 403) this.#resolveSynced();
    const delayMs = computeBackoffMs(this.#failureStreak, this.#backoffOptions());
    const fields = { attempt: this.#failureStreak, delayMs: Math.round(delayMs) };
    this.#report(error, 'list-watch retrying after backoff', fields);
    await (this.#options.sleep ?? timerSleep)(delayMs, this.#stop.signal);
  }

  #backoffOptions() {
    const { baseDelayMs, maxDelayMs, random } = this.#options;
    return {
      ...(baseDelayMs !== undefined && { baseDelayMs }),
      ...(maxDelayMs !== undefined && { maxDelayMs }),
      ...(random !== undefined && { random }),
    };
  }

  async #listAll(): Promise<void> {
    const fresh = await this.#fetchAllPages();
    const previous = this.#store;
    this.#store = fresh.store;
    this.#resourceVersion = fresh.resourceVersion;
    const includeUnchanged = this.#options.emitUnchangedOnRelist ?? false;
    const { onAdd, onUpdate, onDelete } = this.#options;
    for (const change of diffStores(previous, fresh.store, includeUnchanged)) {
      if (change.type === 'add') this.#call(onAdd, change.object);
      else if (change.type === 'update') this.#call(onUpdate, change.old, change.object);
      else this.#call(onDelete, change.object);
    }
    this.#listsCompleted += 1;
    const fields = { objects: this.#store.size, lists: this.#listsCompleted };
    this.#log.info({ ...fields, resourceVersion: this.#resourceVersion }, 'list-watch synced');
    this.#call(this.#options.onSynced, this.#options.namespace);
    this.#resolveSynced();
  }

  /**
   * Reads every page into a new cache. A 410 on a `continue` token means the snapshot
   * behind the token was compacted, so the list restarts once from the first page. A
   * second 410 fails the attempt, and the loop backs off.
   */
  async #fetchAllPages(): Promise<{ store: ObjectMap<T>; resourceVersion: string }> {
    const { source, path, labelSelector, fieldSelector } = this.#options;
    const limit = this.#options.pageSize ?? 500;
    const pageTimeoutMs = this.#options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    let store: ObjectMap<T> = new Map();
    let continueToken: string | undefined;
    let restarted = false;
    for (;;) {
      const request = { path, labelSelector, fieldSelector, limit, continueToken };
      // A list page that hangs would stall the loop as surely as a silent watch does.
      const signal = AbortSignal.any([this.#stop.signal, AbortSignal.timeout(pageTimeoutMs)]);
      const page = await source.list({ ...request, signal }).catch((err) => {
        const error = toKubeApiError(err, { namespace: this.#options.namespace });
        if (!error.isGone || continueToken === undefined || restarted) throw error;
        this.#report(error, 'list-watch continue token expired, listing from the start');
        return undefined;
      });
      if (page) {
        for (const raw of page.items) this.#storeRaw(store, raw);
        continueToken = page.continueToken || undefined;
        // Every page of one list carries the resourceVersion of its snapshot.
        if (continueToken === undefined) return { store, resourceVersion: page.resourceVersion };
      } else {
        restarted = true;
        store = new Map();
        continueToken = undefined;
      }
    }
  }

  #storeRaw(store: ObjectMap<T>, raw: RawObject): void {
    const slimmed = this.#slim(raw);
    if (slimmed) store.set(slimmed.key, slimmed.entry);
  }

  async #watch(): Promise<void> {
    const { source, path, labelSelector, fieldSelector, stallTimeoutMs } = this.#options;
    const outcome = await watchOnce({
      source,
      query: { path, labelSelector, fieldSelector },
      resourceVersion: this.#resourceVersion,
      stallTimeoutMs: stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS,
      random: this.#options.random ?? Math.random,
      now: this.#options.now ?? Date.now,
      stopSignal: this.#stop.signal,
      onEvent: (event) => this.#handleEvent(event),
    });
    if (outcome === 'stalled') this.#counts.stalls += 1;
    if (outcome !== 'ended') throw watchFailure(outcome, path, this.#resourceVersion);
  }

  #handleEvent(event: WatchEvent): void {
    if (event.type === 'ERROR') {
      throw kubeApiErrorFromStatus(event.object, { namespace: this.#options.namespace });
    }
    this.#lastEventAt = (this.#options.now ?? Date.now)();
    this.#failureStreak = 0;
    this.#goneStreak = 0;
    this.#resourceVersion = resourceVersionOf(event.object) || this.#resourceVersion;
    if (event.type === 'BOOKMARK') return;
    const slimmed = this.#slim(event.object);
    if (!slimmed) return;
    const previous = this.#store.get(slimmed.key);
    if (event.type === 'DELETED') {
      this.#store.delete(slimmed.key);
      this.#call(this.#options.onDelete, slimmed.entry.object);
      return;
    }
    this.#store.set(slimmed.key, slimmed.entry);
    if (previous) this.#call(this.#options.onUpdate, previous.object, slimmed.entry.object);
    else this.#call(this.#options.onAdd, slimmed.entry.object);
  }

  #slim(raw: RawObject): { key: string; entry: StoredObject<T> } | undefined {
    try {
      const object = this.#options.slim(raw);
      const key = this.#options.keyOf(object);
      return { key, entry: { object, resourceVersion: resourceVersionOf(raw) } };
    } catch (err) {
      this.#counts.droppedEvents += 1;
      this.#report(err, 'list-watch dropped an object that slim or keyOf rejected');
      return undefined;
    }
  }

  #call<A extends unknown[]>(handler: ((...args: A) => void) | undefined, ...args: A): void {
    if (!handler) return;
    try {
      handler(...args);
    } catch (err) {
      this.#counts.handlerErrors += 1;
      this.#report(err, 'list-watch handler threw', {}, 'error');
    }
  }

  /** Logs a failure the loop recovers from and passes it to `onError`. */
  #report(
    err: unknown,
    message: string,
    fields: Record<string, unknown> = {},
    level: 'warn' | 'error' = 'warn',
  ): void {
    const error = err instanceof Error ? err : new Error(String(err));
    this.#log[level]({ err: error, resourceVersion: this.#resourceVersion, ...fields }, message);
    try {
      this.#options.onError?.(error);
    } catch (handlerErr) {
      this.#log.error({ err: handlerErr }, 'list-watch onError handler threw');
    }
  }
}

function restartReason(error: KubeApiError): WatchRestartReason {
  if (error.isGone) return 'expired';
  if (error.reason === 'WatchStalled') return 'stall';
  if (error.reason === 'WatchClosedEarly') return 'closed';
  return 'error';
}
