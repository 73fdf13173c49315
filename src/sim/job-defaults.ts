import type { KubeObject } from './resources.ts';
import { defaultPodTemplate } from './pod-defaults.ts';

/**
 * Defaults and generated fields of a Job as kube-apiserver v1.37 writes them
 * (`SetDefaults_Job` and the Job strategy's `PrepareForCreate`).
 */

type Fields = Record<string, unknown>;

/** Label and selector key that ties a Job's pods to the Job's uid. */
export const controllerUidLabel = 'batch.kubernetes.io/controller-uid';
/** Label with the Job's name that the real server puts on the pod template. */
export const jobNameLabel = 'batch.kubernetes.io/job-name';
/** The backoffLimit of a Job that sets `backoffLimitPerIndex`: Go's MaxInt32. */
const maxInt32 = 2_147_483_647;

function fieldsOf(parent: Fields, key: string): Fields {
  const value = parent[key];
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Fields;
  const created: Fields = {};
  parent[key] = created;
  return created;
}

/** Writes the spec defaults that apply on every write of a Job, in place. */
export function defaultJobSpec(spec: Fields): Fields {
  if (spec['completions'] === undefined && spec['parallelism'] === undefined) {
    spec['completions'] = 1;
  }
  spec['parallelism'] ??= 1;
  spec['backoffLimit'] ??= spec['backoffLimitPerIndex'] === undefined ? 6 : maxInt32;
  spec['completionMode'] ??= 'NonIndexed';
  spec['suspend'] ??= false;
  spec['podReplacementPolicy'] ??= spec['podFailurePolicy'] === undefined ? 'TerminatingOrFailed' : 'Failed';
  defaultPodTemplate(fieldsOf(spec, 'template'));
  return spec;
}

/**
 * Generates the selector and template labels of a new Job unless `manualSelector` is true:
 * the selector gains `batch.kubernetes.io/controller-uid: <uid>` (validation then rejects any
 * other key), and the template gets both spellings of the controller-uid and job-name labels.
 */
function generateSelector(job: KubeObject, spec: Fields, uid: string): void {
  if (spec['manualSelector'] === true) return;
  spec['manualSelector'] = false;
  const labels = fieldsOf(fieldsOf(fieldsOf(spec, 'template'), 'metadata'), 'labels');
  const name = job.metadata.name ?? '';
  labels[controllerUidLabel] ??= uid;
  labels['controller-uid'] ??= uid;
  labels[jobNameLabel] ??= name;
  labels['job-name'] ??= name;
  const selector = fieldsOf(spec, 'selector');
  const matchLabels = fieldsOf(selector, 'matchLabels');
  matchLabels[controllerUidLabel] = uid;
}

/**
 * Returns a new Job as the real server stores it: given `uid`, generated selector and
 * labels, spec defaults, labels copied from the template when the Job has none, and an
 * empty status.
 */
export function defaultNewJob(input: KubeObject, uid: string): KubeObject {
  const job = structuredClone(input);
  job.metadata.uid = uid;
  const spec = fieldsOf(job, 'spec');
  generateSelector(job, spec, uid);
  defaultJobSpec(spec);
  const template = fieldsOf(spec, 'template');
  const templateLabels = (template['metadata'] as Fields | undefined)?.['labels'];
  const ownLabels = job.metadata.labels ?? {};
  if (Object.keys(ownLabels).length === 0 && templateLabels !== undefined) {
    job.metadata.labels = { ...(templateLabels as Record<string, string>) };
  }
  job['status'] = {};
  return job;
}

/** Returns a new CronJob with the real server's defaults and an empty status. */
export function defaultNewCronJob(input: KubeObject): KubeObject {
  const cronJob = structuredClone(input);
  defaultCronJobSpec(fieldsOf(cronJob, 'spec'));
  cronJob['status'] = {};
  return cronJob;
}

/** Writes the CronJob spec defaults in place; its Job template gets pod defaults only. */
export function defaultCronJobSpec(spec: Fields): Fields {
  spec['concurrencyPolicy'] ??= 'Allow';
  spec['suspend'] ??= false;
  spec['successfulJobsHistoryLimit'] ??= 3;
  spec['failedJobsHistoryLimit'] ??= 1;
  const jobTemplate = fieldsOf(spec, 'jobTemplate');
  jobTemplate['metadata'] ??= {};
  defaultPodTemplate(fieldsOf(fieldsOf(jobTemplate, 'spec'), 'template'));
  return spec;
}
