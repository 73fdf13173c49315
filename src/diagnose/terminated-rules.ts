import type { V1ContainerStateTerminated } from '@kubernetes/client-node';
import { readContainerLog } from './container-log.ts';
import type { ContainerLogReading } from './container-log.ts';
import { toMillis } from './context.ts';
import type { ContainerView, DiagnosisContext } from './context.ts';
import { quote, terminatedQuote } from './evidence.ts';
import { exitMeaning, OUTSIDE_KILL_CODES } from './exit-codes.ts';
import type { Finding, FindingBase } from './finding.ts';
import { describePod, podLogs, recreateHint, templateOwner, withCommand } from './fix-text.ts';
import { logFinding, startErrorFinding } from './log-rules.ts';
import type { EvidenceQuote } from './types.ts';

const OOM_HINT = /out of memory|oom-kill|Cannot allocate memory|^Killed$|MemoryError/im;

/**
 * How far before the deadline a memory kill still counts as "at the deadline", in ms.
 * Status times have whole seconds, and the job controller notices the deadline at its
 * next sync, so a kill a second or two early is the same moment.
 */
const AT_DEADLINE_SLACK_MS = 2000;

/**
 * Reads one terminated run of a container (`state` or the earlier run in
 * `lastState`). Returns undefined for a clean exit or a container the kubelet
 * lost track of, which the pod-level rules explain.
 */
export function terminatedFinding(
  ctx: DiagnosisContext,
  view: ContainerView,
  field: 'state' | 'lastState',
): Finding | undefined {
  const terminated = field === 'state' ? view.status.state?.terminated : view.status.lastState?.terminated;
  if (terminated === undefined) return undefined;
  if (terminated.exitCode === 0 && terminated.reason !== 'OOMKilled') return undefined;
  if (terminated.reason === 'ContainerStatusUnknown') return undefined;
  const previous = field === 'lastState';
  const status = terminatedQuote(view, terminated, field);
  const log = readContainerLog(ctx, view, previous, terminated);
  const base = { pod: view.podName, container: view.name, atMs: toMillis(terminated.finishedAt), ran: true };
  const evidence = [status, ...(log.quote === undefined ? [] : [log.quote])];

  if (terminated.reason === 'OOMKilled') {
    const oom = oomFinding(ctx, view, terminated, evidence, base, 'high');
    return killedAtDeadline(ctx, terminated) ? stoppedWithMemoryKill(ctx, view, oom, base) : oom;
  }
  if (terminated.reason === 'StartError' || terminated.reason === 'ContainerCannotRun') {
    return startErrorFinding(ctx, view, terminated.message ?? '', [status], { ...base, ran: false });
  }
  const code = terminated.exitCode;
  const memoryHint = code === 137 && OOM_HINT.test(log.reading.lines.join('\n'));
  if (memoryHint && killedAtDeadline(ctx, terminated)) {
    return stoppedWithMemoryKill(ctx, view, oomFinding(ctx, view, terminated, evidence, base, 'medium'), base);
  }
  if (OUTSIDE_KILL_CODES.has(code) && isStoppedByJob(ctx, view, terminated)) {
    return stoppedFinding(ctx, view, code, evidence, base);
  }
  if (code === 126 || code === 127) return commandFinding(ctx, view, code, evidence, base);
  const meaning = exitMeaning(code);
  if (meaning.selfInflicted) return crashFinding(ctx, view, code, log, evidence, base);
  if (code === 137) return oomFinding(ctx, view, terminated, evidence, base, memoryHint ? 'medium' : 'low');
  if (OUTSIDE_KILL_CODES.has(code)) return outsideStopFinding(ctx, view, code, evidence, base);
  return logFinding(ctx, view, code, log, evidence, base, previous);
}

type Base = FindingBase;

/**
 * True when the container was killed because the Job was already failing:
 * the job controller deletes the remaining pods once it sets FailureTarget,
 * and a container that ignores SIGTERM gets SIGKILL after the grace period.
 */
function isStoppedByJob(ctx: DiagnosisContext, view: ContainerView, terminated: V1ContainerStateTerminated): boolean {
  const failure = ctx.failure;
  if (failure === undefined) return false;
  const finishedMs = toMillis(terminated.finishedAt);
  if (finishedMs === 0 || failure.atMs === 0) return failure.reason === 'DeadlineExceeded';
  if (failure.reason !== 'BackoffLimitExceeded') return finishedMs >= failure.atMs - 1000;
  // Under BackoffLimitExceeded the last counted failure itself ends at the FailureTarget
  // time. With restartPolicy OnFailure the counted failures are the restarts, so a kill
  // in the same second (times have whole seconds) is the job controller deleting the pod.
  const restarted = view.pod.spec?.restartPolicy === 'OnFailure' && (view.status.restartCount ?? 0) > 0;
  return restarted ? finishedMs >= failure.atMs : finishedMs > failure.atMs;
}

/**
 * True when a Job failed with DeadlineExceeded and the run ended at or after its deadline
 * (within {@link AT_DEADLINE_SLACK_MS}). The deadline is `status.startTime` plus
 * `activeDeadlineSeconds`, or the FailureTarget time when either is missing.
 */
function killedAtDeadline(ctx: DiagnosisContext, terminated: V1ContainerStateTerminated): boolean {
  if (ctx.failure?.reason !== 'DeadlineExceeded') return false;
  const finishedMs = toMillis(terminated.finishedAt);
  const deadlineMs = jobDeadlineMs(ctx);
  if (finishedMs === 0 || deadlineMs === 0) return false;
  return finishedMs >= deadlineMs - AT_DEADLINE_SLACK_MS;
}

