import { randomUUID } from 'node:crypto';
import { checkCronJob } from './cronjob-validation.ts';
import { invalidObject, type FieldError } from './field-errors.ts';
import { defaultCronJobSpec, defaultJobSpec, defaultNewCronJob, defaultNewJob } from './job-defaults.ts';
import { checkJobSpec, uniqueErrors } from './job-spec-validation.ts';
import { immutableJobFields } from './job-validation.ts';
import { checkLabelValues, checkSubdomainName } from './meta-validation.ts';
import type { KubeObject, ResourceType } from './resources.ts';

/**
 * The real server's steps for a Job or CronJob between decoding a write and storing it:
 * defaults, generated fields, the split between the main resource and `status`, and
 * validation. Other kinds pass through unchanged.
 */

type Fields = Record<string, unknown>;

function isBatch(type: ResourceType, plural: string): boolean {
  return type.group === 'batch' && type.plural === plural;
}

function throwIfAny(kind: string, object: KubeObject, errors: readonly FieldError[]): void {
  const unique = uniqueErrors(errors);
  if (unique.length > 0) throw invalidObject(kind, 'batch', object.metadata.name ?? '', unique);
}

function checkMetadata(object: KubeObject): FieldError[] {
  return [
    ...checkSubdomainName(object.metadata.name ?? ''),
    ...checkLabelValues(object.metadata.labels, 'metadata.labels'),
  ];
}

/**
 * Returns a new object as the real server would store it on create, or throws its 422.
 * A name from `generateName` is chosen by the store after this, so a Job that only has a
 * `generateName` is named here first to build its job-name labels.
 */
export function prepareCreate(type: ResourceType, input: KubeObject, pickName: () => string): KubeObject {
  if (isBatch(type, 'jobs')) {
    const named = structuredClone(input);
    if (named.metadata.name === undefined && named.metadata.generateName !== undefined) {
      named.metadata.name = named.metadata.generateName + pickName();
    }
    const metaErrors = checkMetadata(named);
    const uid = randomUUID();
    const job = defaultNewJob(named, uid);
    throwIfAny('Job', job, [...metaErrors, ...checkJobSpec(job['spec'] as Fields, uid)]);
    return job;
  }
  if (isBatch(type, 'cronjobs')) {
    const cronJob = defaultNewCronJob(input);
    throwIfAny('CronJob', cronJob, checkCronJob(cronJob, input.metadata.labels));
    return cronJob;
  }
  return input;
}

/**
 * Merges a write with the stored object as the real server splits them: a write to the
 * main resource keeps the stored `status`, a write to `status` keeps the stored `spec`
 * and the stored labels, annotations, finalizers and owner references.
 */
export function mergeWithStored(type: ResourceType, subresource: string | undefined, stored: KubeObject, next: KubeObject): KubeObject {
  if (!isBatch(type, 'jobs') && !isBatch(type, 'cronjobs')) return next;
  const merged = structuredClone(next);
  if (subresource === 'status') {
    merged['spec'] = structuredClone(stored['spec']);
    for (const key of ['labels', 'annotations', 'finalizers', 'ownerReferences']) {
      if (stored.metadata[key] === undefined) delete merged.metadata[key];
      else merged.metadata[key] = structuredClone(stored.metadata[key]);
    }
  } else {
    merged['status'] = structuredClone(stored['status'] ?? {});
  }
  if (isBatch(type, 'jobs')) defaultJobSpec((merged['spec'] ?? {}) as Fields);
  if (isBatch(type, 'cronjobs')) defaultCronJobSpec((merged['spec'] ?? {}) as Fields);
  return merged;
}

/** Checks an update against the real server's rules; throws its 422 Invalid Status. */
export function checkUpdate(type: ResourceType, stored: KubeObject, next: KubeObject): void {
  if (isBatch(type, 'jobs')) {
    const errors = [
      ...checkLabelValues(next.metadata.labels, 'metadata.labels'),
      ...checkJobSpec((next['spec'] ?? {}) as Fields),
      ...immutableJobFields(stored, next),
    ];
    throwIfAny('Job', next, errors);
  } else if (isBatch(type, 'cronjobs')) {
    throwIfAny('CronJob', next, checkCronJob(next));
  }
}
