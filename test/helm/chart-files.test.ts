import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { leaseName } from '../../src/watch/active-watcher.ts';

/**
 * Checks of the chart's files that need no helm: the RBAC rules against deploy/rbac, the
 * values against their schema and the README, and the alerting rules. test/e2e/helm.test.ts
 * renders the chart with helm.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const CHART = resolve(ROOT, 'helm/jobwatch');

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
}

function readText(path: string): string {
  return readFileSync(resolve(ROOT, path), 'utf8');
}

function rulesOf(file: string, kind: string): Rule[] | undefined {
  const manifests = parseAllDocuments(readText(file)).map(
    (doc) => doc.toJS() as { kind: string; rules?: Rule[] },
  );
  return manifests.find((manifest) => manifest.kind === kind)?.rules;
}

/** Lists the paths in `values` that a schema with `additionalProperties: false` does not name. */
function keysMissingFromSchema(values: unknown, schema: SchemaNode, path: string): string[] {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) return [];
  if (schema.additionalProperties !== false) return [];
  const missing: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const child = schema.properties?.[key];
    const childPath = path === '' ? key : `${path}.${key}`;
    if (child === undefined) missing.push(childPath);
    else missing.push(...keysMissingFromSchema(value, child, childPath));
  }
  return missing;
}

/** Returns the lines of the README section that starts with `heading`, up to the next `## `. */
function readmeSection(heading: string): string {
  const lines = readText('README.md').split('\n');
  const start = lines.findIndex((line) => line === heading);
  if (start < 0) return '';
  const end = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

const values = parse(readText('helm/jobwatch/values.yaml')) as Record<string, unknown>;
const schema = JSON.parse(readText('helm/jobwatch/values.schema.json')) as SchemaNode;

describe('chart RBAC rules', () => {
  const chartRules = parse(readFileSync(resolve(CHART, 'files/read-rules.yaml'), 'utf8')) as Rule[];

  it('equal the ClusterRole of deploy/rbac/cluster.yaml', () => {
    // On a mismatch, copy the rules of deploy/rbac/cluster.yaml into
    // helm/jobwatch/files/read-rules.yaml, then rewrite helm/jobwatch/ci/can-i-*.txt with
    // `npx vitest run --config vitest.e2e.config.ts test/e2e/helm.test.ts -u`.
    expect(chartRules).toEqual(rulesOf('deploy/rbac/cluster.yaml', 'ClusterRole'));
  });

  it('equal the Role of deploy/rbac/namespaced.yaml', () => {
    expect(chartRules).toEqual(rulesOf('deploy/rbac/namespaced.yaml', 'Role'));
  });

  it('let deploy/rbac/leader-election.yaml write only the default Lease', () => {
    // RBAC cannot name the object of a create, so only get and update carry resourceNames.
    // test/e2e/helm.test.ts checks that the chart renders the same rules.
    expect(rulesOf('deploy/rbac/leader-election.yaml', 'Role')).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        verbs: ['get', 'update'],
        resourceNames: [leaseName('default')],
      },
    ]);
  });

  it('grant only reads', () => {
    const verbs = new Set(chartRules.flatMap((rule) => rule.verbs));
    expect([...verbs].sort()).toEqual(['get', 'list', 'watch']);
  });
});

describe('chart values', () => {
  it('are all named by the schema', () => {
    expect(keysMissingFromSchema(values, schema, '')).toEqual([]);
  });

  it('schema names no value that values.yaml lacks', () => {
    expect(Object.keys(schema.properties ?? {}).sort()).toEqual(Object.keys(values).sort());
  });

  it('appear in the README values table', () => {
    const section = readmeSection('## Install with Helm');
    expect(section).not.toBe('');
    // The first column of a row may name several values, as in `nodeSelector`, `affinity`.
    const named = section
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]));
    for (const key of Object.keys(values)) expect(named, `README row for ${key}`).toContain(key);
  });

  it('default the image tag to the package version', () => {
    const chart = parse(readText('helm/jobwatch/Chart.yaml')) as { apiVersion: string; appVersion: string };
    const pkg = JSON.parse(readText('package.json')) as { version: string };
    expect(chart.apiVersion).toBe('v2');
    expect(chart.appVersion).toBe(pkg.version);
  });
});

describe('chart alerting rules', () => {
  // helm reads no file outside the chart, so the chart keeps a copy of the documented rules.
  // test/metrics/alert-rules.test.ts checks the metrics and annotations of the deploy file.
  const chartGroups = parse(readText('helm/jobwatch/files/prometheus-rules.yaml')) as unknown;
  const deploy = parse(readText('deploy/prometheus/jobwatch-rules.yaml')) as {
    spec: { groups: { name: string; rules: { alert: string }[] }[] };
  };

  it('equal spec.groups of deploy/prometheus/jobwatch-rules.yaml', () => {
    // On a mismatch, copy spec.groups of the deploy file into files/prometheus-rules.yaml.
    expect(chartGroups).toEqual(deploy.spec.groups);
  });

  it('name the alerts that docs/metrics.md describes', () => {
    const alerts = deploy.spec.groups.flatMap((group) => group.rules.map((rule) => rule.alert));
    expect(alerts.length).toBeGreaterThan(0);
    const docs = readText('docs/metrics.md');
    for (const alert of alerts) expect(docs, alert).toContain(`| \`${alert}\` |`);
  });
});
