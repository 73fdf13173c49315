import type { CoreV1Event, V1CronJob, V1Job, V1Pod } from '@kubernetes/client-node';

/** A log read, or why there is none (pod gone, container never ran…). */
export type LogRead = { text: string; truncated: boolean } | { unavailable: string };

/**
 * The cluster reads the worker and the evidence capture need. `undefined` means the
 * object does not exist; other failures throw.
 */
export interface ClusterReader {
  getJob(namespace: string, name: string): Promise<V1Job | undefined>;
  getCronJob(namespace: string, name: string): Promise<V1CronJob | undefined>;
  getPod(namespace: string, name: string): Promise<V1Pod | undefined>;
  listJobPods(namespace: string, jobUid: string): Promise<V1Pod[]>;
  listEventsFor(namespace: string, object: { kind: string; name: string; uid?: string }): Promise<CoreV1Event[]>;
  readPodLog(options: {
    namespace: string;
    pod: string;
    container: string;
    previous: boolean;
    tailLines: number;
    limitBytes: number;
  }): Promise<LogRead>;
}
