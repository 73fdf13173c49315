import { checkPreconditions, readDeleteOptions } from './delete-options.ts';
import { readPropagation } from './deletion.ts';
import { readJsonBody, sendJson } from './http-io.ts';
import { randomNameSuffix } from './object-store.ts';
import { applyPatch } from './patch.ts';
import { objectRef, requireVerb, type Call, type ResourceContext } from './resource-context.ts';
import { groupVersion, type KubeObject } from './resources.ts';
import type { ResourceRoute } from './routes.ts';
import { badRequest, methodNotAllowed, notFound } from './status.ts';
import { checkUpdate, mergeWithStored, prepareCreate } from './write-rules.ts';

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

/** Sets what the real server sets on create: a new pod's phase is `Pending`. */
function defaultOnCreate(route: ResourceRoute, object: KubeObject): KubeObject {
  if (route.type.group !== '' || route.type.plural !== 'pods') {
    return prepareCreate(route.type, object, randomNameSuffix);
  }
  const status = (object['status'] ?? {}) as Record<string, unknown>;
  status['phase'] ??= 'Pending';
  object['status'] = status;
  return object;
}

async function serveCreate(ctx: ResourceContext, call: Call): Promise<void> {
  requireVerb(call.route, 'create');
  const body = checkBody(call.route, await readJsonBody(call.req));
  const created = ctx.store.create(defaultOnCreate(call.route, body));
  ctx.onCreated?.(created);
  sendJson(call.res, 201, created);
}

/** Stores `next` as an update of `current`, split, defaulted and checked as the real server does. */
function storeUpdate(ctx: ResourceContext, route: ResourceRoute, current: KubeObject, input: KubeObject): KubeObject {
  const next = mergeWithStored(route.type, route.subresource, current, input);
  return ctx.store.update(next, (stored) => checkUpdate(route.type, stored, next));
}

async function serveDelete(ctx: ResourceContext, call: Call, name: string): Promise<void> {
  requireVerb(call.route, 'delete');
  const options = await readDeleteOptions(call.req);
  const policy = readPropagation(call.route.type, options.propagationPolicy, call.params);
  const current = ctx.store.get(objectRef(call.route, name));
  if (current === undefined) throw notFound(call.route.type, name);
  checkPreconditions(current, options.preconditions);
  // The real server returns a deleted pod itself, but a Success Status for a Job, a CronJob
  // or a Lease.
  const returnObject = call.route.type.group !== 'batch' && call.route.type.group !== 'coordination.k8s.io';
  sendJson(call.res, 200, ctx.deleter.delete(call.route.type, current, policy, returnObject));
}

/** Serves POST, PUT, PATCH and DELETE of a resource path. */
export async function serveWrite(ctx: ResourceContext, call: Call, name: string | undefined): Promise<void> {
  const { req, res, route } = call;
  if (req.method === 'POST' && name === undefined) return await serveCreate(ctx, call);
  if (name === undefined || route.subresource === 'log') throw methodNotAllowed();
  if (req.method === 'DELETE') return await serveDelete(ctx, call, name);
  if (req.method !== 'PUT' && req.method !== 'PATCH') throw methodNotAllowed();
  requireVerb(route, req.method === 'PUT' ? 'update' : 'patch');
  const current = ctx.store.get(objectRef(route, name));
  const body = await readJsonBody(req);
  if (current === undefined) throw notFound(route.type, name);
  const input = req.method === 'PUT' ? body : applyPatch(current, body, req.headers['content-type']);
  sendJson(res, 200, storeUpdate(ctx, route, current, checkBody(route, input, name)));
}
