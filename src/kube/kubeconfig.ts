import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { Cluster, Context, User } from '@kubernetes/client-node';
import { poolConnections } from './connection-pool.ts';

/** Options for {@link loadKubeConfig}, matching kubectl's `--kubeconfig` and `--context`. */
export interface LoadKubeConfigOptions {
  /** An explicit kubeconfig file; when set, `$KUBECONFIG` and `~/.kube/config` are ignored. */
  kubeconfig?: string | undefined;
  /** The context to use instead of the file's `current-context`. */
  context?: string | undefined;
  /** Environment variables, for `KUBECONFIG` and `KUBERNETES_SERVICE_*`. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The home directory that contains `.kube/config`. Default `os.homedir()`. */
  homeDir?: string;
  /**
   * A prefix for the service-account files under `/var/run/secrets/kubernetes.io/serviceaccount`,
   * so tests can point the in-cluster fallback at a temporary directory. Default `''`.
   */
  inClusterPathPrefix?: string;
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * Loads a kubeconfig the way kubectl finds one: the explicit `kubeconfig` path, else the
 * files listed in `$KUBECONFIG` (merged, the first file winning on duplicate names and
 * supplying `current-context`), else `~/.kube/config`, else the in-cluster service
 * account. The `context` option then overrides `current-context`.
 *
 * Unlike client-node's `loadFromDefault`, this never falls back to `http://localhost:8080`:
 * it throws an error that names the files tried and the fix when nothing is found, and
 * when the requested context or its cluster does not exist.
 */
export function loadKubeConfig(options: LoadKubeConfigOptions = {}): KubeConfig {
  const env = options.env ?? process.env;
  const kc = loadSource(options, env);
  if (options.context) useContext(kc, options.context);
  assertUsableContext(kc);
  return poolConnections(kc);
}

function loadSource(options: LoadKubeConfigOptions, env: NodeJS.ProcessEnv): KubeConfig {
  if (options.kubeconfig) return loadFiles([options.kubeconfig], '--kubeconfig');

  const listed = (env['KUBECONFIG'] ?? '').split(delimiter).filter((file) => file.length > 0);
  if (listed.length > 0) return loadFiles(listed, '$KUBECONFIG');

  const homeConfig = join(options.homeDir ?? homedir(), '.kube', 'config');
  if (existsSync(homeConfig)) return loadFiles([homeConfig], '~/.kube/config');

  const prefix = options.inClusterPathPrefix ?? '';
  if (env['KUBERNETES_SERVICE_HOST'] && existsSync(`${prefix}${SERVICE_ACCOUNT_TOKEN}`)) {
    return loadInCluster(prefix, env);
  }
  throw new Error(
    `No Kubernetes configuration found: $KUBECONFIG is unset, ${homeConfig} does not exist, ` +
      'and no in-cluster service account is mounted. ' +
      'Set KUBECONFIG (jobwatch diagnose also takes --kubeconfig <file>).',
  );
}

/**
 * Loads and merges kubeconfig files. Like client-go's `ClientConfigLoadingRules.Load`
 * (`tools/clientcmd/loader.go`), it skips missing `$KUBECONFIG` files and fails only when
 * none of them exists.
 */
function loadFiles(files: string[], origin: string): KubeConfig {
  const present = origin === '$KUBECONFIG' ? files.filter((file) => existsSync(file)) : files;
  if (present.length === 0) {
    throw new Error(
      `No kubeconfig file found: none of the files in ${origin} exists (${files.join(', ')}). ` +
        'Fix the path or unset KUBECONFIG to use ~/.kube/config.',
    );
  }
  const merged = { clusters: [] as Cluster[], users: [] as User[], contexts: [] as Context[] };
  let currentContext = '';
  for (const file of present) {
    const kc = readFile(file, origin);
    addMissing(merged.clusters, kc.getClusters());
    addMissing(merged.users, kc.getUsers());
    addMissing(merged.contexts, kc.getContexts());
    currentContext ||= kc.getCurrentContext() ?? '';
  }
  const kc = new KubeConfig();
  kc.loadFromOptions({ ...merged, currentContext });
  return kc;
}

function readFile(file: string, origin: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    // loadFromFile also resolves relative certificate paths against the file's folder.
    kc.loadFromFile(file);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `Cannot load kubeconfig ${file} (from ${origin}): ${reason}. ` +
        'Check that the file exists and is valid YAML.',
      { cause: err },
    );
  }
  return kc;
}

/** Appends the entries whose names are not taken yet, because kubectl's merge keeps the first. */
function addMissing<T extends { name: string }>(target: T[], entries: T[]): void {
  for (const entry of entries) {
    if (!target.some((existing) => existing.name === entry.name)) target.push(entry);
  }
}

function loadInCluster(prefix: string, env: NodeJS.ProcessEnv): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromCluster(prefix);
  // loadFromCluster reads the service address from process.env, so the address is rebuilt
  // from the injected environment, with the same plain-HTTP ports as client-node.
  const host = env['KUBERNETES_SERVICE_HOST'] ?? '';
  const port = env['KUBERNETES_SERVICE_PORT'] ?? '443';
  const scheme = ['80', '8080', '8001'].includes(port) ? 'http' : 'https';
  const server = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  kc.loadFromOptions({
    clusters: kc.getClusters().map((cluster) => ({ ...cluster, server })),
    users: kc.getUsers(),
    contexts: kc.getContexts(),
    currentContext: kc.getCurrentContext(),
  });
  return kc;
}

function useContext(kc: KubeConfig, context: string): void {
  if (!kc.getContextObject(context)) {
    const known = kc.getContexts().map((entry) => entry.name);
    throw new Error(
      `Kubernetes context "${context}" not found; the kubeconfig defines ` +
        `${known.length > 0 ? known.join(', ') : 'no contexts'}. ` +
        'Use one of those (JOBWATCH_CONTEXT, or --context for jobwatch diagnose), or list them ' +
          'with `kubectl config get-contexts`.',
    );
  }
  kc.setCurrentContext(context);
}

function assertUsableContext(kc: KubeConfig): void {
  const name = kc.getCurrentContext();
  if (!name) {
    throw new Error(
      'The kubeconfig sets no current-context. Set JOBWATCH_CONTEXT (--context for ' +
        'jobwatch diagnose) or run ' +
        '`kubectl config use-context <name>`.',
    );
  }
  const context = kc.getContextObject(name);
  if (!context) {
    throw new Error(
      `The kubeconfig's current-context "${name}" is not defined in its contexts. ` +
        'Set JOBWATCH_CONTEXT (--context for jobwatch diagnose) or fix current-context.',
    );
  }
  if (!kc.getCluster(context.cluster)) {
    throw new Error(
      `Kubernetes context "${name}" refers to cluster "${context.cluster}", ` +
        'which the kubeconfig does not define. Add the cluster or pick another context.',
    );
  }
}
