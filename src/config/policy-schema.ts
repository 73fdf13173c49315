import { z } from 'zod';
import type { ActionVerb } from '../actions/types.ts';
import { parseQuantity } from './quantity.ts';

/*
 * The zod schema of the action policy file. Custom messages are predicates ("is …, which …")
 * because the caller puts the path of the value in front of them.
 */

/** Every verb a policy grants, in the order the docs list them. */
export const ACTION_VERBS = ['read', 'retry', 'raise-limits', 'mute'] as const satisfies readonly ActionVerb[];

/** Verbs that write to the cluster, so they need a Kubernetes identity to impersonate. */
export const CLUSTER_WRITE_VERBS: ReadonlySet<ActionVerb> = new Set(['retry', 'raise-limits']);

/** Slack user ids start with `U`, or with `W` for Enterprise Grid users. */
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;
const SLACK_GROUP_ID = /^S[A-Z0-9]{2,}$/;
/** A namespace name (DNS label) in which `*` may stand for any run of characters. */
const NAMESPACE_PATTERN = /^[a-z0-9*]([-a-z0-9*]{0,61}[a-z0-9*])?$/;
const SLASH_COMMAND = /^\/[a-z0-9][a-z0-9_-]{0,30}$/;

function reject(ctx: z.core.ParsePayload, message: string, path: PropertyKey[] = []): void {
  ctx.issues.push({ code: 'custom', input: ctx.value, message, path });
}

function quote(value: unknown): string {
  return JSON.stringify(value);
}

function pattern(regex: RegExp, description: string) {
  return z.string().check((ctx) => {
    if (!regex.test(ctx.value)) reject(ctx, `is ${quote(ctx.value)}, which is not ${description}`);
  });
}

const verb = z.enum(ACTION_VERBS, {
  error: (issue) => `is ${quote(issue.input)}, which is not ${ACTION_VERBS.join(', ')}`,
});

const verbList = z
  .array(verb)
  .transform((verbs) => new Set(verbs) as ReadonlySet<ActionVerb>);

/**
 * A Kubernetes user or group name to impersonate. Names under `system:` are rejected: they
 * belong to service accounts, nodes and built-in groups such as `system:masters`, and an
 * impersonate grant on them would let jobwatch act as cluster components.
 */
const kubeName = z.string().check((ctx) => {
  const value = ctx.value;
  if (!/^[\x20-\x7e]+$/.test(value)) {
    reject(ctx, `is ${quote(value)}, which is not a non-empty name of printable ASCII characters`);
  } else if (value.startsWith('system:')) {
    reject(ctx, `is ${quote(value)}, which is reserved: names under system: belong to Kubernetes`);
  }
});

const kubernetes = z.strictObject({
  user: kubeName,
  groups: z.array(kubeName).optional(),
});

/** Reads a list field of a rule whose other fields may be invalid. */
function listField(value: unknown, key: string): unknown[] {
  const field = (value as Record<string, unknown>)[key];
  if (Array.isArray(field)) return field;
  return field instanceof Set ? [...(field as Set<unknown>)] : [];
}

function writeVerbs(value: unknown): unknown[] {
  return listField(value, 'verbs').filter((granted) => CLUSTER_WRITE_VERBS.has(granted as ActionVerb));
}

/**
 * Runs the rule-level checks even when a field of the rule is invalid, so one start lists
 * every problem of the file.
 */
const RULE_CHECK = {
  when: (payload: z.core.ParsePayload) => typeof payload.value === 'object' && payload.value !== null,
};

const rule = z
  .strictObject({
    name: z.string().min(1, { error: 'is empty: give the rule a short name' }).optional(),
    users: z.array(pattern(SLACK_USER_ID, 'a Slack user id such as U0123ABCD')).optional(),
    groups: z.array(pattern(SLACK_GROUP_ID, 'a Slack user group id such as S0123ABCD')).optional(),
    namespaces: z
      .array(pattern(NAMESPACE_PATTERN, 'a namespace name or a pattern with * such as team-*'))
      .min(1, { error: 'is empty: list at least one namespace or "*"' }),
    verbs: verbList.refine((verbs) => verbs.size > 0, { error: 'is empty: list at least one verb' }),
    kubernetes: kubernetes.optional(),
  })
  .refine(
    (value) => listField(value, 'users').length > 0 || listField(value, 'groups').length > 0,
    { ...RULE_CHECK, error: 'names no Slack user or user group, so it matches nobody' },
  )
  .refine((value) => writeVerbs(value).length === 0 || value.kubernetes !== undefined, {
    ...RULE_CHECK,
    path: ['kubernetes'],
    error: (issue) =>
      `is missing, but the rule grants ${writeVerbs(issue.input).join(' and ')}, ` +
      'and jobwatch never writes to the cluster as itself',
  });

/** A quantity written as a string (`16Gi`) or a plain YAML number (`4`), kept as text. */
function quantity(unit: string) {
  return z
    .union([z.string(), z.number()], { error: `must be a quantity such as "16Gi" or "4"` })
    .transform((value, ctx) => {
      const text = String(value);
      const parsed = parseQuantity(text);
      if (parsed !== undefined && parsed > 0) return { quantity: text, value: parsed };
      reject(ctx, `is ${quote(text)}, which is not a positive Kubernetes quantity of ${unit}`);
      return z.NEVER;
    });
}

function wholeNumber(min: number, noun: string) {
  const max = 2_147_483_647;
  const error = (issue: { input?: unknown }) =>
    `is ${quote(issue.input)}, which is not a whole number of ${noun} from ${min} to ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

const ceilings = z.strictObject({
  memory: quantity('memory').optional(),
  cpu: quantity('cpu').optional(),
  activeDeadlineSeconds: wholeNumber(1, 'seconds').optional(),
  backoffLimit: wholeNumber(0, 'retries').optional(),
});

const everyone = verbList.check((ctx) => {
  const writes = [...ctx.value].filter((granted) => CLUSTER_WRITE_VERBS.has(granted));
  if (writes.length === 0) return;
  const need = writes.length === 1 ? 'needs' : 'need';
  reject(ctx, `grants ${writes.join(' and ')}, which ${need} a rule with a Kubernetes identity`);
});

/** The policy file as written; the top level may be empty. */
export const policyFileSchema = z
  .strictObject({
    command: pattern(SLASH_COMMAND, 'a slash command such as /job').optional(),
    everyone: everyone.optional(),
    ceilings: ceilings.optional(),
    rules: z.array(rule).optional(),
  })
  .nullable();

export type PolicyFile = z.output<typeof policyFileSchema>;

/** Lists the keys allowed at a path of the file, for messages about unknown keys. */
export function knownPolicyKeysAt(path: readonly PropertyKey[]): readonly string[] {
  const [first, , third] = path;
  if (path.length === 0) return ['command', 'everyone', 'ceilings', 'rules'];
  if (first === 'ceilings') return ['memory', 'cpu', 'activeDeadlineSeconds', 'backoffLimit'];
  if (first === 'rules' && path.length === 2) {
    return ['name', 'users', 'groups', 'namespaces', 'verbs', 'kubernetes'];
  }
  if (first === 'rules' && third === 'kubernetes') return ['user', 'groups'];
  return [];
}
