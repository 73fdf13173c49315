import type { CoreV1Event } from '@kubernetes/client-node';
import { toMillis } from './context.ts';
import type { DiagnosisContext } from './context.ts';
import { eventQuote } from './evidence.ts';
import type { Finding } from './finding.ts';
import { withCommand } from './fix-text.ts';
import type { CauseId } from './types.ts';

interface EventRule {
  cause: CauseId;
  /** The pod event reason, as the scheduler, node controller, taint manager or kubelet records it. */
  reason: string;
  /** Optional check on the message, for reasons that several components share. */
  message?: RegExp;
  what: string;
}

// Pod events that outlive the pod and name what happened to it. The reasons are those that
// kube-scheduler (Preempted), the node lifecycle controller (NodeNotReady), the taint eviction
// controller (TaintManagerEviction) and the kubelet (Evicted, Shutdown) record.
const RULES: EventRule[] = [
  { cause: 'evicted', reason: 'Evicted', message: /^The node was low on resource|ephemeral local storage/, what: 'the kubelet evicted it' },
  { cause: 'node-disruption', reason: 'Preempted', what: 'the scheduler preempted it for a higher-priority pod' },
  { cause: 'node-disruption', reason: 'TaintManagerEviction', message: /^Marking for deletion/, what: 'the taint manager deleted it from a node with a NoExecute taint' },
  { cause: 'node-disruption', reason: 'Shutdown', what: 'its node shut down' },
  { cause: 'node-disruption', reason: 'NodeNotReady', what: 'its node stopped reporting (NodeNotReady)' },
];

const FIXES: Partial<Record<CauseId, string>> = {
  evicted: "Set the containers' resource requests to match their real use, so that the kubelet evicts other pods first; rerun the Job.",
  'node-disruption':
    'Nothing in the workload failed: rerun the Job, and add a podFailurePolicy rule with action Ignore on DisruptionTarget (or a higher backoffLimit) so that such disruptions are retried.',
};

const CREATED_POD = /^Created pod: (\S+)$/;

/**
 * Explains the pods that the job controller created but that are no longer in the snapshot
 * (deleted by pod garbage collection, a TTL, or the controller itself) from the events that
 * outlive them. Only events can be read, so every finding has medium confidence at most.
 */
export function gonePodFindings(ctx: DiagnosisContext): Finding[] {
  const present = new Set(ctx.snapshot.pods.map((p) => p.metadata?.name ?? ''));
  const findings: Finding[] = [];
  for (const name of createdPodNames(ctx)) {
    if (present.has(name)) continue;
    const finding = gonePodFinding(ctx, name);
    if (finding !== undefined) findings.push(finding);
  }
  return findings;
}

function createdPodNames(ctx: DiagnosisContext): string[] {
  const names = ctx.eventsFor('Job', ctx.jobName).flatMap((e) => {
    const found = e.reason === 'SuccessfulCreate' ? CREATED_POD.exec(e.message ?? '') : null;
    return found?.[1] === undefined ? [] : [found[1]];
  });
  return [...new Set(names)];
}

function gonePodFinding(ctx: DiagnosisContext, podName: string): Finding | undefined {
  const events = ctx.eventsFor('Pod', podName);
  const hit = firstMatch(events);
  if (hit === undefined) return undefined;
  const { rule, event } = hit;
  const started = events.some((e) => e.reason === 'Started');
  const context = events.filter((e) => e !== event && (e.reason === 'NodeNotReady' || e.reason === 'Killing'));
  return {
    cause: rule.cause,
    confidence: 'medium',
    detail: `pod ${podName} is gone, and its events show that ${rule.what}: "${(event.message ?? '').trim()}"`,
    fix: withCommand(FIXES[rule.cause] ?? FIXES['node-disruption'] ?? '', podEvents(ctx, podName)),
    evidence: [eventQuote(event), ...context.slice(-1).map((e) => eventQuote(e))],
    pod: podName,
    atMs: toMillis(event.lastTimestamp ?? event.firstTimestamp),
    ran: started,
  };
}

function podEvents(ctx: DiagnosisContext, podName: string): string {
  return `kubectl get events -n ${ctx.namespace} --field-selector involvedObject.name=${podName}`;
}

/** Finds the most telling event: the rules are ordered from the most to the least specific. */
function firstMatch(events: CoreV1Event[]): { rule: EventRule; event: CoreV1Event } | undefined {
  for (const rule of RULES) {
    const event = events.findLast((e) => e.reason === rule.reason && (rule.message === undefined || rule.message.test(e.message ?? '')));
    if (event !== undefined) return { rule, event };
  }
  return undefined;
}
