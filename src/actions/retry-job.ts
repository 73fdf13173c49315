import type { V1CronJob, V1Job, V1ObjectMeta, V1OwnerReference } from '@kubernetes/client-node';

/** Inputs of {@link buildRetry}. */
export interface RetryInput {
  /** The failed Job as the API server stored it. */
  original: V1Job;
  /** The CronJob that owns `original`, read now, when it has one. */
  cronJob?: V1CronJob;
  /** N in `<name>-retry-N`, from 1. */
  retryNumber: number;
  /** The Slack user who asked for the retry. */
  requestedBy: { id: string; name?: string };
  /** The alert's key, recorded so the retry's own failure links back to it. */
  alertKey: string;
  /** Cluster name for messages, when jobwatch watches more than one. */
  cluster?: string;
  now: Date;
}

/**
 * The Job to create for a retry. When `refusal` is set, it gives the reason the Job must not
 * be created. `warnings` are for the person who confirms the retry.
 */
export interface RetryPlan {
  job: V1Job;
  name: string;
  /** `job`: copied from the failed Job; `cronjob-template`: from the CronJob's current jobTemplate. */
  source: 'job' | 'cronjob-template';
  warnings: string[];
  refusal?: string;
  /** Paths where the CronJob's current jobTemplate differs from the failed run's spec. */
  templateDiffers?: { fields: string[] };
}

/** Annotations and the label jobwatch puts on every retry Job. */
export const RETRY_ANNOTATIONS = {
  retryOf: 'jobwatch.dev/retry-of',
  retryOfUid: 'jobwatch.dev/retry-of-uid',
  requestedBy: 'jobwatch.dev/requested-by',
  requestedByName: 'jobwatch.dev/requested-by-name',
  requestedAt: 'jobwatch.dev/requested-at',
  alert: 'jobwatch.dev/alert',
  retryNumber: 'jobwatch.dev/retry-number',
} as const;
export const RETRY_LABEL = 'jobwatch.dev/retry';

/** Labels the API server adds to a Job and its pod template when it generates the selector. */
export const GENERATED_LABELS = [
  'controller-uid',
  'batch.kubernetes.io/controller-uid',
  'job-name',
  'batch.kubernetes.io/job-name',
] as const;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const JOB_CONTROLLER = 'kubernetes.io/job-controller';
// A Job name must also fit the `job-name` label value the API server puts on its pods.
const NAME_LIMIT = 63;
// Labels that mark a Job as one step of a pipeline engine, which reruns its own steps.
const PIPELINE_LABEL_PREFIXES: Array<[string, string]> = [
  ['workflows.argoproj.io/', 'Argo Workflows'],
  ['tekton.dev/', 'Tekton'],
];

/**
 * Builds the retry of a failed Job: the whole original spec minus what the API server set,
 * or, for a Job a CronJob made, the CronJob's current jobTemplate the way
 * `kubectl create job --from=cronjob/NAME` does. Pure: nothing is sent anywhere.
 *
 * `spec.suspend` is copied unchanged, because the person or queue controller (such as Kueue)
 * that suspended the original also decides when the retry starts. A warning tells the user.
 */
export function buildRetry(input: RetryInput): RetryPlan {
  if (!Number.isInteger(input.retryNumber) || input.retryNumber < 1) {
    throw new RangeError(`retryNumber must be a whole number from 1, got ${input.retryNumber}`);
  }
  const { original } = input;
  const name = retryName(original.metadata?.name ?? original.metadata?.generateName ?? 'job', input.retryNumber);
  const warnings: string[] = [];
  const cronOwner = controllerOf(original);
  const fromTemplate = cronOwner?.kind === 'CronJob' && input.cronJob !== undefined;
  const job = fromTemplate ? copyFromTemplate(input.cronJob!, original) : copyFromJob(original);
  job.metadata!.name = name;
  addProvenance(job.metadata!, input);
  if (cronOwner?.kind === 'CronJob') warnings.push(...cronJobWarnings(input, cronOwner));
  warnings.push(...retryWarnings(job, original));
  const refusal = refusalFor(input, job);
  const plan: RetryPlan = { job, name, source: fromTemplate ? 'cronjob-template' : 'job', warnings };
  if (refusal !== undefined) plan.refusal = refusal;
  if (fromTemplate) plan.templateDiffers = { fields: diffTemplate(original.spec, input.cronJob!.spec?.jobTemplate.spec) };
  return plan;
}

