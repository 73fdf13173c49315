import { badRequest } from './status.ts';

/**
 * A strategic merge patch (the `application/strategic-merge-patch+json` that kubectl sends)
 * for the kinds this server stores. Lists whose field has a `patchMergeKey` in the
 * Kubernetes v1.37 API types merge item by item on that key, and `finalizers` merge as a
 * set. Every other list (tolerations, args, envFrom, …) is replaced whole.
 * NOTE: `$setElementOrder` directives are accepted but ignored, so a merged list has the
 * patch's items first and the stored ones after.
 */

type Fields = Record<string, unknown>;

/** Field name to the key its list items merge on. */
const mergeKeys: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  resourceClaims: 'name',
  conditions: 'type',
  ownerReferences: 'uid',
  topologySpreadConstraints: 'topologyKey',
};

/** Lists of strings that merge as sets. */
const setLists = new Set(['finalizers']);

function isObject(value: unknown): value is Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function withoutDirective(item: Fields): Fields {
  return Object.fromEntries(Object.entries(item).filter(([key]) => key !== '$patch'));
}

function mergeKeyedList(target: unknown, patch: unknown[], key: string): unknown[] {
  if (patch.some((item) => isObject(item) && item['$patch'] === 'replace')) {
    return patch.filter((item) => !(isObject(item) && item['$patch'] === 'replace'));
  }
  const stored: unknown[] = Array.isArray(target) ? structuredClone(target as unknown[]) : [];
  const sameKey = (a: unknown, b: Fields) => isObject(a) && a[key] === b[key];
  const merged: unknown[] = [];
  for (const item of patch) {
    if (!isObject(item)) throw badRequest(`invalid strategic merge patch: list item ${JSON.stringify(item)} is not an object`);
    if (item['$patch'] === 'delete') continue;
    const existing = stored.find((candidate) => sameKey(candidate, item));
    merged.push(strategicMerge(existing ?? {}, withoutDirective(item)));
  }
  // Items named in the patch come first, in patch order, then the stored ones it left out,
  // as kube-apiserver v1.37 orders a merged list.
  const untouched = stored.filter((candidate) => !patch.some((item) => isObject(item) && sameKey(candidate, item)));
  return [...merged, ...untouched];
}

function mergeSetList(target: unknown, patch: unknown[]): unknown[] {
  const result: unknown[] = Array.isArray(target) ? [...(target as unknown[])] : [];
  for (const item of patch) if (!result.includes(item)) result.push(item);
  return result;
}

function mergeField(result: Fields, key: string, value: unknown): void {
  if (key.startsWith('$setElementOrder/')) return;
  if (key.startsWith('$deleteFromPrimitiveList/')) {
    const field = key.slice('$deleteFromPrimitiveList/'.length);
    const list = result[field];
    if (Array.isArray(list) && Array.isArray(value)) result[field] = list.filter((item) => !value.includes(item));
    return;
  }
  if (value === null) {
    delete result[key];
    return;
  }
  const mergeKey = mergeKeys[key];
  if (Array.isArray(value) && mergeKey !== undefined) {
    const merged = mergeKeyedList(result[key], value, mergeKey);
    // The real server drops a list that a patch emptied, as Go's omitempty encoding does.
    if (merged.length === 0) delete result[key];
    else result[key] = merged;
  }
  else if (Array.isArray(value) && setLists.has(key)) result[key] = mergeSetList(result[key], value);
  else if (isObject(value)) {
    const merged = strategicMerge(result[key], value);
    if (merged === undefined) delete result[key];
    else result[key] = merged;
  } else result[key] = structuredClone(value);
}

/**
 * Applies a strategic merge patch to `target` and returns the result; `undefined` when
 * the patch deletes the whole map with `$patch: delete`.
 */
export function strategicMerge(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  if (patch['$patch'] === 'delete') return undefined;
  if (patch['$patch'] === 'replace') return structuredClone(withoutDirective(patch));
  let result: Fields = isObject(target) ? structuredClone(target) : {};
  const retained = patch['$retainKeys'];
  if (Array.isArray(retained)) {
    result = Object.fromEntries(Object.entries(result).filter(([key]) => retained.includes(key)));
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys') continue;
    mergeField(result, key, value);
  }
  return result;
}
