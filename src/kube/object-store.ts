/** One cached object with the resourceVersion it was stored at. */
export interface StoredObject<T> {
  object: T;
  /** `metadata.resourceVersion` of the raw object, kept apart because `slim` may drop it. */
  resourceVersion: string;
}

/** One difference between the cache before and after a re-list. */
export type StoreChange<T> =
  | { type: 'add'; object: T }
  | { type: 'update'; old: T; object: T }
  | { type: 'delete'; object: T };

/**
 * Lists the changes that turn `previous` into `next`, the cache rebuilt by a re-list:
 * `add` for new keys, `update` for kept keys, then `delete` for keys that disappeared
 * while the watch was down.
 *
 * A kept object whose resourceVersion did not change yields an `update` only when
 * `includeUnchanged` is true, in which case old and new carry the same resourceVersion.
 * Yields lazily, so a re-list of 50,000 objects builds no second list of changes.
 */
export function* diffStores<T>(
  previous: ReadonlyMap<string, StoredObject<T>>,
  next: ReadonlyMap<string, StoredObject<T>>,
  includeUnchanged: boolean,
): Generator<StoreChange<T>> {
  for (const [key, entry] of next) {
    const before = previous.get(key);
    if (!before) {
      yield { type: 'add', object: entry.object };
    } else if (includeUnchanged || before.resourceVersion !== entry.resourceVersion) {
      yield { type: 'update', old: before.object, object: entry.object };
    }
  }
  for (const [key, entry] of previous) {
    if (!next.has(key)) yield { type: 'delete', object: entry.object };
  }
}

/** Reads `metadata.resourceVersion` of a raw object, or `''` when it has none. */
export function resourceVersionOf(raw: Record<string, unknown>): string {
  const metadata = raw['metadata'];
  if (typeof metadata !== 'object' || metadata === null) return '';
  const version = (metadata as Record<string, unknown>)['resourceVersion'];
  return typeof version === 'string' ? version : '';
}
