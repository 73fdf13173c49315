import type { KubernetesObject, V1Job, V1JobCondition } from '@kubernetes/client-node';

/*
 * The story checks of `checkScenario` for the Job, and what the checks of Pods and Events
 * share. Like them, they run on objects whose metadata already passed the shape checks,
 * and compare the objects the way a real cluster relates them.
 */

/** Sink of the story checks' problems: the JSON path, the value found, what is wrong, the fix. */
export interface ProblemList {
  add(path: string, value: unknown, problem: string, fix: string): void;
}

/** A log entry of a scenario whose fields have the right types; `index` is its place in `logs`. */
export interface LogEntry {
  index: number;
  namespace: string;
  pod: string;
  container: string;
  previous: boolean;
}

// The job controller puts these labels on the pod template and on every Pod it creates.
const CONTROLLER_UID_LABELS = ['batch.kubernetes.io/controller-uid', 'controller-uid'];
const JOB_NAME_LABELS = ['batch.kubernetes.io/job-name', 'job-name'];

/** The fix of every problem with times out of order. */
export const ORDER_FIX = 'order the times as they happened';

/** Returns the JSON path of `object` in the scenario's `objects`. */
export function at(objects: KubernetesObject[], object: KubernetesObject): string {
  return `objects[${objects.indexOf(object)}]`;
}

type Time = Date | string | undefined;

