import { KubeApiError } from './errors.ts';
import type { ListWatchSource, SelectorQuery, WatchEvent } from './list-watch-source.ts';

/** The way a watch request ended without an error. */
export type WatchOutcome = 'ended' | 'stalled' | 'closed-early';

/** Inputs of {@link watchOnce}. */
export interface WatchOnceOptions {
  source: ListWatchSource;
  query: SelectorQuery;
  resourceVersion: string;
  /** Aborts the stream after this many milliseconds without an event or bookmark. */
  stallTimeoutMs: number;
  random: () => number;
  now: () => number;
  /** Aborts the stream when the loop stops. */
  stopSignal: AbortSignal;
  onEvent: (event: WatchEvent) => void;
}

/**
 * The lower bound of the server-side watch timeout. client-go's reflector
 * (`tools/cache/reflector.go`) sends `minWatchTimeout * (1 + rand)` with 5 minutes.
 */
const MIN_WATCH_TIMEOUT_SECONDS = 300;

/**
 * A stream that ends sooner than this without a single event points at a server or
 * proxy that closes watches at once. Resuming at once would spin, so it counts as a failure.
 */
const MIN_HEALTHY_WATCH_MS = 1_000;

/**
 * Runs one watch request with bookmarks and a randomised server timeout, under a
 * watchdog that aborts the stream when no event or bookmark arrives within
 * `stallTimeoutMs`. A half-open TCP connection otherwise looks like a quiet cluster
 * forever. Resolves with how the stream ended; rejects with the source's error, or with
 * the exception that `onEvent` threw.
 */
export async function watchOnce(options: WatchOnceOptions): Promise<WatchOutcome> {
  const controller = new AbortController();
  const abortOnStop = () => controller.abort(options.stopSignal.reason);
  options.stopSignal.addEventListener('abort', abortOnStop, { once: true });
  if (options.stopSignal.aborted) controller.abort(options.stopSignal.reason);

  let stalled = false;
  let events = 0;
  let timer: NodeJS.Timeout | undefined;
  const armWatchdog = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort(new Error('watch stalled'));
    }, options.stallTimeoutMs);
  };

  const startedAt = options.now();
  armWatchdog();
  try {
    await options.source.watch({
      ...options.query,
      resourceVersion: options.resourceVersion,
      timeoutSeconds: Math.round(MIN_WATCH_TIMEOUT_SECONDS * (1 + options.random())),
      allowWatchBookmarks: true,
      signal: controller.signal,
      onEvent: (event) => {
        events += 1;
        armWatchdog();
        options.onEvent(event);
      },
    });
  } catch (err) {
    if (!stalled) throw err;
  } finally {
    clearTimeout(timer);
    // Tears the request down on every path, including an exception from onEvent.
    controller.abort();
    options.stopSignal.removeEventListener('abort', abortOnStop);
  }
  if (stalled) return 'stalled';
  if (events === 0 && options.now() - startedAt < MIN_HEALTHY_WATCH_MS) return 'closed-early';
  return 'ended';
}

/** Builds the error for a watch that ended without an error but must count as a failure. */
export function watchFailure(
  outcome: 'stalled' | 'closed-early',
  path: string,
  resourceVersion: string,
): KubeApiError {
  const watch = `watch of ${path} from resourceVersion ${resourceVersion}`;
  if (outcome === 'stalled') {
    const statusMessage = `${watch} sent nothing within the stall timeout`;
    return new KubeApiError({ reason: 'WatchStalled', statusMessage });
  }
  const statusMessage = `${watch} closed within 1 s without events`;
  return new KubeApiError({ reason: 'WatchClosedEarly', statusMessage });
}
