import { groupVersion, resourceTypes, type ResourceType } from './resources.ts';

/**
 * Legacy (unaggregated) discovery documents. They are served as plain `application/json`,
 * which makes kubectl fall back from aggregated discovery to reading `/api/v1` and
 * `/apis/batch/v1` one by one.
 */

/** The Kubernetes version the simulated server reports on `/version`. */
export const simulatedVersion = { major: '1', minor: '32', gitVersion: 'v1.32.0-jobwatch-sim' };

/** Body of `GET /version`. */
export function versionInfo(): Record<string, string> {
  return {
    ...simulatedVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

/** Body of `GET /api`. `address` is the server's `host:port`. */
export function coreVersions(address: string): unknown {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: address }],
  };
}

function groupNames(): string[] {
  return [...new Set(resourceTypes.filter((t) => t.group !== '').map((t) => t.group))];
}

/** Body of `GET /apis/{group}`, or `undefined` for a group that is not served. */
export function apiGroup(name: string): Record<string, unknown> | undefined {
  const type = resourceTypes.find((t) => t.group === name);
  if (type === undefined) return undefined;
  const version = { groupVersion: groupVersion(type), version: type.version };
  return { kind: 'APIGroup', apiVersion: 'v1', name, versions: [version], preferredVersion: version };
}

/** Body of `GET /apis`. */
export function apiGroupList(): unknown {
  // Entries of an APIGroupList are APIGroup objects without their own kind and apiVersion.
  const groups = groupNames().map((name) => {
    const group = { ...apiGroup(name) };
    delete group['kind'];
    delete group['apiVersion'];
    return group;
  });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

function resourceEntries(type: ResourceType): unknown[] {
  const main = {
    name: type.plural,
    singularName: type.singular,
    namespaced: type.namespaced,
    kind: type.kind,
    verbs: type.verbs,
    ...(type.shortNames.length > 0 ? { shortNames: type.shortNames } : {}),
    ...(type.categories.length > 0 ? { categories: type.categories } : {}),
  };
  const subresources = type.subresources.map((sub) => ({
    name: `${type.plural}/${sub}`,
    singularName: '',
    namespaced: type.namespaced,
    kind: sub === 'log' ? 'Pod' : type.kind,
    verbs: sub === 'log' ? ['get'] : ['get', 'patch', 'update'],
  }));
  return [main, ...subresources];
}

/** Body of `GET /api/v1` or `GET /apis/{group}/{version}`, or `undefined` when not served. */
export function apiResourceList(group: string, version: string): unknown {
  const types = resourceTypes.filter((t) => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group === '' ? version : `${group}/${version}`,
    resources: types.flatMap(resourceEntries),
  };
}
