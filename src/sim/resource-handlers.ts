import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseFieldSelector } from './field-selector.ts';
import { boolParam, intParam, sendJson } from './http-io.ts';
import { parseLabelSelector } from './label-selector.ts';
import { listObjects } from './list.ts';
import { servePodLog } from './pod-log-handler.ts';
import type { ResourceRoute } from './routes.ts';
import { notFound } from './status.ts';
import { objectRef, requireVerb, type Call, type ResourceContext } from './resource-context.ts';
import { serveWrite } from './write-handlers.ts';
import {
  checkWatchQuery,
  startWatchResponse,
  streamWatch,
  type OpenWatch,
  type WatchQuery,
} from './watch.ts';

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
    const watch: OpenWatch = {
      path: call.req.url ?? '',
      userAgent: call.req.headers['user-agent'],
      close: (abrupt) => endHung(call.res, abrupt),
    };
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
