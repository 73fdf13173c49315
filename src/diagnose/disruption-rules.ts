import type { V1Pod } from '@kubernetes/client-node';
import { containerViews, podCondition, podTime } from './context.ts';
import type { DiagnosisContext } from './context.ts';
import { conditionQuote, eventQuote, quote, terminatedQuote } from './evidence.ts';
import type { Finding } from './finding.ts';
import { describePod, templateOwner, withCommand } from './fix-text.ts';
import type { EvidenceQuote } from './types.ts';

// DisruptionTarget reasons that mean the pod was removed from outside, not evicted for its own usage.
const OUTSIDE_REASONS = new Set(['PreemptionByScheduler', 'DeletionByTaintManager', 'EvictionByEvictionAPI', 'DeletionByPodGC']);
const NODE_GONE_REASONS = new Set(['NodeLost', 'Shutdown', 'Terminated', 'NodeShutdown']);
// Pod status reasons the kubelet sets when it rejects a pod at admission (lifecycle/predicate.go).
const KUBELET_REJECTED = /^(OutOf\w+|NodeAffinity|NodeSelectorMismatching|NodePorts|InvalidNodeInfo)$/;

const DISRUPTION_TEXT: Record<string, string> = {
  PreemptionByScheduler: 'the scheduler preempted the pod for a higher-priority pod',
  DeletionByTaintManager: 'the taint manager deleted the pod from a node with a NoExecute taint',
  EvictionByEvictionAPI: 'the pod was evicted through the Eviction API (a drain or autoscaler)',
  DeletionByPodGC: 'pod garbage collection removed the pod after its node was lost',
  TerminationByKubelet: 'the kubelet terminated the pod',
};

/**
 * Reads what the kubelet or the control plane did to a pod: a kubelet
 * eviction for node pressure or an ephemeral-storage limit (`evicted`), and
 * preemption, API eviction, taint-manager deletion, node shutdown and pod
 * garbage collection (`node-disruption`).
 */
export function disruptionFinding(ctx: DiagnosisContext, pod: V1Pod): Finding | undefined {
  const podName = pod.metadata?.name ?? '';
  const target = podCondition(pod, 'DisruptionTarget');
  const disrupted = target?.status === 'True' ? target : undefined;
  const reason = pod.status?.reason ?? '';
  const message = (pod.status?.message ?? '').trim();
  const base = { pod: podName, atMs: podTime(pod), ran: true };
  const evidence: EvidenceQuote[] = [];
  if (reason !== '') evidence.push(quote('status', `status.reason: ${reason}${message ? `: ${message}` : ''}`, `pod/${podName}`));
  if (disrupted !== undefined) evidence.push(conditionQuote(disrupted, `pod/${podName}`));

  const outside = disrupted !== undefined && OUTSIDE_REASONS.has(disrupted.reason ?? '');
  if (!outside && (reason === 'Evicted' || /^The node was low on resource/.test(disrupted?.message ?? ''))) {
    return evictedFinding(ctx, pod, message || (disrupted?.message ?? ''), evidence, base);
  }
  if (disrupted !== undefined || NODE_GONE_REASONS.has(reason)) {
    const what = DISRUPTION_TEXT[disrupted?.reason ?? ''] ?? 'the node went away under the pod';
    const said = (message || disrupted?.message || '').trim();
    return nodeDisruption(ctx, pod, `${what}${said ? ` ("${said}")` : ''}`, evidence, base, 'high');
  }
  if (reason === 'UnexpectedAdmissionError') {
    return nodeDisruption(ctx, pod, `the kubelet rejected the pod: ${message}`, evidence, base, 'medium');
  }
  if (KUBELET_REJECTED.test(reason)) {
    return {
      ...base,
      ran: false,
      cause: 'unschedulable',
      confidence: 'medium',
      detail: `the kubelet on ${pod.spec?.nodeName ?? 'its node'} rejected pod ${podName} (${reason}): ${message}`,
      fix: withCommand('Lower the pod\'s resource requests or add capacity; the node could not admit it.', describePod(ctx, podName)),
      evidence,
    };
  }
  if (reason === 'DeadlineExceeded') {
    return {
      ...base,
      cause: 'deadline-exceeded',
      confidence: 'high',
      detail: `pod ${podName} ran past its own activeDeadlineSeconds: ${message}`,
      fix: withCommand(`Raise the pod template's activeDeadlineSeconds in ${templateOwner(ctx)} or make the work faster.`, describePod(ctx, podName)),
      evidence,
    };
  }
  return lostNodeFinding(ctx, pod, evidence, base);
}

