import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { createActionPolicy, impersonationRules } from '../../src/actions/policy.ts';
import type { PolicyDecision, SlackActor } from '../../src/actions/types.ts';
import { loadPolicy, parsePolicy, type Policy } from '../../src/config/policy.ts';

const ROOT = resolve(import.meta.dirname, '../..');

const alice: SlackActor = { id: 'U0ALICE', groups: [] };
const bob: SlackActor = { id: 'U0BOB', groups: ['S0DATAENG'] };
const carol: SlackActor = { id: 'U0CAROL', groups: ['S0OTHER'] };

const POLICY = `
everyone: [read]
rules:
  - name: payments on-call
    users: [U0ALICE]
    namespaces: [payments, "payments-*"]
    verbs: [read, retry, raise-limits, mute]
    kubernetes: { user: "slack:payments-oncall", groups: ["jobwatch:oncall"] }
  - name: data engineers
    groups: [S0DATAENG]
    namespaces: ["etl-*", "*-reports"]
    verbs: [retry]
    kubernetes: { user: "slack:data-engineers", groups: ["jobwatch:oncall", "jobwatch:data"] }
  - name: data mute
    groups: [S0DATAENG]
    namespaces: ["*"]
    verbs: [mute]
  - name: alice everywhere
    users: [U0ALICE]
    namespaces: ["*"]
    verbs: [retry]
    kubernetes: { user: "slack:alice" }
`;

function policyOf(text: string) {
  return createActionPolicy(parsePolicy(text, 'policy.yaml'));
}

/** Returns the denial reason, failing the test when the decision is an allow. */
function reasonOf(decision: PolicyDecision): string {
  if (decision.allowed) throw new Error(`expected a denial, got ${JSON.stringify(decision)}`);
  return decision.reason;
}

/** Returns the granting rule and identity, failing the test when the decision is a denial. */
function grantOf(decision: PolicyDecision) {
  if (!decision.allowed) throw new Error(`expected an allow, got ${decision.reason}`);
  return { rule: decision.rule, identity: decision.identity };
}

describe('ActionPolicy without a policy file', () => {
  const policy = createActionPolicy(loadPolicy(undefined));

  it('lets everyone read in any namespace', () => {
    const decision = policy.decide(carol, 'read', 'kube-system');
    expect(decision).toEqual({
      allowed: true,
      verb: 'read',
      namespace: 'kube-system',
      rule: 'everyone (no policy file)',
    });
  });
  it.each(['retry', 'raise-limits', 'mute'] as const)('denies %s to everyone', (verb) => {
    expect(reasonOf(policy.decide(alice, verb, 'payments'))).toBe(
      `@U0ALICE may not ${verb} in namespace payments: no policy file is loaded, so everyone ` +
        'may only read; ask a platform admin to set JOBWATCH_POLICY_FILE',
    );
  });
  it('maps no identities', () => {
    expect(policy.identities()).toEqual([]);
  });
});

describe('ActionPolicy.decide', () => {
  const policy = policyOf(POLICY);

  it('grants a listed user the first rule identity', () => {
    expect(policy.decide(alice, 'retry', 'payments')).toEqual({
      allowed: true,
      verb: 'retry',
      namespace: 'payments',
      rule: 'rules[0] (payments on-call)',
      identity: { user: 'slack:payments-oncall', groups: ['jobwatch:oncall'] },
    });
  });
  it('matches a namespace glob with a suffix', () => {
    const { rule } = grantOf(policy.decide(alice, 'raise-limits', 'payments-eu'));
    expect(rule).toBe('rules[0] (payments on-call)');
  });
  it('lets * match the empty run', () => {
    expect(policy.decide(alice, 'raise-limits', 'payments-').allowed).toBe(true);
  });
  it('rejects a glob match without its prefix', () => {
    expect(policy.decide(alice, 'raise-limits', 'old-payments').allowed).toBe(false);
  });
  it('falls through to a later rule', () => {
    const decision = policy.decide(alice, 'retry', 'reports');
    expect(decision).toMatchObject({
      allowed: true,
      rule: 'rules[3] (alice everywhere)',
      identity: { user: 'slack:alice', groups: [] },
    });
  });
  it('grants through user group membership', () => {
    const decision = policy.decide(bob, 'retry', 'etl-nightly');
    expect(decision).toMatchObject({
      allowed: true,
      rule: 'rules[1] (data engineers)',
      identity: { user: 'slack:data-engineers', groups: ['jobwatch:oncall', 'jobwatch:data'] },
    });
  });
  it('matches a glob with a leading *', () => {
    expect(policy.decide(bob, 'retry', 'finance-reports').allowed).toBe(true);
  });
  it('unions verbs over the rules a user matches', () => {
    expect(policy.decide(bob, 'mute', 'etl-nightly')).toMatchObject({ allowed: true, rule: 'rules[2] (data mute)' });
    expect(policy.decide(bob, 'retry', 'etl-nightly').allowed).toBe(true);
    expect(policy.decide(bob, 'raise-limits', 'etl-nightly').allowed).toBe(false);
  });
  it('grants a mute without an identity', () => {
    const { identity } = grantOf(policy.decide(bob, 'mute', 'payments'));
    expect(identity).toBeUndefined();
  });
  it('grants read to everyone after the rules', () => {
    expect(policy.decide(carol, 'read', 'payments')).toMatchObject({ allowed: true, rule: 'everyone' });
  });
  it('names a rule that grants read', () => {
    expect(policy.decide(alice, 'read', 'payments')).toMatchObject({ rule: 'rules[0] (payments on-call)' });
  });
  it('denies a user no rule matches', () => {
    const decision = policy.decide(carol, 'retry', 'reports');
    expect(decision).toEqual({
      allowed: false,
      verb: 'retry',
      namespace: 'reports',
      reason:
        '@U0CAROL may not retry in namespace reports: no rule grants retry there; ' +
        'ask a platform admin to add you to a rule in the policy file',
    });
  });
  it('names namespaces granted elsewhere', () => {
    expect(reasonOf(policy.decide(bob, 'retry', 'payments'))).toBe(
      '@U0BOB may not retry in namespace payments: the rules grant you retry only in ' +
        'namespaces etl-*, *-reports; ask a platform admin to add you to a rule in the policy file',
    );
  });
  it('ignores a group id as user id', () => {
    const impostor: SlackActor = { id: 'S0DATAENG', groups: [] };
    expect(policy.decide(impostor, 'retry', 'etl-nightly').allowed).toBe(false);
  });
  it('denies read with empty everyone', () => {
    const strict = policyOf('everyone: []\nrules:\n  - { users: [U0ALICE], namespaces: [a], verbs: [read] }');
    expect(strict.decide(alice, 'read', 'a').allowed).toBe(true);
    expect(reasonOf(strict.decide(carol, 'read', 'a'))).toContain('no rule grants read there');
  });
  it('returns copies of identities', () => {
    grantOf(policy.decide(alice, 'retry', 'payments')).identity?.groups.push('system:masters');
    const { identity } = grantOf(policy.decide(alice, 'retry', 'payments'));
    expect(identity?.groups).toEqual(['jobwatch:oncall']);
  });
});

