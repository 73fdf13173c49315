import { BatchV1Api, CoreV1Api } from '@kubernetes/client-node';
import type {
  CoreV1Event,
  KubeConfig,
  V1CronJob,
  V1Job,
  V1Node,
  V1Pod,
} from '@kubernetes/client-node';
import { toKubeApiError } from './errors.ts';
import type { KubeObjectRef } from './errors.ts';
import { readPodLog } from './pod-log.ts';
import type { PodLogRequest, PodLogResult } from './pod-log.ts';

/** The object whose events {@link KubeReads.listEventsFor} reads. */
export interface InvolvedObject {
  /** The kind as events spell it: `Job`, `Pod`, `CronJob`, `Node`. */
  kind: string;
  name: string;
  /** Narrows the events to this uid, so a re-created object of the same name is excluded. */
  uid?: string | undefined;
}

/**
 * The reads the worker makes to enrich a failure. Each failure, 404 Not Found included,
 * rejects with a `KubeApiError`, except the expected log failures of `readPodLog`.
 */
export interface KubeReads {
  getJob(namespace: string, name: string): Promise<V1Job>;
  getCronJob(namespace: string, name: string): Promise<V1CronJob>;
  getPod(namespace: string, name: string): Promise<V1Pod>;
  /** Lists the pods a Job created, by its `batch.kubernetes.io/controller-uid` label. */
  listJobPods(namespace: string, jobUid: string): Promise<V1Pod[]>;
  /** Lists the core/v1 events about one object, in the order the server returns them. */
  listEventsFor(namespace: string, object: InvolvedObject): Promise<CoreV1Event[]>;
  getNode(name: string): Promise<V1Node>;
  /** Reads a container log; see {@link readPodLog} for the unavailable cases. */
  readPodLog(request: PodLogRequest): Promise<PodLogResult>;
}

/** Items per page when listing pods and events. */
const PAGE_SIZE = 500;

/** Creates the worker's reads over the generated client-node API clients. */
export function createKubeReads(kc: KubeConfig): KubeReads {
  const batch = kc.makeApiClient(BatchV1Api);
  const core = kc.makeApiClient(CoreV1Api);

  return {
    getJob: (namespace, name) =>
      call({ kind: 'Job', namespace, name }, () => batch.readNamespacedJob({ namespace, name })),

    getCronJob: (namespace, name) =>
      call({ kind: 'CronJob', namespace, name }, () =>
        batch.readNamespacedCronJob({ namespace, name }),
      ),

    getPod: (namespace, name) =>
      call({ kind: 'Pod', namespace, name }, () => core.readNamespacedPod({ namespace, name })),

    listJobPods: (namespace, jobUid) => {
      const labelSelector = jobPodSelector(jobUid);
      return call({ kind: 'Pod', namespace }, () =>
        listAll((page) => core.listNamespacedPod({ namespace, labelSelector, ...page })),
      );
    },

    listEventsFor: (namespace, object) => {
      const fieldSelector = involvedObjectSelector(object);
      const ref = { kind: 'Event', namespace, name: `${object.kind}/${object.name}` };
      return call(ref, () =>
        listAll((page) => core.listNamespacedEvent({ namespace, fieldSelector, ...page })),
      );
    },

    getNode: (name) => call({ kind: 'Node', name }, () => core.readNode({ name })),

    readPodLog: (request) => readPodLog(kc, request),
  };
}

/**
 * Builds the label selector of a Job's pods from the Job's uid.
 * NOTE: job controllers before Kubernetes 1.27 set only the unprefixed `controller-uid`
 * label, so pods of Jobs created by such a controller are not found.
 */
export function jobPodSelector(jobUid: string): string {
  return `batch.kubernetes.io/controller-uid=${jobUid}`;
}

/**
 * Builds the field selector of the core/v1 events about one object. Field selector
 * values escape `\`, `,` and `=` with a backslash.
 */
export function involvedObjectSelector(object: InvolvedObject): string {
  const parts = [
    `involvedObject.kind=${escapeSelectorValue(object.kind)}`,
    `involvedObject.name=${escapeSelectorValue(object.name)}`,
  ];
  if (object.uid) parts.push(`involvedObject.uid=${escapeSelectorValue(object.uid)}`);
  return parts.join(',');
}

function escapeSelectorValue(value: string): string {
  return value.replace(/[\\,=]/g, (char) => `\\${char}`);
}

async function call<R>(object: KubeObjectRef, request: () => Promise<R>): Promise<R> {
  try {
    return await request();
  } catch (err) {
    throw toKubeApiError(err, object);
  }
}

/** Follows `continue` tokens until the list is complete. */
async function listAll<I>(
  fetchPage: (page: {
    limit: number;
    _continue?: string;
  }) => Promise<{ items: I[]; metadata?: { _continue?: string } }>,
): Promise<I[]> {
  const items: I[] = [];
  let token: string | undefined;
  do {
    const list = await fetchPage(
      token === undefined ? { limit: PAGE_SIZE } : { limit: PAGE_SIZE, _continue: token },
    );
    items.push(...list.items);
    token = list.metadata?._continue || undefined;
  } while (token !== undefined);
  return items;
}
