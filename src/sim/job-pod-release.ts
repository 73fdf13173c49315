import { controllerUidLabel } from './job-defaults.ts';
import type { SimKubelet } from './job-kubelet.ts';
import { fieldsOf, ownerUid, podFinished } from './job-pod-state.ts';
import { trackingFinalizer } from './job-pods.ts';
import type { JobRecorder, RecordedJob } from './job-recorder.ts';
import { formatTimestamp, type ObjectStore } from './object-store.ts';
import { resourceTypes, type KubeObject } from './resources.ts';

/**
 * Pod release by the simulated job controller: it deletes the active pods of a Job that
 * ends, and removes the `batch.kubernetes.io/job-tracking` finalizer from pods that others
 * deleted or that an orphaning delete left behind.
 */

const podType = resourceTypes.find((t) => t.plural === 'pods' && t.group === '');

/** The Job whose pods are released, with the counters a released pod may change. */
export interface ReleasingJob extends RecordedJob {
  uid: string;
  backoffFailures: number;
  lastFailureAtMs: number;
}

function withoutTracking(pod: KubeObject): string[] | undefined {
  const finalizers = (pod.metadata['finalizers'] ?? []) as string[];
  return finalizers.includes(trackingFinalizer) ? finalizers.filter((f) => f !== trackingFinalizer) : undefined;
}

/** Pod removal and release for the simulated job controller. */
export class PodReleaser {
  readonly #store: ObjectStore;
  readonly #kubelet: SimKubelet;
  readonly #recorder: JobRecorder;
  readonly #now: () => Date;

  constructor(store: ObjectStore, kubelet: SimKubelet, recorder: JobRecorder, now: () => Date) {
    this.#store = store;
    this.#kubelet = kubelet;
    this.#recorder = recorder;
    this.#now = now;
  }

  /** Returns the pods whose controlling owner is the Job. */
  ownedPods(job: ReleasingJob): KubeObject[] {
    if (podType === undefined) return [];
    return this.#store.list(podType, job.namespace).filter((pod) => ownerUid(pod) === job.uid);
  }

  /** Deletes an active pod of an ending Job and records `SuccessfulDelete`. */
  deletePod(job: ReleasingJob, pod: KubeObject): void {
    this.#kubelet.stop(pod.metadata.uid ?? '');
    const ref = { apiVersion: 'v1', kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name ?? '' };
    const current = this.#store.get(ref);
    if (current === undefined) return;
    current.metadata['deletionTimestamp'] = formatTimestamp(this.#now());
    current.metadata['deletionGracePeriodSeconds'] = 0;
    current.metadata['finalizers'] = [];
    current['status'] = { ...fieldsOf(current['status']), phase: 'Failed' };
    this.#store.update(current);
    this.#store.delete(ref);
    this.#recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name ?? ''}`);
  }

  /**
   * Stops and releases pods that someone deleted. With `count`, a pod deleted before it
   * ended counts as a failure, as under the real controller's default `podReplacementPolicy`.
   */
  releaseDeleted(job: ReleasingJob, count: boolean): void {
    for (const pod of this.ownedPods(job)) {
      const finalizers = withoutTracking(pod);
      if (pod.metadata['deletionTimestamp'] === undefined || finalizers === undefined) continue;
      this.#kubelet.stop(pod.metadata.uid ?? '');
      if (count && !podFinished(pod)) {
        job.failed += 1;
        job.backoffFailures += 1;
        job.lastFailureAtMs = this.#now().getTime();
      }
      pod.metadata['finalizers'] = finalizers;
      this.#store.update(pod);
    }
  }

  /**
   * Stops the deleted pods of a deleted Job and removes every pod's tracking finalizer. Pods
   * are found by the controller-uid label because an orphaning delete has already removed
   * the owner reference.
   */
  releaseAll(job: ReleasingJob): void {
    if (podType === undefined) return;
    for (const pod of this.#store.list(podType, job.namespace)) {
      if (pod.metadata.labels?.[controllerUidLabel] !== job.uid) continue;
      if (!podFinished(pod) && pod.metadata['deletionTimestamp'] !== undefined) this.#kubelet.stop(pod.metadata.uid ?? '');
      const finalizers = withoutTracking(pod);
      if (finalizers === undefined) continue;
      pod.metadata['finalizers'] = finalizers;
      this.#store.update(pod);
    }
  }
}
