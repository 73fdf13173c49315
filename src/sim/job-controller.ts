import type { Logger } from 'pino';
import { controllerUidLabel } from './job-defaults.ts';
import { jobEvent } from './job-events.ts';
import { SimKubelet, type OutcomeChooser } from './job-kubelet.ts';
import { newJobPod, trackingFinalizer } from './job-pods.ts';
import { backoffDelayMs, endings, jobCondition, matchFailurePolicy, type FailedPod, type PolicyMatch } from './job-rules.ts';
import { formatTimestamp, type ObjectStore } from './object-store.ts';
import type { KubeObject } from './resources.ts';
import { resourceTypes } from './resources.ts';

/**
 * A model of the job controller of Kubernetes v1.37 for Jobs created through the
 * simulated API: it creates pods, counts their ends against `backoffLimit`,
 * `activeDeadlineSeconds` and `podFailurePolicy`, and writes the Job's status,
 * conditions and events. Jobs that a scenario writes straight into the store are never
 * adopted, because their story already says what happened.
 * NOTE: `successPolicy`, `backoffLimitPerIndex` and pod readiness are not modelled, and
 * suspending a running Job does not delete its pods.
 */

type Fields = Record<string, unknown>;

/** Options of {@link SimJobController}. */
export interface JobControllerOptions {
  store: ObjectStore;
  setLogs: (namespace: string, pod: string, container: string, logs: { current?: string; previous?: string }) => void;
  now: () => Date;
  /** Model milliseconds per real millisecond; every delay and duration is divided by it. Default 1. */
  timeScale?: number;
  /** How each attempt ends. Default: exit code 0 after 1 s. */
  outcomes?: OutcomeChooser;
  logger: Logger;
}

interface JobState {
  uid: string;
  namespace: string;
  name: string;
  startedAtMs?: number;
  succeeded: number;
  failed: number;
  /** Failures that count for the re-creation backoff, and when the last one was seen. */
  backoffFailures: number;
  lastFailureAtMs: number;
  attempts: Map<number, number>;
  timers: Set<NodeJS.Timeout>;
  syncQueued: boolean;
  done: boolean;
}

const podType = resourceTypes.find((t) => t.plural === 'pods' && t.group === '');
const defaultOutcome = { exitCode: 0, durationMs: 1000 };

function fieldsOf(value: unknown): Fields {
  return value !== null && typeof value === 'object' ? (value as Fields) : {};
}

function podFinished(pod: KubeObject): boolean {
  const phase = fieldsOf(pod['status'])['phase'];
  return phase === 'Succeeded' || phase === 'Failed';
}

function ownerUid(pod: KubeObject): string | undefined {
  const refs = pod.metadata['ownerReferences'];
  return Array.isArray(refs) ? (refs as Fields[]).find((r) => r['controller'] === true)?.['uid'] as string | undefined : undefined;
}

