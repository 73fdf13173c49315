import type { V1ManagedFieldsEntry } from '@kubernetes/client-node';
import { toMillis } from './context.ts';
import type { DiagnosisContext } from './context.ts';
import { conditionQuote, eventQuote, quote } from './evidence.ts';
import type { Finding } from './finding.ts';
import { describeJob, withCommand } from './fix-text.ts';
import type { EvidenceQuote } from './types.ts';

/** The label (older Kueue releases: annotation) that hands a Job to a Kueue LocalQueue. */
const KUEUE_QUEUE = 'kueue.x-k8s.io/queue-name';
/** `spec.managedBy` of Jobs that the built-in job controller runs itself. */
const JOB_CONTROLLER = 'kubernetes.io/job-controller';
/** `spec.managedBy` that MultiKueue sets on Jobs it runs on a worker cluster. */
const MULTIKUEUE = 'kueue.x-k8s.io/multikueue';
// Events Kueue's job reconciler records on the Job itself. Why a Workload waits is
// recorded on the Workload, which the snapshot does not contain.
const KUEUE_EVENTS = new Set(['CreatedWorkload', 'Started', 'Stopped', 'Suspended']);

/**
 * Explains a Job that is suspended (`spec.suspend: true`). The job controller of Kubernetes
 * v1.37 deletes a suspended Job's active pods, sets `Suspended=True` (reason JobSuspended)
 * and stops its activeDeadlineSeconds timer, so the Job waits without end. A Job in a Kueue
 * queue waits until Kueue admits it against its ClusterQueue's quota, so it is read as
 * `quota-exceeded`. Any other suspension names the field manager that set it.
 */
export function suspendedFinding(ctx: DiagnosisContext): Finding | undefined {
  const job = ctx.snapshot.job;
  if (job.spec?.suspend !== true || ctx.failure !== undefined) return undefined;
  const condition = job.status?.conditions?.find((c) => c.type === 'Suspended' && c.status === 'True');
  const since = condition?.lastTransitionTime ?? job.metadata?.creationTimestamp;
  const queue = kueueQueue(ctx);
  const kueueEvents = ctx.eventsFor('Job', ctx.jobName).filter((e) => KUEUE_EVENTS.has(e.reason ?? '') && e.reason !== 'Suspended');
  const evidence: EvidenceQuote[] = [quote('spec', 'spec.suspend: true', `job/${ctx.jobName}`)];
  if (condition !== undefined) evidence.push(conditionQuote(condition, `job/${ctx.jobName}`));
  if (queue !== undefined) evidence.push(quote('spec', `metadata.labels ${KUEUE_QUEUE}: ${queue}`, `job/${ctx.jobName}`));
  evidence.push(...kueueEvents.slice(-2).map((e) => eventQuote(e)));
  evidence.push(...deadlineQuote(ctx));
  const by = queue === undefined ? suspendedBy(job.metadata?.managedFields ?? []) : `Kueue (LocalQueue ${queue})`;
  const started = job.status?.startTime !== undefined || kueueEvents.some((e) => e.reason === 'Started');
  const when = since === undefined ? '' : ` since ${new Date(toMillis(since)).toISOString().replace('.000Z', 'Z')}`;
  const detail =
    `the Job has been suspended${when}${by === undefined ? '' : ` by ${by}`}` +
    `${started ? '' : ' and never started'}: no pod runs, and its activeDeadlineSeconds timer is stopped while it waits`;
  return {
    cause: queue === undefined ? 'unknown' : 'quota-exceeded',
    confidence: 'medium',
    detail,
    fix: queue === undefined ? resumeFix(ctx, by) : kueueFix(ctx, queue, kueueEvents.find((e) => e.reason === 'CreatedWorkload')?.message),
    evidence,
    atMs: toMillis(since),
    ran: false,
  };
}

/**
 * Explains a Job whose `spec.managedBy` names another controller and that has no pods here.
 * The built-in job controller skips such a Job entirely (no pods, no status), so its
 * failure was written by that controller, and its pods, logs and events are wherever that
 * controller ran it (for MultiKueue, a worker cluster).
 */
