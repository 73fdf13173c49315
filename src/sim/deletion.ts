import type { ObjectStore } from './object-store.ts';
import { formatTimestamp } from './object-store.ts';
import { resourceTypes, type KubeObject, type ResourceType } from './resources.ts';
import { failureStatus, StatusError } from './status.ts';

/**
 * Deletes through the API the way kube-apiserver v1.37 and its garbage collector do:
 * an object with finalizers is only marked (`deletionTimestamp`) until they are gone, and
 * the propagation policy decides what happens to the objects it owns.
 */

/** `propagationPolicy` of a delete. */
export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

const orphanFinalizer = 'orphan';
const foregroundFinalizer = 'foregroundDeletion';
/** Kinds whose objects can be owned by Jobs or CronJobs in this server. */
const dependentTypes = resourceTypes.filter((t) => ['pods', 'jobs'].includes(t.plural));

function refOf(object: KubeObject) {
  return { apiVersion: object.apiVersion, kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name ?? '' };
}

function finalizersOf(object: KubeObject): string[] {
  return Array.isArray(object.metadata['finalizers']) ? (object.metadata['finalizers'] as string[]) : [];
}

function ownerUids(object: KubeObject): string[] {
  const refs = object.metadata['ownerReferences'];
  return Array.isArray(refs) ? refs.map((ref: { uid?: string }) => ref.uid ?? '') : [];
}

/**
 * Returns the default policy of a type. batch/v1 Jobs orphan their pods unless a delete
 * sets a policy, as the real server keeps for compatibility. Every other type is Background.
 */
export function defaultPropagation(type: ResourceType): PropagationPolicy {
  return type.group === 'batch' && type.plural === 'jobs' ? 'Orphan' : 'Background';
}

/** Deletes and marks objects and collects their dependents. */
export class Deleter {
  readonly #store: ObjectStore;
  readonly #now: () => Date;
  /** uids of objects marked for deletion through the API, deleted once no finalizer remains. */
  readonly #marked = new Set<string>();

  constructor(store: ObjectStore, now: () => Date) {
    this.#store = store;
    this.#now = now;
    // Store listeners run inside the write, so reactions wait for the next turn; that keeps
    // every watch seeing changes in resourceVersion order.
    store.subscribe((change) => {
      if (change.type === 'MODIFIED') setImmediate(() => this.#removeIfUnfinalized(change.object));
      if (change.type === 'DELETED') setImmediate(() => this.#finishForegroundOwners(change.object));
    });
  }

  /**
   * Deletes one stored object with the given policy and returns what the real server
   * returns: the object when it is only marked or when `returnObject` is set (pods),
   * otherwise a Success Status naming it.
   */
  delete(type: ResourceType, object: KubeObject, policy: PropagationPolicy, returnObject: boolean): unknown {
    const uid = object.metadata.uid ?? '';
    if (policy === 'Orphan') this.#orphanDependents(object);
    const finalizers = [...finalizersOf(object)];
    const dependents = this.#dependents(object);
    if (policy === 'Foreground') finalizers.push(foregroundFinalizer);
    if (finalizers.length === 0 && policy !== 'Orphan') {
      const deleted = this.#store.delete(refOf(object));
      if (policy === 'Background') for (const dependent of dependents) this.#deleteDependent(dependent);
      return returnObject ? deleted : successStatus(type, deleted);
    }
    const marked = this.#mark(object, policy === 'Orphan' ? [...finalizers, orphanFinalizer] : finalizers);
    if (policy === 'Foreground') for (const dependent of dependents) this.#deleteDependent(dependent);
    // With nothing to wait for, the garbage collector lifts the finalizer on its next pass.
    if (policy === 'Foreground' && dependents.length === 0) {
      setImmediate(() => this.#removeFinalizer(marked, foregroundFinalizer));
    }
    if (policy === 'Orphan') this.#removeFinalizer(marked, orphanFinalizer);
    this.#marked.add(uid);
    return marked;
  }

  #mark(object: KubeObject, finalizers: string[]): KubeObject {
    const next = structuredClone(object);
    next.metadata['deletionTimestamp'] ??= formatTimestamp(this.#now());
    next.metadata['deletionGracePeriodSeconds'] ??= 0;
    next.metadata['finalizers'] = finalizers;
    // The real server counts marking a Job for deletion as a change of its generation.
    // NOTE: only the returned object shows the new generation, because the store counts
    // generations from spec changes alone and keeps the old one.
    if (typeof next.metadata['generation'] === 'number') next.metadata['generation'] += 1;
    this.#marked.add(object.metadata.uid ?? '');
    const stored = this.#store.update(next);
    stored.metadata['generation'] = next.metadata['generation'];
    return stored;
  }

  #deleteDependent(dependent: KubeObject): void {
    const type = dependentTypes.find((t) => t.kind === dependent.kind);
    if (type === undefined || dependent.metadata['deletionTimestamp'] !== undefined) return;
    this.delete(type, dependent, 'Background', true);
  }

  #dependents(owner: KubeObject): KubeObject[] {
    const uid = owner.metadata.uid ?? '';
    return dependentTypes
      .flatMap((type) => this.#store.list(type, owner.metadata.namespace))
      .filter((object) => ownerUids(object).includes(uid));
  }

  #orphanDependents(owner: KubeObject): void {
    const uid = owner.metadata.uid ?? '';
    for (const dependent of this.#dependents(owner)) {
      const next = structuredClone(dependent);
      const refs = (next.metadata['ownerReferences'] as { uid?: string }[]).filter((ref) => ref.uid !== uid);
      next.metadata['ownerReferences'] = refs;
      this.#store.update(next);
    }
  }

  #removeFinalizer(object: KubeObject, finalizer: string): void {
    const current = this.#store.get(refOf(object));
    if (current === undefined) return;
    current.metadata['finalizers'] = finalizersOf(current).filter((f) => f !== finalizer);
    this.#store.update(current);
  }

