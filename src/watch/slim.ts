import type { V1ContainerStatus, V1CronJob, V1Job, V1ObjectMeta, V1Pod } from '@kubernetes/client-node';

/** The metadata every slim object keeps. Missing fields become empty strings. */
export interface SlimMeta {
  uid: string;
  namespace: string;
  name: string;
  resourceVersion: string;
  /** `metadata.creationTimestamp` in ISO 8601. */
  createdAt: string;
}

/**
 * The fields of a Job that the watcher needs to notice trouble. The watcher keeps
 * every Job of the cluster in memory, so it stores these instead of whole objects.
 */
export interface SlimJob extends SlimMeta {
  /** The controlling CronJob, when the Job was made by one. */
  cronJob?: { name: string; uid: string };
  backoffLimit?: number;
  backoffLimitPerIndex?: number;
  completionMode?: string;
  restartPolicy?: string;
  suspended: boolean;
  /** When the job controller set `Suspended=True`, as ISO 8601; unset until it did. */
  suspendedSince?: string;
  /** `spec.managedBy` when it names a controller other than the built-in job controller. */
  managedBy?: string;
  active: number;
  failed: number;
  succeeded: number;
  startTime?: string;
  completionTime?: string;
  /** `Failed` or `FailureTarget` condition, the first one found that is True. */
  failure?: { type: string; reason: string; message: string; at: string };
  complete: boolean;
  /** True for a Job jobwatch created for an action (a retry), whose end is reported. */
  fromAction?: boolean;
}

/** The fields of a CronJob that the watcher needs to notice runs that stopped coming. */
export interface SlimCronJob extends SlimMeta {
  schedule: string;
  timeZone?: string;
  suspended: boolean;
  /** `Allow` (the API default), `Forbid` or `Replace`. */
  concurrencyPolicy: string;
  startingDeadlineSeconds?: number;
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
  /** `status.active`: the Jobs the controller counts as running. */
  active: { name: string; uid: string }[];
}

/** A container's terminated state, as the kubelet reported it. */
export interface SlimTermination {
  exitCode: number;
  reason?: string;
  signal?: number;
  startedAt?: string;
  finishedAt?: string;
}

export interface SlimContainer {
  name: string;
  init: boolean;
  restartCount: number;
  waiting?: { reason: string; message?: string };
  terminated?: SlimTermination;
  lastTerminated?: SlimTermination;
}

/** The fields of a Job's Pod that the watcher needs. */
export interface SlimPod extends SlimMeta {
  jobUid: string;
  jobName: string;
  nodeName?: string;
  phase: string;
  /** Pod-level reason such as Evicted or DeadlineExceeded. */
  reason?: string;
  completionIndex?: number;
  /** `PodScheduled=False` reason, such as Unschedulable. */
  unschedulable?: { reason: string; since: string };
  /** `DisruptionTarget=True` reason, such as PreemptionByScheduler. */
  disruption?: string;
  containers: SlimContainer[];
  deleting: boolean;
}

const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
const LEGACY_JOB_NAME_LABEL = 'job-name';
const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';

function slimMeta(meta: V1ObjectMeta): SlimMeta {
  return {
    uid: meta.uid ?? '',
    namespace: meta.namespace ?? '',
    name: meta.name ?? '',
    resourceVersion: meta.resourceVersion ?? '',
    createdAt: toIso(meta.creationTimestamp) ?? '',
  };
}

/** Reduces a Job to the fields the watcher keeps. */
export function slimJob(job: V1Job): SlimJob {
  const meta = job.metadata ?? {};
  const status = job.status ?? {};
  const owner = meta.ownerReferences?.find((ref) => ref.controller && ref.kind === 'CronJob');
  const conditions = status.conditions ?? [];
  const failure =
    conditions.find((c) => c.type === 'Failed' && c.status === 'True') ??
    conditions.find((c) => c.type === 'FailureTarget' && c.status === 'True');
  const slim: SlimJob = {
    ...slimMeta(meta),
    suspended: job.spec?.suspend === true,
    active: status.active ?? 0,
    failed: status.failed ?? 0,
    succeeded: status.succeeded ?? 0,
    complete: conditions.some((c) => c.type === 'Complete' && c.status === 'True'),
  };
  if (owner) slim.cronJob = { name: owner.name, uid: owner.uid };
  if (meta.labels?.['jobwatch.dev/retry'] === 'true') slim.fromAction = true;
  assignDefined(slim, 'backoffLimit', job.spec?.backoffLimit);
  assignDefined(slim, 'backoffLimitPerIndex', job.spec?.backoffLimitPerIndex);
  assignDefined(slim, 'completionMode', job.spec?.completionMode);
  assignDefined(slim, 'restartPolicy', job.spec?.template?.spec?.restartPolicy);
  assignDefined(slim, 'startTime', toIso(status.startTime));
  assignDefined(slim, 'completionTime', toIso(status.completionTime));
  const suspendedCondition = conditions.find((c) => c.type === 'Suspended' && c.status === 'True');
  if (slim.suspended) assignDefined(slim, 'suspendedSince', toIso(suspendedCondition?.lastTransitionTime));
  const managedBy = job.spec?.managedBy;
  if (managedBy !== undefined && managedBy !== 'kubernetes.io/job-controller') slim.managedBy = managedBy;
  if (failure) {
    slim.failure = {
      type: failure.type,
      reason: failure.reason ?? '',
      message: failure.message ?? '',
      at: toIso(failure.lastTransitionTime) ?? '',
    };
  }
  return slim;
}

