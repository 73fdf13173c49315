import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.ts';
import { parseRoutes, route, type RouteTarget } from '../../src/config/routing.ts';

const FILE = `
defaultChannel: '#jobs'
routes:
  - name: production
    match:
      cluster: [prod-eu, prod-us]
      namespaces: [reports]
    channel: '#prod-reports'
  - name: staging
    match:
      cluster: staging
    channel: '#staging-jobs'
`;

const routes = parseRoutes(FILE, 'routes.yaml', {});

function job(cluster: string | undefined, namespace = 'reports'): RouteTarget {
  return { ...(cluster === undefined ? {} : { cluster }), namespace, labels: {}, annotations: {} };
}

describe('routes by cluster', () => {
  it('matches a route that lists the cluster', () => {
    expect(route(routes, job('prod-us'))).toMatchObject({ channel: '#prod-reports', matched: 'routes[0] (production)' });
  });

  it('matches a route that names one cluster', () => {
    expect(route(routes, job('staging', 'billing'))).toMatchObject({ channel: '#staging-jobs' });
  });

  it('skips a route of other clusters', () => {
    expect(route(routes, job('dev'))).toMatchObject({ channel: '#jobs', matched: 'default channel' });
  });

  it('treats a target without a cluster as the default cluster', () => {
    const withDefault = parseRoutes("routes:\n  - match: { cluster: default }\n    channel: '#single'\n", 'routes.yaml', {});
    expect(route(withDefault, job(undefined))).toMatchObject({ channel: '#single' });
  });

  it('rejects an invalid cluster name with its path', () => {
    expect(() => parseRoutes("routes:\n  - match: { cluster: 'a b' }\n    channel: '#x'\n", 'routes.yaml', {})).toThrow(ConfigError);
    expect(() => parseRoutes("routes:\n  - match: { cluster: 'a b' }\n    channel: '#x'\n", 'routes.yaml', {})).toThrow(/routes\[0\]\.match\.cluster.*not a cluster name/s);
  });

  it('rejects an empty cluster list', () => {
    expect(() => parseRoutes("routes:\n  - match: { cluster: [] }\n    channel: '#x'\n", 'routes.yaml', {})).toThrow(/list at least one cluster/);
  });
});
