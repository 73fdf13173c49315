import { randomUUID } from 'node:crypto';
import { typeKey, typeOfObject, type KubeObject, type ObjectMeta, type ResourceType } from './resources.ts';
import { alreadyExists, conflict, expired, notFound } from './status.ts';

/** The watch event types that a stored change produces. */
export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One write to the store, kept in the bounded history that watches resume from. */
export interface Change {
  resourceVersion: number;
  type: ChangeType;
  resource: ResourceType;
  /** The object after the write; for DELETED, the last state with the deletion's resourceVersion. */
  object: KubeObject;
  /** The object before the write; absent for ADDED. */
  previous?: KubeObject;
}

/** Names one stored object. `namespace` is ignored for cluster-scoped kinds. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string | undefined;
  name: string;
}

/** Options of {@link ObjectStore}. */
export interface ObjectStoreOptions {
  /** Changes kept for watch resumption and paginated lists. Default 1000. */
  historyLimit?: number;
  /** Source of `creationTimestamp`. Default `() => new Date()`. */
  now?: () => Date;
  /** The store's resourceVersion before the first write. Default 1. */
  initialResourceVersion?: number;
}

/** Distance by which {@link ObjectStore.renumber} moves resourceVersions, so old ones are unknown. */
const renumberJump = 1_000_000;
const suffixAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** Returns a 5-character suffix in the alphabet the API server uses for `generateName`. */
export function randomNameSuffix(): string {
  let suffix = '';
  for (let i = 0; i < 5; i += 1) {
    suffix += suffixAlphabet[Math.floor(Math.random() * suffixAlphabet.length)];
  }
  return suffix;
}

