import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

/** The server and credentials a kubeconfig for the simulated cluster names. */
export interface KubeconfigTarget {
  /** Server URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** Bearer token the server expects. */
  token: string;
  /** Name of the cluster, context and user entries. Default `jobwatch-sim`. */
  name?: string;
  /** Namespace of the context. Default `default`. */
  namespace?: string;
}

/**
 * Renders a kubeconfig with one cluster, one token user and one current context.
 * `insecure-skip-tls-verify` is set because @kubernetes/client-node rejects `http://`
 * servers without it.
 */
export function kubeconfigYaml(target: KubeconfigTarget): string {
  const name = target.name ?? 'jobwatch-sim';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: target.url, 'insecure-skip-tls-verify': true } }],
    users: [{ name, user: { token: target.token } }],
    contexts: [
      { name, context: { cluster: name, user: name, namespace: target.namespace ?? 'default' } },
    ],
    'current-context': name,
    preferences: {},
  });
}

/** Writes {@link kubeconfigYaml} to `path` with mode 0600, as kubectl does for its own files. */
export async function writeKubeconfig(path: string, target: KubeconfigTarget): Promise<void> {
  await writeFile(path, kubeconfigYaml(target), { mode: 0o600 });
}
