/**
 * The choice of the cluster a Slack request goes to, from the clusters registered in
 * Redis. The functions are pure: the handlers read the registry and the clock.
 */
// The subpath import loads one function, as in format.ts.
import { formatDistanceStrict } from 'date-fns/formatDistanceStrict';
import type { ClusterStatus } from '../queue/cluster-registry.ts';
import { formatUtc } from './format.ts';
import { inlineCode } from './mrkdwn.ts';

/** The chosen cluster, or a message for the user in Slack mrkdwn. */
export type ClusterChoice = { ok: true; cluster: string } | { ok: false; message: string };

const NONE_REGISTERED =
  'No cluster has registered with jobwatch yet, so nothing was queued. Each cluster needs a ' +
  'running jobwatch watcher and worker that reach the same Redis.';

/**
 * Chooses the cluster of a `/job` command: the one given with `--cluster`, else the only
 * registered one. With several registered and none given, the message lists them and
 * shows `example` with the first one added.
 *
 * @param example - The command as typed, such as `/job status report -n batch`.
 */
export function chooseCluster(requested: string | undefined, clusters: readonly ClusterStatus[], example: string, now: Date): ClusterChoice {
  if (requested !== undefined) {
    if (clusters.some((cluster) => cluster.name === requested)) return { ok: true, cluster: requested };
    if (clusters.length === 0) return { ok: false, message: `Unknown cluster ${inlineCode(requested, 80)}. ${NONE_REGISTERED}` };
    return { ok: false, message: `Unknown cluster ${inlineCode(requested, 80)}. Known clusters: ${listClusters(clusters, now)}.` };
  }
  const [only, second] = clusters;
  if (only === undefined) return { ok: false, message: NONE_REGISTERED };
  if (second === undefined) return { ok: true, cluster: only.name };
  const exampleCommand = inlineCode(`${example} --cluster ${only.name}`, 300);
  return {
    ok: false,
    message: `jobwatch watches ${clusters.length} clusters: ${listClusters(clusters, now)}. Name one with ${inlineCode('--cluster NAME')}, for example ${exampleCommand}.`,
  };
}

/**
 * Returns why nothing can be queued for `cluster`: it is not registered, or its cluster
 * side stopped refreshing its registration. Undefined when the cluster is live.
 */
export function unreachableReason(cluster: string, clusters: readonly ClusterStatus[], now: Date): string | undefined {
  const status = clusters.find((candidate) => candidate.name === cluster);
  if (status === undefined) {
    const known = clusters.length === 0 ? 'No cluster has registered yet' : `Known clusters: ${listClusters(clusters, now)}`;
    return `Cluster ${inlineCode(cluster, 80)} is not registered with jobwatch, so nothing was queued. ${known}.`;
  }
  if (status.live) return undefined;
  const at = formatUtc(status.lastSeenAt) ?? 'at an unknown time';
  return (
    `Cluster ${inlineCode(cluster, 80)} has not been seen for ${sinceSeen(status, now)} (last seen ${at}), ` +
    'so nothing was queued. Its jobwatch watcher and worker are stopped or cannot reach Redis.'
  );
}

/** Lists clusters as inline code, with a note on those not seen lately. */
export function listClusters(clusters: readonly ClusterStatus[], now: Date): string {
  return clusters
    .map((cluster) => `${inlineCode(cluster.name, 80)}${cluster.live ? '' : ` (not seen for ${sinceSeen(cluster, now)})`}`)
    .join(', ');
}

function sinceSeen(cluster: ClusterStatus, now: Date): string {
  const seen = Date.parse(cluster.lastSeenAt);
  if (Number.isNaN(seen)) return 'an unknown time';
  // A clock behind the cluster side's would give a negative span; it is at least 0 seconds.
  return formatDistanceStrict(Math.min(seen, now.getTime()), now, { roundingMethod: 'floor' });
}
