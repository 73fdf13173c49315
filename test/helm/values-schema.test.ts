import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/env.ts';
import { knownLogPatternKeysAt, PATTERN_CAUSES, PATTERN_FLAGS } from '../../src/config/log-patterns-schema.ts';
import { ACTION_VERBS, knownPolicyKeysAt } from '../../src/config/policy-schema.ts';
import { parsePolicy } from '../../src/config/policy.ts';
import { knownKeysAt, NOTIFY_MODES } from '../../src/config/routes-schema.ts';

/**
 * The chart's values.schema.json against jobwatch's own checks, without helm: the schema
 * must reject at `helm install` what jobwatch would reject when its pods start, and accept
 * what jobwatch accepts.
 */

interface SchemaNode {
  type?: string | string[];
  pattern?: string;
  enum?: string[];
  $ref?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  additionalProperties?: boolean | SchemaNode;
}

const schema = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../helm/jobwatch/values.schema.json'), 'utf8'),
) as SchemaNode & { definitions: Record<string, SchemaNode> };

/** Follows a local `$ref` such as `#/definitions/clusterName`. */
function deref(node: SchemaNode): SchemaNode {
  if (node.$ref === undefined) return node;
  const name = node.$ref.replace('#/definitions/', '');
  const target = schema.definitions[name];
  if (target === undefined) throw new Error(`values.schema.json has no definition ${name}`);
  return target;
}

/** Returns the schema node at a path of property names; `[]` steps into array items. */
function nodeAt(path: string[]): SchemaNode {
  let node: SchemaNode = schema;
  for (const step of path) {
    const next = step === '[]' ? deref(node).items : deref(node).properties?.[step];
    if (next === undefined) throw new Error(`values.schema.json has nothing at ${path.join('.')}`);
    node = next;
  }
  return deref(node);
}

function patternAt(path: string[]): RegExp {
  const pattern = nodeAt(path).pattern;
  if (pattern === undefined) throw new Error(`values.schema.json has no pattern at ${path.join('.')}`);
  // helm checks patterns with Go's RE2; the ones here use only syntax RE2 and JS share.
  return new RegExp(pattern, 'u');
}

function propertyNames(path: string[]): string[] {
  const node = nodeAt(path);
  expect(node.additionalProperties, path.join('.')).toBe(false);
  return Object.keys(node.properties ?? {}).sort();
}

function appAcceptsClusterName(name: string): boolean {
  try {
    loadConfig({ JOBWATCH_CLUSTER_NAME: name });
    return true;
  } catch {
    return false;
  }
}

/** Parses a policy whose one rule maps to the given Kubernetes user, or to group `name`. */
function appAcceptsIdentity(field: 'user' | 'group', name: string): boolean {
  const kubernetes = field === 'user' ? { user: name } : { user: 'slack:oncall', groups: [name] };
  const rule = { users: ['U0ALICE'], namespaces: ['*'], verbs: ['retry'], kubernetes };
  try {
    parsePolicy(stringify({ rules: [rule] }), 'policy.yaml');
    return true;
  } catch {
    return false;
  }
}

describe('schema cluster name', () => {
  const pattern = patternAt(['config', 'clusterName']);
  const samples = [
    'default', 'prod-eu-1', 'a', '9lives', 'A.b_c-d', 'x'.repeat(63),
    'x'.repeat(64), '-prod', '.prod', '_prod', 'prod eu', 'prod:eu', 'prod/eu', 'préprod',
  ];

  it.each(samples)('agrees with jobwatch on %j', (name) => {
    expect(pattern.test(name)).toBe(appAcceptsClusterName(name));
  });

  it('rejects the samples jobwatch rejects', () => {
    // Guards the table above: it must hold names on both sides of the rule.
    expect(samples.filter((name) => !appAcceptsClusterName(name))).toContain('-prod');
    expect(samples.filter(appAcceptsClusterName)).toContain('prod-eu-1');
  });

  it('rejects an empty name', () => {
    // jobwatch reads an empty variable as unset (cluster "default"), but the chart requires a name.
    expect(pattern.test('')).toBe(false);
  });

  it('applies to the Redis prefix, up to 64', () => {
    const prefix = patternAt(['redis', 'prefix']);
    expect(prefix.test('-jobwatch')).toBe(false);
    expect(prefix.test('x'.repeat(64))).toBe(true);
    expect(prefix.test('x'.repeat(65))).toBe(false);
    expect(prefix.test('jobwatch-prod')).toBe(true);
  });
});

