import { Counter, Gauge, type Registry } from 'prom-client';
import type { ListWatchStats, WatchRestartReason } from '../kube/list-watch.ts';

/** A list/watch loop to report, named by its resource (`jobs`, `pods`). */
export interface WatchSource {
  resource: string;
  /** The loop's counters; undefined while this process runs no watch, as a follower. */
  stats(): Pick<ListWatchStats, 'restartsByReason' | 'oldestLastEventAt'> | undefined;
}

/** A reported loop and when this process was first seen running it, in epoch milliseconds. */
export interface WatchEntry {
  source: WatchSource;
  runningSinceMs?: number | undefined;
}

const REASONS: readonly WatchRestartReason[] = ['expired', 'error', 'stall', 'closed'];

/**
 * Registers the watch metrics, read from the loops' counters when Prometheus scrapes. A
 * process that runs no watch reports no sample. Until a loop's first event, its age counts
 * from the first scrape that found it running, so a watch that never hears from the API
 * server still shows up.
 */
export function registerWatchGauges(
  registry: Registry,
  watches: () => readonly WatchEntry[],
  now: () => number = Date.now,
): void {
  new Counter({
    name: 'jobwatch_watch_restarts_total',
    help: 'Watches opened again, by resource and reason: expired (410), error, stall, closed.',
    labelNames: ['resource', 'reason'],
    registers: [registry],
    collect() {
      // The loops keep the totals, so each scrape copies them.
      this.reset();
      for (const { source } of watches()) {
        const counts = source.stats()?.restartsByReason;
        if (!counts) continue;
        for (const reason of REASONS) this.inc({ resource: source.resource, reason }, counts[reason]);
      }
    },
  });
  new Gauge({
    name: 'jobwatch_watch_last_event_age_seconds',
    help: 'Seconds since the quietest watch loop of a resource got an event or bookmark.',
    labelNames: ['resource'],
    registers: [registry],
    collect() {
      this.reset();
      const nowMs = now();
      for (const entry of watches()) {
        const stats = entry.source.stats();
        entry.runningSinceMs = stats ? (entry.runningSinceMs ?? nowMs) : undefined;
        if (!stats) continue;
        const lastMs = stats.oldestLastEventAt ?? entry.runningSinceMs ?? nowMs;
        this.set({ resource: entry.source.resource }, Math.max(0, (nowMs - lastMs) / 1000));
      }
    },
  });
}
