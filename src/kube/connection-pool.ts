import type { KubeConfig } from '@kubernetes/client-node';

type CreateDispatcher = (cluster: unknown, agentOptions: Record<string, unknown>) => unknown;

/**
 * Makes a KubeConfig reuse one undici dispatcher per set of TLS options instead of
 * building a new one for every request. `@kubernetes/client-node` 2.0.1 creates a
 * fresh `Agent`, so a fresh TCP and TLS connection, for each API call of a cluster
 * with TLS options. With connections reused, the benchmark measured less CPU per failed
 * Job and a lower peak memory (docs/benchmarks.md).
 *
 * NOTE: this wraps `createDispatcher`, which client-node declares private; if a
 * later version renames it, the wrapper is skipped and requests work as before.
 */
export function poolConnections(kc: KubeConfig): KubeConfig {
  const target = kc as unknown as { createDispatcher?: CreateDispatcher };
  const original = target.createDispatcher;
  if (typeof original !== 'function') return kc;
  const cache = new Map<string, unknown>();
  target.createDispatcher = function pooled(this: unknown, cluster, agentOptions) {
    const key = JSON.stringify([cluster, agentOptions]);
    if (!cache.has(key)) cache.set(key, original.call(this, cluster, agentOptions));
    return cache.get(key);
  };
  return kc;
}
