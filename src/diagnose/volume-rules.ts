import type { CoreV1Event, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import type { DiagnosisContext } from './context.ts';
import { toMillis } from './context.ts';
import { eventQuote, quote } from './evidence.ts';
import type { Finding } from './finding.ts';
import { describePod, templateOwner, withCommand } from './fix-text.ts';
import type { EvidenceQuote } from './types.ts';

const VOLUME_EVENTS = new Set(['FailedMount', 'FailedAttachVolume']);
// A Secret or ConfigMap volume whose object is absent: the kubelet reports it as FailedMount.
const MISSING_SOURCE = /(secrets?|configmaps?) "[^"]+" not found/i;

/**
 * Explains a pod stuck in ContainerCreating from its FailedMount and
 * FailedAttachVolume events, with the access modes and phase of the claims
 * it mounts. A Secret or ConfigMap volume that does not exist is
 * `config-missing`; every other mount failure is `volume-mount`.
 */
export function volumeFinding(ctx: DiagnosisContext, pod: V1Pod): Finding | undefined {
  const podName = pod.metadata?.name ?? '';
  const events = ctx.eventsFor('Pod', podName).filter((e) => VOLUME_EVENTS.has(e.reason ?? ''));
  if (events.length === 0) return undefined;
  const attach = events.filter((e) => e.reason === 'FailedAttachVolume').at(-1);
  const mount = events.filter((e) => e.reason === 'FailedMount').at(-1);
  const decisive = attach ?? mount;
  if (decisive === undefined) return undefined;
  const picked = [attach, mount].filter((e): e is CoreV1Event => e !== undefined);
  const evidence = [...picked.map((e) => eventQuote(e)), ...claimQuotes(ctx, pod)];
  const base = { pod: podName, atMs: toMillis(decisive.lastTimestamp), ran: false };
  if (MISSING_SOURCE.test(mount?.message ?? '')) {
    return {
      ...base,
      cause: 'config-missing',
      confidence: 'high',
      detail: `pod ${podName} cannot mount a volume: ${mount?.message ?? ''}`,
      fix: withCommand(`Create the missing Secret or ConfigMap in namespace ${ctx.namespace}, or fix the volume in ${templateOwner(ctx)}.`, describePod(ctx, podName)),
      evidence,
    };
  }
  const multiAttach = /Multi-Attach/.test(decisive.message ?? '');
  const fix = multiAttach
    ? `The ReadWriteOnce volume is attached to another node for another pod: stop that pod, schedule the Job's pod onto the same node, or use a ReadWriteMany volume.`
    : `Check the volumes of pod ${podName}: the claim, the storage driver and the node's attach limits.`;
  return {
    ...base,
    cause: 'volume-mount',
    confidence: 'high',
    detail: `pod ${podName} cannot ${multiAttach ? 'attach' : 'mount'} its volume: ${firstSentence(decisive.message ?? '')}`,
    fix: withCommand(fix, describePod(ctx, podName)),
    evidence,
  };
}

/** Quotes each claim the pod mounts that the snapshot holds: its access modes and phase. */
export function claimQuotes(ctx: DiagnosisContext, pod: V1Pod): EvidenceQuote[] {
  const quotes: EvidenceQuote[] = [];
  for (const claimName of claimNames(pod)) {
    const claim = ctx.other('PersistentVolumeClaim', claimName) as V1PersistentVolumeClaim | undefined;
    if (claim === undefined) continue;
    const modes = (claim.spec?.accessModes ?? []).join(', ');
    const phase = claim.status?.phase ?? 'unknown';
    quotes.push(quote('spec', `accessModes: ${modes || 'none'}, status.phase: ${phase}`, `persistentvolumeclaim/${claimName}`));
  }
  return quotes;
}

/** Names of the PersistentVolumeClaims a pod mounts. */
export function claimNames(pod: V1Pod): string[] {
  return (pod.spec?.volumes ?? [])
    .map((v) => v.persistentVolumeClaim?.claimName)
    .filter((name): name is string => name !== undefined);
}

function firstSentence(message: string): string {
  const flat = message.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}
