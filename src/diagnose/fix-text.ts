import type { DiagnosisContext } from './context.ts';

/** Names the owner of the pod template: the CronJob (its jobTemplate) when there is one, else the Job. */
export function templateOwner(ctx: DiagnosisContext): string {
  const cronJob = ctx.snapshot.cronJob?.metadata?.name;
  return cronJob === undefined ? `Job ${ctx.jobName}` : `CronJob ${cronJob}`;
}

/** Describes the step after a template change, because a Job's pod template is immutable. */
export function recreateHint(ctx: DiagnosisContext): string {
  return ctx.snapshot.cronJob === undefined
    ? 'then re-create the Job, since its pod template cannot be changed in place'
    : 'the next scheduled run uses the new template';
}

export function describePod(ctx: DiagnosisContext, pod: string): string {
  return `kubectl describe pod ${pod} -n ${ctx.namespace}`;
}

export function podLogs(ctx: DiagnosisContext, pod: string, container: string, previous: boolean): string {
  return `kubectl logs ${pod} -n ${ctx.namespace} -c ${container}${previous ? ' --previous' : ''}`;
}

export function jobEvents(ctx: DiagnosisContext): string {
  return `kubectl get events -n ${ctx.namespace} --field-selector involvedObject.name=${ctx.jobName}`;
}

export function describeJob(ctx: DiagnosisContext): string {
  return `kubectl describe job ${ctx.jobName} -n ${ctx.namespace}`;
}

/** Joins a fix and the command that shows more. */
export function withCommand(fix: string, command: string): string {
  return `${fix} More: \`${command}\`.`;
}
