import { HttpMethod, IsomorphicFetchHttpLibrary, RequestContext } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeApiErrorFromResponse, KubeApiError, toKubeApiError, type KubeObjectRef } from './errors.ts';
import type { LeaseRecord } from './leader-election.ts';

/** A Lease as read from the API server: its leader election fields and its version. */
export interface StoredLease {
  record: LeaseRecord;
  /** `metadata.resourceVersion`, sent back on update so a concurrent write gets 409. */
  resourceVersion: string;
}

/**
 * Reads and writes one `coordination.k8s.io/v1` Lease. Every failure rejects with a
 * `KubeApiError`; a 409 Conflict (`code === 409`) means another writer changed the Lease
 * since it was read.
 */
export interface LeaseClient {
  /** The Lease's namespace and name, for log lines. */
  readonly ref: { namespace: string; name: string };
  /** Returns the Lease, or `undefined` when it does not exist. */
  get(signal?: AbortSignal): Promise<StoredLease | undefined>;
  /** Creates the Lease; 409 AlreadyExists when another replica created it first. */
  create(record: LeaseRecord, signal?: AbortSignal): Promise<StoredLease>;
  /** Replaces the Lease's spec, on the condition that it is still at `resourceVersion`. */
  update(record: LeaseRecord, resourceVersion: string, signal?: AbortSignal): Promise<StoredLease>;
  /** Deletes the Lease; resolves when it does not exist. */
  delete(signal?: AbortSignal): Promise<void>;
}

/** Options of {@link createLeaseClient}. */
export interface LeaseClientOptions {
  namespace: string;
  name: string;
  /** Sent as `User-Agent`, so the API server's audit log names the replica. */
  userAgent?: string;
}

type Fields = Record<string, unknown>;

/**
 * Creates a {@link LeaseClient} over client-node's HTTP stack, so the kubeconfig's TLS
 * settings, tokens and exec plugins apply. The bodies are built here rather than through
 * the generated `CoordinationV1Api`, so the times go out exactly as `formatMicroTime`
 * writes them. The API server (v1.37) rejects a MicroTime without six fractional digits
 * with 400 BadRequest, and a plain `Date` in the generated models has three.
 */
export function createLeaseClient(kc: KubeConfig, options: LeaseClientOptions): LeaseClient {
  const http = new IsomorphicFetchHttpLibrary();
  const { namespace, name } = options;
  const collection = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  const item = `${collection}/${encodeURIComponent(name)}`;
  const object: KubeObjectRef = { kind: 'Lease', namespace, name };

  async function send(method: HttpMethod, path: string, body: unknown, signal?: AbortSignal) {
    const context = new RequestContext(serverUrl(kc) + path, method);
    context.setHeaderParam('Accept', 'application/json');
    if (options.userAgent !== undefined) context.setHeaderParam('User-Agent', options.userAgent);
    if (body !== undefined) {
      context.setHeaderParam('Content-Type', 'application/json');
      context.setBody(JSON.stringify(body));
    }
    await kc.applySecurityAuthentication(context);
    if (signal !== undefined) context.setSignal(signal);
    try {
      const response = await http.send(context).toPromise();
      return { code: response.httpStatusCode, text: await response.body.text() };
    } catch (err) {
      throw toKubeApiError(err, object);
    }
  }

  function readLease(accepted: number[], response: { code: number; text: string }): StoredLease {
    if (!accepted.includes(response.code)) throw kubeApiErrorFromResponse(response.code, response.text, object);
    return parseLease(response.text, object);
  }

  return {
    ref: { namespace, name },
    async get(signal) {
      const response = await send(HttpMethod.GET, item, undefined, signal);
      if (response.code === 404) return undefined;
      return readLease([200], response);
    },
    async create(record, signal) {
      const body = leaseBody(namespace, name, record);
      return readLease([200, 201], await send(HttpMethod.POST, collection, body, signal));
    },
    async update(record, resourceVersion, signal) {
      const body = leaseBody(namespace, name, record, resourceVersion);
      return readLease([200], await send(HttpMethod.PUT, item, body, signal));
    },
    async delete(signal) {
      const response = await send(HttpMethod.DELETE, item, undefined, signal);
      if (response.code !== 200 && response.code !== 404) {
        throw kubeApiErrorFromResponse(response.code, response.text, object);
      }
    },
  };
}

function serverUrl(kc: KubeConfig): string {
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new Error(`Kubernetes context "${kc.getCurrentContext()}" has no cluster; check the kubeconfig.`);
  }
  // The server URL may carry a path prefix (an API server behind a proxy), so append to it.
  return cluster.server.replace(/\/+$/, '');
}

/** Builds the Lease object that a create or update sends. */
export function leaseBody(namespace: string, name: string, record: LeaseRecord, resourceVersion?: string): Fields {
  const spec: Fields = {
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds,
    leaseTransitions: record.leaseTransitions,
  };
  if (record.acquireTime !== undefined) spec['acquireTime'] = record.acquireTime;
  if (record.renewTime !== undefined) spec['renewTime'] = record.renewTime;
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace,
      labels: { 'app.kubernetes.io/name': 'jobwatch' },
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
    },
    spec,
  };
}

/** Reads the leader election fields of a Lease body; absent fields read as client-go reads them. */
export function parseLease(text: string, object: KubeObjectRef): StoredLease {
  let body: Fields;
  try {
    body = JSON.parse(text) as Fields;
  } catch {
    throw new KubeApiError({ code: 200, reason: 'InvalidJson', statusMessage: `Lease body is not JSON: ${text.slice(0, 200)}`, object });
  }
  const metadata = (body['metadata'] ?? {}) as Fields;
  const spec = (body['spec'] ?? {}) as Fields;
  const resourceVersion = metadata['resourceVersion'];
  if (typeof resourceVersion !== 'string') {
    throw new KubeApiError({ code: 200, reason: 'InvalidLease', statusMessage: 'Lease has no metadata.resourceVersion', object });
  }
  const stringField = (key: string) => (typeof spec[key] === 'string' ? spec[key] : undefined);
  const count = (key: string) => (typeof spec[key] === 'number' ? spec[key] : 0);
  return {
    resourceVersion,
    record: {
      holderIdentity: stringField('holderIdentity') ?? '',
      leaseDurationSeconds: count('leaseDurationSeconds'),
      acquireTime: stringField('acquireTime'),
      renewTime: stringField('renewTime'),
      leaseTransitions: count('leaseTransitions'),
    },
  };
}
