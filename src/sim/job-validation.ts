import type { KubeObject } from './resources.ts';
import { invalidObject, type FieldError } from './field-errors.ts';
import type { StatusError } from './status.ts';

/** Builds the 422 Invalid Status of the real server for a Job and its field errors. */
export function jobInvalid(name: string, errors: readonly FieldError[]): StatusError {
  return invalidObject('Job', 'batch', name, errors);
}

interface JobSpec {
  completions?: number;
  completionMode?: string;
  selector?: unknown;
  template?: unknown;
  suspend?: boolean;
  podFailurePolicy?: unknown;
  backoffLimitPerIndex?: number;
  managedBy?: string;
  successPolicy?: unknown;
}

function specOf(job: KubeObject): JobSpec {
  return (job['spec'] ?? {});
}

function changed(before: unknown, after: unknown): boolean {
  return JSON.stringify(before) !== JSON.stringify(after);
}

/**
 * Checks an update of a Job against the immutable fields the real server guards
 * (`validateJobSpecUpdate` of Kubernetes v1.37): `spec.completions` of a non-indexed Job,
 * `spec.selector`, `spec.template` of a Job that is not suspended, and five policy fields.
 * Returns one error per violation.
 * NOTE: the real server prints an invalid template as its internal Go struct, but this server
 * prints it as JSON. The real server also lets only the scheduling fields of a suspended
 * Job's template change, while this server lets the whole template change.
 */
export function immutableJobFields(previous: KubeObject, next: KubeObject): FieldError[] {
  const before = specOf(previous);
  const after = specOf(next);
  const errors: FieldError[] = [];
  const immutable = (field: keyof JobSpec): void => {
    if (changed(before[field], after[field])) {
      errors.push({ type: 'Invalid', field: `spec.${field}`, value: after[field], detail: 'field is immutable' });
    }
  };
  // The order of the real server's checks, which is the order of the causes.
  if (before.completionMode !== 'Indexed') immutable('completions');
  immutable('selector');
  if (before.suspend !== true) immutable('template');
  immutable('completionMode');
  immutable('podFailurePolicy');
  immutable('backoffLimitPerIndex');
  immutable('managedBy');
  immutable('successPolicy');
  return errors;
}

/** Throws the 422 Invalid StatusError of {@link immutableJobFields} when any field changed. */
export function checkJobUpdate(previous: KubeObject, next: KubeObject): void {
  const errors = immutableJobFields(previous, next);
  if (errors.length > 0) throw jobInvalid(next.metadata.name ?? '', errors);
}
