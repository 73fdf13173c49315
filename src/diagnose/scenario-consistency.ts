import type {
  CoreV1Event,
  KubernetesObject,
  V1Job,
  V1JobCondition,
  V1Pod,
  V1PodFailurePolicyRule,
} from '@kubernetes/client-node';

/*
 * The story checks of `checkScenario`: whether the Job, its Pods, the Events and the logs
 * of a scenario agree the way they do on a real cluster. They run on objects whose
 * metadata already passed the shape checks.
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

function at(objects: KubernetesObject[], object: KubernetesObject): string {
  return `objects[${objects.indexOf(object)}]`;
}

function millis(time: Date | string | undefined): number | undefined {
  if (time === undefined) return undefined;
  const ms = new Date(time).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

/** Tells whether `later` is strictly before `earlier`; false when either time is unset. */
function before(later: Date | string | undefined, earlier: Date | string | undefined): boolean {
  const a = millis(later);
  const b = millis(earlier);
  return a !== undefined && b !== undefined && a < b;
}

/** Checks the Job's selector, labels, CronJob owner, conditions, counts and times. */
export function checkJob(list: ProblemList, objects: KubernetesObject[], job: V1Job, expectedReason: unknown): void {
  const path = at(objects, job);
  const uid = job.metadata?.uid ?? '';
  if (job.spec?.manualSelector !== true) {
    const selected = job.spec?.selector?.matchLabels?.[CONTROLLER_UID_LABELS[0] ?? ''];
    if (selected !== uid) list.add(`${path}.spec.selector.matchLabels`, job.spec?.selector?.matchLabels, 'does not select the Job uid', `set "batch.kubernetes.io/controller-uid": "${uid}"`);
    checkJobLabels(list, `${path}.spec.template.metadata.labels`, job.spec?.template?.metadata?.labels, job);
  }
  checkCronJobOwner(list, objects, job);
  checkConditions(list, path, job, expectedReason);
}

function checkJobLabels(list: ProblemList, path: string, labels: Record<string, string> | undefined, job: V1Job): void {
  const wanted: [string, string][] = [
    ...CONTROLLER_UID_LABELS.map((label): [string, string] => [label, job.metadata?.uid ?? '']),
    ...JOB_NAME_LABELS.map((label): [string, string] => [label, job.metadata?.name ?? '']),
  ];
  for (const [label, value] of wanted) {
    if (labels?.[label] !== value) list.add(`${path}["${label}"]`, labels?.[label], 'is not the label the job controller sets', `set it to "${value}"`);
  }
}

function checkCronJobOwner(list: ProblemList, objects: KubernetesObject[], job: V1Job): void {
  const refs = job.metadata?.ownerReferences ?? [];
  const index = refs.findIndex((r) => r.kind === 'CronJob');
  const ref = refs[index];
  const path = `${at(objects, job)}.metadata.ownerReferences[${index}]`;
  if (ref === undefined) return;
  if (ref.controller !== true) list.add(`${path}.controller`, ref.controller, 'is not true on the CronJob owner', 'set "controller": true');
  const cronJob = objects.find((o) => o.kind === 'CronJob' && o.metadata?.name === ref.name);
  if (cronJob === undefined) return;
  if (cronJob.metadata?.uid !== ref.uid) list.add(`${path}.uid`, ref.uid, `is not the uid of CronJob ${ref.name}`, `set it to "${cronJob.metadata?.uid}"`);
  if (before(job.metadata?.creationTimestamp, cronJob.metadata?.creationTimestamp)) {
    list.add(`${at(objects, job)}.metadata.creationTimestamp`, job.metadata?.creationTimestamp, 'is before its CronJob was created', 'order the times as they happened');
  }
}

