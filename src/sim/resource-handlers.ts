import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseFieldSelector } from './field-selector.ts';
import { boolParam, intParam, readJsonBody, sendJson } from './http-io.ts';
import { parseLabelSelector } from './label-selector.ts';
import { listObjects } from './list.ts';
import type { ObjectStore } from './object-store.ts';
import { applyPatch } from './patch.ts';
import { servePodLog } from './pod-log-handler.ts';
import type { LogStore } from './pod-logs.ts';
import { groupVersion, type KubeObject } from './resources.ts';
import type { ResourceRoute } from './routes.ts';
import { checkPreconditions, readDeleteOptions } from './delete-options.ts';
import { checkJobUpdate } from './job-validation.ts';
import { badRequest, methodNotAllowed, notFound } from './status.ts';
import type { WatchRegistry } from './faults.ts';
import {
  checkWatchQuery,
  startWatchResponse,
  streamWatch,
  type OpenWatch,
  type WatchQuery,
  type WatchSettings,
} from './watch.ts';

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
  /** Turns a list or object into the body for this request (Table for kubectl, else itself). */
  encodeList: (req: IncomingMessage, route: ResourceRoute, list: ReturnType<typeof listObjects>) => unknown;
  encodeObject: (req: IncomingMessage, route: ResourceRoute) => (object: KubeObject) => unknown;
}

interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  route: ResourceRoute;
  params: URLSearchParams;
}

function requireVerb(route: ResourceRoute, verb: string): void {
  if (!route.type.verbs.includes(verb)) throw methodNotAllowed();
}

function serveCollection(ctx: ResourceContext, call: Call): void {
  const { route, params } = call;
  const selectors = {
    namespace: route.namespace,
    labels: parseLabelSelector(params.get('labelSelector')),
    fields: parseFieldSelector(params.get('fieldSelector')),
  };
  if (boolParam(call.params, 'watch')) {
    requireVerb(route, 'watch');
    serveWatch(ctx, call, selectors);
    return;
  }
  requireVerb(route, 'list');
  const list = listObjects(ctx.store, route.type, {
    ...selectors,
    limit: intParam(params, 'limit'),
    continueToken: params.get('continue') ?? undefined,
  });
  sendJson(call.res, 200, ctx.encodeList(call.req, route, list));
}

function serveWatch(
  ctx: ResourceContext,
  call: Call,
  selectors: Pick<WatchQuery, 'namespace' | 'labels' | 'fields'>,
): void {
  const query: WatchQuery = {
    ...selectors,
    resourceVersion: call.params.get('resourceVersion') ?? undefined,
    allowWatchBookmarks: boolParam(call.params, 'allowWatchBookmarks'),
    sendInitialEvents: boolParam(call.params, 'sendInitialEvents'),
    timeoutSeconds: intParam(call.params, 'timeoutSeconds'),
  };
  checkWatchQuery(call.route.type, query);
  startWatchResponse(call.res);
  const register = (watch: OpenWatch) => {
    const set = ctx.watches.hanging ? ctx.watches.hung : ctx.watches.open;
    set.add(watch);
    return () => set.delete(watch);
  };
  if (ctx.watches.hanging) {
    // A hung watch sends nothing at all until released or closed, not even bookmarks.
    const watch: OpenWatch = { path: call.req.url ?? '', close: (abrupt) => endHung(call.res, abrupt) };
    const unregister = register(watch);
    call.res.on('close', unregister);
    return;
  }
  const settings = { ...ctx.watchSettings, encode: ctx.encodeObject(call.req, call.route) };
  streamWatch(call.res, ctx.store, call.route.type, query, settings, register);
}

function endHung(res: ServerResponse, abrupt = false): void {
  if (abrupt) res.destroy();
  else if (!res.writableEnded) res.end();
}

function objectRef(route: ResourceRoute, name: string) {
  return {
    apiVersion: groupVersion(route.type),
    kind: route.type.kind,
    namespace: route.namespace,
    name,
  };
}

