import { CLUSTER_WRITE_VERBS, type Policy, type PolicyRule } from '../config/policy.ts';
import type {
  ActionPolicy,
  ActionVerb,
  KubeIdentity,
  PolicyDecision,
  SlackActor,
} from './types.ts';

/** The rule name a decision carries when the `everyone` verbs grant it. */
export const EVERYONE_RULE = 'everyone';

const ASK_ADMIN = 'ask a platform admin to add you to a rule in the policy file';

/**
 * Creates the action policy from a loaded policy file.
 *
 * A request (actor, verb, namespace) is allowed when any rule grants it, so a user's rights
 * are the union of every rule that matches them. A rule matches when the actor's id is in
 * `users` or one of the actor's groups is in `groups`, and the namespace fits one of its
 * `namespaces`. Among the rules that grant a request, the first in file order decides: its
 * Kubernetes identity is impersonated and its name is recorded. The `everyone` verbs apply
 * after the rules, in every namespace, with no identity.
 */
export function createActionPolicy(policy: Policy): ActionPolicy {
  const rules = policy.rules.map((rule) => ({ rule, namespaces: compileNamespaces(rule) }));
  return {
    decide(actor, verb, namespace) {
      const granting = rules.find(
        (entry) =>
          entry.rule.verbs.has(verb) &&
          matchesActor(entry.rule, actor) &&
          entry.namespaces.some((pattern) => pattern.test(namespace)),
      )?.rule;
      if (granting !== undefined) return decideByRule(granting, actor, verb, namespace);
      if (policy.everyone.has(verb) && !CLUSTER_WRITE_VERBS.has(verb)) {
        const rule = policy.file === undefined ? `${EVERYONE_RULE} (no policy file)` : EVERYONE_RULE;
        return { allowed: true, verb, namespace, rule };
      }
      return deny(actor, verb, namespace, denialReason(policy, actor, verb));
    },
    identities: () => uniqueIdentities(policy.rules),
  };
}

function decideByRule(
  rule: PolicyRule,
  actor: SlackActor,
  verb: ActionVerb,
  namespace: string,
): PolicyDecision {
  const identity = rule.kubernetes;
  if (identity === undefined && CLUSTER_WRITE_VERBS.has(verb)) {
    const reason =
      `${rule.name} grants ${verb} there but maps no Kubernetes identity, and jobwatch ` +
      'never writes to the cluster as itself; ask a platform admin to add kubernetes.user ' +
      'to that rule';
    return deny(actor, verb, namespace, reason);
  }
  const copy = identity === undefined ? {} : { identity: copyIdentity(identity) };
  return { allowed: true, verb, namespace, rule: rule.name, ...copy };
}

function deny(
  actor: SlackActor,
  verb: ActionVerb,
  namespace: string,
  reason: string,
): PolicyDecision {
  const sentence = `@${actor.id} may not ${verb} in namespace ${namespace}: ${reason}`;
  return { allowed: false, verb, namespace, reason: sentence };
}

/** Explains a request that no rule grants, naming the namespaces where rules do grant it. */
function denialReason(policy: Policy, actor: SlackActor, verb: ActionVerb): string {
  if (policy.file === undefined) {
    return 'no policy file is loaded, so everyone may only read; ask a platform admin to set ' +
      'JOBWATCH_POLICY_FILE';
  }
  const elsewhere = policy.rules
    .filter((rule) => rule.verbs.has(verb) && matchesActor(rule, actor))
    .flatMap((rule) => rule.namespaces);
  if (elsewhere.length === 0) return `no rule grants ${verb} there; ${ASK_ADMIN}`;
  const listed = [...new Set(elsewhere)].join(', ');
  return `the rules grant you ${verb} only in namespaces ${listed}; ${ASK_ADMIN}`;
}

function matchesActor(rule: PolicyRule, actor: SlackActor): boolean {
  return rule.users.has(actor.id) || actor.groups.some((group) => rule.groups.has(group));
}

/**
 * Compiles namespace names and patterns to anchored expressions. A `*` stands for any run of
 * characters, the empty run included, so `etl-*` matches `etl-` and `etl-nightly`.
 */
function compileNamespaces(rule: PolicyRule): RegExp[] {
  return rule.namespaces.map((pattern) => {
    const body = pattern
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    return new RegExp(`^${body}$`);
  });
}

function copyIdentity(identity: KubeIdentity): KubeIdentity {
  return { user: identity.user, groups: [...identity.groups] };
}

/** Lists each distinct identity once, in file order; group order does not matter. */
function uniqueIdentities(rules: readonly PolicyRule[]): KubeIdentity[] {
  const seen = new Map<string, KubeIdentity>();
  for (const rule of rules) {
    if (rule.kubernetes === undefined) continue;
    const key = JSON.stringify([rule.kubernetes.user, [...rule.kubernetes.groups].sort()]);
    if (!seen.has(key)) seen.set(key, copyIdentity(rule.kubernetes));
  }
  return [...seen.values()];
}

/** One rule of a ClusterRole, as `rbac.authorization.k8s.io/v1` writes it. */
export interface PolicyRbacRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames: string[];
}

/**
 * Builds the ClusterRole rules that let jobwatch's ServiceAccount impersonate exactly the
 * users and groups the policy maps to. A resource with no name is left out, because a rule
 * with an empty `resourceNames` would allow impersonating every name.
 */
export function impersonationRules(policy: Pick<ActionPolicy, 'identities'>): PolicyRbacRule[] {
  const identities = policy.identities();
  const users = [...new Set(identities.map((identity) => identity.user))].sort();
  const groups = [...new Set(identities.flatMap((identity) => identity.groups))].sort();
  const rules: PolicyRbacRule[] = [];
  for (const [resource, names] of [['users', users], ['groups', groups]] as const) {
    if (names.length === 0) continue;
    rules.push({ apiGroups: [''], resources: [resource], verbs: ['impersonate'], resourceNames: names });
  }
  return rules;
}
