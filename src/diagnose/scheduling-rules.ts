import type { V1Pod } from '@kubernetes/client-node';
import { podCondition, podTime } from './context.ts';
import type { DiagnosisContext } from './context.ts';
import { conditionQuote, eventQuote } from './evidence.ts';
import type { Finding } from './finding.ts';
import { describePod, templateOwner, withCommand } from './fix-text.ts';
import { claimNames, claimQuotes } from './volume-rules.ts';
import type { EvidenceQuote } from './types.ts';

/**
 * Explains a pod that no node would take: the `PodScheduled=False` condition
 * (`Unschedulable`, `SchedulingGated`) and the scheduler's FailedScheduling
 * events, followed to the claim's own events when an unbound
 * PersistentVolumeClaim held the pod back.
 */
export function schedulingFinding(ctx: DiagnosisContext, pod: V1Pod): Finding | undefined {
  const podName = pod.metadata?.name ?? '';
  const scheduled = podCondition(pod, 'PodScheduled');
  const failedScheduling = ctx.eventsFor('Pod', podName).filter((e) => e.reason === 'FailedScheduling').at(-1);
  const notScheduled = scheduled?.status === 'False' || (failedScheduling !== undefined && !pod.spec?.nodeName);
  if (!notScheduled) return undefined;
  const message = scheduled?.message || failedScheduling?.message || '';
  const evidence: EvidenceQuote[] = [];
  if (scheduled?.status === 'False') evidence.push(conditionQuote(scheduled, `pod/${podName}`));
  if (failedScheduling !== undefined) evidence.push(eventQuote(failedScheduling));
  if (/PersistentVolumeClaim/.test(message)) evidence.push(...claimEvidence(ctx, pod));
  const gated = scheduled?.reason === 'SchedulingGated';
  return {
    pod: podName,
    atMs: podTime(pod),
    ran: false,
    cause: 'unschedulable',
    confidence: scheduled?.status === 'False' ? 'high' : 'medium',
    detail: gated ? `pod ${podName} is held by scheduling gates` : `no node could take pod ${podName}: ${firstClause(message)}`,
    fix: withCommand(schedulingFix(ctx, message, gated), describePod(ctx, podName)),
    evidence,
  };
}

function claimEvidence(ctx: DiagnosisContext, pod: V1Pod): EvidenceQuote[] {
  const events = claimNames(pod).flatMap((name) =>
    ctx.eventsFor('PersistentVolumeClaim', name).filter((e) => e.type === 'Warning').slice(-1),
  );
  return [...events.map((e) => eventQuote(e)), ...claimQuotes(ctx, pod)];
}

function schedulingFix(ctx: DiagnosisContext, message: string, gated: boolean): string {
  if (gated) return 'Remove the schedulingGates once the pod may run; the controller that added them should do so.';
  const steps: string[] = [];
  const insufficient = [...message.matchAll(/Insufficient ([\w./-]+)/g)].map((m) => m[1]);
  if (insufficient.length > 0) {
    steps.push(`no node has enough free ${[...new Set(insufficient)].join(', ')}: lower the requests in ${templateOwner(ctx)} or add capacity`);
  }
  const taints = [...message.matchAll(/untolerated taint \{([^}]*)\}/g)].map((m) => (m[1] ?? '').replace(/:\s*$/, ''));
  if (taints.length > 0) {
    steps.push(`nodes carry the taint ${[...new Set(taints)].join(', ')}: clear the node condition behind it or add a toleration`);
  }
  if (/node affinity\/selector|node\(s\) didn't match/.test(message)) {
    steps.push('check the nodeSelector and affinity against the node labels');
  }
  if (/unbound immediate PersistentVolumeClaims|persistentvolumeclaim "[^"]+" not found/i.test(message)) {
    steps.push("the pod's PersistentVolumeClaim has no volume: read the claim's ProvisioningFailed events and the StorageClass");
  }
  if (steps.length === 0) steps.push('read the scheduler message and adjust requests, affinity or tolerations');
  const text = steps.join('; ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** Cuts a scheduler message before its preemption note. */
function firstClause(message: string): string {
  return message.split(' preemption:')[0]?.trim() ?? message;
}