describe('ActionPolicy write without an identity', () => {
  // The file schema rejects such a rule, so the policy is built as code.
  const parsed: Policy = {
    ...loadPolicy(undefined),
    file: 'built.yaml',
    rules: [
      {
        name: 'rules[0] (no identity)',
        users: new Set(['U0ALICE']),
        groups: new Set(),
        namespaces: ['*'],
        verbs: new Set(['retry', 'mute']),
      },
    ],
  };
  const policy = createActionPolicy(parsed);

  it('denies the write with the reason', () => {
    expect(reasonOf(policy.decide(alice, 'retry', 'payments'))).toBe(
      '@U0ALICE may not retry in namespace payments: rules[0] (no identity) grants retry there ' +
        'but maps no Kubernetes identity, and jobwatch never writes to the cluster as itself; ' +
        'ask a platform admin to add kubernetes.user to that rule',
    );
  });
  it('still grants mute', () => {
    expect(policy.decide(alice, 'mute', 'payments').allowed).toBe(true);
  });
});

describe('ActionPolicy.identities', () => {
  it('lists each identity once in file order', () => {
    const text = `${POLICY}
  - name: same identity again
    users: [U0BOB]
    namespaces: [x]
    verbs: [retry]
    kubernetes: { user: "slack:payments-oncall", groups: ["jobwatch:oncall"] }
`;
    expect(policyOf(text).identities()).toEqual([
      { user: 'slack:payments-oncall', groups: ['jobwatch:oncall'] },
      { user: 'slack:data-engineers', groups: ['jobwatch:oncall', 'jobwatch:data'] },
      { user: 'slack:alice', groups: [] },
    ]);
  });
});

describe('impersonationRules', () => {
  it('names every mapped user and group, sorted', () => {
    expect(impersonationRules(policyOf(POLICY))).toEqual([
      {
        apiGroups: [''],
        resources: ['users'],
        verbs: ['impersonate'],
        resourceNames: ['slack:alice', 'slack:data-engineers', 'slack:payments-oncall'],
      },
      {
        apiGroups: [''],
        resources: ['groups'],
        verbs: ['impersonate'],
        resourceNames: ['jobwatch:data', 'jobwatch:oncall'],
      },
    ]);
  });
  it('leaves out groups when no identity has one', () => {
    const text = 'rules:\n  - { users: [U0ALICE], namespaces: [a], verbs: [retry], kubernetes: { user: alice } }';
    const rules = impersonationRules(policyOf(text));
    expect(rules.map((rule) => rule.resources[0])).toEqual(['users']);
  });
  it('returns no rule without identities', () => {
    // An empty resourceNames would allow every name, so the rule must be absent.
    expect(impersonationRules(createActionPolicy(loadPolicy(undefined)))).toEqual([]);
  });
  it('equals deploy/rbac/impersonate.yaml for the example', async () => {
    const example = createActionPolicy(loadPolicy(resolve(ROOT, 'examples/policy.yaml')));
    const text = await readFile(resolve(ROOT, 'deploy/rbac/impersonate.yaml'), 'utf8');
    const role = parseAllDocuments(text)
      .map((doc) => doc.toJS() as { kind: string; rules?: unknown })
      .find((manifest) => manifest.kind === 'ClusterRole');
    expect(role?.rules).toEqual(impersonationRules(example));
  });
});
