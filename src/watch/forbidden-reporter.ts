import type { Logger } from 'pino';
import { KubeApiError } from '../kube/errors.ts';

/** The key of the cluster-wide scope, which has no namespace. */
const ALL_NAMESPACES = '*';

/** The handlers that log list-watch loops forbidden by RBAC, from {@link createForbiddenReporter}. */
export interface ForbiddenReporter {
  /** Returns the `onError` handler of the loops over `resource` (`jobs`, `pods`, `cronjobs`). */
  onError(resource: string): (err: Error) => void;
  /** Records that the loop of `namespace` (undefined: cluster-wide) listed. */
  onSynced(namespace: string | undefined): void;
}

/**
 * Creates a reporter that logs one error per namespace, or one for the whole cluster,
 * whose list or watch the API server rejects with 403 Forbidden. The error names the
 * scope and the manifest that grants the access. The loops retry on their own, so access
 * granted later takes effect without a restart. A scope is reported again only after one
 * of its loops has listed, because repeats of the same denial add nothing.
 */
export function createForbiddenReporter(logger: Logger): ForbiddenReporter {
  const reported = new Set<string>();
  return {
    onError: (resource) => (err) => {
      if (!(err instanceof KubeApiError) || err.code !== 403) return;
      const namespace = err.object.namespace;
      const scope = namespace ?? ALL_NAMESPACES;
      if (reported.has(scope)) return;
      reported.add(scope);
      const fields = { err, resource, fix: grantFor(namespace) };
      logger.error(
        namespace === undefined ? fields : { ...fields, namespace },
        'list and watch forbidden by RBAC; the resource is not watched in this scope until access is granted',
      );
    },
    onSynced: (namespace) => {
      reported.delete(namespace ?? ALL_NAMESPACES);
    },
  };
}

/** Builds the step that gives jobwatch's ServiceAccount the access, or narrows its scope. */
export function grantFor(namespace: string | undefined): string {
  if (namespace === undefined) {
    return (
      "bind jobwatch's ClusterRole with kubectl apply -f deploy/rbac/cluster.yaml, or set " +
      'JOBWATCH_NAMESPACES to the namespaces where its Role is bound'
    );
  }
  return (
    `bind jobwatch's Role in namespace ${namespace} with kubectl apply -n ${namespace} ` +
    `-f deploy/rbac/namespaced.yaml, or remove ${namespace} from JOBWATCH_NAMESPACES`
  );
}