function serveGet(ctx: ResourceContext, call: Call, name: string): void {
  requireVerb(call.route, 'get');
  if (call.route.subresource === 'log') {
    servePodLog(ctx, call.res, call.route, name, call.params);
    return;
  }
  const object = ctx.store.get(objectRef(call.route, name));
  if (object === undefined) throw notFound(call.route.type, name);
  sendJson(call.res, 200, ctx.encodeObject(call.req, call.route)(object));
}

function checkBody(route: ResourceRoute, body: unknown, name?: string): KubeObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('request body must be a JSON object');
  }
  const object = body as KubeObject;
  object.apiVersion ??= groupVersion(route.type);
  object.kind ??= route.type.kind;
  object.metadata ??= {};
  if (object.kind !== route.type.kind || object.apiVersion !== groupVersion(route.type)) {
    const expected = `${groupVersion(route.type)} ${route.type.kind}`;
    throw badRequest(`body is ${object.apiVersion} ${object.kind}, expected ${expected}`);
  }
  const bodyNamespace = object.metadata.namespace;
  const pathNamespace = route.namespace;
  if (pathNamespace !== undefined && bodyNamespace !== undefined && bodyNamespace !== pathNamespace) {
    throw badRequest(
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  }
  if (route.namespace !== undefined) object.metadata.namespace = route.namespace;
  if (name !== undefined && object.metadata.name !== undefined && object.metadata.name !== name) {
    throw badRequest('the name of the object does not match the name on the URL');
  }
  if (name !== undefined) object.metadata.name = name;
  return object;
}

async function serveWrite(ctx: ResourceContext, call: Call, name: string | undefined): Promise<void> {
  const { req, res, route } = call;
  if (req.method === 'POST' && name === undefined) {
    requireVerb(route, 'create');
    const created = ctx.store.create(defaultOnCreate(route, checkBody(route, await readJsonBody(req))));
    sendJson(res, 201, created);
    return;
  }
  if (name === undefined || route.subresource === 'log') throw methodNotAllowed();
  if (req.method === 'PUT') {
    requireVerb(route, 'update');
    const next = checkBody(route, await readJsonBody(req), name);
    sendJson(res, 200, ctx.store.update(next, (current) => validateUpdate(route, current, next)));
  } else if (req.method === 'PATCH') {
    requireVerb(route, 'patch');
    const current = ctx.store.get(objectRef(route, name));
    if (current === undefined) throw notFound(route.type, name);
    const patched = applyPatch(current, await readJsonBody(req), req.headers['content-type']);
    const next = checkBody(route, patched, name);
    sendJson(res, 200, ctx.store.update(next, (stored) => validateUpdate(route, stored, next)));
  } else if (req.method === 'DELETE') {
    requireVerb(route, 'delete');
    const options = await readDeleteOptions(req);
    const ref = objectRef(route, name);
    const current = ctx.store.get(ref);
    if (current === undefined) throw notFound(route.type, name);
    checkPreconditions(current, options.preconditions);
    sendJson(res, 200, ctx.store.delete(ref));
  } else {
    throw methodNotAllowed();
  }
}

/** Sets what the real server sets on create: a new pod's phase is `Pending`. */
function defaultOnCreate(route: ResourceRoute, object: KubeObject): KubeObject {
  if (route.type.group !== '' || route.type.plural !== 'pods') return object;
  const status = (object['status'] ?? {}) as Record<string, unknown>;
  status['phase'] ??= 'Pending';
  object['status'] = status;
  return object;
}

/** Runs the real server's update validation for the types that have one modelled here. */
function validateUpdate(route: ResourceRoute, current: KubeObject, next: KubeObject): void {
  if (route.type.group === 'batch' && route.type.plural === 'jobs') checkJobUpdate(current, next);
}

/** Serves one request for a resource path: list, watch, get, create, update, patch, delete, log. */
export async function handleResource(
  ctx: ResourceContext,
  req: IncomingMessage,
  res: ServerResponse,
  route: ResourceRoute,
  params: URLSearchParams,
): Promise<void> {
  const call: Call = { req, res, route, params };
  if (req.method === 'GET' && route.name === undefined) serveCollection(ctx, call);
  else if (req.method === 'GET' && route.name !== undefined) serveGet(ctx, call, route.name);
  else await serveWrite(ctx, call, route.name);
}