/**
 * Names the retry `<base>-retry-<n>`, where `<base>` is `name` without an earlier
 * `-retry-K`, cut so the result fits 63 characters and ends with a letter or digit.
 */
export function retryName(name: string, retryNumber: number): string {
  const suffix = `-retry-${retryNumber}`;
  const base = name.replace(/-retry-\d+$/, '').replace(/-+$/, '');
  return `${base.slice(0, NAME_LIMIT - suffix.length).replace(/[-.]+$/, '')}${suffix}`;
}

function copyFromJob(original: V1Job): V1Job {
  const job = structuredClone(original);
  delete job.status;
  job.metadata = stripServerMetadata(job.metadata ?? {});
  const owners = (job.metadata.ownerReferences ?? []).filter((owner) => owner.kind !== 'CronJob');
  if (owners.length > 0) job.metadata.ownerReferences = owners;
  else delete job.metadata.ownerReferences;
  if (job.spec && job.spec.manualSelector !== true) {
    delete job.spec.selector;
    const templateMeta = job.spec.template.metadata;
    if (templateMeta?.labels) templateMeta.labels = withoutGeneratedLabels(templateMeta.labels);
    if (job.metadata.labels) job.metadata.labels = withoutGeneratedLabels(job.metadata.labels);
  }
  return job;
}

function stripServerMetadata(metadata: V1ObjectMeta): V1ObjectMeta {
  const kept: V1ObjectMeta = { ...metadata };
  delete kept.uid;
  delete kept.resourceVersion;
  delete kept.creationTimestamp;
  delete kept.generation;
  delete kept.managedFields;
  delete kept.selfLink;
  delete kept.deletionTimestamp;
  delete kept.deletionGracePeriodSeconds;
  // A finalizer marks cleanup that a controller owes the original. No controller tracks the
  // retry, so a copied finalizer would block its deletion for good.
  delete kept.finalizers;
  if (kept.annotations) {
    const annotations = { ...kept.annotations };
    delete annotations[LAST_APPLIED];
    kept.annotations = annotations;
  }
  return kept;
}

function withoutGeneratedLabels(labels: Record<string, string>): Record<string, string> {
  const kept = { ...labels };
  for (const key of GENERATED_LABELS) delete kept[key];
  return kept;
}

// Mirrors createJobFromCronJob in kubectl (staging/src/k8s.io/kubectl/pkg/cmd/create/create_job.go):
// template labels, template annotations plus `cronjob.kubernetes.io/instantiate: manual`, and
// a controller reference without blockOwnerDeletion, which would need cronjobs/finalizers rights.
function copyFromTemplate(cronJob: V1CronJob, original: V1Job): V1Job {
  const template = structuredClone(cronJob.spec?.jobTemplate ?? {});
  const owner: V1OwnerReference = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    name: cronJob.metadata?.name ?? '',
    uid: cronJob.metadata?.uid ?? '',
    controller: true,
  };
  const metadata: V1ObjectMeta = {
    annotations: { 'cronjob.kubernetes.io/instantiate': 'manual', ...template.metadata?.annotations },
    ownerReferences: [owner],
  };
  const namespace = cronJob.metadata?.namespace ?? original.metadata?.namespace;
  if (namespace !== undefined) metadata.namespace = namespace;
  if (template.metadata?.labels) metadata.labels = template.metadata.labels;
  const job: V1Job = { apiVersion: 'batch/v1', kind: 'Job', metadata };
  if (template.spec) job.spec = template.spec;
  return job;
}