describe('schema impersonated identity', () => {
  const userPattern = patternAt(['policy', 'rules', '[]', 'kubernetes', 'user']);
  const groupPattern = patternAt(['policy', 'rules', '[]', 'kubernetes', 'groups', '[]']);
  const samples = [
    'slack:payments-oncall', 'jobwatch:oncall', 's', 'sy', 'sys', 'syst', 'syste', 'system',
    'systemd:x', 'system-admin', 'System:masters', 'name with space', 'system:admin',
    'system:masters', 'system:', 'system:serviceaccount:kube-system:default', '', 'tab\there', 'é',
  ];

  it.each(samples)('user pattern agrees with jobwatch on %j', (name) => {
    expect(userPattern.test(name)).toBe(appAcceptsIdentity('user', name));
  });

  it.each(samples)('group pattern agrees with jobwatch on %j', (name) => {
    expect(groupPattern.test(name)).toBe(appAcceptsIdentity('group', name));
  });

  it('rejects reserved and empty names', () => {
    for (const name of ['system:admin', 'system:masters', '']) {
      expect(userPattern.test(name), name).toBe(false);
      expect(groupPattern.test(name), name).toBe(false);
    }
  });
});

describe('schema of the embedded files', () => {
  it('routes take the keys jobwatch reads', () => {
    expect(propertyNames(['routes'])).toEqual([...knownKeysAt([])].sort());
    expect(propertyNames(['routes', 'exclude'])).toEqual([...knownKeysAt(['exclude'])].sort());
    expect(propertyNames(['routes', 'routes', '[]'])).toEqual([...knownKeysAt(['routes', 0])].sort());
    const match = ['routes', 'routes', '[]', 'match'];
    expect(propertyNames(match)).toEqual([...knownKeysAt(['routes', 0, 'match'])].sort());
    expect(nodeAt(['routes', 'notify']).enum).toEqual([...NOTIFY_MODES]);
  });

  it('policy takes the keys and verbs jobwatch reads', () => {
    expect(propertyNames(['policy'])).toEqual([...knownPolicyKeysAt([])].sort());
    expect(propertyNames(['policy', 'ceilings'])).toEqual([...knownPolicyKeysAt(['ceilings'])].sort());
    const rule = ['policy', 'rules', '[]'];
    expect(propertyNames(rule)).toEqual([...knownPolicyKeysAt(['rules', 0])].sort());
    const kubernetes = [...rule, 'kubernetes'];
    expect(propertyNames(kubernetes)).toEqual([...knownPolicyKeysAt(['rules', 0, 'kubernetes'])].sort());
    expect(nodeAt([...rule, 'verbs', '[]']).enum).toEqual([...ACTION_VERBS]);
    expect(nodeAt(['policy', 'everyone', '[]']).enum).toEqual([...ACTION_VERBS]);
  });

  it('log patterns take the keys, causes and flags jobwatch reads', () => {
    expect(propertyNames(['logPatterns'])).toEqual([...knownLogPatternKeysAt([])].sort());
    const entry = ['logPatterns', 'patterns', '[]'];
    expect(propertyNames(entry)).toEqual([...knownLogPatternKeysAt(['patterns', 0])].sort());
    expect(nodeAt([...entry, 'cause']).enum).toEqual([...PATTERN_CAUSES]);
    const flags = patternAt([...entry, 'flags']);
    for (const letter of 'abcdefghijklmnopqrstuvwxyz') {
      expect(flags.test(letter), letter).toBe((PATTERN_FLAGS as readonly string[]).includes(letter));
    }
  });
});
