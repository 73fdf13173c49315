import type { ServerResponse } from 'node:http';
import { checkFieldSelector } from './field-selector.ts';
import { matchesSelectors, type ListQuery } from './list.ts';
import type { Change, ObjectStore } from './object-store.ts';
import { groupVersion, type KubeObject, type ResourceType } from './resources.ts';
import { badRequest, StatusError } from './status.ts';

/** What a watch request asks for, parsed from its query string. */
export interface WatchQuery extends Pick<ListQuery, 'namespace' | 'labels' | 'fields'> {
  /** `resourceVersion` as sent; absent or `"0"` starts from now with synthetic ADDED events. */
  resourceVersion?: string | undefined;
  allowWatchBookmarks: boolean;
  sendInitialEvents: boolean;
  timeoutSeconds?: number | undefined;
}

/** How the server writes watch events. */
export interface WatchSettings {
  /** Time between BOOKMARK events when the client asks for them, in ms. */
  bookmarkIntervalMs: number;
  /** Stream length when the request has no `timeoutSeconds`, in seconds. */
  defaultTimeoutSeconds: number;
  /** Turns an object into what the event carries (a Table row for kubectl, or itself). */
  encode: (object: KubeObject) => unknown;
}

/** One open watch stream, as the fault controls see it. */
export interface OpenWatch {
  readonly path: string;
  /** The request's `User-Agent` header, which distinguishes the clients of a shared server. */
  readonly userAgent?: string | undefined;
  /** Ends the stream: cleanly (final chunk) by default, or by destroying the socket. */
  close(abrupt?: boolean): void;
}

type EventType = Change['type'] | 'BOOKMARK' | 'ERROR';

function writeEvent(res: ServerResponse, type: EventType, object: unknown): void {
  res.write(`${JSON.stringify({ type, object })}\n`);
}

/**
 * Turns a stored change into the event one watcher sees. An object that starts matching the
 * selectors is ADDED and one that stops matching is DELETED, as the real watch cache does.
 */
export function eventForWatcher(
  type: ResourceType,
  query: WatchQuery,
  change: Change,
): { type: Change['type']; object: KubeObject } | undefined {
  if (change.resource !== type) return undefined;
  const inScope = (o: KubeObject | undefined): boolean =>
    o !== undefined &&
    (query.namespace === undefined || o.metadata.namespace === query.namespace) &&
    matchesSelectors(type, query, o);
  const now = change.type !== 'DELETED' && inScope(change.object);
  const before = change.type === 'DELETED' ? inScope(change.object) : inScope(change.previous);
  if (now && before) return { type: 'MODIFIED', object: change.object };
  if (now) return { type: 'ADDED', object: change.object };
  if (!before) return undefined;
  if (change.type === 'DELETED') return { type: 'DELETED', object: change.object };
  // The object left the selection: the watcher gets its last matching state at the new version.
  const last = structuredClone(change.previous ?? change.object);
  last.metadata.resourceVersion = change.object.metadata.resourceVersion;
  return { type: 'DELETED', object: last };
}

function parseStartVersion(value: string | undefined): number | undefined {
  if (value === undefined || value === '' || value === '0') return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw badRequest(`invalid resourceVersion "${value}": must be a non-negative integer`);
  }
  return parsed;
}

function bookmark(type: ResourceType, resourceVersion: number, initialEnd = false): unknown {
  const metadata: Record<string, unknown> = { resourceVersion: String(resourceVersion) };
  if (initialEnd) metadata['annotations'] = { 'k8s.io/initial-events-end': 'true' };
  return { kind: type.kind, apiVersion: groupVersion(type), metadata };
}

/**
 * Checks a watch request before any header is sent, so bad selectors and versions get a
 * plain 400 response instead of a stream.
 */
export function checkWatchQuery(type: ResourceType, query: WatchQuery): void {
  checkFieldSelector(type, query.fields);
  parseStartVersion(query.resourceVersion);
}

/**
 * Streams a watch as newline-delimited JSON events until the timeout, the client leaving, or
 * `close()`. An expired start version gets one ERROR event with a 410 Status, then the end.
 */
export function streamWatch(
  res: ServerResponse,
  store: ObjectStore,
  type: ResourceType,
  query: WatchQuery,
  settings: WatchSettings,
  register: (watch: OpenWatch) => () => void,
): void {
  const path = res.req.url ?? '';
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe = (): void => {};
  let unregister = (): void => {};
  const finish = (abrupt = false): void => {
    timers.forEach(clearTimeout);
    timers.forEach(clearInterval);
    unsubscribe();
    unregister();
    if (abrupt) res.destroy();
    else if (!res.writableEnded) res.end();
  };
  unregister = register({ path, userAgent: res.req.headers['user-agent'], close: finish });
  res.on('close', () => finish());
  const send = (event: EventType, object: KubeObject): void =>
    writeEvent(res, event, settings.encode(object));

  const start = parseStartVersion(query.resourceVersion);
  let replay: Change[] = [];
  try {
    if (start !== undefined) replay = store.changesSince(start);
  } catch (error) {
    if (!(error instanceof StatusError)) throw error;
    writeEvent(res, 'ERROR', error.status);
    finish();
    return;
  }
  if (start === undefined || query.sendInitialEvents) {
    const current = store.list(type, query.namespace).filter((o) => matchesSelectors(type, query, o));
    current.forEach((o) => send('ADDED', o));
    replay = [];
    if (query.sendInitialEvents && query.allowWatchBookmarks) {
      writeEvent(res, 'BOOKMARK', bookmark(type, store.resourceVersion, true));
    }
  }
  const deliver = (change: Change): void => {
    const event = eventForWatcher(type, query, change);
    if (event !== undefined) send(event.type, event.object);
  };
  replay.forEach(deliver);
  // Subscribing in the same synchronous turn as the replay means no write can fall between.
  unsubscribe = store.subscribe(deliver);
  if (query.allowWatchBookmarks) {
    const emitBookmark = () => writeEvent(res, 'BOOKMARK', bookmark(type, store.resourceVersion));
    timers.push(setInterval(emitBookmark, settings.bookmarkIntervalMs));
  }
  const timeoutSeconds = query.timeoutSeconds ?? settings.defaultTimeoutSeconds;
  timers.push(setTimeout(() => finish(), timeoutSeconds * 1000));
}

/** Sends the headers of a watch response at once, as the real server does. */
export function startWatchResponse(res: ServerResponse): void {
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();
}
