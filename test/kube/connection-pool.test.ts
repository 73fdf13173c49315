import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { poolConnections } from '../../src/kube/connection-pool.ts';

type Dispatching = { createDispatcher(cluster: unknown, options: Record<string, unknown>): unknown };

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return kc;
}

describe('poolConnections', () => {
  it('returns one dispatcher for repeated requests to one cluster', () => {
    const kc = poolConnections(kubeConfig()) as unknown as Dispatching;
    const cluster = { name: 'c', server: 'https://127.0.0.1:6443', skipTLSVerify: true };
    const first = kc.createDispatcher(cluster, { rejectUnauthorized: false });
    expect(first).toBeDefined();
    expect(kc.createDispatcher(cluster, { rejectUnauthorized: false })).toBe(first);
  });

  it('keeps dispatchers apart for different TLS options', () => {
    const kc = poolConnections(kubeConfig()) as unknown as Dispatching;
    const cluster = { name: 'c', server: 'https://127.0.0.1:6443' };
    const strict = kc.createDispatcher(cluster, { rejectUnauthorized: true, servername: 'a' });
    expect(kc.createDispatcher(cluster, { rejectUnauthorized: true, servername: 'b' })).not.toBe(strict);
  });

  it('creates a new dispatcher for every request without pooling', () => {
    const kc = kubeConfig() as unknown as Dispatching;
    const cluster = { name: 'c', server: 'https://127.0.0.1:6443', skipTLSVerify: true };
    expect(kc.createDispatcher(cluster, { rejectUnauthorized: false })).not.toBe(kc.createDispatcher(cluster, { rejectUnauthorized: false }));
  });
});
