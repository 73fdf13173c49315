import { Agent, fetch } from 'undici';
import { startSimCluster, type SimCluster, type SimClusterOptions } from '../../../src/sim/index.ts';
import { controlPlane, createNamespace } from '../support/e2e.ts';
import { createKubeClient, type KubeClient, type KubeResponse } from '../support/kube-client.ts';
import { pick } from './compare.ts';

/** A response read without parsing. */
export interface RawResponse {
  status: number;
  contentType: string | null;
  text: string;
}

/** The same request's response from both servers. */
export interface TwinResponse<T = unknown> {
  real: KubeResponse<T>;
  sim: KubeResponse<T>;
}

/**
 * The run's real API server and a fresh simulated cluster, each behind a plain HTTP client,
 * so every contract test sends the same bytes to both.
 */
export interface Twin {
  real: KubeClient;
  sim: KubeClient;
  simCluster: SimCluster;
  /** Sends one request to the real server, then the same request to the simulated one. */
  both<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
  ): Promise<TwinResponse<T>>;
  /** Like `both`, but throws when either server returns a status of 300 or more. */
  callBoth<T = unknown>(method: string, path: string, body?: unknown, contentType?: string): Promise<{ real: T; sim: T }>;
  /** Sends a GET to both servers and returns status, Content-Type and text of each. */
  rawGet(path: string, accept?: string): Promise<{ real: RawResponse; sim: RawResponse }>;
  /** Creates a namespace with the same fresh name on both servers and returns the name. */
  namespace(stem: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts a simulated cluster and connects to the run's real API server. `options` are
 * passed to the simulated cluster.
 */
export async function startTwin(options: SimClusterOptions = {}): Promise<Twin> {
  const plane = controlPlane();
  const simCluster = await startSimCluster({ requireNodes: true, emptyLogWithoutNode: true, ...options });
  const simAgent = new Agent();
  const sim = createKubeClient(simCluster.url, simAgent, {
    authorization: `Bearer ${simCluster.token}`,
  });
  const real = plane.kube;
  const twin: Twin = {
    real,
    sim,
    simCluster,
    async both<T>(method: string, path: string, body?: unknown, contentType?: string) {
      const realResponse = await real.request<T>(method, path, body, contentType);
      const simResponse = await sim.request<T>(method, path, body, contentType);
      return { real: realResponse, sim: simResponse };
    },
    async callBoth<T>(method: string, path: string, body?: unknown, contentType?: string) {
      return { real: await real.call<T>(method, path, body, contentType), sim: await sim.call<T>(method, path, body, contentType) };
    },
    async rawGet(path: string, accept = 'application/json') {
      const get = async (base: string, dispatcher: Agent, headers: Record<string, string>) => {
        const response = await fetch(`${base}${path}`, { dispatcher, headers: { accept, ...headers } });
        const text = await response.text();
        return { status: response.status, contentType: response.headers.get('content-type'), text };
      };
      return {
        real: await get(plane.server, plane.dispatcher, {}),
        sim: await get(simCluster.url, simAgent, { authorization: `Bearer ${simCluster.token}` }),
      };
    },
    async namespace(stem: string) {
      const name = await createNamespace(real, stem);
      await sim.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      return name;
    },
    async close() {
      await simCluster.stop();
      await simAgent.close();
      await plane.dispatcher.close();
    },
  };
  return twin;
}

/** The metadata fields both servers must agree on. managedFields exists only on the real server. */
const metadataKeys = [
  'name',
  'generateName',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
] as const;

/**
 * Returns the part of an object both servers must agree on: `kind` and `apiVersion` when
 * present, the metadata above, and the top-level fields named in `fields` (e.g. `spec`).
 * The real server adds defaults and managedFields that the simulated one does not model.
 */
export function projectObject(object: unknown, fields: readonly string[] = []): Record<string, unknown> {
  const source = (object ?? {}) as Record<string, unknown>;
  return {
    ...pick(source, ['kind', 'apiVersion']),
    metadata: pick(source['metadata'], metadataKeys),
    ...pick(source, fields),
  };
}
