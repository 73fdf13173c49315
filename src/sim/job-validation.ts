import type { KubeObject } from './resources.ts';
import { failureStatus, StatusError, type StatusDetails } from './status.ts';

/** One `field.Invalid` error as the real server lists it in `details.causes`. */
interface InvalidField {
  field: string;
  value: unknown;
  detail: string;
}

/** Formats a value as Go's `field.Invalid` prints it: numbers bare, the rest as JSON. */
function formatValue(value: unknown): string {
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

function causeMessage(error: InvalidField): string {
  return `Invalid value: ${formatValue(error.value)}: ${error.detail}`;
}

/** Builds the 422 Invalid Status of the real server for a Job and its field errors. */
export function jobInvalid(name: string, errors: readonly InvalidField[]): StatusError {
  const parts = errors.map((error) => `${error.field}: ${causeMessage(error)}`);
  const summary = parts.length === 1 ? (parts[0] ?? '') : `[${parts.join(', ')}]`;
  const details: StatusDetails = {
    name,
    group: 'batch',
    kind: 'Job',
    causes: errors.map((error) => ({
      reason: 'FieldValueInvalid',
      message: causeMessage(error),
      field: error.field,
    })),
  };
  return new StatusError(
    failureStatus(422, 'Invalid', `Job.batch "${name}" is invalid: ${summary}`, details),
  );
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
 * Throws a 422 Invalid StatusError listing every violation.
 * NOTE: the real server prints an invalid template as its internal Go struct, but this server
 * prints it as JSON. The real server also lets only the scheduling fields of a suspended
 * Job's template change, while this server lets the whole template change.
 */
export function checkJobUpdate(previous: KubeObject, next: KubeObject): void {
  const before = specOf(previous);
  const after = specOf(next);
  const errors: InvalidField[] = [];
  const immutable = (field: keyof JobSpec): void => {
    if (changed(before[field], after[field])) {
      errors.push({ field: `spec.${field}`, value: after[field], detail: 'field is immutable' });
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
  if (errors.length > 0) throw jobInvalid(next.metadata.name ?? '', errors);
}
