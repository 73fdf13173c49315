import type { z } from 'zod';
import type { ConfigProblem } from './config-error.ts';
import { knownPolicyKeysAt } from './policy-schema.ts';
import { issueProblem, type IssueWording } from './schema-issues.ts';

/** Fixes by the last key of a path. */
const FIXES: Record<string, string> = {
  command: 'give the slash command as configured in the Slack app, such as /job',
  everyone: 'list the verbs every Slack user gets in every namespace: read, mute or none ([])',
  ceilings: 'give memory, cpu, activeDeadlineSeconds or backoffLimit',
  memory: 'write a memory quantity such as 16Gi or 512Mi',
  cpu: 'write a cpu quantity such as 4 or 500m',
  activeDeadlineSeconds: 'write a whole number of seconds such as 86400',
  backoffLimit: 'write a whole number of retries such as 10',
  rules: 'give a list of rules, each with users or groups, namespaces and verbs',
  name: 'give the rule a short name as a string',
  users: 'list Slack user ids (U…), as shown under "Copy member ID" in a Slack profile',
  groups:
    'list Slack user group ids (S…) in a rule, or Kubernetes group names under kubernetes',
  namespaces: 'list namespace names or patterns, such as [payments, "etl-*"] or ["*"]',
  verbs: 'list verbs from read, retry, raise-limits, mute',
  kubernetes:
    'add kubernetes: { user: "slack:team-oncall", groups: [...] } with an identity that ' +
    'RBAC lets create Jobs and patch CronJobs, or drop retry and raise-limits from verbs',
  user: 'give a Kubernetes user name outside system:, such as slack:payments-oncall',
};

const FORMAT_FIX = 'see docs/policy.md for the format of the policy file';

const WORDING: IssueWording = { fixes: FIXES, formatFix: FORMAT_FIX, knownKeysAt: knownPolicyKeysAt };

/** Converts schema issues, with the path of the offending value in front of each message. */
export function policySchemaProblems(issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  return issues.map((issue) => issueProblem(issue, WORDING));
}
