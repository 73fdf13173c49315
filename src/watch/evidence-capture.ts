import type { V1Pod } from '@kubernetes/client-node';
import { redactText, secretEnvNames } from '../diagnose/redact.ts';
import { redactPod } from '../diagnose/redact-objects.ts';
import type { ClusterReader } from '../episode/cluster-reader.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { CapturedEvidence } from '../queue/signals.ts';
import type { DetectedAttempt } from './attempt-detector.ts';
import type { SlimPod } from './slim.ts';

export interface CaptureLimits {
  tailLines: number;
  limitBytes: number;
  /** Counts each pod and log read as captured, truncated or missing. Default: not counted. */
  metrics?: Pick<Metrics, 'evidence'>;
}

/**
 * Reads a failed pod and the logs of its failed run while they still exist. The
 * job controller, TTLs and history limits delete pods soon after a failure, so
 * this runs at once rather than when the worker gets to the failure. Log text and
 * the pod's messages and env values are redacted here, before they are stored or
 * sent anywhere.
 */
export async function captureEvidence(
  reader: ClusterReader,
  pod: SlimPod,
  attempt: DetectedAttempt,
  limits: CaptureLimits,
): Promise<CapturedEvidence> {
  const { metrics, ...readLimits } = limits;
  const evidence: CapturedEvidence = { logs: [], missing: [] };
  const full = await reader.getPod(pod.namespace, pod.name).catch((err: unknown) => {
    evidence.missing.push(`pod ${pod.name}: ${errorText(err)}`);
    return undefined;
  });
  // The stored pod keeps its termination message, and that message can quote a credential.
  if (full) evidence.pod = trimPod(redactPod(full)) as Record<string, unknown>;
  else if (!evidence.missing.length) evidence.missing.push(`pod ${pod.name}: deleted before it could be read`);
  metrics?.evidence('pod', full ? 'captured' : 'missing');
  const secrets = full ? secretEnvNames(full) : [];
  for (const target of logTargets(pod, attempt)) {
    const read = await reader.readPodLog({ namespace: pod.namespace, pod: pod.name, ...target, ...readLimits }).catch((err: unknown) => ({
      unavailable: errorText(err),
    }));
    const kind = target.previous ? 'previous_logs' : 'logs';
    if ('unavailable' in read) {
      metrics?.evidence(kind, 'missing');
      evidence.missing.push(`log of ${pod.name}/${target.container}${target.previous ? ' (previous)' : ''}: ${read.unavailable}`);
      continue;
    }
    metrics?.evidence(kind, read.truncated ? 'truncated' : 'captured');
    evidence.logs.push({
      namespace: pod.namespace,
      pod: pod.name,
      container: target.container,
      previous: target.previous,
      text: redactText(read.text, { secretEnvNames: secrets }),
      ...(read.truncated ? { truncated: true } : {}),
    });
  }
  return evidence;
}

/**
 * Which logs show the failed run: the container's current log while it is still
 * terminated, its previous log once it has restarted, and the failed container's
 * siblings, whose logs often show the other side of the failure.
 */
function logTargets(pod: SlimPod, attempt: DetectedAttempt): { container: string; previous: boolean }[] {
  const targets: { container: string; previous: boolean }[] = [];
  for (const c of pod.containers) {
    const ran = c.terminated !== undefined || c.restartCount > 0 || pod.phase !== 'Pending';
    if (!ran) continue;
    const isFailed = c.name === attempt.container;
    const restartedSince = c.restartCount > attempt.run;
    targets.push({ container: c.name, previous: isFailed && restartedSince });
    if (!isFailed && c.restartCount > 0) targets.push({ container: c.name, previous: true });
  }
  return targets.slice(0, 6);
}

/** Drops the fields no diagnosis reads, so stored evidence stays small. */
export function trimPod(pod: V1Pod): V1Pod {
  const copy = structuredClone(pod);
  if (copy.metadata) delete copy.metadata.managedFields;
  return copy;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
