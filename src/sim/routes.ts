import { typeOfPath, type ResourceType } from './resources.ts';

/** The target of a URL path of the simulated API server. */
export type Route =
  | { kind: 'version' }
  | { kind: 'coreVersions' }
  | { kind: 'groupList' }
  | { kind: 'group'; group: string }
  | { kind: 'resourceList'; group: string; version: string }
  | ResourceRoute
  | { kind: 'unknown' };

/** A path under a resource type: its collection, one object, or an object's subresource. */
export interface ResourceRoute {
  kind: 'resource';
  type: ResourceType;
  /** Namespace from `/namespaces/{ns}/…`; absent for cluster-wide and cluster-scoped paths. */
  namespace?: string | undefined;
  name?: string | undefined;
  subresource?: string | undefined;
}

function resourceRoute(group: string, version: string, rest: string[]): Route {
  let namespace: string | undefined;
  let parts = rest;
  // `/namespaces/{ns}/{plural}/…` is namespaced; `/namespaces/{ns}` alone is the Namespace.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    parts = rest.slice(2);
  }
  const [plural = '', name, subresource, ...extra] = parts;
  const type = typeOfPath(group, version, plural);
  if (type === undefined || extra.length > 0) return { kind: 'unknown' };
  if (namespace !== undefined && !type.namespaced) return { kind: 'unknown' };
  if (subresource !== undefined && !type.subresources.includes(subresource)) {
    return { kind: 'unknown' };
  }
  return { kind: 'resource', type, namespace, name, subresource };
}

/** Parses a URL path (without query) into a {@link Route}. */
export function parseRoute(path: string): Route {
  const segments = path.split('/').filter((s) => s !== '').map(decodeURIComponent);
  const [root, first, second, ...rest] = segments;
  if (root === 'version' && first === undefined) return { kind: 'version' };
  if (root === 'api') {
    if (first === undefined) return { kind: 'coreVersions' };
    if (second === undefined) return { kind: 'resourceList', group: '', version: first };
    return resourceRoute('', first, [second, ...rest]);
  }
  if (root === 'apis') {
    if (first === undefined) return { kind: 'groupList' };
    if (second === undefined) return { kind: 'group', group: first };
    if (rest.length === 0) return { kind: 'resourceList', group: first, version: second };
    return resourceRoute(first, second, rest);
  }
  return { kind: 'unknown' };
}
