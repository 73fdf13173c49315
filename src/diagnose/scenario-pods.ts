import type {
  KubernetesObject,
  V1Job,
  V1Pod,
  V1PodFailurePolicyRule,
} from '@kubernetes/client-node';
import { at, before, checkJobLabels, ORDER_FIX } from './scenario-consistency.ts';
import type { ProblemList } from './scenario-consistency.ts';

/*
 * The story checks of `checkScenario` for Pods: whether each Pod belongs to the Job, whether
 * its container times are ordered, and whether the Job's status counts match its Pods.
 */

function isJobPod(pod: V1Pod, job: V1Job): boolean {
  const refs = pod.metadata?.ownerReferences ?? [];
  return refs.some((r) => r.uid === job.metadata?.uid && r.kind === 'Job' && r.controller === true);
}

/** Checks that every Pod belongs to the Job, and that the Job's counts match its Pods. */
export function checkPods(
  list: ProblemList,
  objects: KubernetesObject[],
  job: V1Job,
  pods: V1Pod[],
): void {
  const jobName = job.metadata?.name ?? '';
  for (const pod of pods) {
    const path = at(objects, pod);
    const name = pod.metadata?.name ?? '';
    if (!isJobPod(pod, job)) {
      list.add(
        `${path}.metadata.ownerReferences`,
        pod.metadata?.ownerReferences,
        `does not point at Job ${jobName}`,
        `add { "kind": "Job", "name": "${jobName}", "uid": "${job.metadata?.uid}", "controller": true }`,
      );
    }
    if (job.spec?.manualSelector !== true) {
      checkJobLabels(list, `${path}.metadata.labels`, pod.metadata?.labels, job);
    }
    if (pod.metadata?.namespace !== job.metadata?.namespace) {
      list.add(
        `${path}.metadata.namespace`,
        pod.metadata?.namespace,
        'differs from the Job namespace',
        `set it to "${job.metadata?.namespace}"`,
      );
    }
    const suffix = name.startsWith(`${jobName}-`) ? name.slice(jobName.length + 1) : '';
    const indexed = job.spec?.completionMode === 'Indexed' && /^\d+-[a-z0-9]{5}$/.test(suffix);
    if (!/^[a-z0-9]{5}$/.test(suffix) && !indexed) {
      list.add(
        `${path}.metadata.name`,
        name,
        `is not the Job name plus a 5-character suffix`,
        `name it like ${jobName}-x7k2p`,
      );
    }
    if (before(pod.metadata?.creationTimestamp, job.metadata?.creationTimestamp)) {
      list.add(
        `${path}.metadata.creationTimestamp`,
        pod.metadata?.creationTimestamp,
        'is before its Job was created',
        ORDER_FIX,
      );
    }
    checkContainerTimes(list, path, pod);
  }
  // Pods that do not point at the Job were reported above. The counts include them anyway,
  // so one mistake does not also show up as a wrong Job status.
  checkCounts(list, at(objects, job), job, pods);
}

function checkContainerTimes(list: ProblemList, path: string, pod: V1Pod): void {
  const statuses = [
    ['initContainerStatuses', pod.status?.initContainerStatuses],
    ['containerStatuses', pod.status?.containerStatuses],
  ] as const;
  for (const [field, list_] of statuses) {
    (list_ ?? []).forEach((status, i) => {
      const where = `${path}.status.${field}[${i}]`;
      const ended = status.state?.terminated;
      if (ended !== undefined && before(ended.finishedAt, ended.startedAt)) {
        list.add(
          `${where}.state.terminated.finishedAt`,
          ended.finishedAt,
          'is before startedAt',
          ORDER_FIX,
        );
      }
      const previous = status.lastState?.terminated?.finishedAt;
      const current = status.state?.running?.startedAt ?? ended?.startedAt;
      if (before(current, previous)) {
        list.add(
          `${where}.lastState.terminated.finishedAt`,
          previous,
          'is after the current run started',
          ORDER_FIX,
        );
      }
    });
  }
}