function checkConditions(list: ProblemList, path: string, job: V1Job, expectedReason: unknown): void {
  const conditions = job.status?.conditions ?? [];
  conditions.forEach((c, i) => {
    if (c.status === 'True' && (!c.reason || !c.message)) list.add(`${path}.status.conditions[${i}]`, c.type, 'has no reason or message', 'copy both from the job controller');
  });
  const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
  const target = conditions.find((c) => c.type === 'FailureTarget' && c.status === 'True');
  // diagnose() reads the FailureTarget reason while the controller is still stopping pods.
  const actual = failed?.reason ?? target?.reason ?? null;
  if (expectedReason !== actual) {
    let problem = 'is set, but the Job has no Failed condition';
    if (failed !== undefined) problem = `differs from the reason ${actual} of the Job's Failed condition`;
    else if (target !== undefined) problem = `differs from the reason ${actual} of the Job's FailureTarget condition`;
    list.add('expected.reason', expectedReason, problem, `set it to ${JSON.stringify(actual)}`);
  }
  if (failed !== undefined) checkFailed(list, path, job, failed, target);
}

function checkFailed(list: ProblemList, path: string, job: V1Job, failed: V1JobCondition, target: V1JobCondition | undefined): void {
  const conditions = job.status?.conditions ?? [];
  const where = `${path}.status.conditions[${conditions.indexOf(failed)}]`;
  if (target !== undefined && target.reason !== failed.reason) {
    list.add(`${where}.reason`, failed.reason, `differs from the FailureTarget reason ${target.reason}`, 'give both conditions the same reason');
  }
  if (target !== undefined && before(failed.lastTransitionTime, target.lastTransitionTime)) {
    list.add(`${where}.lastTransitionTime`, failed.lastTransitionTime, 'is before the FailureTarget condition', 'order the times as they happened');
  }
  const start = job.status?.startTime;
  if (before(failed.lastTransitionTime, start)) list.add(`${where}.lastTransitionTime`, failed.lastTransitionTime, 'is before status.startTime', 'order the times as they happened');
  const deadline = job.spec?.activeDeadlineSeconds;
  if (failed.reason === 'DeadlineExceeded') {
    const reached = millis(target?.lastTransitionTime ?? failed.lastTransitionTime);
    const started = millis(start);
    if (deadline === undefined) list.add(`${path}.spec.activeDeadlineSeconds`, deadline, 'is missing on a Job failed with DeadlineExceeded', 'set the deadline the Job had');
    else if (reached !== undefined && started !== undefined && reached - started < deadline * 1000) {
      list.add(`${where}.lastTransitionTime`, failed.lastTransitionTime, `is less than activeDeadlineSeconds (${deadline}) after status.startTime`, 'move the condition past the deadline');
    }
  }
  if (failed.reason === 'PodFailurePolicy' && job.spec?.podFailurePolicy === undefined) {
    list.add(`${path}.spec.podFailurePolicy`, undefined, 'is missing on a Job failed with PodFailurePolicy', 'add the policy whose rule matched');
  }
  if ((job.status?.active ?? 0) > 0) list.add(`${path}.status.active`, job.status?.active, 'is above 0 on a failed Job', 'set it to 0');
}

function isJobPod(pod: V1Pod, job: V1Job): boolean {
  return (pod.metadata?.ownerReferences ?? []).some((r) => r.uid === job.metadata?.uid && r.kind === 'Job' && r.controller === true);
}

/** Checks that every Pod belongs to the Job, and that the Job's counts match its Pods. */
export function checkPods(list: ProblemList, objects: KubernetesObject[], job: V1Job, pods: V1Pod[]): void {
  const jobName = job.metadata?.name ?? '';
  for (const pod of pods) {
    const path = at(objects, pod);
    const name = pod.metadata?.name ?? '';
    if (!isJobPod(pod, job)) {
      list.add(`${path}.metadata.ownerReferences`, pod.metadata?.ownerReferences, `does not point at Job ${jobName}`, `add { "kind": "Job", "name": "${jobName}", "uid": "${job.metadata?.uid}", "controller": true }`);
    }
    if (job.spec?.manualSelector !== true) checkJobLabels(list, `${path}.metadata.labels`, pod.metadata?.labels, job);
    if (pod.metadata?.namespace !== job.metadata?.namespace) list.add(`${path}.metadata.namespace`, pod.metadata?.namespace, 'differs from the Job namespace', `set it to "${job.metadata?.namespace}"`);
    const suffix = name.startsWith(`${jobName}-`) ? name.slice(jobName.length + 1) : '';
    const indexed = job.spec?.completionMode === 'Indexed' && /^\d+-[a-z0-9]{5}$/.test(suffix);
    if (!/^[a-z0-9]{5}$/.test(suffix) && !indexed) list.add(`${path}.metadata.name`, name, `is not the Job name plus a 5-character suffix`, `name it like ${jobName}-x7k2p`);
    if (before(pod.metadata?.creationTimestamp, job.metadata?.creationTimestamp)) list.add(`${path}.metadata.creationTimestamp`, pod.metadata?.creationTimestamp, 'is before its Job was created', 'order the times as they happened');
    checkContainerTimes(list, path, pod);
  }
  // Pods that do not point at the Job were reported above. The counts include them anyway,
  // so one mistake does not also show up as a wrong Job status.
  checkCounts(list, at(objects, job), job, pods);
}

