/**
 * The two requests a {@link ListWatch} loop makes, as an interface so the loop can run
 * over a real API server ({@link createHttpListWatchSource}) or a scripted fake in tests.
 */

/** A raw Kubernetes object as decoded from JSON, before the caller's `slim` function. */
export type RawObject = Record<string, unknown>;

/** The selectors every list and watch request of one loop carries. */
export interface SelectorQuery {
  /** The collection path, e.g. `/apis/batch/v1/jobs` or `/api/v1/namespaces/ci/pods`. */
  path: string;
  /** A label selector such as `app=etl,tier!=debug`. */
  labelSelector?: string | undefined;
  /** A field selector such as `status.phase=Failed`. */
  fieldSelector?: string | undefined;
}

/** One page request of a paginated list. */
export interface ListRequest extends SelectorQuery {
  /** The page size (the `limit` query parameter). */
  limit: number;
  /** The `continue` token of the previous page; absent for the first page. */
  continueToken?: string | undefined;
  /** Aborts the request when the loop stops or gives up on it. */
  signal: AbortSignal;
}

/** One page of a list response. */
export interface ListPage {
  items: RawObject[];
  /** `metadata.resourceVersion` of the list: the point to watch from. */
  resourceVersion: string;
  /** `metadata.continue`, present while more pages remain. */
  continueToken?: string | undefined;
}

/** The watch event types that the API server sends. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** One decoded line of a watch stream. */
export interface WatchEvent {
  type: WatchEventType;
  /** The object, a `Status` for `ERROR`, or only `metadata.resourceVersion` for `BOOKMARK`. */
  object: RawObject;
}

/** A watch request from a resourceVersion. */
export interface WatchRequest extends SelectorQuery {
  resourceVersion: string;
  /** Asks the server to end the stream cleanly after this many seconds. */
  timeoutSeconds: number;
  /** Whether to ask for `BOOKMARK` events. */
  allowWatchBookmarks: boolean;
  /** Aborts the stream; the promise returned by `watch` then rejects. */
  signal: AbortSignal;
  /** Receives each event in order; an exception thrown here ends the stream with it. */
  onEvent: (event: WatchEvent) => void;
}

/** Performs list and watch requests for a {@link ListWatch}. */
export interface ListWatchSource {
  /**
   * Fetches one page. Rejects with a `KubeApiError` on a non-200 response (410 Gone for an
   * expired `continue` token) or a transport error.
   */
  list(request: ListRequest): Promise<ListPage>;
  /**
   * Streams events until the server ends the stream (resolves) or the request fails, the
   * signal aborts, or `onEvent` throws (rejects).
   */
  watch(request: WatchRequest): Promise<void>;
}