  #removeIfUnfinalized(object: KubeObject): void {
    const uid = object.metadata.uid ?? '';
    if (!this.#marked.has(uid)) return;
    const current = this.#store.get(refOf(object));
    if (current === undefined || current.metadata.uid !== uid) {
      this.#marked.delete(uid);
      return;
    }
    if (finalizersOf(current).length > 0) return;
    this.#marked.delete(uid);
    this.#store.delete(refOf(current));
  }

  #finishForegroundOwners(dependent: KubeObject): void {
    for (const type of resourceTypes.filter((t) => t.group === 'batch')) {
      for (const owner of this.#store.list(type, dependent.metadata.namespace)) {
        const waiting = finalizersOf(owner).includes(foregroundFinalizer);
        if (waiting && ownerUids(dependent).includes(owner.metadata.uid ?? '') && this.#dependents(owner).length === 0) {
          this.#removeFinalizer(owner, foregroundFinalizer);
        }
      }
    }
  }
}

/** The Success Status the real server returns for an object removed at once. */
function successStatus(type: ResourceType, object: KubeObject): unknown {
  const details = {
    name: object.metadata.name ?? '',
    ...(type.group === '' ? {} : { group: type.group }),
    kind: type.plural,
    uid: object.metadata.uid,
  };
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}

/** Reads the propagation policy from a DeleteOptions body or the query; 400 on an unknown one. */
export function readPropagation(type: ResourceType, fromBody: unknown, params: URLSearchParams): PropagationPolicy {
  const orphanDependents = params.get('orphanDependents');
  let legacy: PropagationPolicy | undefined;
  if (orphanDependents !== null) legacy = orphanDependents === 'true' ? 'Orphan' : 'Background';
  const value = fromBody ?? params.get('propagationPolicy') ?? legacy;
  if (value === undefined || value === null) return defaultPropagation(type);
  if (value === 'Background' || value === 'Foreground' || value === 'Orphan') return value;
  throw new StatusError(failureStatus(400, 'BadRequest', `propagationPolicy ${JSON.stringify(value)} is not supported`));
}
