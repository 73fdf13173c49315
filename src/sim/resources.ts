/** The resource types the simulated API server serves, with their discovery facts. */

/** Any Kubernetes object as stored and served: `kind`, `apiVersion`, `metadata` and the rest. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** The subset of `metadata` that the simulated server reads or writes. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string | undefined;
  uid?: string | undefined;
  resourceVersion?: string | undefined;
  creationTimestamp?: string | undefined;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

/** One served resource type, as discovery (`APIResourceList`) describes it. */
export interface ResourceType {
  /** API group; `''` for the core group. */
  group: string;
  version: string;
  /** Plural resource name as it appears in URLs, e.g. `jobs`. */
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  verbs: readonly string[];
  shortNames: readonly string[];
  categories: readonly string[];
  /** Subresource names served under `{plural}/{name}/{subresource}`, e.g. `log`. */
  subresources: readonly string[];
  /** Whether objects carry `metadata.generation`, counting changes of `spec`. */
  hasGeneration: boolean;
}

const readWrite = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

function core(
  plural: string,
  kind: string,
  extra: Partial<ResourceType> = {},
): ResourceType {
  return {
    group: '',
    version: 'v1',
    plural,
    singular: kind.toLowerCase(),
    kind,
    namespaced: true,
    verbs: readWrite,
    shortNames: [],
    categories: [],
    subresources: [],
    hasGeneration: false,
    ...extra,
  };
}

/** Every resource type the server serves, in discovery order. */
export const resourceTypes: readonly ResourceType[] = [
  core('pods', 'Pod', {
    shortNames: ['po'],
    categories: ['all'],
    subresources: ['log', 'status'],
    hasGeneration: true,
  }),
  core('events', 'Event', { shortNames: ['ev'] }),
  core('nodes', 'Node', { namespaced: false, shortNames: ['no'], subresources: ['status'] }),
  core('namespaces', 'Namespace', { namespaced: false, shortNames: ['ns'] }),
  core('persistentvolumeclaims', 'PersistentVolumeClaim', { shortNames: ['pvc'] }),
  core('resourcequotas', 'ResourceQuota', { shortNames: ['quota'] }),
  // Secrets are list/get only: jobwatch never needs their values, and nothing else should.
  core('secrets', 'Secret', { verbs: ['get', 'list'] }),
  core('configmaps', 'ConfigMap', { shortNames: ['cm'] }),
  {
    ...core('jobs', 'Job', { categories: ['all'], subresources: ['status'], hasGeneration: true }),
    group: 'batch',
  },
  {
    ...core('cronjobs', 'CronJob', { shortNames: ['cj'], categories: ['all'], hasGeneration: true }),
    group: 'batch',
    subresources: ['status'],
  },
  // Leases carry leader election: jobwatch's watcher replicas take turns through one.
  { ...core('leases', 'Lease'), group: 'coordination.k8s.io' },
];

/** Returns `group/version`, or just `version` for the core group. */
export function groupVersion(type: Pick<ResourceType, 'group' | 'version'>): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

/** Returns the group-qualified resource name that Status messages use: `pods`, `jobs.batch`. */
export function qualifiedName(type: ResourceType): string {
  return type.group === '' ? type.plural : `${type.plural}.${type.group}`;
}

/** Finds the type of an object from its `apiVersion` and `kind`, or `undefined` if not served. */
export function typeOfObject(object: Pick<KubeObject, 'apiVersion' | 'kind'>): ResourceType | undefined {
  return resourceTypes.find((t) => groupVersion(t) === object.apiVersion && t.kind === object.kind);
}

/** Finds a type by the URL parts `group`, `version` and `plural`. */
export function typeOfPath(group: string, version: string, plural: string): ResourceType | undefined {
  return resourceTypes.find((t) => t.group === group && t.version === version && t.plural === plural);
}

/** Returns the key a resource type is stored under, e.g. `batch/jobs`. */
export function typeKey(type: ResourceType): string {
  return `${type.group}/${type.plural}`;
}
