import type { FieldError } from './field-errors.ts';
import { controllerUidLabel } from './job-defaults.ts';
import { checkLabelValues } from './meta-validation.ts';

/**
 * The parts of kube-apiserver v1.37's Job validation (`ValidateJob`, `ValidateJobSpec`,
 * `ValidatePodTemplateSpecForJob`) that Job manifests commonly trip over, with the real
 * field paths, texts and cause order.
 */

type Fields = Record<string, unknown>;

function fields(value: unknown): Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : {};
}

function checkContainers(spec: Fields, path: string): FieldError[] {
  const containers = spec['containers'];
  if (!Array.isArray(containers) || containers.length === 0) {
    return [{ type: 'Required', field: `${path}.containers` }];
  }
  const errors: FieldError[] = [];
  containers.forEach((container, i) => {
    const item = fields(container);
    if (typeof item['name'] !== 'string' || item['name'] === '') {
      errors.push({ type: 'Required', field: `${path}.containers[${i}].name` });
    }
    if (typeof item['image'] !== 'string' || item['image'] === '') {
      errors.push({ type: 'Required', field: `${path}.containers[${i}].image` });
    }
  });
  return errors;
}

/** Checks a Job's pod template: labels, containers, then the Job-only restartPolicy rule. */
export function checkJobTemplate(template: unknown, path: string): FieldError[] {
  const labels = fields(fields(template)['metadata'])['labels'] as Record<string, string> | undefined;
  const spec = fields(fields(template)['spec']);
  const errors = [...checkLabelValues(labels, `${path}.labels`), ...checkContainers(spec, `${path}.spec`)];
  const restartPolicy = spec['restartPolicy'];
  if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') {
    errors.push({
      type: 'Required',
      field: `${path}.spec.restartPolicy`,
      detail: 'valid values: "OnFailure", "Never"',
    });
  }
  return errors;
}

function selectorMatches(selector: Fields, labels: Record<string, string>): boolean {
  const matchLabels = fields(selector['matchLabels']) as Record<string, string>;
  return Object.entries(matchLabels).every(([key, value]) => labels[key] === value);
}

/**
 * Checks the selector of a Job: a generated one must be exactly the controller-uid label,
 * and any selector must match the template labels.
 */
function checkSelector(spec: Fields, uid: string | undefined): FieldError[] {
  const selector = spec['selector'];
  if (selector === undefined) return [{ type: 'Required', field: 'spec.selector' }];
  const errors: FieldError[] = [];
  if (spec['manualSelector'] !== true && uid !== undefined) {
    const generated = JSON.stringify({ matchLabels: { [controllerUidLabel]: uid } });
    if (JSON.stringify(selector) !== generated) {
      errors.push({ type: 'Invalid', field: 'spec.selector', value: selector, detail: '`selector` not auto-generated' });
    }
  }
  const templateLabels = fields(fields(fields(spec['template'])['metadata'])['labels']) as Record<string, string>;
  if (!selectorMatches(fields(selector), templateLabels)) {
    errors.push({
      type: 'Invalid',
      field: 'spec.template.metadata.labels',
      value: templateLabels,
      detail: '`selector` does not match template `labels`',
    });
  }
  return errors;
}

function checkCounts(spec: Fields): FieldError[] {
  const errors: FieldError[] = [];
  for (const key of ['parallelism', 'completions', 'backoffLimit', 'activeDeadlineSeconds']) {
    const value = spec[key];
    if (value === undefined || value === null) continue;
    const minimum = key === 'activeDeadlineSeconds' ? 1 : 0;
    if (typeof value === 'number' && value < minimum) {
      const detail = minimum === 1 ? 'must be greater than zero' : 'must be greater than or equal to 0';
      errors.push({ type: 'Invalid', field: `spec.${key}`, value, detail });
    }
  }
  return errors;
}

/**
 * Checks the spec of a Job after defaulting. `uid` is the Job's uid when its selector was
 * generated on this write (create); on update it is left out.
 */
export function checkJobSpec(spec: Fields, uid?: string): FieldError[] {
  return [...checkSelector(spec, uid), ...checkCounts(spec), ...checkJobTemplate(spec['template'], 'spec.template')];
}

/** Removes errors that repeat an earlier one exactly, as the real server reports each once. */
export function uniqueErrors(errors: readonly FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = JSON.stringify(error);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
