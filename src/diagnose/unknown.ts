import type { DiagnosisContext } from './context.ts';
import { eventQuote, quote } from './evidence.ts';
import type { Finding } from './finding.ts';
import { describeJob, withCommand } from './fix-text.ts';
import type { EvidenceQuote } from './types.ts';

/**
 * Says that no cause can be shown: what the snapshot held, what was missing,
 * and how to keep the evidence next time.
 */
export function unknownFinding(ctx: DiagnosisContext): Finding {
  const { pods, events, logs } = ctx.snapshot;
  const restartPolicy = ctx.snapshot.job.spec?.template.spec?.restartPolicy;
  const deleted = ctx.eventsFor('Job', ctx.jobName).filter((e) => e.reason === 'SuccessfulDelete');
  const evidence: EvidenceQuote[] = [];
  if (restartPolicy !== undefined) {
    evidence.push(quote('spec', `spec.template.spec.restartPolicy: ${restartPolicy}`, `job/${ctx.jobName}`));
  }
  evidence.push(...deleted.slice(-2).map((e) => eventQuote(e)));
  const looked = `looked at ${count(pods.length, 'pod')}, ${count(events.length, 'event')} and ${count(logs.length, 'log')}`;
  const missing = missingParts(ctx, deleted.length > 0);
  const onFailure = restartPolicy === 'OnFailure';
  const fix = onFailure
    ? 'With restartPolicy OnFailure the container restarts in place and the job controller deletes the pod at the backoff limit, taking its exit code and logs along: set restartPolicy: Never to keep failed pods, or collect logs centrally, then rerun.'
    : 'Rerun the Job and capture its pods before they are removed (a longer ttlSecondsAfterFinished, central logs).';
  return {
    cause: 'unknown',
    confidence: 'low',
    detail: `no cause can be shown: ${looked}; missing ${missing}`,
    fix: withCommand(fix, describeJob(ctx)),
    evidence,
    atMs: 0,
    ran: false,
  };
}

function missingParts(ctx: DiagnosisContext, deleted: boolean): string {
  if (ctx.snapshot.pods.length === 0) {
    return deleted
      ? 'every pod: the job controller deleted them, so no exit code, container state or log is left'
      : 'every pod: none was captured, so no exit code, container state or log is left';
  }
  if (ctx.snapshot.logs.length === 0) return 'container logs, and no status field names a cause';
  return 'a status field, event or log line that names a cause';
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