function checkContainerTimes(list: ProblemList, path: string, pod: V1Pod): void {
  const statuses = [['initContainerStatuses', pod.status?.initContainerStatuses], ['containerStatuses', pod.status?.containerStatuses]] as const;
  for (const [field, list_] of statuses) {
    (list_ ?? []).forEach((status, i) => {
      const where = `${path}.status.${field}[${i}]`;
      const ended = status.state?.terminated;
      if (ended !== undefined && before(ended.finishedAt, ended.startedAt)) list.add(`${where}.state.terminated.finishedAt`, ended.finishedAt, 'is before startedAt', 'order the times as they happened');
      const previous = status.lastState?.terminated?.finishedAt;
      const current = status.state?.running?.startedAt ?? ended?.startedAt;
      if (before(current, previous)) list.add(`${where}.lastState.terminated.finishedAt`, previous, 'is after the current run started', 'order the times as they happened');
    });
  }
}

function checkCounts(list: ProblemList, path: string, job: V1Job, pods: V1Pod[]): void {
  const status = job.status ?? {};
  const ended = (phase: string) => (p: V1Pod) => p.status?.phase === phase;
  // A Failed pod counts unless the first matching rule of the podFailurePolicy is an Ignore rule.
  const failedPods = pods.filter(ended('Failed')).filter((p) => firstMatchingRule(job, p)?.action !== 'Ignore').length;
  // A pod deleted before it ended is counted as failed once it is gone, and until then
  // it may still be counted in status.terminating.
  const deletedPods = pods.filter((p) => p.metadata?.deletionTimestamp !== undefined && !ended('Failed')(p) && !ended('Succeeded')(p)).length;
  const succeededPods = pods.filter(ended('Succeeded')).length;
  const activePods = pods.filter((p) => (ended('Pending')(p) || ended('Running')(p)) && p.metadata?.deletionTimestamp === undefined).length;
  const uncounted = status.uncountedTerminatedPods ?? {};
  // Pods can be gone (pod GC, TTL) while the Job still counts them, so more failures than Pods is fine.
  const failed = (status.failed ?? 0) + (uncounted.failed?.length ?? 0);
  const succeeded = (status.succeeded ?? 0) + (uncounted.succeeded?.length ?? 0);
  if (failed + (status.terminating ?? 0) < failedPods + deletedPods) {
    const counted = failedPods + deletedPods;
    list.add(`${path}.status.failed`, status.failed, `and status.terminating count fewer than the ${counted} failed or deleted Pods`, `set status.failed to at least ${failedPods}`);
  }
  if (succeeded !== succeededPods) list.add(`${path}.status.succeeded`, status.succeeded, `differs from the ${succeededPods} succeeded Pods`, `set it to ${succeededPods}`);
  if ((status.active ?? 0) !== activePods) list.add(`${path}.status.active`, status.active, `differs from the ${activePods} pending or running Pods`, `set it to ${activePods}`);
  if (pods.length > 0 && status.startTime === undefined) list.add(`${path}.status.startTime`, undefined, 'is missing on a Job with Pods', 'copy it from the Job status');
  if (before(status.startTime, job.metadata?.creationTimestamp)) list.add(`${path}.status.startTime`, status.startTime, 'is before the Job was created', 'order the times as they happened');
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

/** Checks each Event's fields, the object it is about, and the Nodes, Secrets and ConfigMaps it names. */
export function checkEvents(list: ProblemList, objects: KubernetesObject[], pods: V1Pod[]): void {
  const events = objects.filter((o) => o.kind === 'Event') as CoreV1Event[];
  for (const event of events) {
    const path = at(objects, event);
    for (const field of ['reason', 'message'] as const) {
      if (!event[field]) list.add(`${path}.${field}`, event[field], 'is missing', `copy ${field} from kubectl get events -o json`);
    }
    if (event.type !== 'Normal' && event.type !== 'Warning') list.add(`${path}.type`, event.type, 'is not Normal or Warning', 'copy the type of the event');
    checkEventFields(list, path, event);
    checkInvolved(list, objects, path, event);
    checkNamedObjects(list, path, event, pods);
  }
}

// Components that record through the events.k8s.io API (the scheduler among them) leave
// firstTimestamp, lastTimestamp, count and source empty in the core/v1 view, and set
// eventTime, series and reportingComponent instead, so the fixes name those fields.
function checkEventFields(list: ProblemList, path: string, event: CoreV1Event): void {
  if (!Number.isInteger(event.count) || (event.count ?? 0) < 1) {
    const seen = event.series?.count ?? 1;
    list.add(`${path}.count`, event.count, 'is not a positive whole number', `set how often the event was seen, such as ${seen}`);
  }
  if (!event.source?.component) {
    const fix = event.reportingComponent ? `set it to "${event.reportingComponent}", the reportingComponent` : 'name the component, such as kubelet or job-controller';
    list.add(`${path}.source.component`, event.source?.component, 'is missing', fix);
  }
  if (!event.firstTimestamp || !event.lastTimestamp) {
    const fix = event.eventTime ? `copy eventTime ${JSON.stringify(event.eventTime)} into both` : 'copy both times of the event';
    list.add(`${path}.firstTimestamp`, event.firstTimestamp, 'or lastTimestamp is missing', fix);
  } else if (before(event.lastTimestamp, event.firstTimestamp)) {
    list.add(`${path}.lastTimestamp`, event.lastTimestamp, 'is before firstTimestamp', 'order the times as they happened');
  }
}

function checkInvolved(list: ProblemList, objects: KubernetesObject[], path: string, event: CoreV1Event): void {
  const involved = event.involvedObject;
  for (const field of ['kind', 'name', 'uid'] as const) {
    if (!involved?.[field]) list.add(`${path}.involvedObject.${field}`, involved?.[field], 'is missing', `name the ${field} of the object the event is about`);
  }
  const target = objects.find((o) => o.metadata?.uid === involved?.uid);
  if (target === undefined) {
    // Events outlive the Pods they describe (an hour by default), and a Node may not be in the story.
    if (involved?.kind === 'Pod' || involved?.kind === 'Node') return;
    list.add(`${path}.involvedObject.uid`, involved?.uid, `matches no object of the scenario`, `add the ${involved?.kind ?? 'object'} or fix the uid`);
    return;
  }
  if (target.kind !== involved?.kind || target.metadata?.name !== involved.name) {
    list.add(`${path}.involvedObject`, `${involved?.kind}/${involved?.name}`, `has the uid of ${target.kind}/${target.metadata?.name}`, 'make kind, name and uid name one object');
  }
  if (target.metadata?.namespace !== involved?.namespace) list.add(`${path}.involvedObject.namespace`, involved?.namespace, `differs from the namespace of ${target.kind}/${target.metadata?.name}`, `set it to ${JSON.stringify(target.metadata?.namespace)}`);
}

// Texts of the scheduler and kubelet that name a Node, Secret or ConfigMap.
const ASSIGNED = /^Successfully assigned (\S+)\/(\S+) to (\S+)$/;
const PREEMPTED_ON = /on node (\S+)$/;
const SECRET_NAMED = /(?:secret "([^"]+)" not found|in Secret [^/\s]+\/(\S+))/i;
const CONFIG_MAP_NAMED = /(?:configmap "([^"]+)" not found|in ConfigMap [^/\s]+\/(\S+))/i;