function failedPodOf(pod: KubeObject): FailedPod {
  const status = fieldsOf(pod['status']);
  const containers = ((status['containerStatuses'] ?? []) as Fields[]).map((c) => ({
    name: String(c['name']),
    exitCode: Number(fieldsOf(fieldsOf(c['state'])['terminated'])['exitCode'] ?? 0),
  }));
  const conditions = (status['conditions'] ?? []) as { type: string; status: string }[];
  return { namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', containers, conditions };
}

function restartsOf(pod: KubeObject): number {
  const statuses = (fieldsOf(pod['status'])['containerStatuses'] ?? []) as Fields[];
  return statuses.reduce((sum, c) => sum + Number(c['restartCount'] ?? 0), 0);
}

/** Runs adopted Jobs until each completes or fails. */
export class SimJobController {
  readonly #store: ObjectStore;
  readonly #now: () => Date;
  readonly #timeScale: number;
  readonly #log: Logger;
  readonly #kubelet: SimKubelet;
  readonly #jobs = new Map<string, JobState>();
  readonly #unsubscribe: () => void;

  constructor(options: JobControllerOptions) {
    this.#store = options.store;
    this.#now = options.now;
    this.#timeScale = options.timeScale ?? 1;
    this.#log = options.logger.child({ component: 'sim-job-controller' });
    this.#kubelet = new SimKubelet({
      store: options.store,
      setLogs: options.setLogs,
      now: options.now,
      timeScale: this.#timeScale,
      outcomes: options.outcomes ?? (() => defaultOutcome),
      onPodChanged: (uid) => this.#queueSync(uid),
      logger: this.#log,
    });
    // Store listeners run inside the write, so reactions wait for the next turn; that keeps
    // every watch seeing changes in resourceVersion order.
    this.#unsubscribe = this.#store.subscribe((change) => {
      const object = change.object;
      const uid = object.kind === 'Job' ? object.metadata.uid : object.kind === 'Pod' ? ownerUid(object) : undefined;
      if (uid !== undefined && this.#jobs.has(uid)) this.#queueSync(uid);
    });
  }

  /** Starts running a Job created through the API. */
  adopt(job: KubeObject): void {
    const uid = job.metadata.uid ?? '';
    this.#jobs.set(uid, {
      uid,
      namespace: job.metadata.namespace ?? 'default',
      name: job.metadata.name ?? '',
      succeeded: 0,
      failed: 0,
      backoffFailures: 0,
      lastFailureAtMs: 0,
      attempts: new Map(),
      timers: new Set(),
      syncQueued: false,
      done: false,
    });
    this.#queueSync(uid);
  }

  /** Stops every timer; Jobs stay as they are. */
  stop(): void {
    this.#unsubscribe();
    this.#kubelet.stopAll();
    for (const state of this.#jobs.values()) for (const timer of state.timers) clearTimeout(timer);
    this.#jobs.clear();
  }

  #queueSync(uid: string): void {
    const state = this.#jobs.get(uid);
    if (state === undefined || state.syncQueued) return;
    state.syncQueued = true;
    setImmediate(() => {
      state.syncQueued = false;
      try {
        this.#sync(state);
      } catch (error) {
        this.#log.error({ err: error, job: state.name, namespace: state.namespace }, 'simulated job sync failed');
      }
    });
  }

  #after(state: JobState, modelMs: number): void {
    const timer = setTimeout(() => {
      state.timers.delete(timer);
      this.#queueSync(state.uid);
    }, Math.max(0, modelMs / this.#timeScale));
    state.timers.add(timer);
  }

  #jobRef(state: JobState) {
    return { apiVersion: 'batch/v1', kind: 'Job', namespace: state.namespace, name: state.name };
  }

  #ownedPods(state: JobState): KubeObject[] {
    if (podType === undefined) return [];
    return this.#store.list(podType, state.namespace).filter((pod) => ownerUid(pod) === state.uid);
  }

  #sync(state: JobState): void {
    const job = this.#store.get(this.#jobRef(state));
    if (job === undefined || job.metadata.uid !== state.uid) {
      this.#releasePods(state);
      this.#forget(state);
      return;
    }
    const spec = fieldsOf(job['spec']);
    if (state.done || job.metadata['deletionTimestamp'] !== undefined) return;
    if (this.#markSuspension(state, job, spec['suspend'] === true)) return;
    if (state.startedAtMs === undefined) this.#start(state, spec);
    const pods = this.#ownedPods(state);
    const policyMatch = this.#countFinished(state, spec, pods);
    const active = pods.filter((pod) => !podFinished(pod) && pod.metadata['deletionTimestamp'] === undefined);
    const backoffLimit = Number(spec['backoffLimit'] ?? 6);
    const restarts = active.reduce((sum, pod) => sum + restartsOf(pod), 0);
    const deadline = spec['activeDeadlineSeconds'];
    const deadlinePassed =
      typeof deadline === 'number' && this.#now().getTime() - (state.startedAtMs ?? 0) >= (deadline * 1000) / this.#timeScale;
    if (policyMatch !== undefined) return this.#fail(state, active, 'PodFailurePolicy', policyMatch.message);
    if (state.failed > backoffLimit || (restarts > 0 && restarts >= Math.max(backoffLimit, 1))) {
      return this.#fail(state, active, 'BackoffLimitExceeded', endings.BackoffLimitExceeded);
    }
    if (deadlinePassed) return this.#fail(state, active, 'DeadlineExceeded', endings.DeadlineExceeded);
    const completions = spec['completions'];
    const complete = typeof completions === 'number' ? state.succeeded >= completions : state.succeeded > 0 && active.length === 0;
    if (complete) return this.#complete(state);
    this.#createPods(state, job, spec, active.length);
    this.#writeStatus(state, { active: active.length });
  }

  /**
   * Writes the `Suspended` condition when a Job is suspended, or turns it to `False` when
   * the Job resumes, with the real controller's events. Returns whether the Job is suspended.
   */
  #markSuspension(state: JobState, job: KubeObject, suspended: boolean): boolean {
    const conditions = (fieldsOf(job['status'])['conditions'] ?? []) as Fields[];
    const current = conditions.find((c) => c['type'] === 'Suspended');
    const at = formatTimestamp(this.#now());
    if (suspended && current?.['status'] !== 'True') {
      const others = conditions.filter((c) => c['type'] !== 'Suspended');
      this.#writeStatus(state, { conditions: [...others, jobCondition('Suspended', 'JobSuspended', 'Job suspended', at)] });
      this.#event(state, 'Normal', 'Suspended', 'Job suspended');
    } else if (!suspended && current?.['status'] === 'True') {
      const resumed = { ...jobCondition('Suspended', 'JobResumed', 'Job resumed', at), status: 'False' };
      this.#writeStatus(state, { conditions: conditions.map((c) => (c['type'] === 'Suspended' ? resumed : c)) });
      this.#event(state, 'Normal', 'Resumed', 'Job resumed');
    }
    return suspended;
  }

  #start(state: JobState, spec: Fields): void {
    state.startedAtMs = this.#now().getTime();
    this.#writeStatus(state, { startTime: formatTimestamp(this.#now()) });
    const deadline = spec['activeDeadlineSeconds'];
    if (typeof deadline === 'number') this.#after(state, deadline * 1000);
  }

  /** Counts pods that ended and still carry the tracking finalizer, then releases them. */
  #countFinished(state: JobState, spec: Fields, pods: KubeObject[]): PolicyMatch | undefined {
    let failJob: PolicyMatch | undefined;
    for (const pod of pods) {
      const finalizers = (pod.metadata['finalizers'] ?? []) as string[];
      if (!podFinished(pod) || !finalizers.includes(trackingFinalizer)) continue;
      if (fieldsOf(pod['status'])['phase'] === 'Succeeded') state.succeeded += 1;
      else {
        const match = spec['podFailurePolicy'] === undefined ? undefined : matchFailurePolicy(spec['podFailurePolicy'], failedPodOf(pod));
        if (match?.action !== 'Ignore') state.failed += 1;
        if (match?.action === 'FailJob') failJob ??= match;
        if (match?.action !== 'Ignore') {
          state.backoffFailures += 1;
          state.lastFailureAtMs = this.#now().getTime();
        }
      }
      pod.metadata['finalizers'] = finalizers.filter((f) => f !== trackingFinalizer);
      this.#store.update(pod);
    }
    return failJob;
  }

  #createPods(state: JobState, job: KubeObject, spec: Fields, active: number): void {
    const parallelism = Number(spec['parallelism'] ?? 1);
    const completions = typeof spec['completions'] === 'number' ? spec['completions'] : parallelism;
    const wanted = Math.min(parallelism, completions - state.succeeded) - active;
    if (wanted <= 0) return;
    const waitMs = state.lastFailureAtMs + backoffDelayMs(state.backoffFailures) / this.#timeScale - this.#now().getTime();
    if (waitMs > 0) {
      this.#after(state, waitMs * this.#timeScale);
      return;
    }
    for (let i = 0; i < wanted; i += 1) {
      const index = spec['completionMode'] === 'Indexed' ? state.succeeded + active + i : 0;
      const number = (state.attempts.get(index) ?? 0) + 1;
      state.attempts.set(index, number);
      const pod = this.#store.create(newJobPod(job, index));
      this.#event(state, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name ?? ''}`);
      this.#kubelet.start(job, pod, { index, number });
    }
  }

  #fail(state: JobState, active: KubeObject[], reason: string, message: string): void {
    state.done = true;
    const at = formatTimestamp(this.#now());
    this.#writeStatus(state, { conditions: [jobCondition('FailureTarget', reason, message, at)] });
    for (const pod of active) this.#deletePod(state, pod);
    state.failed += active.length;
    const target = jobCondition('FailureTarget', reason, message, at);
    this.#writeStatus(state, { conditions: [target, jobCondition('Failed', reason, message, at)], active: 0 });
    this.#event(state, 'Warning', reason, message);
    this.#log.debug({ job: state.name, namespace: state.namespace, reason }, 'simulated job failed');
    this.#forget(state);
  }

  #complete(state: JobState): void {
    state.done = true;
    const at = formatTimestamp(this.#now());
    const met = jobCondition('SuccessCriteriaMet', 'CompletionsReached', endings.CompletionsReached, at);
    this.#writeStatus(state, { conditions: [met] });
    const complete = jobCondition('Complete', 'CompletionsReached', endings.CompletionsReached, at);
    this.#writeStatus(state, { conditions: [met, complete], completionTime: at, active: 0 });
    this.#event(state, 'Normal', 'Completed', 'Job completed');
    this.#forget(state);
  }

  #deletePod(state: JobState, pod: KubeObject): void {
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
    this.#event(state, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name ?? ''}`);
  }

  /** Writes the counters and the given fields into the Job's status, as a status write would. */
  #writeStatus(state: JobState, fields: Fields): void {
    const job = this.#store.get(this.#jobRef(state));
    if (job === undefined) return;
    const { active, ...rest } = fields;
    const status: Fields = { ...fieldsOf(job['status']), ...rest, terminating: 0, uncountedTerminatedPods: {}, ready: 0 };
    for (const [key, value] of [['active', active], ['succeeded', state.succeeded], ['failed', state.failed]] as const) {
      if (value === undefined) continue;
      if (value === 0) delete status[key];
      else status[key] = value;
    }
    job['status'] = status;
    this.#store.update(job);
  }

  #event(state: JobState, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const job = this.#store.get(this.#jobRef(state));
    if (job !== undefined) this.#store.create(jobEvent(job, type, reason, message, this.#now()));
  }

  /**
   * Stops the pods of a deleted Job and removes their tracking finalizer, found by the
   * controller-uid label because an orphaning delete has already removed the owner reference.
   */
  #releasePods(state: JobState): void {
    if (podType === undefined) return;
    for (const pod of this.#store.list(podType, state.namespace)) {
      if (pod.metadata.labels?.[controllerUidLabel] !== state.uid) continue;
      const finalizers = (pod.metadata['finalizers'] ?? []) as string[];
      if (!podFinished(pod) && pod.metadata['deletionTimestamp'] !== undefined) this.#kubelet.stop(pod.metadata.uid ?? '');
      if (!finalizers.includes(trackingFinalizer)) continue;
      pod.metadata['finalizers'] = finalizers.filter((f) => f !== trackingFinalizer);
      this.#store.update(pod);
    }
  }

  #forget(state: JobState): void {
    for (const timer of state.timers) clearTimeout(timer);
    this.#jobs.delete(state.uid);
  }
}
