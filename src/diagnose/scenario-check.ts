import { basename } from 'node:path';
import type { KubernetesObject, V1Job, V1Pod } from '@kubernetes/client-node';
import { checkJob } from './scenario-consistency.ts';
import { checkPods } from './scenario-pods.ts';
import { checkEvents, checkLogs } from './scenario-events.ts';
import { checkObjectNames } from './scenario-names.ts';
import type { LogEntry } from './scenario-consistency.ts';
import { CAUSE_IDS } from './types.ts';

/**
 * One problem found in a scenario file: where it is (`path`, as in `objects[2].metadata.uid`),
 * the value found there (undefined when the field is missing), what is wrong and how to fix it.
 */
export interface ScenarioProblem {
  file: string;
  path: string;
  value: unknown;
  problem: string;
  fix: string;
}

/** Options of `checkScenario`. */
export interface ScenarioCheckOptions {
  /**
   * Source URLs by scenario id, for scenarios whose report link is kept in the folder's
   * `NOTES.md` instead of a `source.url` field (see `readNoteSources`). Default: none.
   */
  noteSources?: ReadonlyMap<string, string>;
}

/** Reasons the job controller writes on a Job's `Failed` condition, and null for "not failed". */
export const JOB_FAILED_REASONS: readonly (string | null)[] = [
  'BackoffLimitExceeded',
  'DeadlineExceeded',
  'PodFailurePolicy',
  'MaxFailedIndexesExceeded',
  'FailedIndexes',
  null,
];

/** Kinds without a namespace; every other kind in a scenario must have `metadata.namespace`. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Node', 'PersistentVolume', 'Namespace', 'StorageClass', 'PriorityClass',
  'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition',
]);

const SLUG = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
// Kubernetes names its time fields creationTimestamp, lastTransitionTime, startedAt and so on.
const TIME_FIELD = /(Timestamp|Time|At)$/;

/** Collects the problems of one file, at most one for each path. */
class ProblemList {
  readonly file: string;
  readonly problems: ScenarioProblem[] = [];

  constructor(file: string) {
    this.file = file;
  }

  add(path: string, value: unknown, problem: string, fix: string): void {
    if (this.problems.some((p) => p.path === path)) return;
    this.problems.push({ file: this.file, path, value, problem, fix });
  }
}

/** Tells whether `value` is an RFC 3339 time that `Date.parse` reads. */
function isRfc3339(value: unknown): value is string {
  return typeof value === 'string' && RFC3339.test(value) && !Number.isNaN(Date.parse(value));
}

/** Tells whether `value` is a plain JSON object. */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks parsed scenario data the way a reviewer would: the fields of
 * docs/scenario-format.md, then whether the objects, events and logs tell one consistent
 * story. `file` is the path the data came from; the id must equal its name without
 * `.json`. Returns every problem found, or an empty list.
 */
export function checkScenario(
  data: unknown,
  file: string,
  options: ScenarioCheckOptions = {},
): ScenarioProblem[] {
  const list = new ProblemList(file);
  if (!isRecord(data)) {
    list.add(
      '(root)',
      data,
      'is not a JSON object',
      'write the scenario as one object with id, title, objects, logs and expected',
    );
    return list.problems;
  }
  checkHeader(list, data, options);
  checkExpected(list, data.expected);
  const objects = checkObjects(list, data.objects);
  const logs = checkLogShapes(list, data.logs);
  const rawObjects: unknown[] = Array.isArray(data.objects) ? data.objects : [];
  const jobCount = rawObjects.filter((o) => isRecord(o) && o.kind === 'Job').length;
  if (jobCount !== 1) {
    list.add(
      'objects',
      `${jobCount} Jobs`,
      'must contain exactly one Job',
      'keep the one Job that failed',
    );
  }
  else checkStory(list, objects, logs, data.expected);
  return list.problems;
}

function checkHeader(
  list: ProblemList,
  data: Record<string, unknown>,
  options: ScenarioCheckOptions,
): void {
  const name = basename(list.file).replace(/\.json$/, '');
  if (typeof data.id !== 'string' || !SLUG.test(data.id)) {
    list.add(
      'id',
      data.id,
      'is not a lower-case slug',
      `set id to the file name, such as "${name}"`,
    );
  } else if (data.id !== name) {
    list.add(
      'id',
      data.id,
      `differs from the file name "${name}.json"`,
      `rename the file to ${data.id}.json or set id to "${name}"`,
    );
  }
  if (typeof data.title !== 'string' || data.title.trim() === '') {
    list.add('title', data.title, 'is missing or empty', 'describe the failure in one sentence');
  }
  const noted = typeof data.id === 'string' ? options.noteSources?.get(data.id) : undefined;
  checkSource(list, data, noted);
}