/** Reduces a CronJob to the fields the watcher keeps. */
export function slimCronJob(cronJob: Partial<V1CronJob>): SlimCronJob {
  const meta = cronJob.metadata ?? {};
  const spec = cronJob.spec;
  const status = cronJob.status ?? {};
  const slim: SlimCronJob = {
    ...slimMeta(meta),
    schedule: spec?.schedule ?? '',
    suspended: spec?.suspend === true,
    concurrencyPolicy: spec?.concurrencyPolicy ?? 'Allow',
    active: (status.active ?? []).map((ref) => ({ name: ref.name ?? '', uid: ref.uid ?? '' })),
  };
  assignDefined(slim, 'timeZone', spec?.timeZone);
  assignDefined(slim, 'startingDeadlineSeconds', spec?.startingDeadlineSeconds);
  assignDefined(slim, 'lastScheduleTime', toIso(status.lastScheduleTime));
  assignDefined(slim, 'lastSuccessfulTime', toIso(status.lastSuccessfulTime));
  return slim;
}

/** Reduces a Job's Pod to the fields the watcher keeps. */
export function slimPod(pod: V1Pod): SlimPod {
  const meta = pod.metadata ?? {};
  const status = pod.status ?? {};
  const labels = meta.labels ?? {};
  const conditions = status.conditions ?? [];
  const scheduled = conditions.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  const disruption = conditions.find((c) => c.type === 'DisruptionTarget' && c.status === 'True');
  const index = meta.annotations?.[COMPLETION_INDEX_ANNOTATION];
  const slim: SlimPod = {
    ...slimMeta(meta),
    jobUid: labels[CONTROLLER_UID_LABEL] ?? labels[LEGACY_CONTROLLER_UID_LABEL] ?? '',
    jobName: labels[JOB_NAME_LABEL] ?? labels[LEGACY_JOB_NAME_LABEL] ?? '',
    phase: status.phase ?? 'Pending',
    containers: [
      ...(status.initContainerStatuses ?? []).map((s) => slimContainer(s, true)),
      ...(status.containerStatuses ?? []).map((s) => slimContainer(s, false)),
    ],
    deleting: meta.deletionTimestamp !== undefined && meta.deletionTimestamp !== null,
  };
  assignDefined(slim, 'nodeName', pod.spec?.nodeName);
  assignDefined(slim, 'reason', status.reason);
  if (index !== undefined && /^\d+$/.test(index)) slim.completionIndex = Number(index);
  if (scheduled?.reason) {
    slim.unschedulable = {
      reason: scheduled.reason,
      since: toIso(scheduled.lastTransitionTime) ?? slim.createdAt,
    };
  }
  if (disruption) slim.disruption = disruption.reason ?? 'DisruptionTarget';
  return slim;
}

function slimContainer(status: V1ContainerStatus, init: boolean): SlimContainer {
  const slim: SlimContainer = { name: status.name, init, restartCount: status.restartCount ?? 0 };
  const waiting = status.state?.waiting;
  if (waiting?.reason) {
    slim.waiting = { reason: waiting.reason };
    assignDefined(slim.waiting, 'message', waiting.message);
  }
  const terminated = status.state?.terminated;
  if (terminated) slim.terminated = slimTermination(terminated);
  const last = status.lastState?.terminated;
  if (last) slim.lastTerminated = slimTermination(last);
  return slim;
}

function slimTermination(t: NonNullable<NonNullable<V1ContainerStatus['state']>['terminated']>): SlimTermination {
  const slim: SlimTermination = { exitCode: t.exitCode };
  assignDefined(slim, 'reason', t.reason);
  assignDefined(slim, 'signal', t.signal);
  assignDefined(slim, 'startedAt', toIso(t.startedAt));
  assignDefined(slim, 'finishedAt', toIso(t.finishedAt));
  return slim;
}

/** Normalises the Date or string timestamps client-node returns to ISO 8601. */
export function toIso(value: Date | string | undefined | null): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  return value;
}

function assignDefined<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined | null): void {
  if (value !== undefined && value !== null) target[key] = value;
}
