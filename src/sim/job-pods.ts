import { randomBytes } from 'node:crypto';
import { formatTimestamp } from './object-store.ts';
import { defaultNewPod } from './pod-defaults.ts';
import type { KubeObject } from './resources.ts';

/** Pods as the simulated job controller and kubelet write them. */

type Fields = Record<string, unknown>;

/** Finalizer the job controller keeps on a pod until it has counted the pod's end. */
export const trackingFinalizer = 'batch.kubernetes.io/job-tracking';
/** Node name of the pods the simulated kubelet runs. */
export const simNodeName = 'sim-node';

/** The outcome of one attempt of a Job's pod, chosen by the `outcomes` option. */
export interface AttemptOutcome {
  exitCode: number;
  /** `terminated.reason`; default `Completed` for exit code 0, else `Error`. */
  reason?: string;
  /** The container's log of this attempt. */
  log?: string;
  /** Run time before the container ends, in ms of model time. */
  durationMs: number;
  /** Keeps the container waiting (e.g. `ImagePullBackOff`) instead of running it. */
  waiting?: { reason: string; message: string };
}

/** One attempt of a pod: `index` is the completion index, `number` counts from 1 per index. */
export interface Attempt {
  index: number;
  number: number;
}

function containerNames(job: KubeObject): string[] {
  const spec = ((job['spec'] as Fields)['template'] as Fields)['spec'] as Fields;
  return ((spec['containers'] ?? []) as Fields[]).map((c) => String(c['name']));
}

/** Returns a new pod for a Job: generated name, labels, owner reference and tracking finalizer. */
export function newJobPod(job: KubeObject, index: number): KubeObject {
  const template = structuredClone((job['spec'] as Fields)['template'] as Fields);
  const metadata = (template['metadata'] ?? {}) as Fields;
  const name = job.metadata.name ?? '';
  const annotations = { ...((metadata['annotations'] ?? {}) as Record<string, string>) };
  if ((job['spec'] as Fields)['completionMode'] === 'Indexed') {
    annotations['batch.kubernetes.io/job-completion-index'] = String(index);
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${name}-`,
      namespace: job.metadata.namespace,
      labels: { ...((metadata['labels'] ?? {}) as Record<string, string>) },
      annotations,
      finalizers: [trackingFinalizer],
      ownerReferences: [
        { apiVersion: 'batch/v1', kind: 'Job', name, uid: job.metadata.uid, controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: { ...defaultNewPod((template['spec'] ?? {}) as Fields), nodeName: simNodeName },
    status: { phase: 'Pending' },
  };
}

function containerId(): string {
  return `containerd://${randomBytes(32).toString('hex')}`;
}

/** Returns the status of a pod whose containers wait, e.g. for an image pull. */
export function waitingStatus(job: KubeObject, at: Date, waiting: { reason: string; message: string }): Fields {
  return {
    phase: 'Pending',
    hostIP: '127.0.0.1',
    startTime: formatTimestamp(at),
    containerStatuses: containerNames(job).map((name) => ({
      name,
      ready: false,
      restartCount: 0,
      image: '',
      imageID: '',
      started: false,
      state: { waiting },
    })),
  };
}

/** Returns the status of a running pod; `previous` is the last terminated state after a restart. */
export function runningStatus(job: KubeObject, at: Date, restartCount: number, previous?: Fields): Fields {
  return {
    phase: 'Running',
    hostIP: '127.0.0.1',
    podIP: '10.0.0.1',
    startTime: formatTimestamp(at),
    containerStatuses: containerNames(job).map((name) => ({
      name,
      ready: true,
      restartCount,
      image: '',
      imageID: '',
      containerID: containerId(),
      started: true,
      state: { running: { startedAt: formatTimestamp(at) } },
      ...(previous === undefined ? {} : { lastState: { terminated: previous } }),
    })),
  };
}

/** Returns the terminated container state of an attempt. */
export function terminatedState(outcome: AttemptOutcome, startedAt: Date, finishedAt: Date): Fields {
  return {
    exitCode: outcome.exitCode,
    reason: outcome.reason ?? (outcome.exitCode === 0 ? 'Completed' : 'Error'),
    startedAt: formatTimestamp(startedAt),
    finishedAt: formatTimestamp(finishedAt),
    containerID: containerId(),
  };
}

/** Returns the status of a pod whose containers ended with `terminated`. */
export function finishedStatus(job: KubeObject, podStatus: Fields, terminated: Fields, restartCount = 0): Fields {
  const exitCode = terminated['exitCode'];
  return {
    ...podStatus,
    phase: exitCode === 0 ? 'Succeeded' : 'Failed',
    containerStatuses: containerNames(job).map((name) => ({
      name,
      ready: false,
      restartCount,
      image: '',
      imageID: '',
      containerID: terminated['containerID'],
      started: false,
      state: { terminated },
    })),
  };
}