function checkNamedObjects(list: ProblemList, path: string, event: CoreV1Event, pods: V1Pod[]): void {
  const message = event.message ?? '';
  const pod = event.involvedObject?.kind === 'Pod' ? pods.find((p) => p.metadata?.uid === event.involvedObject?.uid) : undefined;
  if (pod === undefined) return;
  const node = pod.spec?.nodeName;
  const assigned = ASSIGNED.exec(message);
  const named = assigned?.[3] ?? PREEMPTED_ON.exec(message)?.[1];
  if (named !== undefined && named !== node) list.add(`${path}.message`, message, `names node ${named}, but the Pod ran on ${node ?? 'no node'}`, `set the Pod's spec.nodeName or the message to one node`);
  if (assigned !== null && assigned[2] !== pod.metadata?.name) list.add(`${path}.message`, message, `assigns ${assigned[2]}, not the involved Pod ${pod.metadata?.name}`, 'name the involved Pod');
  const host = event.source?.host;
  if (host !== undefined && node !== undefined && host !== node) list.add(`${path}.source.host`, host, `differs from the Pod's node ${node}`, 'set it to the node that ran the Pod');
  const secret = SECRET_NAMED.exec(message);
  const secretName = secret?.[1] ?? secret?.[2];
  if (secretName !== undefined && !podReferences(pod).secrets.has(secretName)) list.add(`${path}.message`, message, `names Secret ${secretName}, which the Pod does not use`, 'reference it in the Pod spec (env, envFrom, volumes or imagePullSecrets)');
  const configMap = CONFIG_MAP_NAMED.exec(message);
  const configMapName = configMap?.[1] ?? configMap?.[2];
  if (configMapName !== undefined && !podReferences(pod).configMaps.has(configMapName)) list.add(`${path}.message`, message, `names ConfigMap ${configMapName}, which the Pod does not use`, 'reference it in the Pod spec (env, envFrom or volumes)');
}