function evictedFinding(ctx: DiagnosisContext, pod: V1Pod, message: string, evidence: EvidenceQuote[], base: Pick<Finding, 'pod' | 'atMs' | 'ran'>): Finding {
  const podName = pod.metadata?.name ?? '';
  const consumers = [...message.matchAll(/Container (\S+) was using (\S+), request is ([^,\s]+)/g)];
  const biggest = consumers.sort((a, b) => quantityBytes(b[2] ?? '') - quantityBytes(a[2] ?? '')).at(0);
  const overLimit = /Container (\S+) exceeded its local ephemeral storage limit "([^"]+)"/.exec(message);
  const resource = /low on resource: ([\w-]+)/.exec(message)?.[1] ?? (overLimit !== null ? 'ephemeral-storage' : 'resources');
  let fix = `Set resources.requests.${resource} for the pod's containers to match their real use, so that the kubelet evicts other pods first.`;
  if (overLimit !== null) {
    fix = `Container ${overLimit[1]} wrote more than its ${overLimit[2]} ephemeral-storage limit: raise resources.limits.ephemeral-storage or write large files to a volume.`;
  } else if (biggest !== undefined) {
    fix = `Container ${biggest[1]} used ${biggest[2]} of ${resource} with a request of ${biggest[3]}: set resources.requests.${resource} for it (or move large files to a volume) in ${templateOwner(ctx)}.`;
  }
  return {
    ...base,
    cause: 'evicted',
    confidence: 'high',
    detail: `the kubelet evicted pod ${podName}: ${message}`,
    fix: withCommand(fix, describePod(ctx, podName)),
    evidence,
  };
}

function nodeDisruption(
  ctx: DiagnosisContext,
  pod: V1Pod,
  what: string,
  evidence: EvidenceQuote[],
  base: Pick<Finding, 'pod' | 'atMs' | 'ran'>,
  confidence: Finding['confidence'],
): Finding {
  const podName = pod.metadata?.name ?? '';
  const events = ctx.eventsFor('Pod', podName).filter((e) => e.reason === 'Preempted' || e.reason === 'NodeNotReady');
  const exits = containerViews(pod).flatMap((v) => {
    const t = v.status.state?.terminated;
    return t !== undefined && t.exitCode !== 0 ? [terminatedQuote(v, t, 'state')] : [];
  });
  return {
    ...base,
    cause: 'node-disruption',
    confidence,
    detail: what,
    fix: withCommand(
      'Nothing in the workload failed: rerun the Job, and add a podFailurePolicy rule with action Ignore on DisruptionTarget (or a higher backoffLimit) so that such disruptions are retried.',
      describePod(ctx, podName),
    ),
    evidence: [...evidence, ...events.slice(-1).map((e) => eventQuote(e)), ...exits, ...nodeQuotes(ctx, pod)],
  };
}

/** Explains a failed pod whose containers never reported an end: its node stopped reporting or is gone. */
function lostNodeFinding(ctx: DiagnosisContext, pod: V1Pod, evidence: EvidenceQuote[], base: Pick<Finding, 'pod' | 'atMs' | 'ran'>): Finding | undefined {
  if (pod.status?.phase !== 'Failed') return undefined;
  const stillRunning = containerViews(pod).some((v) => v.status.state?.running !== undefined);
  if (!stillRunning) return undefined;
  const nodeName = pod.spec?.nodeName;
  const node = ctx.node(nodeName);
  const ready = node?.status?.conditions?.find((c) => c.type === 'Ready');
  const nodeGone = (ctx.snapshot.nodes?.length ?? 0) > 0 && node === undefined;
  const what = ready?.status === 'True' ? 'the pod failed while its containers were still running' : `node ${nodeName ?? '(none)'} ${nodeGone ? 'no longer exists' : 'stopped reporting'} while the containers were running`;
  return nodeDisruption(ctx, pod, what, evidence, base, ready?.status === 'True' ? 'low' : 'medium');
}

function nodeQuotes(ctx: DiagnosisContext, pod: V1Pod): EvidenceQuote[] {
  const nodeName = pod.spec?.nodeName;
  const ready = ctx.node(nodeName)?.status?.conditions?.find((c) => c.type === 'Ready');
  return ready === undefined || ready.status === 'True' ? [] : [conditionQuote(ready, `node/${nodeName}`)];
}

/** Reads a Kubernetes quantity such as `7679488Ki` or `26G` as bytes, for comparing consumers. */
function quantityBytes(value: string): number {
  const found = /^([\d.]+)([KMGTPE]i?)?$/.exec(value);
  if (found === null) return 0;
  const units = 'KMGTPE';
  const unit = found[2] ?? '';
  const power = unit === '' ? 0 : units.indexOf(unit[0] ?? '') + 1;
  const base = unit.endsWith('i') ? 1024 : 1000;
  return Number(found[1]) * base ** power;
}
