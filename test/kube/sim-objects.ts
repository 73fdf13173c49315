import type { KubeObject } from '../../src/sim/index.ts';

/** Builds a Job for the simulated cluster. */
export function simJob(name: string, labels: Record<string, string> = {}, failed = 0): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'etl', labels },
    spec: {
      backoffLimit: 1,
      template: { spec: { containers: [{ name: 'main', image: 'busybox' }] } },
    },
    status: { failed },
  };
}

/** Builds a pod of a Job whose container state the test chooses. */
export function simPod(
  name: string,
  options: { jobUid?: string; nodeName?: string; state?: object; lastState?: object } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'etl',
      labels: options.jobUid ? { 'batch.kubernetes.io/controller-uid': options.jobUid } : {},
    },
    spec: {
      ...(options.nodeName !== undefined && { nodeName: options.nodeName }),
      containers: [{ name: 'main', image: 'busybox' }],
    },
    status: {
      phase: 'Failed',
      containerStatuses: [
        {
          name: 'main',
          state: options.state ?? { terminated: { exitCode: 1, reason: 'Error' } },
          ...(options.lastState !== undefined && { lastState: options.lastState }),
        },
      ],
    },
  };
}

/** Builds a core/v1 event about an object. */
export function simEvent(name: string, involved: { kind: string; name: string; uid?: string }) {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: 'etl' },
    involvedObject: { ...involved, namespace: 'etl' },
    reason: 'BackoffLimitExceeded',
    message: 'Job has reached the specified backoff limit',
    type: 'Warning',
  } satisfies KubeObject;
}