function checkSource(
  list: ProblemList,
  data: Record<string, unknown>,
  noted: string | undefined,
): void {
  const source = data.source;
  if (source === undefined && noted !== undefined) {
    if (!isHttpUrl(noted)) {
      list.add(
        'source.url',
        noted,
        'in NOTES.md is not an http(s) URL',
        'link the report as https://…',
      );
    }
    return;
  }
  const url = isRecord(source) ? source.url : undefined;
  if (url === undefined) {
    list.add(
      'source.url',
      url,
      'is missing',
      'add "source": { "url": "https://…" } linking the report or incident retold',
    );
  } else if (!isHttpUrl(url)) {
    list.add(
      'source.url',
      url,
      'is not an http(s) URL',
      'link the report or incident as https://…',
    );
  }
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string' || !URL.canParse(value)) return false;
  const protocol = new URL(value).protocol;
  return protocol === 'https:' || protocol === 'http:';
}

function checkExpected(list: ProblemList, expected: unknown): void {
  if (!isRecord(expected)) {
    list.add(
      'expected',
      expected,
      'is missing or not an object',
      'add "expected": { "reason", "cause", "evidence" }',
    );
    return;
  }
  if (!JOB_FAILED_REASONS.includes(expected.reason as string | null)) {
    const reasons = JOB_FAILED_REASONS.map((r) => String(r)).join(', ');
    list.add(
      'expected.reason',
      expected.reason,
      'is not a Job Failed reason',
      `use one of ${reasons}`,
    );
  }
  if (!(CAUSE_IDS as readonly unknown[]).includes(expected.cause)) {
    list.add(
      'expected.cause',
      expected.cause,
      'is not a cause id of docs/causes.md',
      `use one of ${CAUSE_IDS.join(', ')}`,
    );
  }
  const evidence = expected.evidence;
  if (!Array.isArray(evidence) || evidence.length === 0) {
    list.add(
      'expected.evidence',
      evidence,
      'is missing or empty',
      'list the strings a right diagnosis must show',
    );
    return;
  }
  evidence.forEach((item, i) => {
    if (typeof item !== 'string' || item.trim() === '') {
      list.add(
        `expected.evidence[${i}]`,
        item,
        'is not a non-empty string',
        'quote a reason, limit or log text',
      );
    }
  });
}

function checkObjects(list: ProblemList, objects: unknown): KubernetesObject[] {
  if (!Array.isArray(objects) || objects.length === 0) {
    list.add(
      'objects',
      objects,
      'is missing or empty',
      'add the Job, its Pods and Events as kubectl get -o json prints them',
    );
    return [];
  }
  const uids = new Map<string, number>();
  const valid: KubernetesObject[] = [];
  objects.forEach((object: unknown, i) => {
    if (checkObjectShape(list, object, `objects[${i}]`)) valid.push(object as KubernetesObject);
    if (isRecord(object)) checkObjectNames(list, object, `objects[${i}]`);
    const uid = isRecord(object) && isRecord(object.metadata) ? object.metadata.uid : undefined;
    if (typeof uid !== 'string') return;
    const first = uids.get(uid);
    if (first !== undefined) {
      list.add(
        `objects[${i}].metadata.uid`,
        uid,
        `repeats the uid of objects[${first}]`,
        'give every object its own uid',
      );
    }
    else uids.set(uid, i);
    checkTimeFields(list, object, `objects[${i}]`);
  });
  return valid;
}

