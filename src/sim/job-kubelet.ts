import type { Logger } from 'pino';
import {
  finishedStatus,
  runningStatus,
  terminatedState,
  waitingStatus,
  type Attempt,
  type AttemptOutcome,
} from './job-pods.ts';
import { backoffDelayMs, restartMaxMs } from './job-rules.ts';
import type { ObjectStore } from './object-store.ts';
import type { KubeObject } from './resources.ts';

/**
 * The node side of the simulated job controller: runs each pod's attempts as the
 * `outcomes` option decides, writing pod status and logs the way a kubelet would,
 * including container restarts under `restartPolicy: OnFailure`.
 */

type Fields = Record<string, unknown>;

/** Chooses how one attempt of a Job's pod ends. */
export type OutcomeChooser = (job: KubeObject, attempt: Attempt) => AttemptOutcome;

/** Dependencies of the simulated kubelet. */
export interface KubeletOptions {
  store: ObjectStore;
  setLogs: (namespace: string, pod: string, container: string, logs: { current?: string; previous?: string }) => void;
  now: () => Date;
  /** Model milliseconds per real millisecond. */
  timeScale: number;
  outcomes: OutcomeChooser;
  /** Called after a pod's status changed, so the controller looks at its Job again. */
  onPodChanged: (jobUid: string) => void;
  logger: Logger;
}

interface PodRun {
  timer?: NodeJS.Timeout;
  lastLog?: string;
}

function podRef(pod: KubeObject) {
  return { apiVersion: 'v1', kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name ?? '' };
}

function firstContainer(job: KubeObject): string {
  const spec = ((job['spec'] as Fields)['template'] as Fields)['spec'] as Fields;
  const name = ((spec['containers'] ?? []) as Fields[])[0]?.['name'];
  return typeof name === 'string' ? name : '';
}

/** Runs pods of Jobs; one instance serves every Job of a cluster. */
export class SimKubelet {
  readonly #options: KubeletOptions;
  readonly #runs = new Map<string, PodRun>();

  constructor(options: KubeletOptions) {
    this.#options = options;
  }

  /** Starts attempt `attempt` of a new pod of `job`. */
  start(job: KubeObject, pod: KubeObject, attempt: Attempt): void {
    this.#runs.set(pod.metadata.uid ?? '', {});
    this.#runAttempt(job, pod, attempt, 0, undefined);
  }

  /** Stops running a pod, e.g. one being deleted. */
  stop(podUid: string): void {
    clearTimeout(this.#runs.get(podUid)?.timer);
    this.#runs.delete(podUid);
  }

  /** Stops every pod. */
  stopAll(): void {
    for (const uid of [...this.#runs.keys()]) this.stop(uid);
  }

  #writeStatus(pod: KubeObject, status: Fields): boolean {
    const current = this.#options.store.get(podRef(pod));
    if (current === undefined || current.metadata['deletionTimestamp'] !== undefined) return false;
    current['status'] = status;
    this.#options.store.update(current);
    return true;
  }

  #runAttempt(job: KubeObject, pod: KubeObject, attempt: Attempt, restarts: number, previous?: Fields): void {
    const { now, timeScale } = this.#options;
    const run = this.#runs.get(pod.metadata.uid ?? '');
    if (run === undefined) return;
    const outcome = this.#options.outcomes(job, attempt);
    const startedAt = now();
    if (outcome.waiting !== undefined) {
      // A waiting container never starts; only a deadline or a delete ends the pod.
      this.#writeStatus(pod, waitingStatus(job, startedAt, outcome.waiting));
      return;
    }
    if (!this.#writeStatus(pod, runningStatus(job, startedAt, restarts, previous))) return;
    run.timer = setTimeout(() => this.#finishAttempt(job, pod, attempt, restarts, outcome, startedAt), outcome.durationMs / timeScale);
  }

  #finishAttempt(job: KubeObject, pod: KubeObject, attempt: Attempt, restarts: number, outcome: AttemptOutcome, startedAt: Date): void {
    const run = this.#runs.get(pod.metadata.uid ?? '');
    if (run === undefined) return;
    const { now, timeScale, setLogs } = this.#options;
    const container = firstContainer(job);
    const logs = { ...(outcome.log === undefined ? {} : { current: outcome.log }), ...(run.lastLog === undefined ? {} : { previous: run.lastLog }) };
    setLogs(pod.metadata.namespace ?? '', pod.metadata.name ?? '', container, logs);
    const terminated = terminatedState(outcome, startedAt, now());
    const current = this.#options.store.get(podRef(pod));
    const restartPolicy = ((pod['spec'] as Fields)['restartPolicy'] as string | undefined) ?? 'Never';
    if (current === undefined) return;
    if (outcome.exitCode !== 0 && restartPolicy === 'OnFailure') {
      run.lastLog = outcome.log ?? '';
      const crashLoop = runningStatus(job, now(), restarts + 1, terminated);
      for (const status of crashLoop['containerStatuses'] as Fields[]) {
        status['state'] = { waiting: { reason: 'CrashLoopBackOff', message: `back-off restarting failed container ${String(status['name'])}` } };
        status['ready'] = false;
      }
      this.#writeStatus(pod, crashLoop);
      this.#options.onPodChanged(job.metadata.uid ?? '');
      const delay = backoffDelayMs(restarts + 1, restartMaxMs) / timeScale;
      const next = { index: attempt.index, number: attempt.number + 1 };
      run.timer = setTimeout(() => this.#runAttempt(job, pod, next, restarts + 1, terminated), delay);
      return;
    }
    this.#writeStatus(pod, finishedStatus(job, (current['status'] ?? {}) as Fields, terminated, restarts));
    this.#runs.delete(pod.metadata.uid ?? '');
    this.#options.onPodChanged(job.metadata.uid ?? '');
  }
}
