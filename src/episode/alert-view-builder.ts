import { managingTool } from '../actions/managers.ts';
import type { V1Job } from '@kubernetes/client-node';
import { decisiveLines } from '../diagnose/decisive-lines.ts';
import type { ContainerLog, Diagnosis, Snapshot } from '../diagnose/types.ts';
import type { AttemptRecord } from '../queue/signals.ts';
import type { AlertView, AttemptView } from '../slack/alert-view.ts';
import { nameGonePods } from './gone-pod-attempts.ts';
import { jobParameters } from './job-parameters.ts';
import type { EpisodeRecord } from './record.ts';

/** Lines of log quoted per attempt in its thread reply. */
export const EXCERPT_LINES = 8;

/** Combines an episode, the snapshot it was diagnosed from and the diagnosis into one view. */
export function buildAlertView(
  episode: EpisodeRecord,
  snapshot: Snapshot,
  diagnosis: Diagnosis,
  options: { cluster?: string; nowMs: number },
): AlertView {
  const job = snapshot.job;
  const view: AlertView = {
    key: episode.key,
    version: episode.version,
    namespace: episode.namespace,
    jobName: episode.jobName,
    state: episode.state,
    reason: episode.reason ?? diagnosis.reason,
    cause: diagnosis.cause,
    confidence: diagnosis.confidence,
    summary: diagnosis.summary,
    evidence: diagnosis.evidence,
    fix: diagnosis.fix,
    secondary: diagnosis.secondary,
    params: jobParameters(job, snapshot.pods, episode.attempts, options.nowMs),
    attempts: numberAttempts(nameGonePods(episode.attempts, snapshot), job).map(
      ({ attempt, number }) => attemptView(attempt, number, snapshot.logs),
    ),
    openedAt: episode.openedAt,
  };
  if (options.cluster !== undefined) view.cluster = options.cluster;
  if (episode.closedAt !== undefined) view.closedAt = episode.closedAt;
  const cron = cronJobOf(job);
  if (cron) {
    const tool = managingTool(snapshot.cronJob?.metadata);
    view.cronJob = tool ? { ...cron, managedBy: tool } : cron;
  }
  return view;
}

/**
 * Numbers attempts from 1 in order. A Job with backoffLimitPerIndex retries each index
 * against its own limit, so its attempts count within their index, and attempts of unknown
 * index count among themselves. Attempts of other Jobs count across the Job.
 */
export function numberAttempts(attempts: AttemptRecord[], job: V1Job): { attempt: AttemptRecord; number: number }[] {
  const perIndex = job.spec?.backoffLimitPerIndex !== undefined && job.spec.backoffLimitPerIndex !== null;
  const seen = new Map<number | undefined, number>();
  return attempts.map((attempt) => {
    const group = perIndex ? attempt.index : undefined;
    const number = (seen.get(group) ?? 0) + 1;
    seen.set(group, number);
    return { attempt, number };
  });
}

/** Builds the thread reply view of one attempt, with its decisive log lines. */
export function attemptView(attempt: AttemptRecord, number: number, logs: ContainerLog[]): AttemptView {
  const view: AttemptView = { number, pod: attempt.pod };
  if (attempt.container !== undefined) view.container = attempt.container;
  if (attempt.node !== undefined) view.node = attempt.node;
  if (attempt.index !== undefined) view.index = attempt.index;
  // The kubelet writes 1970-01-01 as the start of a container that never started
  // (StartError); such a time would show a run of 56 years.
  if (attempt.startedAt !== undefined && Date.parse(attempt.startedAt) > Date.parse('2000-01-01T00:00:00Z')) view.startedAt = attempt.startedAt;
  if (attempt.finishedAt !== undefined) view.finishedAt = attempt.finishedAt;
  if (attempt.exitCode !== undefined) view.exitCode = attempt.exitCode;
  if (attempt.reason !== undefined) view.reason = attempt.reason;
  const log = logOfAttempt(attempt, logs);
  if (log) {
    const lines = decisiveLines(log.text, { maxLines: EXCERPT_LINES });
    if (lines.length > 0) view.logExcerpt = lines.join('\n');
  }
  return view;
}

function logOfAttempt(attempt: AttemptRecord, logs: ContainerLog[]): ContainerLog | undefined {
  const mine = logs.filter((l) => l.pod === attempt.pod && (attempt.container === undefined || l.container === attempt.container));
  // Once the container has restarted, the previous log contains the failed run.
  return mine.find((l) => l.previous) ?? mine.find((l) => !l.previous);
}

function cronJobOf(job: V1Job): { name: string; uid: string } | undefined {
  const ref = job.metadata?.ownerReferences?.find((r) => r.controller && r.kind === 'CronJob');
  return ref ? { name: ref.name, uid: ref.uid } : undefined;
}
