import type { ObjectStore } from './object-store.ts';
import { failureStatus, reasonForCode, type Status } from './status.ts';
import type { OpenWatch } from './watch.ts';

/**
 * A request filter for faults and counters. A string is matched against the whole URL
 * path, with `*` standing for one path segment (`/api/v1/namespaces/*\/pods`). A RegExp is
 * tested against the path plus query string (`/api/v1/pods?watch=true`).
 */
export type PathPattern = string | RegExp;

/** One request the server received. */
export interface RequestRecord {
  method: string;
  path: string;
  /** The query string without `?`; empty when none. */
  query: string;
}

/** Options of {@link SimFaults.failNext}. */
export interface FailOptions {
  /** HTTP status of the Status error, e.g. 500, 403, 410. */
  code: number;
  /** Requests to fail. Default 1. */
  count?: number;
  /** Status reason. Default: the one the real server uses for `code`. */
  reason?: string;
  /** Status message. Default names the fault so test output shows where it came from. */
  message?: string;
}

interface FailRule {
  pattern: PathPattern;
  remaining: number;
  status: Status;
}

/** Open watches as the server tracks them; the fault controls close and hang them. */
export interface WatchRegistry {
  readonly open: Set<OpenWatch>;
  /** While true, new watches send headers and then nothing until released or closed. */
  hanging: boolean;
  readonly hung: Set<OpenWatch>;
}

function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]+');
  return new RegExp(`^${escaped}$`);
}

/** Tells whether a request matches a {@link PathPattern}. */
export function matchesPattern(pattern: PathPattern, request: RequestRecord): boolean {
  if (typeof pattern === 'string') return patternToRegExp(pattern).test(request.path);
  const full = request.query === '' ? request.path : `${request.path}?${request.query}`;
  return pattern.test(full);
}

/**
 * Failure injection and request counting for tests and the demo. Every method takes effect
 * at once, on requests already open where that makes sense.
 */
export class SimFaults {
  readonly #store: ObjectStore;
  readonly #watches: WatchRegistry;
  readonly #rules: FailRule[] = [];
  readonly #latencies: { pattern: PathPattern | undefined; ms: number }[] = [];
  #requests: RequestRecord[] = [];

  constructor(store: ObjectStore, watches: WatchRegistry) {
    this.#store = store;
    this.#watches = watches;
  }

  /** Fails the next `count` requests matching `pattern` with a Status error of `code`. */
  failNext(pattern: PathPattern, options: FailOptions): void {
    const reason = options.reason ?? reasonForCode(options.code);
    const message = options.message ?? `simulated fault: ${options.code} ${reason}`;
    const status = failureStatus(options.code, reason, message);
    this.#rules.push({ pattern, remaining: options.count ?? 1, status });
  }

  /** Makes watches opened from now on send their headers and then nothing, not even bookmarks. */
  hangWatches(): void {
    this.#watches.hanging = true;
  }

  /** Stops hanging new watches and ends the hung ones cleanly, so clients reconnect. */
  releaseWatches(): void {
    this.#watches.hanging = false;
    for (const watch of [...this.#watches.hung]) watch.close();
    this.#watches.hung.clear();
  }

  /**
   * Ends every open watch now: with a clean end of stream by default, or by destroying the
   * connection when `abrupt` is true. Returns how many were open.
   */
  closeWatches(options: { abrupt?: boolean } = {}): number {
    const open = [...this.#watches.open, ...this.#watches.hung];
    for (const watch of open) watch.close(options.abrupt ?? false);
    this.#watches.hung.clear();
    return open.length;
  }

  /** Drops the change history, so a watch or continue token from an older version gets 410. */
  compactHistory(): void {
    this.#store.compact();
  }

  /**
   * Acts like an API server restart: every open watch is cut. With `renumber`, every object
   * also gets a new resourceVersion and every version clients held before gets 410.
   */
  restart(options: { renumber?: boolean } = {}): void {
    this.closeWatches({ abrupt: true });
    if (options.renumber === true) this.#store.renumber();
  }

  /** Delays every request matching `pattern` (all when absent) by `ms` before it is served. */
  setLatency(ms: number, pattern?: PathPattern): void {
    this.#latencies.push({ pattern, ms });
  }

  /**
   * Lists the watches open now, hung ones included, with each request's path and
   * `User-Agent`, so a test can tell which client opened which watch.
   */
  openWatches(): { path: string; userAgent: string | undefined }[] {
    return [...this.#watches.open, ...this.#watches.hung].map((watch) => ({
      path: watch.path,
      userAgent: watch.userAgent,
    }));
  }

  /** Removes every fail rule and latency; open watches and counts stay. */
  clear(): void {
    this.#rules.length = 0;
    this.#latencies.length = 0;
    this.releaseWatches();
  }

  /** Counts the requests received so far that match `pattern`. */
  requestCount(pattern: PathPattern): number {
    return this.#requests.filter((r) => matchesPattern(pattern, r)).length;
  }

  /** Every request received so far, oldest first. */
  get requests(): readonly RequestRecord[] {
    return this.#requests;
  }

  /** Forgets the recorded requests. */
  resetRequests(): void {
    this.#requests = [];
  }

  /**
   * Records a request and returns what to do with it: the Status to fail it with, if a rule
   * matches, and the delay before serving it in ms.
   */
  admit(request: RequestRecord): { failure?: Status; delayMs: number } {
    this.#requests.push(request);
    const delayMs = this.#latencies
      .filter((l) => l.pattern === undefined || matchesPattern(l.pattern, request))
      .reduce((sum, l) => sum + l.ms, 0);
    const rule = this.#rules.find((r) => r.remaining > 0 && matchesPattern(r.pattern, request));
    if (rule === undefined) return { delayMs };
    rule.remaining -= 1;
    return { failure: rule.status, delayMs };
  }
}
