import { expect } from 'vitest';

/**
 * Normalisation and side-by-side comparison of what the real API server and the simulated
 * cluster return for the same request. Only values that must differ between two servers are
 * replaced: uids, resourceVersions, timestamps and the random suffixes of generated names.
 */

const uuidPattern = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const timestampPattern = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const timeKeys = new Set([
  'creationTimestamp',
  'deletionTimestamp',
  'lastTimestamp',
  'firstTimestamp',
  'eventTime',
  'time',
  'startTime',
  'lastTransitionTime',
  'lastProbeTime',
  'completionTime',
]);

/** Replaces each distinct uid with `<uid-N>` in order of first appearance, per server. */
class UidNames {
  readonly #names = new Map<string, string>();

  name(uid: string): string {
    let name = this.#names.get(uid);
    if (name === undefined) {
      name = `<uid-${this.#names.size + 1}>`;
      this.#names.set(uid, name);
    }
    return name;
  }
}

/** What to replace besides uids, resourceVersions and timestamps. */
export interface NormaliseOptions {
  /** Literal strings to replace, e.g. a generated name, with the placeholder to use. */
  replace?: Record<string, string>;
}

function normaliseString(text: string, key: string, uids: UidNames, options: NormaliseOptions): string {
  if (timeKeys.has(key) && timestampPattern.test(text)) return '<time>';
  if (key === 'resourceVersion') return text === '' ? '' : '<rv>';
  let result = text.replace(uuidPattern, (uid) => uids.name(uid));
  for (const [literal, placeholder] of Object.entries(options.replace ?? {})) {
    result = result.split(literal).join(placeholder);
  }
  return result;
}

function normaliseValue(value: unknown, key: string, uids: UidNames, options: NormaliseOptions): unknown {
  if (typeof value === 'string') return normaliseString(value, key, uids, options);
  if (Array.isArray(value)) return value.map((item) => normaliseValue(item, key, uids, options));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([k, v]) => [k, normaliseValue(v, k, uids, options)] as const,
  );
  return Object.fromEntries(entries);
}

/**
 * Returns a copy of a response body with uids numbered in order of appearance, every
 * resourceVersion as `<rv>` and every timestamp as `<time>`. A JSON body inside a string (a
 * log, a watch line) stays as it is.
 */
export function normalise(body: unknown, options: NormaliseOptions = {}): unknown {
  return normaliseValue(body, '', new UidNames(), options);
}

function pretty(value: unknown): string[] {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return (text ?? 'undefined').split('\n');
}

/**
 * Lays two values out side by side, the real server's on the left, marking each line that
 * differs with `≠`, so a test failure shows both bodies at once.
 */
export function sideBySide(real: unknown, sim: unknown): string {
  const left = pretty(real);
  const right = pretty(sim);
  const width = Math.min(80, Math.max(12, ...left.map((line) => line.length)));
  const rows = [`${'real kube-apiserver'.padEnd(width)} | simulated cluster`];
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const a = left[i] ?? '';
    const b = right[i] ?? '';
    const mark = a === b ? ' ' : '≠';
    rows.push(`${a.padEnd(width)} ${mark} ${b}`);
  }
  return rows.join('\n');
}

/**
 * Asserts that the two values are deeply equal, printing both side by side when not.
 * `what` names the request in the failure message.
 */
export function expectSame(what: string, real: unknown, sim: unknown): void {
  expect(sim, `${what}: the simulated cluster differs\n${sideBySide(real, sim)}`).toEqual(real);
}

/** Picks the listed top-level fields of an object, leaving out the absent ones. */
export function pick(object: unknown, keys: readonly string[]): Record<string, unknown> {
  const source = (object ?? {}) as Record<string, unknown>;
  return Object.fromEntries(keys.filter((key) => key in source).map((key) => [key, source[key]]));
}

/** Reads a dotted path such as `metadata.labels`; `undefined` when a step is missing. */
export function readPath(object: unknown, path: string): unknown {
  let current: unknown = object;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