function jobDeadlineMs(ctx: DiagnosisContext): number {
  const seconds = ctx.snapshot.job.spec?.activeDeadlineSeconds;
  const startMs = toMillis(ctx.snapshot.job.status?.startTime);
  if (seconds !== undefined && startMs !== 0) return startMs + seconds * 1000;
  return ctx.failure?.atMs ?? 0;
}

/**
 * Builds the finding for a memory kill at the deadline. The Job's DeadlineExceeded
 * condition proves why the Job ended, so the stop leads. The kill is a second, real
 * signal (a program that grows while it is stopped, or a cgroup OOM during the grace
 * period), so the OOM kill is kept as a secondary cause.
 */
function stoppedWithMemoryKill(ctx: DiagnosisContext, view: ContainerView, oom: Finding, base: Base): Finding {
  const stopped = stoppedFinding(ctx, view, 137, oom.evidence, base);
  return { ...stopped, detail: `${oom.detail} when the job controller stopped it at the deadline`, secondary: ['oom-killed'] };
}

function memoryLimit(view: ContainerView): string | undefined {
  const limit = view.spec?.resources?.limits?.['memory'];
  return limit === undefined ? undefined : String(limit);
}

function oomFinding(
  ctx: DiagnosisContext,
  view: ContainerView,
  terminated: V1ContainerStateTerminated,
  evidence: EvidenceQuote[],
  base: Base,
  confidence: Finding['confidence'],
): Finding {
  const limit = memoryLimit(view);
  const limitQuote = limit === undefined ? [] : [quote('spec', `resources.limits.memory: ${limit}`, `container ${view.name}`)];
  const how =
    terminated.reason === 'OOMKilled'
      ? `was OOMKilled (exit code ${terminated.exitCode})`
      : `was killed by SIGKILL (exit code 137) with no OOMKilled reason, most likely by the kernel OOM killer`;
  const where = limit === undefined ? 'with no memory limit set, so the node ran out of memory' : `at its ${limit} memory limit`;
  const raise = limit === undefined ? 'Set resources.requests and limits.memory' : `Raise resources.limits.memory above ${limit}`;
  const fix = `${raise} for container ${view.name} in ${templateOwner(ctx)}, or make the program use less memory; ${recreateHint(ctx)}.`;
  return {
    ...base,
    cause: 'oom-killed',
    confidence,
    detail: `container ${view.name} ${how} ${where}`,
    fix: withCommand(fix, describePod(ctx, view.podName)),
    evidence: [...evidence, ...limitQuote],
  };
}

function stoppedFinding(ctx: DiagnosisContext, view: ContainerView, code: number, evidence: EvidenceQuote[], base: Base): Finding {
  const meaning = exitMeaning(code);
  return {
    ...base,
    cause: 'deadline-exceeded',
    confidence: 'high',
    consequence: true,
    detail: `the job controller stopped container ${view.name} (exit code ${code}, ${meaning.text}) when the Job failed`,
    fix: withCommand('See why the work did not finish in time.', podLogs(ctx, view.podName, view.name, false)),
    evidence,
  };
}

function commandFinding(ctx: DiagnosisContext, view: ContainerView, code: number, evidence: EvidenceQuote[], base: Base): Finding {
  const command = [...(view.spec?.command ?? []), ...(view.spec?.args ?? [])];
  const commandQuote = command.length === 0 ? [] : [quote('spec', `command: ${JSON.stringify(command)}`, `container ${view.name}`)];
  const problem = code === 126 ? 'exists but is not executable' : 'was not found in the image';
  const image = view.spec?.image ?? 'the image';
  return {
    ...base,
    cause: 'command-invalid',
    confidence: 'high',
    detail: `container ${view.name} exited with exit code ${code} (${exitMeaning(code).text}): its command ${problem}`,
    fix: withCommand(
      `Fix the command or args of container ${view.name} in ${templateOwner(ctx)}, or the file in ${image}: it must exist and be executable (chmod +x).`,
      podLogs(ctx, view.podName, view.name, false),
    ),
    evidence: [...evidence, ...commandQuote],
  };
}

function crashFinding(
  ctx: DiagnosisContext,
  view: ContainerView,
  code: number,
  log: ContainerLogReading,
  evidence: EvidenceQuote[],
  base: Base,
): Finding {
  const meaning = exitMeaning(code);
  const heap = /heap out of memory|heap limit/i.test(log.reading.lines.join('\n'));
  const fix = heap
    ? `The runtime hit its own heap limit, not the container's: raise it (for Node.js, --max-old-space-size in NODE_OPTIONS) or reduce the data held in memory in container ${view.name}.`
    : `Read the crash output of container ${view.name} (${view.spec?.image ?? 'its image'}): a ${meaning.signal} usually comes from native code, a runtime abort or an image built for another CPU.`;
  const said = log.reading.headline === undefined ? '' : `: "${log.reading.headline}"`;
  return {
    ...base,
    cause: 'app-crash',
    confidence: 'high',
    detail: `container ${view.name} crashed with ${meaning.signal} (exit code ${code})${said}`,
    fix: withCommand(fix, podLogs(ctx, view.podName, view.name, false)),
    evidence,
  };
}

function outsideStopFinding(ctx: DiagnosisContext, view: ContainerView, code: number, evidence: EvidenceQuote[], base: Base): Finding {
  return {
    ...base,
    cause: 'node-disruption',
    confidence: 'medium',
    detail: `container ${view.name} was stopped from outside with ${exitMeaning(code).text} (exit code ${code}) and no deadline was reached`,
    fix: withCommand(
      'Check who deleted or drained the pod (node drain, autoscaler, manual delete); a podFailurePolicy Ignore rule on DisruptionTarget keeps such stops from counting as failures.',
      describePod(ctx, view.podName),
    ),
    evidence,
  };
}
