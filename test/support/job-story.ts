import { randomUUID } from 'node:crypto';
import type { SimCluster } from '../../src/sim/index.ts';
import type { KubeObject } from '../../src/sim/resources.ts';

/**
 * Plays a Job's life on the simulated cluster the way the job controller and the
 * kubelet write it: a Job, pods that run and fail, then the Job's conditions.
 */
export class JobStory {
  readonly cluster: SimCluster;
  readonly namespace: string;
  readonly name: string;
  readonly uid = randomUUID();
  readonly backoffLimit: number;
  readonly #pods: KubeObject[] = [];
  #failed = 0;
  #cronJob: { name: string; uid: string } | undefined;

  constructor(cluster: SimCluster, options: { namespace?: string; name: string; backoffLimit?: number; cronJob?: { name: string; uid: string }; annotations?: Record<string, string>; labels?: Record<string, string>; memoryLimit?: string }) {
    this.cluster = cluster;
    this.namespace = options.namespace ?? 'default';
    this.name = options.name;
    this.backoffLimit = options.backoffLimit ?? 2;
    this.#cronJob = options.cronJob;
    const labels = { 'batch.kubernetes.io/controller-uid': this.uid, 'batch.kubernetes.io/job-name': this.name, 'controller-uid': this.uid, 'job-name': this.name };
    cluster.store.create({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: this.name,
        namespace: this.namespace,
        uid: this.uid,
        labels: { ...labels, ...options.labels },
        annotations: options.annotations ?? {},
        ...(this.#cronJob ? { ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: this.#cronJob.name, uid: this.#cronJob.uid, controller: true }] } : {}),
      },
      spec: {
        backoffLimit: this.backoffLimit,
        completions: 1,
        parallelism: 1,
        selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': this.uid } },
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'main', image: 'registry.example.com/app:1.0', resources: { limits: { memory: options.memoryLimit ?? '128Mi' } } }],
          },
        },
      },
      status: { active: 0, startTime: now() },
    });
  }

  /** Starts a pod and returns its name. */
  startPod(): string {
    const suffix = randomUUID().replace(/-/g, '').slice(0, 5);
    const name = `${this.name}-${suffix}`;
    const pod = this.cluster.store.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: this.namespace,
        uid: randomUUID(),
        labels: { 'batch.kubernetes.io/controller-uid': this.uid, 'batch.kubernetes.io/job-name': this.name, 'controller-uid': this.uid, 'job-name': this.name },
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: this.name, uid: this.uid, controller: true }],
      },
      spec: { nodeName: 'node-a', restartPolicy: 'Never', containers: [{ name: 'main', image: 'registry.example.com/app:1.0' }] },
      status: { phase: 'Running', containerStatuses: [{ name: 'main', restartCount: 0, ready: true, state: { running: { startedAt: now() } } }] },
    });
    this.#pods.push(pod);
    this.#setJobStatus({ active: 1 });
    return name;
  }

  /** Ends a pod's container with an exit code and reason, and counts the failure on the Job. */
  failPod(name: string, options: { exitCode: number; reason: string; log?: string }): void {
    if (options.log !== undefined) this.cluster.setLogs(this.namespace, name, 'main', { current: options.log });
    const pod = this.cluster.store.get({ apiVersion: 'v1', kind: 'Pod', namespace: this.namespace, name }) as KubeObject;
    const status = {
      phase: 'Failed',
      containerStatuses: [{ name: 'main', restartCount: 0, ready: false, state: { terminated: { exitCode: options.exitCode, reason: options.reason, startedAt: now(), finishedAt: now() } } }],
    };
    this.cluster.store.update({ ...pod, status });
    this.#failed += 1;
    this.#setJobStatus({ active: 0, failed: this.#failed });
  }

  /** Deletes a pod, as a TTL or the job controller would. */
  deletePod(name: string): void {
    this.cluster.store.delete({ apiVersion: 'v1', kind: 'Pod', namespace: this.namespace, name });
  }

  /** Writes the `FailureTarget` and `Failed` conditions the job controller writes. */
  failJob(reason = 'BackoffLimitExceeded', message = 'Job has reached the specified backoff limit'): void {
    const conditions = [
      { type: 'FailureTarget', status: 'True', reason, message, lastTransitionTime: now() },
      { type: 'Failed', status: 'True', reason, message, lastTransitionTime: now() },
    ];
    this.#setJobStatus({ active: 0, failed: this.#failed, conditions });
  }

  /** Marks the Job complete after a successful pod. */
  complete(): void {
    this.#setJobStatus({ active: 0, succeeded: 1, failed: this.#failed, completionTime: now(), conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: now() }] });
  }

  deleteJob(): void {
    this.cluster.store.delete({ apiVersion: 'batch/v1', kind: 'Job', namespace: this.namespace, name: this.name });
  }

  #setJobStatus(patch: Record<string, unknown>): void {
    const job = this.cluster.store.get({ apiVersion: 'batch/v1', kind: 'Job', namespace: this.namespace, name: this.name }) as KubeObject;
    this.cluster.store.update({ ...job, status: { ...(job.status as object), ...patch } });
  }
}

function now(): string {
  return new Date().toISOString();
}
