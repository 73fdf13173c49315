import { checkFieldSelector, matchesFields, type FieldSelector } from './field-selector.ts';
import { matchesLabels, type LabelSelector } from './label-selector.ts';
import type { ObjectStore } from './object-store.ts';
import { groupVersion, type KubeObject, type ResourceType } from './resources.ts';
import { badRequest, expired, StatusError } from './status.ts';

/** What a list request asks for. */
export interface ListQuery {
  /** Namespace from the URL; absent for a cluster-wide list. */
  namespace?: string | undefined;
  labels: LabelSelector;
  fields: FieldSelector;
  /** Largest page size; absent or 0 returns everything. */
  limit?: number | undefined;
  /** The `continue` token of the previous page. */
  continueToken?: string | undefined;
}

/** A `<Kind>List` body as the API server returns it. */
export interface ListBody {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: KubeObject[];
}

interface ContinueState {
  /** The resourceVersion of the first page; later pages show the same snapshot. */
  rv: number;
  /** Key (`namespace/name`) of the last item already returned. */
  after: string;
}

function encodeContinue(state: ContinueState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

function decodeContinue(token: string): ContinueState {
  try {
    const state = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueState;
    if (typeof state.rv === 'number' && typeof state.after === 'string') return state;
  } catch {
    // Falls through to the 400 below: a token this server did not write is invalid.
  }
  throw badRequest(`continue key is not valid: ${token}`);
}

function keyOf(object: KubeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name ?? ''}`;
}

/** Tells whether `object` passes both selectors. */
export function matchesSelectors(
  type: ResourceType,
  query: Pick<ListQuery, 'labels' | 'fields'>,
  object: KubeObject,
): boolean {
  return matchesLabels(query.labels, object.metadata.labels) && matchesFields(type, query.fields, object);
}

function snapshotFor(store: ObjectStore, type: ResourceType, query: ListQuery, state?: ContinueState) {
  if (state === undefined) return store.list(type, query.namespace);
  try {
    return store.listAt(type, query.namespace, state.rv);
  } catch (error) {
    if (error instanceof StatusError && error.status.code === 410) {
      throw expired(
        'The provided continue parameter is too old to display a consistent list result. ' +
          'You can start a new list without the continue parameter.',
      );
    }
    throw error;
  }
}

/**
 * Lists one type with selectors and `limit`/`continue` paging. Every page of one list shows
 * the snapshot of its first page; a token older than the store's history gets 410 Expired.
 */
export function listObjects(store: ObjectStore, type: ResourceType, query: ListQuery): ListBody {
  checkFieldSelector(type, query.fields);
  const state = query.continueToken ? decodeContinue(query.continueToken) : undefined;
  const rv = state?.rv ?? store.resourceVersion;
  const matching = snapshotFor(store, type, query, state)
    .filter((o) => state === undefined || keyOf(o) > state.after)
    .filter((o) => matchesSelectors(type, query, o));
  const limit = query.limit ?? 0;
  const page = limit > 0 ? matching.slice(0, limit) : matching;
  const metadata: ListBody['metadata'] = { resourceVersion: String(rv) };
  const last = page.at(-1);
  if (page.length < matching.length && last !== undefined) {
    metadata.continue = encodeContinue({ rv, after: keyOf(last) });
    metadata.remainingItemCount = matching.length - page.length;
  }
  return { kind: `${type.kind}List`, apiVersion: groupVersion(type), metadata, items: page };
}
