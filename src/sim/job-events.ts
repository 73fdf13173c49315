import { randomBytes } from 'node:crypto';
import { formatTimestamp } from './object-store.ts';
import type { KubeObject } from './resources.ts';

/**
 * Returns a core/v1 Event about a Job as the job controller records it: named
 * `<job>.<16 hex digits>`, from the `job-controller` component.
 */
export function jobEvent(job: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, at: Date): KubeObject {
  const time = formatTimestamp(at);
  const namespace = job.metadata.namespace;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${job.metadata.name ?? ''}.${randomBytes(8).toString('hex')}`, namespace },
    involvedObject: {
      kind: 'Job',
      namespace,
      name: job.metadata.name,
      uid: job.metadata.uid,
      apiVersion: 'batch/v1',
      resourceVersion: job.metadata.resourceVersion,
    },
    reason,
    message,
    source: { component: 'job-controller' },
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
    type,
    eventTime: null,
    reportingComponent: 'job-controller',
    reportingInstance: '',
  };
}