/** Formats a time as the API server does in `creationTimestamp`: RFC 3339, whole seconds, UTC. */
export function formatTimestamp(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Returns the generation after a write: one more when `spec` changed, as the real server counts. */
function nextGeneration(previous: KubeObject, next: KubeObject): number {
  const generation = Number(previous.metadata['generation'] ?? 1);
  const specChanged = JSON.stringify(previous['spec']) !== JSON.stringify(next['spec']);
  return specChanged ? generation + 1 : generation;
}

/** Drops empty metadata maps and lists, which the real server's encoding leaves out. */
function dropEmptyMetadata(meta: ObjectMeta): void {
  for (const key of ['labels', 'annotations', 'finalizers', 'ownerReferences']) {
    const value = meta[key];
    if (value !== null && typeof value === 'object' && Object.keys(value).length === 0) delete meta[key];
  }
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

/**
 * In-memory objects of every served type, with one resourceVersion counter across all of
 * them (as etcd has) and a bounded history of changes. Objects go in and come out as copies,
 * so callers may change what they pass or receive.
 */
export class ObjectStore {
  readonly #objects = new Map<string, Map<string, KubeObject>>();
  readonly #listeners = new Set<(change: Change) => void>();
  #history: Change[] = [];
  #resourceVersion: number;
  #compactedResourceVersion: number;
  readonly #historyLimit: number;
  readonly #now: () => Date;

  constructor(options: ObjectStoreOptions = {}) {
    this.#historyLimit = options.historyLimit ?? 1000;
    this.#now = options.now ?? (() => new Date());
    this.#resourceVersion = options.initialResourceVersion ?? 1;
    this.#compactedResourceVersion = this.#resourceVersion;
  }

  /** The resourceVersion of the newest write. */
  get resourceVersion(): number {
    return this.#resourceVersion;
  }

  /** The oldest resourceVersion a watch or continue token may start from; older ones get 410. */
  get compactedResourceVersion(): number {
    return this.#compactedResourceVersion;
  }

  /**
   * Adds a new object. Assigns `uid` (unless given), `resourceVersion`, `creationTimestamp`
   * (unless given), a name from `generateName`, and `namespace: default` for namespaced
   * kinds without one. Throws a 409 StatusError when the name is taken.
   */
  create(input: KubeObject): KubeObject {
    const type = this.#typeOf(input);
    const object = structuredClone(input);
    const meta = object.metadata;
    if (meta.name === undefined && meta.generateName !== undefined) {
      meta.name = meta.generateName + randomNameSuffix();
    }
    if (meta.name === undefined || meta.name === '') {
      throw new Error(`cannot create ${type.kind}: metadata.name and generateName are missing`);
    }
    if (type.namespaced) meta.namespace ??= 'default';
    else delete meta.namespace;
    const bucket = this.#bucket(type);
    const key = objectKey(meta.namespace, meta.name);
    if (bucket.has(key)) throw alreadyExists(type, meta.name);
    meta.uid ??= randomUUID();
    if (type.hasGeneration) meta['generation'] = 1;
    dropEmptyMetadata(meta);
    meta.creationTimestamp ??= formatTimestamp(this.#now());
    meta.resourceVersion = String(this.#nextResourceVersion());
    bucket.set(key, object);
    this.#record({ type: 'ADDED', resource: type, object });
    return structuredClone(object);
  }

  /**
   * Replaces a stored object whole, keeping its uid and creationTimestamp. When `input`
   * carries a resourceVersion it must equal the stored one (409 Conflict otherwise);
   * without one the write is unconditional. Throws a 404 StatusError when absent. `validate`
   * sees the stored object after the resourceVersion check, as the real server's update
   * validation does, and may throw to reject the write.
   */
  update(input: KubeObject, validate?: (current: KubeObject) => void): KubeObject {
    const type = this.#typeOf(input);
    const name = input.metadata.name ?? '';
    const namespace = type.namespaced ? (input.metadata.namespace ?? 'default') : undefined;
    const bucket = this.#bucket(type);
    const key = objectKey(namespace, name);
    const previous = bucket.get(key);
    if (previous === undefined) throw notFound(type, name);
    const expected = input.metadata.resourceVersion;
    if (expected !== undefined && expected !== previous.metadata.resourceVersion) {
      throw conflict(type, name);
    }
    validate?.(structuredClone(previous));
    const object = structuredClone(input);
    const { uid, creationTimestamp } = previous.metadata;
    object.metadata = { ...object.metadata, namespace, uid, creationTimestamp };
    if (type.hasGeneration) object.metadata['generation'] = nextGeneration(previous, object);
    dropEmptyMetadata(object.metadata);
    if (namespace === undefined) delete object.metadata.namespace;
    object.metadata.resourceVersion = String(this.#nextResourceVersion());
    bucket.set(key, object);
    this.#record({ type: 'MODIFIED', resource: type, object, previous });
    return structuredClone(object);
  }

  /** Updates the object when it exists and creates it otherwise. */
  apply(input: KubeObject): KubeObject {
    const ref = { ...input, namespace: input.metadata.namespace, name: input.metadata.name ?? '' };
    if (this.get(ref) === undefined) return this.create(input);
    const metadata = { ...input.metadata };
    // apply() overwrites whatever is stored, so no resourceVersion precondition applies.
    delete metadata.resourceVersion;
    return this.update({ ...input, metadata });
  }

  /** Removes an object and returns its last state. Throws a 404 StatusError when absent. */
  delete(ref: ObjectRef): KubeObject {
    const type = this.#typeOf(ref);
    const bucket = this.#bucket(type);
    const key = objectKey(type.namespaced ? (ref.namespace ?? 'default') : undefined, ref.name);
    const previous = bucket.get(key);
    if (previous === undefined) throw notFound(type, ref.name);
    bucket.delete(key);
    const object = structuredClone(previous);
    object.metadata.resourceVersion = String(this.#nextResourceVersion());
    this.#record({ type: 'DELETED', resource: type, object, previous });
    return structuredClone(object);
  }

  /** Returns a copy of the object, or `undefined` when absent. */
  get(ref: ObjectRef): KubeObject | undefined {
    const type = this.#typeOf(ref);
    const namespace = type.namespaced ? (ref.namespace ?? 'default') : undefined;
    const object = this.#bucket(type).get(objectKey(namespace, ref.name));
    return object === undefined ? undefined : structuredClone(object);
  }

  /** Returns copies of the objects of one type, in one namespace or all, in etcd's key order. */
  list(type: ResourceType, namespace?: string): KubeObject[] {
    return this.listAt(type, namespace, this.#resourceVersion);
  }

  /**
   * Returns the objects of one type as they were at `resourceVersion`, rebuilt by undoing
   * the kept history. Throws a 410 StatusError when that version is older than the history.
   */
  listAt(type: ResourceType, namespace: string | undefined, resourceVersion: number): KubeObject[] {
    if (resourceVersion < this.#compactedResourceVersion) {
      throw expired(`too old resource version: ${resourceVersion} (${this.#compactedResourceVersion})`);
    }
    const snapshot = new Map(this.#bucket(type));
    for (let i = this.#history.length - 1; i >= 0; i -= 1) {
      const change = this.#history[i];
      if (change === undefined || change.resourceVersion <= resourceVersion) break;
      if (change.resource !== type) continue;
      const key = objectKey(change.object.metadata.namespace, change.object.metadata.name ?? '');
      if (change.previous === undefined) snapshot.delete(key);
      else snapshot.set(key, change.previous);
    }
    return [...snapshot.entries()]
      .filter(([, o]) => namespace === undefined || o.metadata.namespace === namespace)
      // Byte order of `namespace/name`, as etcd orders the keys of a list.
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => structuredClone(o));
  }

  /**
   * Returns the kept changes after `resourceVersion`, oldest first. Throws a 410 StatusError
   * `too old resource version: <rv> (<oldest>)` when the history no longer reaches back that far.
   */
  changesSince(resourceVersion: number): Change[] {
    if (resourceVersion < this.#compactedResourceVersion) {
      throw expired(`too old resource version: ${resourceVersion} (${this.#compactedResourceVersion})`);
    }
    return this.#history.filter((c) => c.resourceVersion > resourceVersion);
  }

  /** Calls `listener` synchronously after every write. Returns the unsubscribe function. */
  subscribe(listener: (change: Change) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Drops the whole history, so any older resourceVersion gets 410 Expired. */
  compact(): void {
    this.#history = [];
    this.#compactedResourceVersion = this.#resourceVersion;
  }

  /**
   * Gives every object a new, higher resourceVersion and drops the history, as a restored
   * etcd would leave things: every resourceVersion a client held before is now unknown.
   */
  renumber(): void {
    this.#resourceVersion += renumberJump;
    this.compact();
    for (const bucket of this.#objects.values()) {
      for (const object of bucket.values()) {
        object.metadata.resourceVersion = String(this.#nextResourceVersion());
      }
    }
  }

  #typeOf(object: Pick<KubeObject, 'apiVersion' | 'kind'>): ResourceType {
    const type = typeOfObject(object);
    if (type === undefined) {
      throw new Error(
        `the simulated cluster does not serve apiVersion "${object.apiVersion}" kind ` +
          `"${object.kind}"; add it to resourceTypes in src/sim/resources.ts`,
      );
    }
    return type;
  }

  #bucket(type: ResourceType): Map<string, KubeObject> {
    const key = typeKey(type);
    let bucket = this.#objects.get(key);
    if (bucket === undefined) {
      bucket = new Map();
      this.#objects.set(key, bucket);
    }
    return bucket;
  }

  #nextResourceVersion(): number {
    this.#resourceVersion += 1;
    return this.#resourceVersion;
  }

  #record(partial: Omit<Change, 'resourceVersion'>): void {
    const change: Change = { ...partial, resourceVersion: this.#resourceVersion };
    this.#history.push(change);
    while (this.#history.length > this.#historyLimit) {
      const dropped = this.#history.shift();
      if (dropped !== undefined) this.#compactedResourceVersion = dropped.resourceVersion;
    }
    for (const listener of this.#listeners) listener(change);
  }
}
