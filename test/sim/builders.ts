import type { KubeObject } from '../../src/sim/resources.ts';

/** Builds a Job with the `job-name` label; `overrides` replace top-level fields. */
export function job(name: string, overrides: Partial<KubeObject> & { labels?: Record<string, string> } = {}): KubeObject {
  const { labels, ...rest } = overrides;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default', labels: { 'job-name': name, ...labels } },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } } },
    status: {},
    ...rest,
  };
}

/** Builds a scheduled Pod whose containers all run; `statuses` replace the container statuses. */
export function pod(
  name: string,
  options: {
    namespace?: string;
    labels?: Record<string, string>;
    containers?: string[];
    statuses?: unknown[];
    phase?: string;
    nodeName?: string | null;
  } = {},
): KubeObject {
  const containers = options.containers ?? ['main'];
  const spec: Record<string, unknown> = { containers: containers.map((c) => ({ name: c, image: 'busybox' })) };
  if (options.nodeName !== null) spec['nodeName'] = options.nodeName ?? 'node-a';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: options.namespace ?? 'default', labels: options.labels ?? {} },
    spec,
    status: {
      phase: options.phase ?? 'Running',
      containerStatuses:
        options.statuses ??
        containers.map((c) => ({ name: c, restartCount: 0, state: { running: { startedAt: '2026-01-01T00:00:00Z' } } })),
    },
  };
}

/** Builds a core/v1 Event about `involved`. */
export function event(name: string, involved: KubeObject, reason: string, type = 'Normal'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: involved.metadata.namespace ?? 'default' },
    involvedObject: {
      kind: involved.kind,
      name: involved.metadata.name,
      namespace: involved.metadata.namespace,
      uid: involved.metadata.uid,
    },
    reason,
    message: `${reason} happened`,
    type,
    count: 1,
    source: { component: 'kubelet' },
  };
}
