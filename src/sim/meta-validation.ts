import type { FieldError } from './field-errors.ts';

/** Texts and patterns of apimachinery's name and label checks (Kubernetes v1.37). */
const subdomainPattern = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const subdomainDetail =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', " +
  "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for " +
  `validation is '${subdomainPattern}')`;
const labelValuePattern = '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?';
// The two spaces after the commas are in the real message.
const labelValueDetail =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', " +
  "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or " +
  `'12345', regex used for validation is '${labelValuePattern}')`;

/** Maximum length of a label value, in bytes. */
export const maxLabelValueBytes = 63;

/** Checks `metadata.name` as an RFC 1123 subdomain of at most 253 characters. */
export function checkSubdomainName(name: string, field = 'metadata.name'): FieldError[] {
  const errors: FieldError[] = [];
  if (name.length > 253) {
    errors.push({ type: 'Invalid', field, value: name, detail: 'must be no more than 253 characters' });
  }
  if (!new RegExp(`^${subdomainPattern}$`).test(name)) {
    errors.push({ type: 'Invalid', field, value: name, detail: subdomainDetail });
  }
  return errors;
}

/** Checks every label value of a map; each error names `field` (e.g. `metadata.labels`). */
export function checkLabelValues(labels: Record<string, string> | undefined, field: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const value of Object.values(labels ?? {})) {
    if (Buffer.byteLength(value) > maxLabelValueBytes) {
      errors.push({ type: 'Invalid', field, value, detail: `must be no more than ${maxLabelValueBytes} bytes` });
    }
    if (!new RegExp(`^${labelValuePattern}$`).test(value)) {
      errors.push({ type: 'Invalid', field, value, detail: labelValueDetail });
    }
  }
  return errors;
}
