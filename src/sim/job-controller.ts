import type { Logger } from 'pino';
import { failedPodOf, fieldsOf, ownerUid, podFinished, podReady, restartsOf } from './job-pod-state.ts';
import { PodReleaser } from './job-pod-release.ts';
import { JobRecorder } from './job-recorder.ts';
import { SimKubelet, type OutcomeChooser } from './job-kubelet.ts';
import { newJobPod, trackingFinalizer } from './job-pods.ts';
import { backoffDelayMs, endings, jobCondition, matchFailurePolicy, type PolicyMatch } from './job-rules.ts';
import { formatTimestamp, type ObjectStore } from './object-store.ts';
import type { KubeObject } from './resources.ts';

/**
 * A model of the job controller of Kubernetes v1.37 for Jobs created through the
 * simulated API: it creates pods, counts their ends against `backoffLimit`,
 * `activeDeadlineSeconds` and `podFailurePolicy`, and writes the Job's status,
 * conditions and events. Jobs that a scenario writes straight into the store are never
 * adopted, because their story already contains what happened.
 * NOTE: `successPolicy`, `backoffLimitPerIndex` and pod readiness are not modelled, and
 * suspending a running Job does not delete its pods.
 */

type Fields = Record<string, unknown>;

/** Options of {@link SimJobController}. */
export interface JobControllerOptions {
  store: ObjectStore;
  setLogs: (namespace: string, pod: string, container: string, logs: { current?: string; previous?: string }) => void;
  now: () => Date;
  /**
   * Model milliseconds per real millisecond; every delay and duration is divided by it.
   * Default 1. NOTE: timestamps come from `now`, so with a scale above 1 the times written
   * into statuses and events are as compressed as the run itself.
   */
  timeScale?: number;
  /** Chooser of the outcome of each attempt. Default: exit code 0 after 1 s. */
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

const defaultOutcome = { exitCode: 0, durationMs: 1000 };

/** Runs adopted Jobs until each completes or fails. */
export class SimJobController {
  readonly #store: ObjectStore;
  readonly #now: () => Date;
  readonly #timeScale: number;
  readonly #log: Logger;
  readonly #kubelet: SimKubelet;
  readonly #recorder: JobRecorder;
  readonly #pods: PodReleaser;
  readonly #jobs = new Map<string, JobState>();
  readonly #unsubscribe: () => void;

  constructor(options: JobControllerOptions) {
    this.#store = options.store;
    this.#now = options.now;
    this.#timeScale = options.timeScale ?? 1;
    this.#log = options.logger.child({ component: 'sim-job-controller' });
    this.#recorder = new JobRecorder(options.store, options.now);
    this.#kubelet = new SimKubelet({
      store: options.store,
      setLogs: options.setLogs,
      now: options.now,
      timeScale: this.#timeScale,
      outcomes: options.outcomes ?? (() => defaultOutcome),
      onPodChanged: (uid) => this.#queueSync(uid),
      logger: this.#log,
    });
    this.#pods = new PodReleaser(options.store, this.#kubelet, this.#recorder, options.now);
    // Store listeners run inside the write, so reactions wait for the next turn; that keeps
    // every watch seeing changes in resourceVersion order.
    this.#unsubscribe = this.#store.subscribe((change) => {
      const object = change.object;
      let uid: string | undefined;
      if (object.kind === 'Job') uid = object.metadata.uid;
      if (object.kind === 'Pod') uid = ownerUid(object);
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

  #sync(state: JobState): void {
    const job = this.#store.get(this.#jobRef(state));
    if (job === undefined || job.metadata.uid !== state.uid) {
      this.#pods.releaseAll(state);
      this.#forget(state);
      return;
    }
    const spec = fieldsOf(job['spec']);
    const jobDeleting = job.metadata['deletionTimestamp'] !== undefined;
    this.#pods.releaseDeleted(state, !jobDeleting && !state.done);
    if (state.done || jobDeleting) return;
    if (this.#markSuspension(state, job, spec['suspend'] === true)) return;
    if (state.startedAtMs === undefined) this.#start(state, spec);
    const pods = this.#pods.ownedPods(state);
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
    this.#recorder.status(state, { active: active.length, ready: active.filter(podReady).length });
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
      this.#recorder.status(state, { conditions: [...others, jobCondition('Suspended', 'JobSuspended', 'Job suspended', at)] });
      this.#recorder.event(state, 'Normal', 'Suspended', 'Job suspended');
    } else if (!suspended && current?.['status'] === 'True') {
      const resumed = { ...jobCondition('Suspended', 'JobResumed', 'Job resumed', at), status: 'False' };
      this.#recorder.status(state, { conditions: conditions.map((c) => (c['type'] === 'Suspended' ? resumed : c)) });
      this.#recorder.event(state, 'Normal', 'Resumed', 'Job resumed');
    }
    return suspended;
  }

  #start(state: JobState, spec: Fields): void {
    state.startedAtMs = this.#now().getTime();
    this.#recorder.status(state, { startTime: formatTimestamp(this.#now()) });
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
      this.#recorder.event(state, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name ?? ''}`);
      this.#kubelet.start(job, pod, { index, number });
    }
  }

  #fail(state: JobState, active: KubeObject[], reason: string, message: string): void {
    state.done = true;
    const at = formatTimestamp(this.#now());
    const target = jobCondition('FailureTarget', reason, message, at);
    this.#recorder.addConditions(state, [target]);
    for (const pod of active) this.#pods.deletePod(state, pod);
    state.failed += active.length;
    this.#recorder.addConditions(state, [jobCondition('Failed', reason, message, at)], { active: 0 });
    this.#recorder.event(state, 'Warning', reason, message);
    this.#log.debug({ job: state.name, namespace: state.namespace, reason }, 'simulated job failed');
    this.#forget(state);
  }

  #complete(state: JobState): void {
    state.done = true;
    const at = formatTimestamp(this.#now());
    const met = jobCondition('SuccessCriteriaMet', 'CompletionsReached', endings.CompletionsReached, at);
    this.#recorder.addConditions(state, [met]);
    const complete = jobCondition('Complete', 'CompletionsReached', endings.CompletionsReached, at);
    this.#recorder.addConditions(state, [complete], { completionTime: at, active: 0 });
    this.#recorder.event(state, 'Normal', 'Completed', 'Job completed');
    this.#forget(state);
  }

  #forget(state: JobState): void {
    for (const timer of state.timers) clearTimeout(timer);
    this.#jobs.delete(state.uid);
  }
}
