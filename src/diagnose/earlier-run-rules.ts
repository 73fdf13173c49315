import { readContainerLog } from './container-log.ts';
import { toMillis } from './context.ts';
import type { ContainerView, DiagnosisContext } from './context.ts';
import { terminatedQuote } from './evidence.ts';
import type { Finding } from './finding.ts';
import { podLogs, withCommand } from './fix-text.ts';

/**
 * Reads the run before a container's last one from its captured `previous` log. It is
 * for a container whose status keeps no `lastState`, such as one the kubelet lost track
 * of (`ContainerStatusUnknown`). Returns undefined unless the container restarted and
 * that log shows error lines, because without an exit code only the program's own words
 * show that the run failed.
 */
export function earlierRunFinding(ctx: DiagnosisContext, view: ContainerView): Finding | undefined {
  if ((view.status.restartCount ?? 0) === 0 || view.status.lastState?.terminated !== undefined) return undefined;
  const log = readContainerLog(ctx, view, true);
  if (log.quote === undefined || !log.reading.fromErrors) return undefined;
  const line = log.match?.line ?? log.reading.headline ?? log.reading.lines.at(-1) ?? '';
  const lastStart = view.status.state?.terminated?.startedAt;
  return {
    cause: log.match?.cause ?? 'app-error',
    confidence: 'medium',
    detail: `an earlier run of container ${view.name} failed on its own: "${line.trim()}" (its exit code is no longer in the pod status)`,
    fix: withCommand(
      `Fix the error that the earlier run of container ${view.name} logged; the later run only ended because the Job was already failing.`,
      podLogs(ctx, view.podName, view.name, true),
    ),
    evidence: [log.quote],
    pod: view.podName,
    container: view.name,
    // The earlier run ended before the last one started; one ms before keeps that order.
    atMs: Math.max(0, toMillis(lastStart) - 1),
    ran: true,
  };
}

/**
 * Adds the last run's state to a finding read from an earlier run, so that the consequence
 * (a stop by the job controller, a container the kubelet lost) is shown as context.
 */
export function withLastRunContext(finding: Finding, view: ContainerView): Finding {
  const last = view.status.state?.terminated;
  if (last === undefined) return finding;
  return { ...finding, evidence: [...finding.evidence, terminatedQuote(view, last, 'state')] };
}
