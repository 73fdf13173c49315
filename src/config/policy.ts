import { parseDocument } from 'yaml';
import type { ActionVerb, KubeIdentity } from '../actions/types.ts';
import { ConfigError } from './config-error.ts';
import { readConfigFile } from './config-file.ts';
import { policySchemaProblems } from './policy-problems.ts';
import { policyFileSchema, type PolicyFile } from './policy-schema.ts';
import { documentData, yamlProblems } from './routes-problems.ts';

export { ACTION_VERBS, CLUSTER_WRITE_VERBS } from './policy-schema.ts';

/** A ceiling on a resource quantity: the text as written and its value in the base unit. */
export interface QuantityCeiling {
  /** As written in the file, such as `16Gi`. */
  quantity: string;
  /** In bytes for memory and in cores for cpu. */
  value: number;
}

/** The highest values the raise-limits action may set. */
export interface LimitCeilings {
  /** Per container, for both requests and limits. Default `16Gi`. */
  memory: QuantityCeiling;
  /** Per container, for both requests and limits. Default `8` cores. */
  cpu: QuantityCeiling;
  /** Seconds. Default 86,400 (one day). */
  activeDeadlineSeconds: number;
  /** Retries. Default 10. */
  backoffLimit: number;
}

/** One entry of `rules`, in file order. */
export interface PolicyRule {
  /** `rules[1]`, followed by the rule's `name` in brackets when it has one. */
  name: string;
  /** Slack user ids (`U…`, `W…`) the rule applies to. */
  users: ReadonlySet<string>;
  /** Slack user group ids (`S…`); a member of any of them matches. */
  groups: ReadonlySet<string>;
  /** Namespace names and `*` patterns, as written. */
  namespaces: readonly string[];
  verbs: ReadonlySet<ActionVerb>;
  /** The identity cluster writes impersonate; every rule that grants a write has one. */
  kubernetes?: KubeIdentity;
}

/** The action policy, loaded by {@link loadPolicy}. */
export interface Policy {
  /** The policy file, or undefined for the built-in read-only policy. */
  file?: string;
  /** The slash command, with its leading `/`. Default `/job`. */
  command: string;
  /** Verbs every Slack user has in every namespace. Default `read`. */
  everyone: ReadonlySet<ActionVerb>;
  ceilings: LimitCeilings;
  rules: readonly PolicyRule[];
}

/** Ceilings that apply when the file sets none. */
export const DEFAULT_CEILINGS: LimitCeilings = {
  memory: { quantity: '16Gi', value: 16 * 2 ** 30 },
  cpu: { quantity: '8', value: 8 },
  activeDeadlineSeconds: 86_400,
  backoffLimit: 10,
};

/** The slash command when the file names none. */
export const DEFAULT_COMMAND = '/job';

/**
 * Loads the policy file, or returns the built-in policy when `file` is undefined: every
 * Slack user may read in every namespace and nobody may write.
 *
 * @throws ConfigError `CONFIG_POLICY_UNREADABLE` when the file cannot be read, and
 *   `CONFIG_POLICY_INVALID` listing every YAML or schema problem.
 */
export function loadPolicy(file: string | undefined): Policy {
  if (file === undefined) return toPolicy(null, undefined);
  const text = readConfigFile(file, { setting: 'JOBWATCH_POLICY_FILE', noun: 'policy file', code: 'CONFIG_POLICY_UNREADABLE' });
  return parsePolicy(text, file);
}

/**
 * Parses the text of a policy file; `source` names it in errors and in {@link Policy.file}.
 *
 * @throws ConfigError `CONFIG_POLICY_INVALID` listing every YAML or schema problem.
 */
export function parsePolicy(text: string, source: string): Policy {
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw new ConfigError('CONFIG_POLICY_INVALID', yamlProblems(document), { file: source });
  }
  const read = documentData(document, 'the policy file');
  if ('problems' in read) throw new ConfigError('CONFIG_POLICY_INVALID', read.problems, { file: source });
  const result = policyFileSchema.safeParse(read.data, { reportInput: true });
  if (!result.success) {
    const problems = policySchemaProblems(result.error.issues);
    throw new ConfigError('CONFIG_POLICY_INVALID', problems, { file: source });
  }
  return toPolicy(result.data, source);
}

function toPolicy(parsed: PolicyFile, file: string | undefined): Policy {
  const ceilings = parsed?.ceilings;
  return {
    ...(file === undefined ? {} : { file }),
    command: parsed?.command ?? DEFAULT_COMMAND,
    everyone: parsed?.everyone ?? new Set<ActionVerb>(['read']),
    ceilings: {
      memory: ceilings?.memory ?? DEFAULT_CEILINGS.memory,
      cpu: ceilings?.cpu ?? DEFAULT_CEILINGS.cpu,
      activeDeadlineSeconds:
        ceilings?.activeDeadlineSeconds ?? DEFAULT_CEILINGS.activeDeadlineSeconds,
      backoffLimit: ceilings?.backoffLimit ?? DEFAULT_CEILINGS.backoffLimit,
    },
    rules: (parsed?.rules ?? []).map((entry, index): PolicyRule => {
      const identity = entry.kubernetes;
      return {
        name: entry.name === undefined ? `rules[${index}]` : `rules[${index}] (${entry.name})`,
        users: new Set(entry.users ?? []),
        groups: new Set(entry.groups ?? []),
        namespaces: entry.namespaces,
        verbs: entry.verbs,
        ...(identity === undefined
          ? {}
          : { kubernetes: { user: identity.user, groups: identity.groups ?? [] } }),
      };
    }),
  };
}
