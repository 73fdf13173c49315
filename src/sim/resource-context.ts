import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Deleter } from './deletion.ts';
import type { WatchRegistry } from './faults.ts';
import type { listObjects } from './list.ts';
import type { ObjectStore } from './object-store.ts';
import type { LogStore } from './pod-logs.ts';
import { groupVersion, type KubeObject } from './resources.ts';
import type { ResourceRoute } from './routes.ts';
import { methodNotAllowed } from './status.ts';
import type { WatchSettings } from './watch.ts';

/** Shared state of the resource handlers. */
export interface ResourceContext {
  store: ObjectStore;
  logs: LogStore;
  watches: WatchRegistry;
  watchSettings: Omit<WatchSettings, 'encode'>;
  /** Whether a log read for a pod on a node with no Node object gets 404. */
  requireNodes: boolean;
  /** Whether a log read for a pod without a node gets 204 instead of 400. */
  emptyLogWithoutNode: boolean;
  now: () => Date;
  /** Deletes with finalizers and propagation policies. */
  deleter: Deleter;
  /** Called after an object is created through the API (not through the store directly). */
  onCreated?: (object: KubeObject) => void;
  /** Turns a list or object into the body for this request (Table for kubectl, else itself). */
  encodeList: (req: IncomingMessage, route: ResourceRoute, list: ReturnType<typeof listObjects>) => unknown;
  encodeObject: (req: IncomingMessage, route: ResourceRoute) => (object: KubeObject) => unknown;
}

/** One resource request being served. */
export interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  route: ResourceRoute;
  params: URLSearchParams;
}

/** Throws 405 when the resource type does not serve `verb`. */
export function requireVerb(route: ResourceRoute, verb: string): void {
  if (!route.type.verbs.includes(verb)) throw methodNotAllowed();
}

/** Returns the store reference of the object `name` of a route. */
export function objectRef(route: ResourceRoute, name: string) {
  return {
    apiVersion: groupVersion(route.type),
    kind: route.type.kind,
    namespace: route.namespace,
    name,
  };
}

