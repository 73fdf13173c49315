import type { RequestRecord } from '../src/sim/index.ts';

/**
 * Names the kind of a request to the simulated API server, such as `GET pods/log` or
 * `LIST events`, from its method, path and query.
 */
export function requestKind(request: Pick<RequestRecord, 'method' | 'path' | 'query'>): string {
  const parts = request.path.split('/').filter(Boolean);
  const namespaced = parts.indexOf('namespaces');
  // The resource follows the namespace name, or the version in a cluster-wide path.
  const rest = namespaced >= 0 ? parts.slice(namespaced + 2) : parts.slice(parts[0] === 'api' ? 2 : 3);
  const [resource = '?', name, subresource] = rest;
  const watch = new URLSearchParams(request.query).get('watch');
  if (watch === 'true' || watch === '1') return `WATCH ${resource}`;
  if (name === undefined) return `${request.method === 'GET' ? 'LIST' : request.method} ${resource}`;
  return `${request.method} ${resource}${subresource ? `/${subresource}` : ''}`;
}

/** Counts requests by kind, divided by `perCount` (for example the Jobs of a burst). */
export function requestsByKind(requests: readonly RequestRecord[], perCount: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const request of requests) {
    const kind = requestKind(request);
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  const sorted = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  return Object.fromEntries(sorted.map(([kind, count]) => [kind, count / perCount]));
}
