import type { V1Pod, V1PodFailurePolicyRule } from '@kubernetes/client-node';
import type { DiagnosisContext } from './context.ts';
import { conditionQuote, quote } from './evidence.ts';
import type { Finding } from './finding.ts';
import { describeJob, withCommand } from './fix-text.ts';
import type { EvidenceQuote } from './types.ts';

interface RuleMatch {
  index: number;
  rule: V1PodFailurePolicyRule;
  pod: V1Pod;
  container?: string;
  exitCode?: number;
}

const INDEX_REASONS = new Set(['MaxFailedIndexesExceeded', 'FailedIndexes']);

/**
 * Names `pod-failure-policy` when a podFailurePolicy rule decided the Job's
 * end: the Job condition reason `PodFailurePolicy` (a FailJob rule), or an
 * index limit reached through pods that a FailIndex rule failed at once.
 * `byPod` maps each pod name to its own finding, which becomes the secondary cause.
 */
export function policyFinding(ctx: DiagnosisContext, byPod: Map<string, Finding>): Finding | undefined {
  const failure = ctx.failure;
  const rules = ctx.snapshot.job.spec?.podFailurePolicy?.rules ?? [];
  if (failure === undefined || rules.length === 0) return undefined;
  const failedPods = ctx.snapshot.pods.filter((p) => p.status?.phase === 'Failed' && !byPod.get(p.metadata?.name ?? '')?.consequence);
  const matches = failedPods.map((pod) => matchRule(pod, rules)).filter((m): m is RuleMatch => m !== undefined);
  let chosen: RuleMatch[];
  if (failure.reason === 'PodFailurePolicy') {
    const named = /rule at index (\d+)/.exec(failure.message);
    const index = named === null ? -1 : Number(named[1]);
    chosen = matches.filter((m) => m.index === index || index < 0);
  } else if (INDEX_REASONS.has(failure.reason)) {
    chosen = matches.filter((m) => m.rule.action === 'FailIndex');
    if (chosen.length === 0) return undefined;
  } else {
    return undefined;
  }
  return buildFinding(ctx, chosen, byPod);
}

function buildFinding(ctx: DiagnosisContext, matches: RuleMatch[], byPod: Map<string, Finding>): Finding {
  const failure = ctx.failure;
  const job = ctx.snapshot.job;
  const first = matches[0];
  const underlying = first === undefined ? undefined : byPod.get(first.pod.metadata?.name ?? '');
  const evidence: EvidenceQuote[] = [];
  const conditions = job.status?.conditions ?? [];
  const condition = conditions.find((c) => c.type === 'Failed') ?? conditions.find((c) => c.type === 'FailureTarget');
  if (condition !== undefined) evidence.push(conditionQuote(condition, `job/${ctx.jobName}`));
  if (first !== undefined) evidence.push(quote('spec', `spec.podFailurePolicy.rules[${first.index}]: ${describeRule(first.rule)}`, `job/${ctx.jobName}`));
  if (INDEX_REASONS.has(failure?.reason ?? '')) {
    evidence.push(quote('spec', `spec.maxFailedIndexes: ${job.spec?.maxFailedIndexes ?? 'unset'}`, `job/${ctx.jobName}`));
    if (job.status?.failedIndexes) evidence.push(quote('status', `status.failedIndexes: "${job.status.failedIndexes}"`, `job/${ctx.jobName}`));
  }
  evidence.push(...(underlying?.evidence ?? []));
  const what = first === undefined ? 'a podFailurePolicy rule' : `rule ${first.index} (${first.rule.action})`;
  const how = first?.exitCode === undefined ? '' : ` after container ${first.container} exited with exit code ${first.exitCode}`;
  const count = matches.length > 1 ? ` in ${matches.length} pods` : '';
  const secondary = underlying === undefined || underlying.cause === 'pod-failure-policy' ? [] : [underlying.cause];
  return {
    cause: 'pod-failure-policy',
    confidence: 'high',
    detail: `podFailurePolicy ${what} ended the Job${how}${count}`,
    fix: withCommand(
      `The policy worked as written: fix what made the pods fail${underlying === undefined ? '' : ` (${underlying.detail})`}, or change the rule if this exit should be retried.`,
      describeJob(ctx),
    ),
    evidence,
    ...(first?.pod.metadata?.name === undefined ? {} : { pod: first.pod.metadata.name }),
    ...(first?.container === undefined ? {} : { container: first.container }),
    atMs: underlying?.atMs ?? 0,
    ran: true,
    secondary,
  };
}

