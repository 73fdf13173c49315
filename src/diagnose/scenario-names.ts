import type { FieldError } from '../sim/field-errors.ts';
import { checkSubdomainName, maxLabelValueBytes } from '../sim/meta-validation.ts';
import type { ProblemList } from './scenario-consistency.ts';

/*
 * The name checks of `checkScenario`: the names kube-apiserver accepts for the kinds that
 * jobwatch shows in alerts. They reuse the simulated cluster's checks, which follow
 * apimachinery's messages and patterns, so a scenario holds only names a cluster could store.
 */

/** apimachinery's RFC 1123 label pattern, which namespace names must match. */
const LABEL_PATTERN = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const LABEL_DETAIL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', " +
  "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', " +
  `regex used for validation is '${LABEL_PATTERN}')`;
/** Maximum length of an RFC 1123 label, in characters. */
const MAX_LABEL_LENGTH = 63;
/** Maximum length of an RFC 1123 subdomain, in characters. */
const MAX_SUBDOMAIN_LENGTH = 253;
/**
 * Maximum length of a CronJob name: the CronJob controller appends an 11-character suffix
 * to name each Job, and a Job name must fit a 63-character label value.
 */
const MAX_CRONJOB_NAME_LENGTH = 52;

function tooLong(name: string, field: string, maxLength: number): FieldError[] {
  if (name.length <= maxLength) return [];
  return [{ type: 'Invalid', field, value: name, detail: `must be no more than ${maxLength} characters` }];
}

/** Checks a name as an RFC 1123 label, the rule for namespace names. */
function checkLabelName(name: string, field: string): FieldError[] {
  const errors = tooLong(name, field, MAX_LABEL_LENGTH);
  if (!new RegExp(`^${LABEL_PATTERN}$`).test(name)) {
    errors.push({ type: 'Invalid', field, value: name, detail: LABEL_DETAIL });
  }
  return errors;
}

/** The name rule of one kind as kube-apiserver applies it, and the longest name it accepts. */
interface NameRule {
  check: (name: string) => FieldError[];
  maxLength: number;
  /** True for subdomains, which may contain '.'; false for labels. */
  dots: boolean;
}

/**
 * The rule of each kind whose name an alert shows; other kinds are not checked. A Job name
 * is a subdomain that must also fit the value of the `batch.kubernetes.io/job-name` label,
 * which the API server adds to the pod template.
 */
const NAME_RULES: Readonly<Record<string, NameRule>> = {
  Job: {
    check: (name) => [...checkSubdomainName(name), ...tooLong(name, 'metadata.name', maxLabelValueBytes)],
    maxLength: maxLabelValueBytes,
    dots: true,
  },
  CronJob: {
    check: (name) => [...checkSubdomainName(name), ...tooLong(name, 'metadata.name', MAX_CRONJOB_NAME_LENGTH)],
    maxLength: MAX_CRONJOB_NAME_LENGTH,
    dots: true,
  },
  Pod: { check: (name) => checkSubdomainName(name), maxLength: MAX_SUBDOMAIN_LENGTH, dots: true },
  Namespace: { check: (name) => checkLabelName(name, 'metadata.name'), maxLength: MAX_LABEL_LENGTH, dots: false },
};

/** Joins the details of the errors; each names one broken rule. */
function details(errors: readonly FieldError[]): string {
  return errors.map((error) => (error.type === 'Invalid' ? error.detail : 'is required')).join('; ');
}

/**
 * Returns a valid name close to `name`: lower case, with each run of other characters
 * replaced by '-', cut to `maxLength`, and starting and ending with a letter or digit.
 * Returns undefined when nothing usable is left.
 */
export function suggestName(name: string, maxLength: number, dots: boolean): string | undefined {
  const other = dots ? /[^a-z0-9.]+/g : /[^a-z0-9]+/g;
  const cleaned = name.toLowerCase().replace(other, '-').replace(/[-.]*\.[-.]*/g, '.');
  const trimmed = cleaned.slice(0, maxLength).replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return trimmed === '' ? undefined : trimmed;
}

function fixFor(rule: NameRule, name: string): string {
  const characters = rule.dots ? "lower-case letters, digits, '-' and '.'" : "lower-case letters, digits and '-'";
  const suggestion = suggestName(name, rule.maxLength, rule.dots);
  const like = suggestion === undefined ? '' : `, such as "${suggestion}"`;
  return `use at most ${rule.maxLength} ${characters}, starting and ending with a letter or digit${like}`;
}

function checkName(list: ProblemList, path: string, kindLabel: string, name: string, rule: NameRule): void {
  const errors = rule.check(name);
  if (errors.length === 0) return;
  list.add(path, name, `is not a valid ${kindLabel} name: ${details(errors)}`, fixFor(rule, name));
}

/**
 * Checks the names that kube-apiserver validates on an object of the scenario at `path`:
 * `metadata.name` of a Job, CronJob, Pod or Namespace, and `metadata.namespace` of every
 * object. Missing names are left to the shape checks.
 */
export function checkObjectNames(list: ProblemList, object: Record<string, unknown>, path: string): void {
  const kind = typeof object.kind === 'string' ? object.kind : '';
  const metadata = (object.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  const rule = NAME_RULES[kind];
  if (rule !== undefined && typeof metadata.name === 'string' && metadata.name !== '') {
    checkName(list, `${path}.metadata.name`, kind, metadata.name, rule);
  }
  const namespaceRule = NAME_RULES['Namespace'];
  if (namespaceRule !== undefined && typeof metadata.namespace === 'string' && metadata.namespace !== '') {
    checkName(list, `${path}.metadata.namespace`, 'namespace', metadata.namespace, namespaceRule);
  }
}
