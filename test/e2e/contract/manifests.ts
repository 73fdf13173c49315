/**
 * Objects that both servers accept and that stay still on the real one: Jobs are suspended
 * so the job controller creates no pods, and pods name the node `nowhere` so the fake
 * kubelet leaves them alone.
 */

/** The node name that keeps a pod away from the fake kubelet. */
export const NOWHERE = 'nowhere';

/** A suspended batch/v1 Job with one container. */
export function suspendedJob(
  namespace: string,
  name: string,
  labels: Record<string, string> = {},
): Record<string, unknown> {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace, labels },
    spec: {
      suspend: true,
      backoffLimit: 0,
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'main', image: 'registry.example/batch/report:1.4.2' }],
        },
      },
    },
  };
}

/** A pod bound to a node that does not exist, with the given labels and containers. */
export function strandedPod(
  namespace: string,
  name: string,
  labels: Record<string, string> = {},
  containers: readonly string[] = ['main'],
): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: {
      nodeName: NOWHERE,
      restartPolicy: 'Never',
      containers: containers.map((container) => ({ name: container, image: 'registry.example/app:1' })),
    },
  };
}

/** A core/v1 Event about one object, as the job controller writes them. */
export function eventAbout(
  namespace: string,
  name: string,
  involved: { kind: string; name: string; uid: string; apiVersion: string },
  reason: string,
): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace },
    involvedObject: { ...involved, namespace },
    reason,
    message: `${reason} for ${involved.kind} ${involved.name}`,
    type: 'Normal',
    source: { component: 'job-controller' },
    count: 1,
  };
}

/** A suspended batch/v1 CronJob. */
export function suspendedCronJob(namespace: string, name: string): Record<string, unknown> {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace },
    spec: {
      schedule: '0 3 * * *',
      suspend: true,
      jobTemplate: {
        spec: {
          template: {
            spec: {
              restartPolicy: 'Never',
              containers: [{ name: 'main', image: 'registry.example/batch/report:1.4.2' }],
            },
          },
        },
      },
    },
  };
}