function podReferences(pod: V1Pod): { secrets: Set<string>; configMaps: Set<string> } {
  const secrets = new Set<string>();
  const configMaps = new Set<string>();
  const spec = pod.spec;
  for (const s of spec?.imagePullSecrets ?? []) if (s.name) secrets.add(s.name);
  for (const v of spec?.volumes ?? []) {
    if (v.secret?.secretName) secrets.add(v.secret.secretName);
    if (v.configMap?.name) configMaps.add(v.configMap.name);
    for (const source of v.projected?.sources ?? []) {
      if (source.secret?.name) secrets.add(source.secret.name);
      if (source.configMap?.name) configMaps.add(source.configMap.name);
    }
  }
  for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
    for (const e of c.env ?? []) {
      if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
      if (e.valueFrom?.configMapKeyRef?.name) configMaps.add(e.valueFrom.configMapKeyRef.name);
    }
    for (const e of c.envFrom ?? []) {
      if (e.secretRef?.name) secrets.add(e.secretRef.name);
      if (e.configMapRef?.name) configMaps.add(e.configMapRef.name);
    }
  }
  return { secrets, configMaps };
}

/** Checks that every log names a Pod of the scenario and one of its containers. */
export function checkLogs(list: ProblemList, pods: V1Pod[], logs: LogEntry[]): void {
  for (const log of logs) {
    const path = `logs[${log.index}]`;
    const pod = pods.find((p) => p.metadata?.name === log.pod && p.metadata.namespace === log.namespace);
    if (pod === undefined) {
      list.add(`${path}.pod`, `${log.namespace}/${log.pod}`, 'is not a Pod of the scenario', 'add the Pod or fix namespace and pod');
      continue;
    }
    const spec = pod.spec;
    const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? []), ...(spec?.ephemeralContainers ?? [])].map((c) => c.name);
    if (!containers.includes(log.container)) list.add(`${path}.container`, log.container, `is not a container of Pod ${log.pod}`, `use one of ${containers.join(', ')}`);
  }
}
