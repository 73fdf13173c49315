import type { ObjectStore } from '../src/sim/index.ts';
import type { KubeObject, ResourceType } from '../src/sim/resources.ts';

/**
 * Makes the simulated store build each list snapshot once per resourceVersion instead of
 * once per page. `ObjectStore.listAt` copies and sorts the whole collection for every page
 * of a paginated list. With 50,000 Jobs in pages of 500, each page took about 1 s on the
 * 2-core Xeon of docs/benchmarks.md, so listing 50,000 Jobs and 50,000 pods would take
 * minutes. The pages served are
 * unchanged: a snapshot at one resourceVersion is the same whenever it is built, and list
 * handlers only read the copies. Returns a function that removes the cache.
 *
 * NOTE: a continue token older than the store's history still gets its cached pages instead
 * of 410 Expired. The memory benchmark writes nothing while the watcher lists.
 */
export function cacheListSnapshots(store: ObjectStore): () => void {
  const build = store.listAt.bind(store);
  const snapshots = new Map<string, { resourceVersion: number; items: KubeObject[] }>();
  store.listAt = (type: ResourceType, namespace: string | undefined, resourceVersion: number): KubeObject[] => {
    const key = `${type.group}/${type.plural}/${namespace ?? ''}`;
    const cached = snapshots.get(key);
    if (cached?.resourceVersion === resourceVersion) return cached.items;
    const items = build(type, namespace, resourceVersion);
    snapshots.set(key, { resourceVersion, items });
    return items;
  };
  return () => {
    snapshots.clear();
    store.listAt = build;
  };
}
