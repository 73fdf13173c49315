import type { ServerResponse } from 'node:http';
import { boolParam, intParam } from './http-io.ts';
import { sliceLog } from './log-slice.ts';
import { checkLogAvailable, logTimestamp, resolveContainer, type LogStore } from './pod-logs.ts';
import type { ObjectStore } from './object-store.ts';
import type { ResourceRoute } from './routes.ts';
import { badRequest, notFound } from './status.ts';

/**
 * Serves `GET …/pods/{name}/log` as `text/plain`, with the API server's and kubelet's errors.
 * A pod without a node gets 204 No Content with `emptyLogWithoutNode` (as kube-apiserver
 * v1.37 responds), else a 400 `pod … does not have a host assigned`. With `requireNodes`, a pod on a node that has no
 * Node object gets the real server's 404.
 * `sinceSeconds` applies to the whole log: it is empty when it was set longer ago than that.
 * NOTE: logs carry one time for all their lines, so `sinceSeconds` cannot cut inside a log.
 */
export function servePodLog(
  ctx: {
    store: ObjectStore;
    logs: LogStore;
    now: () => Date;
    requireNodes: boolean;
    emptyLogWithoutNode: boolean;
  },
  res: ServerResponse,
  route: ResourceRoute,
  name: string,
  params: URLSearchParams,
): void {
  const namespace = route.namespace ?? 'default';
  const pod = ctx.store.get({ apiVersion: 'v1', kind: 'Pod', namespace, name });
  if (pod === undefined) throw notFound(route.type, name);
  const container = resolveContainer(pod, params.get('container') ?? undefined);
  const nodeName = (pod['spec'] as { nodeName?: string } | undefined)?.nodeName ?? '';
  if (nodeName === '' && ctx.emptyLogWithoutNode) {
    // The real server (v1.37) has no kubelet to ask, so it responds 204 with no body.
    res.writeHead(204);
    res.end();
    return;
  }
  if (nodeName === '') throw badRequest(`pod ${name} does not have a host assigned`);
  if (ctx.requireNodes && ctx.store.get({ apiVersion: 'v1', kind: 'Node', name: nodeName }) === undefined) {
    // The real server reports the missing Node with the pods resource in the Status.
    throw notFound(route.type, nodeName);
  }
  const previous = boolParam(params, 'previous');
  checkLogAvailable(pod, container, previous);
  const logs = ctx.logs.get(namespace, name, container);
  let text = (previous ? logs?.previous : logs?.current) ?? Buffer.alloc(0);
  const sinceSeconds = intParam(params, 'sinceSeconds');
  if (logs && sinceSeconds !== undefined) {
    const ageMs = ctx.now().getTime() - logs.writtenAt.getTime();
    if (ageMs > sinceSeconds * 1000) text = Buffer.alloc(0);
  }
  const body = sliceLog(text, {
    tailLines: intParam(params, 'tailLines'),
    limitBytes: intParam(params, 'limitBytes'),
    timestamp: boolParam(params, 'timestamps') && logs ? logTimestamp(logs.writtenAt) : undefined,
  });
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
  res.end(body);
}
