import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterReader } from '../episode/cluster-reader.ts';
import { KubeApiError } from '../kube/errors.ts';
import { createKubeReads, type KubeReads } from '../kube/reads.ts';

/**
 * Adapts the Kubernetes reads to what the watcher and worker need: a missing
 * object is `undefined` rather than an error, and an unreadable log carries the reason.
 */
export function createClusterReader(kc: KubeConfig): ClusterReader {
  return clusterReaderFrom(createKubeReads(kc));
}

export function clusterReaderFrom(reads: KubeReads): ClusterReader {
  return {
    getJob: (namespace, name) => orUndefined(reads.getJob(namespace, name)),
    getCronJob: (namespace, name) => orUndefined(reads.getCronJob(namespace, name)),
    getPod: (namespace, name) => orUndefined(reads.getPod(namespace, name)),
    listJobPods: (namespace, uid) => reads.listJobPods(namespace, uid),
    listEventsFor: (namespace, object) => reads.listEventsFor(namespace, object),
    async readPodLog(options) {
      const result = await reads.readPodLog(options);
      if (result.available) return { text: result.text, truncated: result.truncated };
      return { unavailable: `${result.reason}: ${result.message}` };
    },
  };
}

async function orUndefined<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (err) {
    if (err instanceof KubeApiError && err.code === 404) return undefined;
    throw err;
  }
}
