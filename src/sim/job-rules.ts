/**
 * Pure rules of the job controller of Kubernetes v1.37 that the simulated one follows:
 * pod re-creation backoff, `podFailurePolicy` matching and the status conditions.
 */

type Fields = Record<string, unknown>;

/** First pod re-creation delay after a failure, in ms. */
export const backoffBaseMs = 10_000;
/** Maximum pod re-creation delay, in ms (6 minutes). */
export const backoffMaxMs = 360_000;
/** Maximum container restart delay of the kubelet under `restartPolicy: OnFailure`, in ms. */
export const restartMaxMs = 300_000;

/** Returns the delay before the next pod after `failures` failed ones: 10 s doubling, capped. */
export function backoffDelayMs(failures: number, maxMs = backoffMaxMs): number {
  if (failures <= 0) return 0;
  return Math.min(maxMs, backoffBaseMs * 2 ** (failures - 1));
}

/** What a `podFailurePolicy` rule decides for a failed pod. */
export type FailureAction = 'FailJob' | 'Ignore' | 'Count' | 'FailIndex';

/** The parts of a failed pod that rules match on: container exit codes and pod conditions. */
export interface FailedPod {
  namespace: string;
  name: string;
  containers: { name: string; exitCode: number }[];
  conditions: { type: string; status: string }[];
}

/** The rule that matched a failed pod, with the message the real controller writes. */
export interface PolicyMatch {
  action: FailureAction;
  message: string;
}

interface Rule {
  action: FailureAction;
  onExitCodes?: { containerName?: string; operator: 'In' | 'NotIn'; values: number[] };
  onPodConditions?: { type: string; status?: string }[];
}

function matchExitCodes(rule: Rule, pod: FailedPod, index: number): PolicyMatch | undefined {
  const requirement = rule.onExitCodes;
  if (requirement === undefined) return undefined;
  for (const container of pod.containers) {
    if (container.exitCode === 0) continue;
    if (requirement.containerName !== undefined && requirement.containerName !== container.name) continue;
    const listed = requirement.values.includes(container.exitCode);
    if (listed === (requirement.operator === 'In')) {
      const message =
        `Container ${container.name} for pod ${pod.namespace}/${pod.name} failed with exit code ` +
        `${container.exitCode} matching ${rule.action} rule at index ${index}`;
      return { action: rule.action, message };
    }
  }
  return undefined;
}

function matchConditions(rule: Rule, pod: FailedPod, index: number): PolicyMatch | undefined {
  for (const wanted of rule.onPodConditions ?? []) {
    const found = pod.conditions.find((c) => c.type === wanted.type && c.status === (wanted.status ?? 'True'));
    if (found !== undefined) {
      const message = `Pod ${pod.namespace}/${pod.name} has condition ${found.type} matching ${rule.action} rule at index ${index}`;
      return { action: rule.action, message };
    }
  }
  return undefined;
}

/** Returns the first rule of a `podFailurePolicy` that matches, or `undefined` (counts as a failure). */
export function matchFailurePolicy(policy: unknown, pod: FailedPod): PolicyMatch | undefined {
  const rules = ((policy as Fields | undefined)?.['rules'] ?? []) as Rule[];
  for (const [index, rule] of rules.entries()) {
    const match = matchExitCodes(rule, pod, index) ?? matchConditions(rule, pod, index);
    if (match !== undefined) return match;
  }
  return undefined;
}

/** Builds a Job condition as the real controller writes it. */
export function jobCondition(type: string, reason: string, message: string, at: string): Fields {
  return { type, status: 'True', lastProbeTime: at, lastTransitionTime: at, reason, message };
}

/** Reasons and messages of the conditions and events that end a Job. */
export const endings = {
  BackoffLimitExceeded: 'Job has reached the specified backoff limit',
  DeadlineExceeded: 'Job was active longer than specified deadline',
  CompletionsReached: 'Reached expected number of succeeded pods',
} as const;
