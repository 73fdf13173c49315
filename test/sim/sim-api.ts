import { startSimCluster, type SimCluster, type SimClusterOptions } from '../../src/sim/index.ts';
import type { V1Status } from '@kubernetes/client-node';
import type { KubeObject } from '../../src/sim/resources.ts';

/** A plain HTTP client for a simulated cluster, returning status and parsed body. */
export interface SimApi {
  cluster: SimCluster;
  /** Sends one request; `T` is the type the caller expects the JSON body to have. */
  request<T = V1Status>(
    method: string,
    path: string,
    body?: unknown,
    options?: { contentType?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

/** Starts a simulated cluster with `options` and a client for it. */
export async function startSimApi(options: SimClusterOptions = {}): Promise<SimApi> {
  const cluster = await startSimCluster(options);
  return {
    cluster,
    async request<T>(method: string, path: string, body?: unknown, requestOptions: { contentType?: string; headers?: Record<string, string> } = {}) {
      const response = await fetch(`${cluster.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${cluster.token}`,
          'content-type': requestOptions.contentType ?? 'application/json',
          ...requestOptions.headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as T };
    },
    stop: () => cluster.stop(),
  };
}

/** Builds a batch/v1 Job manifest with one container; `spec` fields override the defaults. */
export function jobManifest(name: string, spec: Record<string, unknown> = {}, namespace = 'default'): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace },
    spec: {
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'registry.example/app:1' }] } },
      ...spec,
    },
  };
}
