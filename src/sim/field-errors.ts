import { failureStatus, StatusError, type StatusDetails } from './status.ts';

/**
 * One field error as the real server lists it in `details.causes`: `Invalid` carries the
 * rejected value and a detail, `Required` an optional detail.
 */
export type FieldError =
  | { type: 'Invalid'; field: string; value: unknown; detail: string }
  | { type: 'Required'; field: string; detail?: string };

/** Formats a value as Go's `field.Invalid` prints it: numbers bare, the rest as JSON. */
function formatValue(value: unknown): string {
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

function causeMessage(error: FieldError): string {
  if (error.type === 'Invalid') return `Invalid value: ${formatValue(error.value)}: ${error.detail}`;
  return error.detail === undefined ? 'Required value' : `Required value: ${error.detail}`;
}

const causeReasons = { Invalid: 'FieldValueInvalid', Required: 'FieldValueRequired' } as const;

/**
 * Builds the 422 Invalid Status of the real server, e.g.
 * `Job.batch "x" is invalid: spec.selector: Invalid value: …`, listing one cause per error.
 */
export function invalidObject(
  kind: string,
  group: string,
  name: string,
  errors: readonly FieldError[],
): StatusError {
  const parts = errors.map((error) => `${error.field}: ${causeMessage(error)}`);
  const summary = parts.length === 1 ? (parts[0] ?? '') : `[${parts.join(', ')}]`;
  const details: StatusDetails = {
    name,
    ...(group === '' ? {} : { group }),
    kind,
    causes: errors.map((error) => ({
      reason: causeReasons[error.type],
      message: causeMessage(error),
      field: error.field,
    })),
  };
  const qualified = group === '' ? kind : `${kind}.${group}`;
  return new StatusError(
    failureStatus(422, 'Invalid', `${qualified} "${name}" is invalid: ${summary}`, details),
  );
}