function addProvenance(metadata: V1ObjectMeta, input: RetryInput): void {
  const annotations: Record<string, string> = {
    ...metadata.annotations,
    [RETRY_ANNOTATIONS.retryOf]: input.original.metadata?.name ?? '',
    [RETRY_ANNOTATIONS.retryOfUid]: input.original.metadata?.uid ?? '',
    [RETRY_ANNOTATIONS.requestedBy]: input.requestedBy.id,
    [RETRY_ANNOTATIONS.requestedAt]: input.now.toISOString(),
    [RETRY_ANNOTATIONS.alert]: input.alertKey,
    [RETRY_ANNOTATIONS.retryNumber]: String(input.retryNumber),
  };
  if (input.requestedBy.name !== undefined) annotations[RETRY_ANNOTATIONS.requestedByName] = input.requestedBy.name;
  metadata.annotations = annotations;
  metadata.labels = { ...metadata.labels, [RETRY_LABEL]: 'true' };
}

function controllerOf(job: V1Job): V1OwnerReference | undefined {
  return job.metadata?.ownerReferences?.find((owner) => owner.controller === true);
}

function describeJob(input: RetryInput): string {
  const meta = input.original.metadata;
  const where = input.cluster === undefined ? '' : ` in cluster ${input.cluster}`;
  return `Job ${meta?.namespace ?? 'default'}/${meta?.name ?? meta?.generateName ?? '?'}${where}`;
}

function refusalFor(input: RetryInput, job: V1Job): string | undefined {
  const { original } = input;
  const subject = describeJob(input);
  if (!original.metadata?.name) {
    const stem = original.metadata?.generateName ?? '';
    return `${subject} has no metadata.name, only generateName "${stem}", so it is not a stored Job: read the failed Job from the API server and retry that`;
  }
  const owner = controllerOf(original);
  if (owner !== undefined && !(owner.kind === 'CronJob' && owner.apiVersion.startsWith('batch/'))) {
    return `${subject} is controlled by ${owner.kind} ${owner.name} (${owner.apiVersion}), which would not track a copy: retry it through that ${owner.kind}`;
  }
  // The retry's own spec counts, because a CronJob's current template may differ from the run's.
  const managedBy = job.spec?.managedBy;
  if (managedBy !== undefined && managedBy !== JOB_CONTROLLER) {
    return `${subject} has spec.managedBy "${managedBy}", so the built-in job controller does not run it: retry it through ${managedBy}`;
  }
  return pipelineRefusal(subject, original);
}

function pipelineRefusal(job: string, original: V1Job): string | undefined {
  const labels = { ...original.spec?.template.metadata?.labels, ...original.metadata?.labels };
  for (const [key, value] of Object.entries(labels)) {
    const engine = PIPELINE_LABEL_PREFIXES.find(([prefix]) => key.startsWith(prefix))?.[1];
    if (engine !== undefined) {
      return `${job} is a step of ${engine} (label ${key}=${value}), which reruns its own steps: rerun it in ${engine}`;
    }
  }
  return undefined;
}

function cronJobWarnings(input: RetryInput, owner: V1OwnerReference): string[] {
  const cronJob = input.cronJob;
  if (cronJob === undefined) {
    return [
      `CronJob ${owner.name} was not found, so the retry copies the failed Job's spec and no CronJob owns it`,
    ];
  }
  if (cronJob.metadata?.uid !== undefined && cronJob.metadata.uid !== owner.uid) {
    return [`CronJob ${owner.name} was re-created after this run, so the retry uses the new CronJob's template`];
  }
  return [];
}

