import { checkCronSchedule } from './cron-schedule.ts';
import type { FieldError } from './field-errors.ts';
import { checkJobTemplate } from './job-spec-validation.ts';
import { checkLabelValues, checkSubdomainName } from './meta-validation.ts';
import type { KubeObject } from './resources.ts';

/**
 * A CronJob's name becomes the prefix of its Jobs' names plus an 11-character suffix, so
 * kube-apiserver v1.37 allows at most 52 characters.
 */
const maxCronJobNameLength = 52;

type Fields = Record<string, unknown>;

function fields(value: unknown): Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : {};
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    // Intl throws a RangeError for an unknown zone, and that is the check itself.
    return false;
  }
}

function checkSchedule(spec: Fields): FieldError[] {
  const schedule = spec['schedule'];
  if (typeof schedule !== 'string' || schedule === '') return [{ type: 'Required', field: 'spec.schedule' }];
  const detail = checkCronSchedule(schedule);
  return detail === undefined ? [] : [{ type: 'Invalid', field: 'spec.schedule', value: schedule, detail }];
}

function checkTimeZone(spec: Fields): FieldError[] {
  const zone = spec['timeZone'];
  if (typeof zone !== 'string' || isTimeZone(zone)) return [];
  return [{ type: 'Invalid', field: 'spec.timeZone', value: zone, detail: `unknown time zone ${zone}` }];
}

/** Checks a CronJob after defaulting, in the real server's cause order. */
export function checkCronJob(cronJob: KubeObject, labelsBeforeDefaults?: Record<string, string>): FieldError[] {
  const name = cronJob.metadata.name ?? '';
  const errors = checkSubdomainName(name);
  if (name.length > maxCronJobNameLength) {
    errors.push({
      type: 'Invalid',
      field: 'metadata.name',
      value: name,
      detail: `must be no more than ${maxCronJobNameLength} characters`,
    });
  }
  errors.push(...checkLabelValues(labelsBeforeDefaults ?? cronJob.metadata.labels, 'metadata.labels'));
  const spec = fields(cronJob['spec']);
  const jobTemplate = fields(fields(spec['jobTemplate'])['spec'])['template'];
  errors.push(...checkJobTemplate(jobTemplate, 'spec.jobTemplate.spec.template'));
  errors.push(...checkSchedule(spec), ...checkTimeZone(spec));
  return errors;
}
