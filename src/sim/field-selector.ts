import type { KubeObject, ResourceType } from './resources.ts';
import { badRequest } from './status.ts';

/** One `field=value` or `field!=value` term of a field selector. */
export interface FieldRequirement {
  field: string;
  negated: boolean;
  value: string;
}

/** A parsed field selector: every term must hold. */
export type FieldSelector = readonly FieldRequirement[];

type FieldReader = (object: KubeObject) => string;

function readPath(object: unknown, path: string): string {
  let current: unknown = object;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return '';
    current = (current as Record<string, unknown>)[part];
  }
  if (current === undefined || current === null) return '';
  return typeof current === 'string' ? current : JSON.stringify(current);
}

function byPath(path: string): FieldReader {
  return (object) => readPath(object, path);
}

const metadataFields: Record<string, FieldReader> = {
  'metadata.name': byPath('metadata.name'),
  'metadata.namespace': byPath('metadata.namespace'),
};

function pathFields(paths: readonly string[]): Record<string, FieldReader> {
  return Object.fromEntries(paths.map((p) => [p, byPath(p)]));
}

/**
 * The field labels the real API server accepts per resource, from the field label
 * conversion functions of `k8s.io/kubernetes` `pkg/apis/core/v1` and `pkg/apis/batch/v1`.
 */
const fieldsByResource: Record<string, Record<string, FieldReader>> = {
  '/pods': pathFields([
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ]),
  '/events': {
    ...pathFields([
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'reportingComponent',
      'type',
    ]),
    source: byPath('source.component'),
  },
  '/secrets': pathFields(['type']),
  '/namespaces': pathFields(['status.phase']),
  '/nodes': pathFields(['spec.unschedulable']),
  'batch/jobs': {
    'status.successful': (job) => readPath(job, 'status.succeeded') || '0',
  },
};

function parseTerm(text: string, selector: string): FieldRequirement {
  const match = /^([^=!]+)(==|=|!=)(.*)$/.exec(text.trim());
  if (!match) throw badRequest(`invalid field selector "${selector}": cannot parse "${text}"`);
  const [, field = '', op, value = ''] = match;
  return { field: field.trim(), negated: op === '!=', value: value.trim() };
}

/** Parses `a=b,c!=d`. Throws a 400 StatusError for a term without an operator. */
export function parseFieldSelector(text: string | null | undefined): FieldSelector {
  if (text === null || text === undefined || text.trim() === '') return [];
  return text.split(',').filter((t) => t.trim() !== '').map((t) => parseTerm(t, text));
}

function readerFor(type: ResourceType, field: string): FieldReader | undefined {
  return metadataFields[field] ?? fieldsByResource[`${type.group}/${type.plural}`]?.[field];
}

/**
 * Checks that every field in the selector is one the real server supports for `type`.
 * Throws a 400 StatusError `field label not supported: <field>` otherwise.
 */
export function checkFieldSelector(type: ResourceType, selector: FieldSelector): void {
  for (const req of selector) {
    if (readerFor(type, req.field) === undefined) {
      throw badRequest(`field label not supported: ${req.field}`);
    }
  }
}

/** Tells whether `object` satisfies every term. Call `checkFieldSelector` first. */
export function matchesFields(
  type: ResourceType,
  selector: FieldSelector,
  object: KubeObject,
): boolean {
  return selector.every((req) => {
    const value = readerFor(type, req.field)?.(object) ?? '';
    return req.negated ? value !== req.value : value === req.value;
  });
}