export function managedByFinding(ctx: DiagnosisContext): Finding | undefined {
  const managedBy = ctx.snapshot.job.spec?.managedBy;
  if (managedBy === undefined || managedBy === JOB_CONTROLLER || ctx.snapshot.pods.length > 0) return undefined;
  const where =
    managedBy === MULTIKUEUE
      ? 'MultiKueue ran a copy of it on a worker cluster and copied the status back'
      : `${managedBy} runs it and writes its status`;
  const fix =
    managedBy === MULTIKUEUE
      ? 'Read the failure on the worker cluster that ran the Job (the Workload\'s status.clusterName names it), and retry it through Kueue: jobwatch does not retry Jobs that another controller manages.'
      : `Read the failure where ${managedBy} ran the Job, and retry it through ${managedBy}: jobwatch does not retry Jobs that another controller manages.`;
  return {
    cause: 'unknown',
    confidence: 'medium',
    detail: `the Job has spec.managedBy "${managedBy}", so the built-in job controller does not run it and none of its pods are in this cluster: ${where}`,
    fix: withCommand(fix, describeJob(ctx)),
    evidence: [quote('spec', `spec.managedBy: ${managedBy}`, `job/${ctx.jobName}`)],
    atMs: ctx.failure?.atMs ?? 0,
    ran: false,
  };
}

function kueueQueue(ctx: DiagnosisContext): string | undefined {
  const meta = ctx.snapshot.job.metadata;
  return meta?.labels?.[KUEUE_QUEUE] ?? meta?.annotations?.[KUEUE_QUEUE];
}

function deadlineQuote(ctx: DiagnosisContext): EvidenceQuote[] {
  const seconds = ctx.snapshot.job.spec?.activeDeadlineSeconds;
  if (seconds === undefined) return [];
  return [quote('spec', `spec.activeDeadlineSeconds: ${seconds} (not counting while suspended)`, `job/${ctx.jobName}`)];
}

/**
 * Names the field manager that last wrote `spec.suspend`, such as `kubectl-patch` or a
 * controller, from the Job's managedFields. Undefined when none did.
 */
export function suspendedBy(entries: V1ManagedFieldsEntry[]): string | undefined {
  const writers = entries.filter((e) => {
    const spec = (e.fieldsV1 as Record<string, unknown> | undefined)?.['f:spec'];
    return typeof spec === 'object' && spec !== null && 'f:suspend' in spec;
  });
  const latest = writers.reduce<V1ManagedFieldsEntry | undefined>((a, b) => (a === undefined || toMillis(b.time) >= toMillis(a.time) ? b : a), undefined);
  return latest?.manager;
}

function kueueFix(ctx: DiagnosisContext, queue: string, createdWorkload: string | undefined): string {
  const workload = /Created Workload: (?:[^/\s]+\/)?(\S+)/.exec(createdWorkload ?? '')?.[1];
  const command = workload === undefined ? `kubectl get workloads -n ${ctx.namespace}` : `kubectl describe workload ${workload} -n ${ctx.namespace}`;
  return withCommand(
    `Kueue admits the Job once the ClusterQueue behind LocalQueue ${queue} has quota for it. The Workload's QuotaReserved condition gives the reason it waits: quota, a missing LocalQueue or ClusterQueue, admission checks, or a StrictFIFO head that does not fit. Free or raise that quota, or move the Job to another queue.`,
    command,
  );
}

function resumeFix(ctx: DiagnosisContext, by: string | undefined): string {
  const ownerNote = by === undefined ? '' : ` Check with whoever runs ${by} first, because it set the suspension.`;
  return withCommand(
    `Resume the Job when it should run: kubectl patch job ${ctx.jobName} -n ${ctx.namespace} --type=merge -p '{"spec":{"suspend":false}}'.${ownerNote}`,
    describeJob(ctx),
  );
}
