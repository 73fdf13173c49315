/**
 * Names of the per-cluster queues and Redis keys. Several clusters can share one Redis
 * and one Slack app, so every queue a cluster side consumes and every key that names a
 * Job by namespace and name carries the cluster. The default cluster keeps the names an
 * install had before clusters were named, so a single-cluster install needs no migration.
 */

/** The cluster name when `JOBWATCH_CLUSTER_NAME` is unset. */
export const DEFAULT_CLUSTER = 'default';

/** Queue of failure signals from the watcher to the worker of the default cluster. */
export const SIGNAL_QUEUE = 'signals';

/** Queue of actions from the Slack-facing app to the cluster side of the default cluster. */
export const ACTION_QUEUE = 'actions';

/**
 * Cluster names as `JOBWATCH_CLUSTER_NAME` accepts them. They contain no `:` or `/`, so a
 * name can stand in a BullMQ queue name, a Redis key and a button value.
 */
export const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** Returns the signal queue of a cluster: `signals`, or `signals.NAME` for a named cluster. */
export function signalQueueName(cluster: string = DEFAULT_CLUSTER): string {
  return withCluster(SIGNAL_QUEUE, cluster);
}

/** Returns the action queue of a cluster: `actions`, or `actions.NAME` for a named cluster. */
export function actionQueueName(cluster: string = DEFAULT_CLUSTER): string {
  return withCluster(ACTION_QUEUE, cluster);
}

/**
 * Returns the key parts that scope a key to a cluster: none for the default cluster, so
 * its keys stay as they were, and `cluster`, NAME for a named one.
 */
export function clusterKeyParts(cluster: string = DEFAULT_CLUSTER): string[] {
  return cluster === DEFAULT_CLUSTER ? [] : ['cluster', cluster];
}

function withCluster(queue: string, cluster: string): string {
  if (!CLUSTER_NAME.test(cluster)) {
    throw new Error(`invalid cluster name ${JSON.stringify(cluster)}: use letters, digits, ".", "_" or "-" (set JOBWATCH_CLUSTER_NAME)`);
  }
  return cluster === DEFAULT_CLUSTER ? queue : `${queue}.${cluster}`;
}
