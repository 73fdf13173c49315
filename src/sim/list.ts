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

/** The `meta.k8s.io/v1` continue token the real server writes, base64url without padding. */
interface ContinueToken {
  v: string;
  /** The resourceVersion of the first page; later pages show the same snapshot. -1 lists
   * the newest state instead, as the token in a 410 Status allows. */
  rv: number;
  /** The storage key after the last item returned, relative to the list's key prefix. */
  start: string;
}

const tokenVersion = 'meta.k8s.io/v1';

function encodeContinue(token: Omit<ContinueToken, 'v'>): string {
  return Buffer.from(JSON.stringify({ v: tokenVersion, ...token })).toString('base64url');
}

function invalidToken(reason: string): StatusError {
  return badRequest(`invalid continue token: continue key is not valid${reason}`);
}

/**
 * Decodes a token with the real server's checks and messages. A token that is not base64
 * or not JSON gets the same 400, with this server's own reason after the colon.
 */
function decodeContinue(text: string): ContinueToken {
  let token: Partial<ContinueToken>;
  try {
    if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('illegal base64 data');
    token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<ContinueToken>;
  } catch (error) {
    throw invalidToken(`: ${(error as Error).message}`);
  }
  if (token.v !== tokenVersion) {
    throw invalidToken(`: server does not recognize this encoded version ${String(token.v ?? '')}`);
  }
  if (typeof token.rv !== 'number' || token.rv === 0) {
    throw invalidToken(': incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  if (typeof token.start !== 'string' || token.start === '') {
    throw invalidToken(': encoded start key empty (version meta.k8s.io/v1)');
  }
  return { v: token.v, rv: token.rv, start: token.start };
}

/** Returns the storage key of an object relative to the list's prefix, as tokens carry it. */
function keyOf(object: KubeObject, listNamespace: string | undefined): string {
  const name = object.metadata.name ?? '';
  const namespace = object.metadata.namespace;
  return listNamespace === undefined && namespace !== undefined ? `${namespace}/${name}` : name;
}

/** Tells whether `object` passes both selectors. */
export function matchesSelectors(
  type: ResourceType,
  query: Pick<ListQuery, 'labels' | 'fields'>,
  object: KubeObject,
): boolean {
  return matchesLabels(query.labels, object.metadata.labels) && matchesFields(type, query.fields, object);
}

const expiredContinueMessage =
  'The provided continue parameter is too old to display a consistent list result. ' +
  'You can start a new list without the continue parameter, or use the continue token in ' +
  'this response to retrieve the remainder of the results. Continuing with the provided ' +
  'token results in an inconsistent list - objects that were created, modified, or deleted ' +
  'between the time the first chunk was returned and now may show up in the list.';

function snapshotFor(store: ObjectStore, type: ResourceType, query: ListQuery, token?: ContinueToken) {
  if (token === undefined || token.rv === -1) return store.list(type, query.namespace);
  try {
    return store.listAt(type, query.namespace, token.rv);
  } catch (error) {
    if (error instanceof StatusError && error.status.code === 410) {
      // The real server offers a token that goes on from the same key at the newest state.
      const status = expired(expiredContinueMessage).status;
      status.metadata = { continue: encodeContinue({ rv: -1, start: token.start }) };
      throw new StatusError(status);
    }
    throw error;
  }
}

/**
 * Lists one type with selectors and `limit`/`continue` paging, as the real server's etcd
 * storage does: every page of one list shows the snapshot of its first page, a page ends
 * with a token whenever more objects of the type follow (matching or not), and
 * `remainingItemCount` is given only without selectors. A token older than the store's
 * history gets 410 Expired.
 */
export function listObjects(store: ObjectStore, type: ResourceType, query: ListQuery): ListBody {
  checkFieldSelector(type, query.fields);
  const token = query.continueToken ? decodeContinue(query.continueToken) : undefined;
  const rv = token === undefined || token.rv === -1 ? store.resourceVersion : token.rv;
  const remaining = snapshotFor(store, type, query, token).filter(
    (o) => token === undefined || keyOf(o, query.namespace) >= token.start,
  );
  const limit = query.limit ?? 0;
  const page: KubeObject[] = [];
  let lastIndex = -1;
  for (const [index, object] of remaining.entries()) {
    if (limit > 0 && page.length >= limit) break;
    lastIndex = index;
    if (matchesSelectors(type, query, object)) page.push(object);
  }
  const metadata: ListBody['metadata'] = { resourceVersion: String(rv) };
  const last = page.at(-1);
  if (limit > 0 && page.length >= limit && lastIndex < remaining.length - 1 && last !== undefined) {
    metadata.continue = encodeContinue({ rv, start: `${keyOf(last, query.namespace)}\u0000` });
    if (query.labels.length === 0 && query.fields.length === 0) {
      metadata.remainingItemCount = remaining.length - page.length;
    }
  }
  return { kind: `${type.kind}List`, apiVersion: groupVersion(type), metadata, items: page };
}
