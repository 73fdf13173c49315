import { formatTimestamp } from './object-store.ts';
import type { KubeObject } from './resources.ts';
import { badRequest } from './status.ts';

/** The logs of one container: the current run and the run before the last restart. */
export interface ContainerLogs {
  current?: Buffer | undefined;
  previous?: Buffer | undefined;
  /** When the logs were set; used for `timestamps=true` and `sinceSeconds`. */
  writtenAt: Date;
}

/** Container logs by namespace, pod and container, held as bytes so large logs stay cheap. */
export class LogStore {
  readonly #logs = new Map<string, ContainerLogs>();

  /** Sets (replaces) the logs of one container. Strings are stored as UTF-8. */
  set(
    namespace: string,
    pod: string,
    container: string,
    logs: { current?: string | Buffer; previous?: string | Buffer },
    writtenAt: Date,
  ): void {
    const toBuffer = (text: string | Buffer | undefined) =>
      text === undefined ? undefined : Buffer.isBuffer(text) ? text : Buffer.from(text);
    this.#logs.set(`${namespace}/${pod}/${container}`, {
      current: toBuffer(logs.current),
      previous: toBuffer(logs.previous),
      writtenAt,
    });
  }

  /** Returns the logs of one container, or `undefined` when none were set. */
  get(namespace: string, pod: string, container: string): ContainerLogs | undefined {
    return this.#logs.get(`${namespace}/${pod}/${container}`);
  }

  /** Forgets the logs of every container of one pod. */
  deletePod(namespace: string, pod: string): void {
    for (const key of this.#logs.keys()) {
      if (key.startsWith(`${namespace}/${pod}/`)) this.#logs.delete(key);
    }
  }
}

interface ContainerSpec {
  name: string;
}

interface ContainerState {
  waiting?: { reason?: string };
  running?: { startedAt?: string };
  terminated?: { exitCode?: number; containerID?: string };
}

interface ContainerStatus {
  name: string;
  state?: ContainerState;
  lastState?: ContainerState;
}

interface PodShape {
  metadata: { name?: string; annotations?: Record<string, string> };
  spec?: {
    nodeName?: string;
    containers?: ContainerSpec[];
    initContainers?: ContainerSpec[];
    ephemeralContainers?: ContainerSpec[];
  };
  status?: {
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
    ephemeralContainerStatuses?: ContainerStatus[];
  };
}

function goList(names: string[]): string {
  return `[${names.join(' ')}]`;
}

/**
 * Picks the container a log request is for, with the API server's 400 errors: no name given
 * for a pod with several containers, or a name the pod does not have.
 */
export function resolveContainer(podObject: KubeObject, requested: string | undefined): string {
  const pod = podObject as unknown as PodShape;
  const podName = pod.metadata.name ?? '';
  const main = (pod.spec?.containers ?? []).map((c) => c.name);
  const init = (pod.spec?.initContainers ?? []).map((c) => c.name);
  const ephemeral = (pod.spec?.ephemeralContainers ?? []).map((c) => c.name);
  if (requested === undefined || requested === '') {
    const annotated = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
    if (annotated !== undefined && main.includes(annotated)) return annotated;
    if (main.length === 1 && main[0] !== undefined) return main[0];
    let message =
      `a container name must be specified for pod ${podName}, ` + `choose one of: ${goList(main)}`;
    if (init.length > 0) message += ` or one of the init containers: ${goList(init)}`;
    throw badRequest(message);
  }
  if (![...main, ...init, ...ephemeral].includes(requested)) {
    throw badRequest(`container ${requested} is not valid for pod ${podName}`);
  }
  return requested;
}

function findStatus(pod: PodShape, container: string): ContainerStatus | undefined {
  const all = [
    ...(pod.status?.containerStatuses ?? []),
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.ephemeralContainerStatuses ?? []),
  ];
  return all.find((s) => s.name === container);
}

function waitingMessage(reason: string | undefined): string {
  if (reason === 'ErrImagePull') return ": image can't be pulled";
  if (reason === 'ImagePullBackOff') return ': trying and failing to pull image';
  if (reason !== undefined && reason !== '') return `: ${reason}`;
  return ' - no logs yet';
}

/**
 * Checks, as the kubelet does before reading a log, that the container has run (or, for
 * `previous`, has a terminated earlier run). Throws a 400 StatusError with the kubelet's text.
 */
export function checkLogAvailable(podObject: KubeObject, container: string, previous: boolean): void {
  const pod = podObject as unknown as PodShape;
  const podName = pod.metadata.name ?? '';
  if (pod.spec?.nodeName === undefined || pod.spec.nodeName === '') {
    throw badRequest(`pod ${podName} does not have a host assigned`);
  }
  const status = findStatus(pod, container);
  if (status === undefined) {
    throw badRequest(`container "${container}" in pod "${podName}" is not available`);
  }
  if (previous) {
    if (status.lastState?.terminated === undefined) {
      throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
    }
    return;
  }
  if (status.state?.running || status.state?.terminated || status.lastState?.terminated) return;
  throw badRequest(
    `container "${container}" in pod "${podName}" is waiting to start` +
      waitingMessage(status.state?.waiting?.reason),
  );
}

/** Formats the time that `timestamps=true` puts before each line (RFC 3339 with nanoseconds). */
export function logTimestamp(time: Date): string {
  const millis = String(time.getMilliseconds()).padStart(3, '0');
  return formatTimestamp(time).replace(/Z$/, `.${millis}000000Z`);
}