function retryWarnings(job: V1Job, original: V1Job): string[] {
  const warnings: string[] = [];
  const annotations = job.metadata?.annotations ?? {};
  const labels = { ...job.spec?.template.metadata?.labels, ...job.metadata?.labels };
  if (annotations['helm.sh/hook'] !== undefined) {
    warnings.push(`the Job is a Helm hook (helm.sh/hook: ${annotations['helm.sh/hook']}); Helm will not track or delete the retry`);
  }
  const queue = labels['kueue.x-k8s.io/queue-name'] ?? annotations['kueue.x-k8s.io/queue-name'];
  if (queue !== undefined) {
    warnings.push(`the Job is queued by Kueue (queue ${queue}); the retry waits in that queue until Kueue admits it`);
  }
  if (job.spec?.suspend === true) {
    warnings.push('spec.suspend is true, so the retry is created suspended and starts only when someone sets it to false');
  }
  if (original.spec?.manualSelector === true && job.spec?.manualSelector === true) {
    warnings.push('the Job sets spec.manualSelector, so the retry keeps the same selector and its pods also match the original\'s');
  }
  return warnings;
}

// Defaults that kube-apiserver v1.37 stores on a Job but not always on a CronJob's jobTemplate.
// A field that only the Job has, with one of these values, is not a difference.
const DEFAULTS: Record<string, unknown[]> = {
  parallelism: [1],
  completions: [1],
  backoffLimit: [6],
  completionMode: ['NonIndexed'],
  suspend: [false],
  manualSelector: [false],
  podReplacementPolicy: ['TerminatingOrFailed', 'Failed'],
  imagePullPolicy: ['IfNotPresent', 'Always'],
  terminationMessagePath: ['/dev/termination-log'],
  terminationMessagePolicy: ['File'],
  dnsPolicy: ['ClusterFirst'],
  schedulerName: ['default-scheduler'],
  terminationGracePeriodSeconds: [30],
  restartPolicy: ['Always'],
  enableServiceLinks: [true],
  protocol: ['TCP'],
};

/**
 * Lists the paths (`spec.template.spec.containers[main].image`) where a CronJob's jobTemplate
 * spec differs from a Job's spec, ignoring the selector and labels the API server generated
 * for the Job and the defaults it filled in.
 */
export function diffTemplate(jobSpec: unknown, templateSpec: unknown): string[] {
  const job = structuredClone(jobSpec ?? {}) as { selector?: unknown; template?: { metadata?: V1ObjectMeta } };
  delete job.selector;
  const labels = job.template?.metadata?.labels;
  if (labels) job.template!.metadata!.labels = withoutGeneratedLabels(labels);
  const fields: string[] = [];
  collectDifferences(job, templateSpec ?? {}, 'spec', fields);
  return fields;
}

function collectDifferences(job: unknown, template: unknown, path: string, out: string[]): void {
  if (isEmpty(job) && isEmpty(template)) return;
  if (isRecord(job) && isRecord(template)) {
    for (const key of new Set([...Object.keys(job), ...Object.keys(template)])) {
      if (template[key] === undefined && isServerDefault(key, job[key], job)) continue;
      collectDifferences(job[key], template[key], `${path}.${key}`, out);
    }
    return;
  }
  if (Array.isArray(job) && Array.isArray(template) && isNamedList(job) && isNamedList(template)) {
    const names = new Set([...job.map((item) => item.name), ...template.map((item) => item.name)]);
    for (const name of names) {
      const before = job.find((item) => item.name === name);
      const after = template.find((item) => item.name === name);
      collectDifferences(before, after, `${path}[${name}]`, out);
    }
    return;
  }
  if (JSON.stringify(job) !== JSON.stringify(template)) out.push(path);
}

function isServerDefault(key: string, value: unknown, parent: Record<string, unknown>): boolean {
  if (value === undefined || value === null) return true;
  // The API server copies limits into requests that a container leaves unset.
  if (key === 'requests' && isRecord(value) && isRecord(parent.limits)) {
    const limits = parent.limits;
    return Object.entries(value).every(([resource, quantity]) => limits[resource] === quantity);
  }
  return DEFAULTS[key]?.some((known) => JSON.stringify(known) === JSON.stringify(value)) ?? false;
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return isRecord(value) && Object.values(value).every(isEmpty);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function isNamedList(list: unknown[]): list is Array<{ name: string }> {
  return list.every((item) => isRecord(item) && typeof item.name === 'string');
}