/**
 * Names the failed pods whose first matching podFailurePolicy rule has action Ignore. The
 * job controller replaced those pods without counting them toward backoffLimit or
 * backoffLimitPerIndex, so they did not make the Job fail.
 */
export function ignoredPods(ctx: DiagnosisContext): Set<string> {
  const rules = ctx.snapshot.job.spec?.podFailurePolicy?.rules ?? [];
  const names = new Set<string>();
  if (rules.length === 0) return names;
  for (const pod of ctx.snapshot.pods) {
    if (pod.status?.phase !== 'Failed') continue;
    if (matchRule(pod, rules)?.rule.action === 'Ignore') names.add(pod.metadata?.name ?? '');
  }
  return names;
}

/**
 * Quotes the podFailurePolicy rule with action Count that matched the given pod, when the
 * Job failed at a backoff or index limit. That rule is why the pod's failure counted
 * toward the limit, instead of being ignored or failing the Job at once.
 */
export function countedRuleQuote(ctx: DiagnosisContext, podName: string): EvidenceQuote | undefined {
  const rules = ctx.snapshot.job.spec?.podFailurePolicy?.rules ?? [];
  if (rules.length === 0 || ctx.failure === undefined || ctx.failure.reason === 'PodFailurePolicy') return undefined;
  const pod = ctx.snapshot.pods.find((p) => p.metadata?.name === podName && p.status?.phase === 'Failed');
  const match = pod === undefined ? undefined : matchRule(pod, rules);
  if (match?.rule.action !== 'Count') return undefined;
  return quote('spec', `spec.podFailurePolicy.rules[${match.index}]: ${describeRule(match.rule)}`, `job/${ctx.jobName}`);
}

/** Applies the rules to one failed pod the way the job controller does: in order, the first match wins. */
export function matchRule(pod: V1Pod, rules: V1PodFailurePolicyRule[]): RuleMatch | undefined {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const [index, rule] of rules.entries()) {
    const onExit = rule.onExitCodes;
    if (onExit !== undefined) {
      for (const status of statuses) {
        const code = status.state?.terminated?.exitCode;
        if (code === undefined || code === 0) continue;
        if (onExit.containerName !== undefined && onExit.containerName !== status.name) continue;
        const listed = onExit.values.includes(code);
        if (onExit.operator === 'In' ? listed : !listed) return { index, rule, pod, container: status.name, exitCode: code };
      }
    }
    for (const pattern of rule.onPodConditions ?? []) {
      const wanted = pattern.status ?? 'True';
      if (pod.status?.conditions?.some((c) => c.type === pattern.type && c.status === wanted)) return { index, rule, pod };
    }
  }
  return undefined;
}

function describeRule(rule: V1PodFailurePolicyRule): string {
  if (rule.onExitCodes !== undefined) {
    const { containerName, operator, values } = rule.onExitCodes;
    const of = containerName === undefined ? '' : ` of container ${containerName}`;
    return `${rule.action} on exit codes${of} ${operator} [${values.join(', ')}]`;
  }
  const conditions = (rule.onPodConditions ?? []).map((c) => `${c.type}=${c.status ?? 'True'}`).join(', ');
  return `${rule.action} on pod conditions ${conditions}`;
}
