import type { V1Pod } from '@kubernetes/client-node';
import { containerViews, toMillis } from './context.ts';
import type { ContainerView, DiagnosisContext } from './context.ts';
import { disruptionFinding } from './disruption-rules.ts';
import { earlierRunFinding, withLastRunContext } from './earlier-run-rules.ts';
import { waitingQuote } from './evidence.ts';
import type { Finding } from './finding.ts';
import { schedulingFinding } from './scheduling-rules.ts';
import { terminatedFinding } from './terminated-rules.ts';
import { waitingFinding } from './waiting-rules.ts';

/**
 * Names the cause of one pod's failure, or undefined when the pod shows no
 * trouble. The order follows the precedence rules. An OOM kill in any
 * container or earlier run comes first, and what follows from it is
 * secondary. Next comes what the kubelet or the control plane did to the pod
 * (eviction, disruption, scheduling), then init containers, which run first,
 * then the app containers and native sidecars.
 */
export function podFinding(ctx: DiagnosisContext, pod: V1Pod): Finding | undefined {
  if (pod.status?.phase === 'Succeeded') return undefined;
  const views = containerViews(pod);
  const runs = views.flatMap((view) => runFindings(ctx, view));
  const oom = runs.filter((f) => f.cause === 'oom-killed' && f.confidence === 'high').sort(byTime).at(-1);
  if (oom !== undefined) return withFollowUps(oom, runs);
  const outside = disruptionFinding(ctx, pod) ?? schedulingFinding(ctx, pod);
  if (outside !== undefined) return outside;
  const init = views.filter((v) => v.init && !isSidecar(v)).map((v) => containerFinding(ctx, v)).find((f) => f !== undefined);
  if (init !== undefined) return withInitNote(init, views);
  const app = views.filter((v) => !v.init);
  const sidecars = views.filter(isSidecar).map((v) => sidecarFinding(ctx, v, app));
  return pickContainerFinding([...app.map((v) => containerFinding(ctx, v)), ...sidecars]);
}

/**
 * True for a native sidecar: an init container with restartPolicy Always. It runs beside
 * the app containers instead of before them, so its failure does not hold them back.
 */
function isSidecar(view: ContainerView): boolean {
  return view.init && view.spec?.restartPolicy === 'Always';
}

/**
 * Reads a native sidecar like an app container. An exit at or after the end of every app
 * container is a consequence, not a cause: the kubelet stops sidecars once the app
 * containers end, with SIGTERM and then SIGKILL after the grace period.
 */
function sidecarFinding(ctx: DiagnosisContext, view: ContainerView, app: ContainerView[]): Finding | undefined {
  const finding = containerFinding(ctx, view);
  const finished = view.status.state?.terminated?.finishedAt;
  if (finding === undefined || finished === undefined || app.length === 0) return finding;
  const appEnds = app.map((v) => v.status.state?.terminated?.finishedAt);
  if (appEnds.some((end) => end === undefined)) return finding;
  const lastAppEndMs = Math.max(...appEnds.map((end) => toMillis(end)));
  return toMillis(finished) >= lastAppEndMs ? { ...finding, consequence: true } : finding;
}

function byTime(a: Finding, b: Finding): number {
  return a.atMs - b.atMs;
}

/** Reads every terminated run of a container: the current one and the one before. */
function runFindings(ctx: DiagnosisContext, view: ContainerView): Finding[] {
  return [terminatedFinding(ctx, view, 'state'), terminatedFinding(ctx, view, 'lastState')].filter(
    (f): f is Finding => f !== undefined,
  );
}

/** Reads the current failure of one container: its waiting reason, its last exit, or the exit before a restart. */
function containerFinding(ctx: DiagnosisContext, view: ContainerView): Finding | undefined {
  const waiting = waitingFinding(ctx, view);
  if (waiting !== undefined) return waiting;
  const current = terminatedFinding(ctx, view, 'state');
  // A container the job controller stopped when the Job failed (an OnFailure pod deleted
  // at the backoff limit), or one the kubelet lost track of, is explained by the run
  // before, with the last run shown as context.
  if (current?.consequence === true || view.status.state?.terminated?.reason === 'ContainerStatusUnknown') {
    const earlier = terminatedFinding(ctx, view, 'lastState') ?? earlierRunFinding(ctx, view);
    return earlier === undefined ? current : withLastRunContext(earlier, view);
  }
  return current ?? (view.status.state?.running !== undefined ? terminatedFinding(ctx, view, 'lastState') : undefined);
}

/**
 * Among several failing containers of one pod, the one that failed on its own
 * wins over the ones stopped after it (a sidecar killed with the pod): first
 * the failures that are not signals from outside, then the earliest.
 */
function pickContainerFinding(findings: Array<Finding | undefined>): Finding | undefined {
  const present = findings.filter((f): f is Finding => f !== undefined);
  const own = present.filter((f) => !f.consequence && f.cause !== 'node-disruption' && f.confidence !== 'low');
  const pool = own.length > 0 ? own : present;
  return [...pool].sort(byTime)[0];
}

/** Adds the errors that followed an OOM kill (a retry failing on leftovers, say) as supporting evidence. */
function withFollowUps(oom: Finding, runs: Finding[]): Finding {
  const after = runs.filter((f) => f !== oom && f.cause !== 'oom-killed' && f.atMs >= oom.atMs);
  if (after.length === 0) return oom;
  return {
    ...oom,
    evidence: [...oom.evidence, ...after.flatMap((f) => f.evidence)],
    secondary: [...new Set(after.map((f) => f.cause))],
  };
}

/** Shows that the app containers never started because an init container failed. */
function withInitNote(finding: Finding, views: ContainerView[]): Finding {
  const waiting = views.filter((v) => !v.init && v.status.state?.waiting?.reason === 'PodInitializing');
  return {
    ...finding,
    detail: `init ${finding.detail}, so the app containers never started`,
    evidence: [...finding.evidence, ...waiting.map(waitingQuote)],
  };
}
