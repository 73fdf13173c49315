import type { IncomingMessage } from 'node:http';
import type { ListBody } from './list.ts';
import type { KubeObject } from './resources.ts';
import type { ResourceRoute } from './routes.ts';
import { jobRow, jobColumns, podColumns, podRow, type Column } from './table-rows.ts';

/**
 * `meta.k8s.io/v1` Table responses for `kubectl get` on jobs and pods. kubectl requests them
 * with `Accept: application/json;as=Table;v=v1;g=meta.k8s.io,…`; other types get plain JSON,
 * which kubectl prints with its own name-and-age printer.
 */

interface TableKind {
  columns: readonly Column[];
  row: (object: KubeObject, now: Date) => unknown[];
}

const tableKinds: Record<string, TableKind> = {
  'batch/jobs': { columns: jobColumns, row: jobRow },
  '/pods': { columns: podColumns, row: podRow },
};

function wantsTable(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return accept.split(',').some((part) => /(^|;)\s*as=Table/.test(part) && /v=v1(;|$)/.test(part));
}

function tableKindFor(req: IncomingMessage, route: ResourceRoute): TableKind | undefined {
  if (!wantsTable(req)) return undefined;
  return tableKinds[`${route.type.group}/${route.type.plural}`];
}

function partialMetadata(object: KubeObject): unknown {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}

function table(kind: TableKind, objects: KubeObject[], metadata: Record<string, unknown>): unknown {
  const now = new Date();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: kind.columns,
    rows: objects.map((object) => ({ cells: kind.row(object, now), object: partialMetadata(object) })),
  };
}

/** Drops `kind` and `apiVersion`, which the real server leaves out of list items. */
function withoutTypeMeta(object: KubeObject): Omit<KubeObject, 'kind' | 'apiVersion'> {
  const rest: Partial<KubeObject> = { ...object };
  delete rest.kind;
  delete rest.apiVersion;
  return rest;
}

/** Returns the list body for a request: a Table when kubectl requests one, else the list. */
export function encodeListFor(req: IncomingMessage, route: ResourceRoute, list: ListBody): unknown {
  const kind = tableKindFor(req, route);
  if (kind !== undefined) return table(kind, list.items, list.metadata);
  return { ...list, items: list.items.map(withoutTypeMeta) };
}

/**
 * Returns how to encode single objects for a request: as a one-row Table (what `kubectl get`
 * and `get --watch` expect when they asked for tables), or unchanged.
 */
export function encodeObjectFor(req: IncomingMessage, route: ResourceRoute): (object: KubeObject) => unknown {
  const kind = tableKindFor(req, route);
  if (kind === undefined) return (object) => object;
  return (object) =>
    table(kind, [object], { resourceVersion: object.metadata.resourceVersion ?? '' });
}
