import type {
  CoreV1Event,
  V1Container,
  V1ContainerState,
  V1ContainerStateTerminated,
  V1ContainerStatus,
  V1Job,
  V1JobCondition,
  V1Pod,
  V1PodCondition,
} from '@kubernetes/client-node';
import type { ContainerLog, Snapshot } from '../../src/diagnose/types.ts';

export const NAMESPACE = 'batch';
export const JOB = 'nightly';
const START = Date.parse('2026-01-10T02:00:00Z');

/** Returns the RFC 3339 time `seconds` after the test story starts. */
export function at(seconds: number): string {
  return new Date(START + seconds * 1000).toISOString().replace('.000Z', 'Z');
}

export interface JobOverrides {
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  restartPolicy?: 'Never' | 'OnFailure';
  failed?: { reason: string; message?: string; atSeconds: number };
  podFailurePolicy?: NonNullable<V1Job['spec']>['podFailurePolicy'];
  maxFailedIndexes?: number;
  failedIndexes?: string;
}

/** Builds a Job as the API server shows it, failed when `failed` is given. */
export function buildJob(overrides: JobOverrides = {}): V1Job {
  const conditions: V1JobCondition[] = [];
  if (overrides.failed !== undefined) {
    const { reason, atSeconds } = overrides.failed;
    const message = overrides.failed.message ?? `Job failed with ${reason}`;
    for (const type of ['FailureTarget', 'Failed']) {
      conditions.push({ type, status: 'True', reason, message, lastTransitionTime: at(atSeconds) as unknown as Date });
    }
  }
  const job: V1Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: JOB, namespace: NAMESPACE, uid: 'job-uid' },
    spec: {
      backoffLimit: overrides.backoffLimit ?? 1,
      template: { spec: { restartPolicy: overrides.restartPolicy ?? 'Never', containers: [{ name: 'main', image: 'registry.test/app:1' }] } },
    },
    status: { startTime: at(0) as unknown as Date, conditions },
  };
  const spec = job.spec!;
  if (overrides.activeDeadlineSeconds !== undefined) spec.activeDeadlineSeconds = overrides.activeDeadlineSeconds;
  if (overrides.podFailurePolicy !== undefined) spec.podFailurePolicy = overrides.podFailurePolicy;
  if (overrides.maxFailedIndexes !== undefined) {
    spec.maxFailedIndexes = overrides.maxFailedIndexes;
    spec.backoffLimitPerIndex = 1;
  }
  if (overrides.failedIndexes !== undefined) job.status!.failedIndexes = overrides.failedIndexes;
  return job;
}

export interface ContainerOverrides {
  name?: string;
  image?: string;
  memoryLimit?: string;
  command?: string[];
  env?: V1Container['env'];
  status?: Partial<V1ContainerStatus>;
}

/** Builds a container spec and its status side by side. */
export function buildContainer(overrides: ContainerOverrides = {}): { spec: V1Container; status: V1ContainerStatus } {
  const name = overrides.name ?? 'main';
  const image = overrides.image ?? 'registry.test/app:1';
  const spec: V1Container = { name, image };
  if (overrides.memoryLimit !== undefined) spec.resources = { limits: { memory: overrides.memoryLimit } };
  if (overrides.command !== undefined) spec.command = overrides.command;
  if (overrides.env !== undefined) spec.env = overrides.env;
  const status: V1ContainerStatus = { name, image, imageID: '', ready: false, restartCount: 0, ...overrides.status };
  return { spec, status };
}

/** Builds a terminated container state ending at `finishedSeconds`. */
export function terminated(exitCode: number, reason: string, finishedSeconds = 60, message?: string): V1ContainerState {
  const state = { exitCode, reason, startedAt: at(5), finishedAt: at(finishedSeconds), ...(message === undefined ? {} : { message }) };
  // Times stay RFC 3339 strings, as in scenario JSON; the diagnosis reads both strings and Dates.
  return { terminated: state as unknown as V1ContainerStateTerminated };
}

export interface PodOverrides {
  name?: string;
  phase?: string;
  containers?: Array<ReturnType<typeof buildContainer>>;
  initContainers?: Array<ReturnType<typeof buildContainer>>;
  conditions?: V1PodCondition[];
  reason?: string;
  message?: string;
  nodeName?: string;
  createdSeconds?: number;
}

/** Builds a pod of the test Job, in phase Failed unless `phase` is given. */
export function buildPod(overrides: PodOverrides = {}): V1Pod {
  const containers = overrides.containers ?? [buildContainer({ status: { state: terminated(1, 'Error') } })];
  const pod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: overrides.name ?? `${JOB}-abcde`,
      namespace: NAMESPACE,
      uid: `uid-${overrides.name ?? 'abcde'}`,
      creationTimestamp: at(overrides.createdSeconds ?? 1) as unknown as Date,
      labels: { 'job-name': JOB },
    },
    spec: { restartPolicy: 'Never', containers: containers.map((c) => c.spec) },
    status: { phase: overrides.phase ?? 'Failed', containerStatuses: containers.map((c) => c.status), conditions: overrides.conditions ?? [] },
  };
  if (overrides.nodeName !== undefined) pod.spec!.nodeName = overrides.nodeName;
  if (overrides.initContainers !== undefined) {
    pod.spec!.initContainers = overrides.initContainers.map((c) => c.spec);
    pod.status!.initContainerStatuses = overrides.initContainers.map((c) => c.status);
  }
  if (overrides.reason !== undefined) pod.status!.reason = overrides.reason;
  if (overrides.message !== undefined) pod.status!.message = overrides.message;
  return pod;
}

/** Builds an event on a pod, or on the Job with `kind: 'Job'`. */
export function buildEvent(reason: string, message: string, options: { kind?: string; name?: string; atSeconds?: number; count?: number; type?: string } = {}): CoreV1Event {
  const kind = options.kind ?? 'Pod';
  const name = options.name ?? (kind === 'Job' ? JOB : `${JOB}-abcde`);
  const time = at(options.atSeconds ?? 30) as unknown as Date;
  return {
    metadata: { name: `${name}.${reason}.${options.atSeconds ?? 30}`, namespace: NAMESPACE },
    involvedObject: { kind, name, namespace: NAMESPACE },
    reason,
    message,
    type: options.type ?? 'Warning',
    count: options.count ?? 1,
    firstTimestamp: time,
    lastTimestamp: time,
  };
}

/** Builds the captured log of one container run. */
export function buildLog(text: string, options: { pod?: string; container?: string; previous?: boolean } = {}): ContainerLog {
  return { namespace: NAMESPACE, pod: options.pod ?? `${JOB}-abcde`, container: options.container ?? 'main', previous: options.previous ?? false, text };
}

export function buildSnapshot(parts: Partial<Snapshot> = {}): Snapshot {
  return { job: parts.job ?? buildJob(), pods: parts.pods ?? [], events: parts.events ?? [], logs: parts.logs ?? [], ...(parts.nodes === undefined ? {} : { nodes: parts.nodes }), ...(parts.others === undefined ? {} : { others: parts.others }) };
}

export const BACKOFF = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', atSeconds: 70 };
export const DEADLINE = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline', atSeconds: 600 };
