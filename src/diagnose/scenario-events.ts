import type { CoreV1Event, KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { at, before } from './scenario-consistency.ts';
import type { LogEntry, ProblemList } from './scenario-consistency.ts';

/*
 * The story checks of `checkScenario` for Events and logs: whether each Event is about an
 * object of the scenario and names the Nodes, Secrets and ConfigMaps its Pod used, and
 * whether each log belongs to a container of a Pod.
 */

/**
 * Checks each Event's fields, the object it is about, and the Nodes, Secrets and ConfigMaps
 * it names.
 */
export function checkEvents(list: ProblemList, objects: KubernetesObject[], pods: V1Pod[]): void {
  const events = objects.filter((o) => o.kind === 'Event') as CoreV1Event[];
  for (const event of events) {
    const path = at(objects, event);
    for (const field of ['reason', 'message'] as const) {
      if (!event[field]) {
        list.add(
          `${path}.${field}`,
          event[field],
          'is missing',
          `copy ${field} from kubectl get events -o json`,
        );
      }
    }
    if (event.type !== 'Normal' && event.type !== 'Warning') {
      list.add(
        `${path}.type`,
        event.type,
        'is not Normal or Warning',
        'copy the type of the event',
      );
    }
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
    list.add(
      `${path}.count`,
      event.count,
      'is not a positive whole number',
      `set how often the event was seen, such as ${seen}`,
    );
  }
  if (!event.source?.component) {
    const fix = event.reportingComponent
      ? `set it to "${event.reportingComponent}", the reportingComponent`
      : 'name the component, such as kubelet or job-controller';
    list.add(`${path}.source.component`, event.source?.component, 'is missing', fix);
  }
  if (!event.firstTimestamp || !event.lastTimestamp) {
    const fix = event.eventTime
      ? `copy eventTime ${JSON.stringify(event.eventTime)} into both`
      : 'copy both times of the event';
    list.add(`${path}.firstTimestamp`, event.firstTimestamp, 'or lastTimestamp is missing', fix);
  } else if (before(event.lastTimestamp, event.firstTimestamp)) {
    list.add(
      `${path}.lastTimestamp`,
      event.lastTimestamp,
      'is before firstTimestamp',
      'order the times as they happened',
    );
  }
}

function checkInvolved(
  list: ProblemList,
  objects: KubernetesObject[],
  path: string,
  event: CoreV1Event,
): void {
  const involved = event.involvedObject;
  for (const field of ['kind', 'name', 'uid'] as const) {
    if (!involved?.[field]) {
      list.add(
        `${path}.involvedObject.${field}`,
        involved?.[field],
        'is missing',
        `name the ${field} of the object the event is about`,
      );
    }
  }
  const target = objects.find((o) => o.metadata?.uid === involved?.uid);
  if (target === undefined) {
    // Events outlive the Pods they describe (the API server keeps them an hour by default),
    // and a Node may not be in the story.
    if (involved?.kind === 'Pod' || involved?.kind === 'Node') return;
    list.add(
      `${path}.involvedObject.uid`,
      involved?.uid,
      `matches no object of the scenario`,
      `add the ${involved?.kind ?? 'object'} or fix the uid`,
    );
    return;
  }
  if (target.kind !== involved?.kind || target.metadata?.name !== involved.name) {
    list.add(
      `${path}.involvedObject`,
      `${involved?.kind}/${involved?.name}`,
      `has the uid of ${target.kind}/${target.metadata?.name}`,
      'make kind, name and uid name one object',
    );
  }
  if (target.metadata?.namespace !== involved?.namespace) {
    list.add(
      `${path}.involvedObject.namespace`,
      involved?.namespace,
      `differs from the namespace of ${target.kind}/${target.metadata?.name}`,
      `set it to ${JSON.stringify(target.metadata?.namespace)}`,
    );
  }
}

// Texts of the scheduler and kubelet that name a Node, Secret or ConfigMap.
const ASSIGNED = /^Successfully assigned (\S+)\/(\S+) to (\S+)$/;
const PREEMPTED_ON = /on node (\S+)$/;
const SECRET_NAMED = /(?:secret "([^"]+)" not found|in Secret [^/\s]+\/(\S+))/i;
const CONFIG_MAP_NAMED = /(?:configmap "([^"]+)" not found|in ConfigMap [^/\s]+\/(\S+))/i;

function checkNamedObjects(list: ProblemList, path: string, event: CoreV1Event, pods: V1Pod[]): void {
  if (event.involvedObject?.kind !== 'Pod') return;
  const pod = pods.find((p) => p.metadata?.uid === event.involvedObject?.uid);
  if (pod === undefined) return;
  checkNamedNode(list, path, event, pod);
  checkNamedConfig(list, path, event.message ?? '', pod);
}

function checkNamedNode(list: ProblemList, path: string, event: CoreV1Event, pod: V1Pod): void {
  const message = event.message ?? '';
  const node = pod.spec?.nodeName;
  const assigned = ASSIGNED.exec(message);
  const named = assigned?.[3] ?? PREEMPTED_ON.exec(message)?.[1];
  if (named !== undefined && named !== node) {
    const problem = `names node ${named}, but the Pod ran on ${node ?? 'no node'}`;
    list.add(`${path}.message`, message, problem, "set the Pod's spec.nodeName or the message to one node");
  }
  if (assigned !== null && assigned[2] !== pod.metadata?.name) {
    const problem = `assigns ${assigned[2]}, not the involved Pod ${pod.metadata?.name}`;
    list.add(`${path}.message`, message, problem, 'name the involved Pod');
  }
  const host = event.source?.host;
  if (host !== undefined && node !== undefined && host !== node) {
    list.add(`${path}.source.host`, host, `differs from the Pod's node ${node}`, 'set it to the node that ran the Pod');
  }
}

function checkNamedConfig(list: ProblemList, path: string, message: string, pod: V1Pod): void {
  const used = podReferences(pod);
  const secret = SECRET_NAMED.exec(message);
  const secretName = secret?.[1] ?? secret?.[2];
  if (secretName !== undefined && !used.secrets.has(secretName)) {
    const fix = 'reference it in the Pod spec (env, envFrom, volumes or imagePullSecrets)';
    list.add(`${path}.message`, message, `names Secret ${secretName}, which the Pod does not use`, fix);
  }
  const configMap = CONFIG_MAP_NAMED.exec(message);
  const configMapName = configMap?.[1] ?? configMap?.[2];
  if (configMapName !== undefined && !used.configMaps.has(configMapName)) {
    const fix = 'reference it in the Pod spec (env, envFrom or volumes)';
    list.add(`${path}.message`, message, `names ConfigMap ${configMapName}, which the Pod does not use`, fix);
  }
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
      list.add(
        `${path}.pod`,
        `${log.namespace}/${log.pod}`,
        'is not a Pod of the scenario',
        'add the Pod or fix namespace and pod',
      );
      continue;
    }
    const spec = pod.spec;
    const containers = [
      ...(spec?.initContainers ?? []),
      ...(spec?.containers ?? []),
      ...(spec?.ephemeralContainers ?? []),
    ].map((c) => c.name);
    if (!containers.includes(log.container)) {
      list.add(
        `${path}.container`,
        log.container,
        `is not a container of Pod ${log.pod}`,
        `use one of ${containers.join(', ')}`,
      );
    }
  }
}
