import type { KubeObject, ResourceType } from './resources.ts';
import { badRequest } from './status.ts';

/** One `field=value` or `field!=value` term of a field selector. */
export interface FieldRequirement {
  field: string;
  negated: boolean;
  /** The value with its `\\`, `\,` and `\=` escapes resolved. */
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

function pathFields(paths: readonly string[]): Record<string, FieldReader> {
  return Object.fromEntries(paths.map((p) => [p, byPath(p)]));
}

/** How one resource type filters by field: its fields and its rejection message. */
interface FieldSupport {
  fields: Record<string, FieldReader>;
  unsupported: (field: string) => string;
}

const namespacedMeta = pathFields(['metadata.name', 'metadata.namespace']);
const labelNotSupported = (field: string) => `field label not supported: ${field}`;

/** The default of every type without its own conversion function (CronJob, ConfigMap…). */
const defaultSupport: FieldSupport = {
  fields: namespacedMeta,
  unsupported: (field) =>
    `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
};

/**
 * The field labels the real API server accepts per resource, their values and its message
 * for any other label. From the field label conversion functions and `ToSelectableFields` of
 * Kubernetes v1.37 (`pkg/apis/core/v1/conversion.go`, `pkg/apis/batch/v1/conversion.go`,
 * `pkg/registry/*\/strategy.go`).
 */
const supportByResource: Record<string, FieldSupport> = {
  '/pods': {
    fields: {
      ...namespacedMeta,
      ...pathFields([
        'spec.nodeName',
        'spec.restartPolicy',
        'spec.schedulerName',
        'spec.serviceAccountName',
        'status.phase',
        'status.nominatedNodeName',
      ]),
      'spec.hostNetwork': (pod) => (readPath(pod, 'spec.hostNetwork') === 'true' ? 'true' : 'false'),
      'status.podIP': (pod) => readPath(pod, 'status.podIPs.0.ip'),
      // Accepted by the conversion function but absent from the selectable fields, so it
      // matches as an empty value.
      'status.podIPs': () => '',
    },
    unsupported: labelNotSupported,
  },
  '/events': {
    fields: {
      ...namespacedMeta,
      ...pathFields([
        'involvedObject.kind',
        'involvedObject.namespace',
        'involvedObject.name',
        'involvedObject.uid',
        'involvedObject.apiVersion',
        'involvedObject.resourceVersion',
        'involvedObject.fieldPath',
        'reason',
        'type',
      ]),
      reportingComponent: byPath('reportingComponent'),
      source: (event) => readPath(event, 'source.component') || readPath(event, 'reportingComponent'),
    },
    unsupported: labelNotSupported,
  },
  '/secrets': { fields: { ...namespacedMeta, type: byPath('type') }, unsupported: labelNotSupported },
  '/namespaces': {
    fields: { 'metadata.name': byPath('metadata.name'), 'status.phase': byPath('status.phase') },
    unsupported: labelNotSupported,
  },
  '/nodes': {
    fields: {
      'metadata.name': byPath('metadata.name'),
      'spec.unschedulable': (node) => (readPath(node, 'spec.unschedulable') === 'true' ? 'true' : 'false'),
    },
    unsupported: labelNotSupported,
  },
  'batch/jobs': {
    fields: {
      ...namespacedMeta,
      'status.successful': (job) => readPath(job, 'status.succeeded') || '0',
    },
    unsupported: (field) => `field label "${field}" not supported for Job`,
  },
};

function supportFor(type: ResourceType): FieldSupport {
  return supportByResource[`${type.group}/${type.plural}`] ?? defaultSupport;
}

/** Splits on the commas that a backslash does not escape. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === '\\') i += 1;
    else if (text[i] === ',') {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

function unescapeValue(value: string): string {
  let result = '';
  for (let i = 0; i < value.length; i += 1) {
    const char = value[i] ?? '';
    if (char === '\\') {
      const next = value[i + 1];
      if (next === undefined) throw badRequest('invalid field selector: invalid escape sequence: \\');
      if (!'\\,='.includes(next)) {
        throw badRequest(`invalid field selector: invalid escape sequence: \\${next}`);
      }
      result += next;
      i += 1;
    } else if (char === ',' || char === '=') {
      // The real server prints the rune as its number (Go's %v of a rune).
      throw badRequest(`invalid field selector: unescaped character in value: ${char.codePointAt(0)}`);
    } else {
      result += char;
    }
  }
  return result;
}

/** Finds the first operator, trying `!=`, `==` and `=` at each position as the server does. */
function parseTerm(term: string, selector: string): FieldRequirement {
  for (let i = 0; i < term.length; i += 1) {
    for (const op of ['!=', '==', '=']) {
      if (term.startsWith(op, i)) {
        const value = unescapeValue(term.slice(i + op.length));
        return { field: term.slice(0, i), negated: op === '!=', value };
      }
    }
  }
  throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
}

/**
 * Parses `a=b,c!=d` as the real server does: terms sorted, no whitespace trimmed, values
 * unescaped. Throws a 400 StatusError with the server's message for a term without an
 * operator or with a bad escape.
 */
export function parseFieldSelector(text: string | null | undefined): FieldSelector {
  if (text === null || text === undefined || text === '') return [];
  const terms = splitTerms(text).sort().filter((term) => term !== '');
  return terms.map((term) => parseTerm(term, text));
}

/**
 * Checks that every field in the selector is one the real server supports for `type`.
 * Throws a 400 StatusError with the server's message for the first one that is not.
 */
export function checkFieldSelector(type: ResourceType, selector: FieldSelector): void {
  const support = supportFor(type);
  for (const req of selector) {
    if (!Object.hasOwn(support.fields, req.field)) throw badRequest(support.unsupported(req.field));
  }
}

/** Tells whether `object` satisfies every term. Call `checkFieldSelector` first. */
export function matchesFields(
  type: ResourceType,
  selector: FieldSelector,
  object: KubeObject,
): boolean {
  const fields = supportFor(type).fields;
  return selector.every((req) => {
    const value = fields[req.field]?.(object) ?? '';
    return req.negated ? value !== req.value : value === req.value;
  });
}