function millis(time: Time): number | undefined {
  if (time === undefined) return undefined;
  const ms = new Date(time).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

/** Tells whether `later` is strictly before `earlier`; false when either time is unset. */
export function before(later: Time, earlier: Time): boolean {
  const a = millis(later);
  const b = millis(earlier);
  return a !== undefined && b !== undefined && a < b;
}

/** Checks the Job's selector, labels, CronJob owner, conditions and times. */
export function checkJob(
  list: ProblemList,
  objects: KubernetesObject[],
  job: V1Job,
  expectedReason: unknown,
): void {
  const path = at(objects, job);
  const uid = job.metadata?.uid ?? '';
  if (job.spec?.manualSelector !== true) {
    const selected = job.spec?.selector?.matchLabels?.[CONTROLLER_UID_LABELS[0] ?? ''];
    if (selected !== uid) {
      list.add(
        `${path}.spec.selector.matchLabels`,
        job.spec?.selector?.matchLabels,
        'does not select the Job uid',
        `set "batch.kubernetes.io/controller-uid": "${uid}"`,
      );
    }
    const labels = job.spec?.template?.metadata?.labels;
    checkJobLabels(list, `${path}.spec.template.metadata.labels`, labels, job);
  }
  checkCronJobOwner(list, objects, job);
  checkConditions(list, path, job, expectedReason);
}

/** Checks that `labels` carry the Job uid and name the way the job controller sets them. */
export function checkJobLabels(
  list: ProblemList,
  path: string,
  labels: Record<string, string> | undefined,
  job: V1Job,
): void {
  const wanted: [string, string][] = [
    ...CONTROLLER_UID_LABELS.map((label): [string, string] => [label, job.metadata?.uid ?? '']),
    ...JOB_NAME_LABELS.map((label): [string, string] => [label, job.metadata?.name ?? '']),
  ];
  for (const [label, value] of wanted) {
    if (labels?.[label] !== value) {
      list.add(
        `${path}["${label}"]`,
        labels?.[label],
        'is not the label the job controller sets',
        `set it to "${value}"`,
      );
    }
  }
}

function checkCronJobOwner(list: ProblemList, objects: KubernetesObject[], job: V1Job): void {
  const refs = job.metadata?.ownerReferences ?? [];
  const index = refs.findIndex((r) => r.kind === 'CronJob');
  const ref = refs[index];
  const path = `${at(objects, job)}.metadata.ownerReferences[${index}]`;
  if (ref === undefined) return;
  if (ref.controller !== true) {
    list.add(
      `${path}.controller`,
      ref.controller,
      'is not true on the CronJob owner',
      'set "controller": true',
    );
  }
  const cronJob = objects.find((o) => o.kind === 'CronJob' && o.metadata?.name === ref.name);
  if (cronJob === undefined) return;
  if (cronJob.metadata?.uid !== ref.uid) {
    list.add(
      `${path}.uid`,
      ref.uid,
      `is not the uid of CronJob ${ref.name}`,
      `set it to "${cronJob.metadata?.uid}"`,
    );
  }
  if (before(job.metadata?.creationTimestamp, cronJob.metadata?.creationTimestamp)) {
    list.add(
      `${at(objects, job)}.metadata.creationTimestamp`,
      job.metadata?.creationTimestamp,
      'is before its CronJob was created',
      ORDER_FIX,
    );
  }
}

function checkConditions(
  list: ProblemList,
  path: string,
  job: V1Job,
  expectedReason: unknown,
): void {
  const conditions = job.status?.conditions ?? [];
  conditions.forEach((c, i) => {
    if (c.status === 'True' && (!c.reason || !c.message)) {
      list.add(
        `${path}.status.conditions[${i}]`,
        c.type,
        'has no reason or message',
        'copy both from the job controller',
      );
    }
  });
  const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
  const target = conditions.find((c) => c.type === 'FailureTarget' && c.status === 'True');
  // diagnose() reads the FailureTarget reason while the controller is still stopping pods.
  const actual = failed?.reason ?? target?.reason ?? null;
  if (expectedReason !== actual) {
    let problem = 'is set, but the Job has no Failed condition';
    const condition = failed !== undefined ? 'Failed' : 'FailureTarget';
    if (actual !== null) problem = `differs from the reason ${actual} of the Job's ${condition} condition`;
    list.add('expected.reason', expectedReason, problem, `set it to ${JSON.stringify(actual)}`);
  }
  if (failed !== undefined) checkFailed(list, path, job, failed, target);
}

function checkFailed(
  list: ProblemList,
  path: string,
  job: V1Job,
  failed: V1JobCondition,
  target: V1JobCondition | undefined,
): void {
  const conditions = job.status?.conditions ?? [];
  const where = `${path}.status.conditions[${conditions.indexOf(failed)}]`;
  if (target !== undefined && target.reason !== failed.reason) {
    list.add(
      `${where}.reason`,
      failed.reason,
      `differs from the FailureTarget reason ${target.reason}`,
      'give both conditions the same reason',
    );
  }
  if (target !== undefined && before(failed.lastTransitionTime, target.lastTransitionTime)) {
    list.add(
      `${where}.lastTransitionTime`,
      failed.lastTransitionTime,
      'is before the FailureTarget condition',
      ORDER_FIX,
    );
  }
  const start = job.status?.startTime;
  if (before(failed.lastTransitionTime, start)) {
    list.add(
      `${where}.lastTransitionTime`,
      failed.lastTransitionTime,
      'is before status.startTime',
      ORDER_FIX,
    );
  }
  const deadline = job.spec?.activeDeadlineSeconds;
  if (failed.reason === 'DeadlineExceeded') {
    const reached = millis(target?.lastTransitionTime ?? failed.lastTransitionTime);
    const started = millis(start);
    if (deadline === undefined) {
      list.add(
        `${path}.spec.activeDeadlineSeconds`,
        deadline,
        'is missing on a Job failed with DeadlineExceeded',
        'set the deadline the Job had',
      );
    }
    else if (reached !== undefined && started !== undefined && reached - started < deadline * 1000) {
      list.add(
        `${where}.lastTransitionTime`,
        failed.lastTransitionTime,
        `is less than activeDeadlineSeconds (${deadline}) after status.startTime`,
        'move the condition past the deadline',
      );
    }
  }
  if (failed.reason === 'PodFailurePolicy' && job.spec?.podFailurePolicy === undefined) {
    list.add(
      `${path}.spec.podFailurePolicy`,
      undefined,
      'is missing on a Job failed with PodFailurePolicy',
      'add the policy whose rule matched',
    );
  }
  if ((job.status?.active ?? 0) > 0) {
    list.add(
      `${path}.status.active`,
      job.status?.active,
      'is above 0 on a failed Job',
      'set it to 0',
    );
  }
}
