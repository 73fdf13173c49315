import type { ListWatchOptions, ListWatchStats } from './list-watch-options.ts';
import { Reflector } from './reflector.ts';

export type {
  ListWatchHandlers,
  ListWatchOptions,
  ListWatchStats,
  WatchRestartReason,
} from './list-watch-options.ts';

/**
 * A cache of slim Kubernetes objects kept current by list-and-watch, with the recovery
 * that client-node's informer lacks: bookmarks, a server-side watch timeout, re-list on
 * 410 Gone with add/update/delete reconciliation, backoff on every other error, and a
 * stall watchdog.
 *
 * With `namespaces`, it runs one independent loop per namespace and merges their caches
 * and counters, for a bot whose RBAC allows only those namespaces. Keys must then be
 * unique across namespaces (a uid, or `namespace/name`).
 */
export class ListWatch<T> {
  readonly #loops: Reflector<T>[];

  constructor(options: ListWatchOptions<T>) {
    const { namespaces, ...shared } = options;
    if (namespaces === undefined) {
      this.#loops = [new Reflector(shared)];
      return;
    }
    if (!options.path.includes('{namespace}')) {
      throw new Error(
        `ListWatch path "${options.path}" has no {namespace} placeholder, but namespaces ` +
          `were given; use a path like /apis/batch/v1/namespaces/{namespace}/jobs.`,
      );
    }
    if (namespaces.length === 0) {
      throw new Error('ListWatch namespaces is empty; omit it to watch all namespaces.');
    }
    this.#loops = [...new Set(namespaces)].map(
      (namespace) =>
        new Reflector({
          ...shared,
          namespace,
          path: options.path.replaceAll('{namespace}', encodeURIComponent(namespace)),
          logger: options.logger.child({ namespace }),
        }),
    );
  }

  /**
   * Starts every loop. Resolves once each has completed its first list or been rejected
   * with 403 Forbidden, or when `stop()` is called first. Failures before that are retried
   * and reported through `onError`, so with an unreachable API server the promise stays
   * pending. A rejected loop goes on retrying, and `stats().synced` stays false until it lists.
   */
  async start(): Promise<void> {
    await Promise.all(this.#loops.map((loop) => loop.start()));
  }

  /** Aborts every open request and backoff wait; resolves once every loop has exited. */
  async stop(): Promise<void> {
    await Promise.all(this.#loops.map((loop) => loop.stop()));
  }

  /** Returns the cached objects of every loop. */
  list(): T[] {
    return this.#loops.flatMap((loop) => loop.list());
  }

  /** Returns the cached object with this key, from whichever loop contains it. */
  get(key: string): T | undefined {
    for (const loop of this.#loops) {
      const object = loop.get(key);
      if (object !== undefined) return object;
    }
    return undefined;
  }

  /**
   * Counters summed over all loops; `lastEventAt` is the latest, `oldestLastEventAt` the
   * earliest, `synced` needs all.
   */
  stats(): ListWatchStats {
    const all = this.#loops.map((loop) => loop.stats());
    const sum = (pick: (stats: ListWatchStats) => number) =>
      all.reduce((total, stats) => total + pick(stats), 0);
    const eventTimes = all
      .map((stats) => stats.lastEventAt)
      .filter((time): time is number => time !== undefined);
    return {
      restarts: sum((stats) => stats.restarts),
      restartsByReason: {
        expired: sum((stats) => stats.restartsByReason.expired),
        error: sum((stats) => stats.restartsByReason.error),
        stall: sum((stats) => stats.restartsByReason.stall),
        closed: sum((stats) => stats.restartsByReason.closed),
      },
      relists: sum((stats) => stats.relists),
      resumes: sum((stats) => stats.resumes),
      stalls: sum((stats) => stats.stalls),
      droppedEvents: sum((stats) => stats.droppedEvents),
      handlerErrors: sum((stats) => stats.handlerErrors),
      objects: sum((stats) => stats.objects),
      lastEventAt: eventTimes.length > 0 ? Math.max(...eventTimes) : undefined,
      oldestLastEventAt: eventTimes.length === all.length ? Math.min(...eventTimes) : undefined,
      synced: all.every((stats) => stats.synced),
    };
  }
}