function checkObjectShape(list: ProblemList, object: unknown, path: string): boolean {
  if (!isRecord(object)) {
    list.add(path, object, 'is not an object', 'paste the object as kubectl get -o json prints it');
    return false;
  }
  const before = list.problems.length;
  for (const field of ['apiVersion', 'kind'] as const) {
    if (typeof object[field] !== 'string' || object[field] === '') {
      list.add(
        `${path}.${field}`,
        object[field],
        'is missing',
        `copy ${field} from kubectl get -o json`,
      );
    }
  }
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  for (const field of ['name', 'uid', 'resourceVersion']) {
    if (typeof metadata[field] !== 'string' || metadata[field] === '') {
      list.add(
        `${path}.metadata.${field}`,
        metadata[field],
        'is missing or not a string',
        `copy metadata.${field} from kubectl get -o json`,
      );
    }
  }
  if (!isRfc3339(metadata.creationTimestamp)) {
    list.add(
      `${path}.metadata.creationTimestamp`,
      metadata.creationTimestamp,
      'is missing or not an RFC 3339 time',
      'write it as 2026-01-31T12:00:00Z',
    );
  }
  const namespaced = !CLUSTER_SCOPED_KINDS.has(String(object.kind));
  if (namespaced && (typeof metadata.namespace !== 'string' || metadata.namespace === '')) {
    list.add(
      `${path}.metadata.namespace`,
      metadata.namespace,
      `is missing on a namespaced ${String(object.kind)}`,
      'add the namespace',
    );
  } else if (!namespaced && metadata.namespace !== undefined) {
    list.add(
      `${path}.metadata.namespace`,
      metadata.namespace,
      `is set on a cluster-scoped ${String(object.kind)}`,
      'remove it',
    );
  }
  return list.problems.length === before;
}

function checkTimeFields(list: ProblemList, value: unknown, path: string): void {
  if (Array.isArray(value)) {
    value.forEach((item: unknown, i) => checkTimeFields(list, item, `${path}[${i}]`));
    return;
  }
  if (!isRecord(value)) return;
  for (const [key, field] of Object.entries(value)) {
    const fieldPath = `${path}.${key}`;
    const nested = isRecord(field) || Array.isArray(field);
    if (!TIME_FIELD.test(key) || nested) checkTimeFields(list, field, fieldPath);
    else if (field !== null && !isRfc3339(field)) {
      list.add(fieldPath, field, 'is not an RFC 3339 time', 'write it as 2026-01-31T12:00:00Z');
    }
  }
}

// Each rule: the field of a log entry, the test its value must pass, the problem and the fix.
type LogFieldRule = [string, (value: unknown) => boolean, string, string];

const isName = (value: unknown) => typeof value === 'string' && value !== '';
const LOG_FIELDS: LogFieldRule[] = [
  ['namespace', isName, 'is missing', 'name the namespace of the Pod the log came from'],
  ['pod', isName, 'is missing', 'name the Pod the log came from'],
  ['container', isName, 'is missing', 'name the container the log came from'],
  ['previous', (v) => typeof v === 'boolean', 'is not true or false', 'set true for the run before the last restart'],
  ['text', (v) => typeof v === 'string', 'is not a string', 'paste what kubectl logs printed'],
  ['truncated', (v) => v === undefined || typeof v === 'boolean', 'is not true or false', 'remove it or set a boolean'],
];

function checkLogShapes(list: ProblemList, logs: unknown): LogEntry[] {
  if (!Array.isArray(logs)) {
    list.add('logs', logs, 'is not an array', 'use [] when no container printed anything');
    return [];
  }
  const valid: LogEntry[] = [];
  logs.forEach((log: unknown, index) => {
    const entry = isRecord(log) ? log : {};
    const failed = LOG_FIELDS.filter(([field, test]) => !test(entry[field]));
    for (const [field, , problem, fix] of failed) {
      list.add(`logs[${index}].${field}`, entry[field], problem, fix);
    }
    if (failed.length === 0) valid.push({ ...(entry as Omit<LogEntry, 'index'>), index });
  });
  return valid;
}

function checkStory(
  list: ProblemList,
  objects: KubernetesObject[],
  logs: LogEntry[],
  expected: unknown,
): void {
  const job = objects.find((o) => o.kind === 'Job') as V1Job | undefined;
  // A Job without name, uid or times was reported already, and the story cannot be read without it.
  if (job === undefined) return;
  const pods = objects.filter((o) => o.kind === 'Pod') as V1Pod[];
  const reason = isRecord(expected) ? expected.reason : undefined;
  checkJob(list, objects, job, reason);
  checkPods(list, objects, job, pods);
  checkEvents(list, objects, pods);
  checkLogs(list, pods, logs);
}

/** Formats a problem as one line: file, path, what is wrong, the value found, and the fix. */
export function formatProblem(p: ScenarioProblem): string {
  const json = JSON.stringify(p.value) ?? 'undefined';
  const value = json.length > 80 ? `${json.slice(0, 77)}...` : json;
  const found = p.value === undefined ? '' : ` (value: ${value})`;
  return `${p.file}: ${p.path} ${p.problem}${found}; fix: ${p.fix}`;
}