interface PodCounts {
  failed: number;
  deleted: number;
  succeeded: number;
  active: number;
}

function countPods(job: V1Job, pods: V1Pod[]): PodCounts {
  const phase = (p: V1Pod, ...phases: string[]) => phases.includes(p.status?.phase ?? '');
  const deleted = (p: V1Pod) => p.metadata?.deletionTimestamp !== undefined;
  // A Failed pod counts unless the first matching rule of the podFailurePolicy is an Ignore rule.
  const ignored = (p: V1Pod) => firstMatchingRule(job, p)?.action === 'Ignore';
  return {
    failed: pods.filter((p) => phase(p, 'Failed') && !ignored(p)).length,
    // A pod deleted before it ended is counted as failed once it is gone, and until then
    // it may still be counted in status.terminating.
    deleted: pods.filter((p) => deleted(p) && !phase(p, 'Failed', 'Succeeded')).length,
    succeeded: pods.filter((p) => phase(p, 'Succeeded')).length,
    active: pods.filter((p) => phase(p, 'Pending', 'Running') && !deleted(p)).length,
  };
}

function checkCounts(list: ProblemList, path: string, job: V1Job, pods: V1Pod[]): void {
  const status = job.status ?? {};
  const counts = countPods(job, pods);
  const uncounted = status.uncountedTerminatedPods ?? {};
  // Pods can be gone (pod GC, TTL) while the Job still counts them, so the Job may count
  // more failures than there are Pods.
  const failed = (status.failed ?? 0) + (uncounted.failed?.length ?? 0);
  const succeeded = (status.succeeded ?? 0) + (uncounted.succeeded?.length ?? 0);

  if (failed + (status.terminating ?? 0) < counts.failed + counts.deleted) {
    const problem = `and status.terminating count fewer than the ${counts.failed + counts.deleted} failed or deleted Pods`;
    list.add(`${path}.status.failed`, status.failed, problem, `set status.failed to at least ${counts.failed}`);
  }
  if (succeeded !== counts.succeeded) {
    const problem = `differs from the ${counts.succeeded} succeeded Pods`;
    list.add(`${path}.status.succeeded`, status.succeeded, problem, `set it to ${counts.succeeded}`);
  }
  if ((status.active ?? 0) !== counts.active) {
    const problem = `differs from the ${counts.active} pending or running Pods`;
    list.add(`${path}.status.active`, status.active, problem, `set it to ${counts.active}`);
  }

  if (pods.length > 0 && status.startTime === undefined) {
    list.add(`${path}.status.startTime`, undefined, 'is missing on a Job with Pods', 'copy it from the Job status');
  }
  if (before(status.startTime, job.metadata?.creationTimestamp)) {
    list.add(`${path}.status.startTime`, status.startTime, 'is before the Job was created', ORDER_FIX);
  }
}

function firstMatchingRule(job: V1Job, pod: V1Pod): V1PodFailurePolicyRule | undefined {
  const exitCodes = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]
    .map((s) => ({ name: s.name, code: s.state?.terminated?.exitCode }))
    .filter((c): c is { name: string; code: number } => c.code !== undefined && c.code !== 0);
  return job.spec?.podFailurePolicy?.rules.find((rule) => {
    const byCondition = (rule.onPodConditions ?? []).some((want) =>
      (pod.status?.conditions ?? []).some((c) => c.type === want.type && c.status === (want.status ?? 'True')));
    const codes = rule.onExitCodes;
    if (codes === undefined) return byCondition;
    // Per the Job API, exit code 0 never matches, and NotIn matches any other code outside the set.
    return exitCodes.some((c) => (codes.containerName === undefined || codes.containerName === c.name)
      && codes.values.includes(c.code) === (codes.operator === 'In'));
  });
}
