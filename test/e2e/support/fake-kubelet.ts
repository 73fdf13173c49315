import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { ControlPlane } from './control-plane.ts';
import { createKubeClient, type KubeClient } from './kube-client.ts';

/**
 * A kubelet stand-in for one Node whose address is 127.0.0.1. It binds the
 * unscheduled pods to its Node, "runs" them as their annotations describe,
 * writes their status through the pods/status subresource, finishes their
 * graceful deletion, and serves `/containerLogs` over HTTPS so that
 * `kubectl logs` and jobwatch read logs through the real API server.
 *
 * Pods with a `schedulerName` other than `default-scheduler` stay unscheduled.
 *
 * Pod annotations (on the Job's pod template) choose what happens:
 *
 * - `fake-kubelet.jobwatch.dev/exit-code`: the main container's exit code (0).
 * - `fake-kubelet.jobwatch.dev/reason`: the terminated reason (`Error`, or
 *   `Completed` for 0); `OOMKilled` for an out-of-memory kill.
 * - `fake-kubelet.jobwatch.dev/message`: the termination message.
 * - `fake-kubelet.jobwatch.dev/run-ms`: how long the container runs (300);
 *   `forever` keeps it running until the pod is deleted.
 * - `fake-kubelet.jobwatch.dev/waiting`: leaves the container waiting with this
 *   reason (`ImagePullBackOff`, `CreateContainerConfigError`…) and
 *   `fake-kubelet.jobwatch.dev/waiting-message` as its message.
 * - `fake-kubelet.jobwatch.dev/evict`: the kubelet evicts the pod after run-ms,
 *   with this text as the eviction message and a DisruptionTarget condition.
 * - `fake-kubelet.jobwatch.dev/log`: the log of every container, one attempt;
 *   `fake-kubelet.jobwatch.dev/log.NAME` overrides it for container NAME.
 */
export const ANNOTATION = 'fake-kubelet.jobwatch.dev';

export interface FakeKubelet {
  nodeName: string;
  port: number;
  /** Pods this kubelet has run, by `namespace/name`, with what it last wrote. */
  pods(): Map<string, PodRecord>;
  stop(): Promise<void>;
}

export interface PodRecord {
  uid: string;
  phase: string;
  logs: Map<string, string>;
  /** Logs of the previous run of a restarted container. */
  previousLogs: Map<string, string>;
}

export interface FakeKubeletOptions {
  plane: ControlPlane;
  nodeName?: string;
}

type Pod = {
  metadata: { name: string; namespace: string; uid: string; annotations?: Record<string, string>; deletionTimestamp?: string; resourceVersion: string };
  spec: {
    nodeName?: string;
    schedulerName?: string;
    restartPolicy?: string;
    containers: Array<{ name: string; image: string }>;
    initContainers?: Array<{ name: string; image: string }>;
  };
  status?: { phase?: string; containerStatuses?: Array<{ name: string; restartCount?: number }> };
};

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export async function startFakeKubelet(options: FakeKubeletOptions): Promise<FakeKubelet> {
  const { plane } = options;
  const nodeName = options.nodeName ?? 'fake-node';
  const kube = createKubeClient(plane.server, plane.adminDispatcher);
  const records = new Map<string, PodRecord>();
  const timers = new Set<NodeJS.Timeout>();
  const controller = new AbortController();

  const server = await serveLogs(plane, records);
  const port = (server.address() as AddressInfo).port;
  await registerNode(kube, nodeName, port);

  const later = (ms: number, run: () => Promise<void>): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run().catch(() => undefined);
    }, ms);
    timers.add(timer);
  };

  const handled = new Set<string>();
  const onPod = async (type: string, pod: Pod): Promise<void> => {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (type === 'DELETED') {
      handled.delete(pod.metadata.uid);
      return;
    }
    if (!pod.spec.nodeName) {
      // Only the default scheduler's pods are bound, so a test can keep a pod unscheduled.
      if ((pod.spec.schedulerName ?? 'default-scheduler') === 'default-scheduler') await bind(kube, pod, nodeName);
      return;
    }
    if (pod.spec.nodeName !== nodeName) return;
    const phase = pod.status?.phase ?? 'Pending';
    const terminal = phase === 'Failed' || phase === 'Succeeded';
    if (pod.metadata.deletionTimestamp) {
      if (!terminal) await killForDeletion(kube, pod, records);
      return;
    }
    if (handled.has(pod.metadata.uid)) return;
    handled.add(pod.metadata.uid);
    records.set(key, { uid: pod.metadata.uid, phase, logs: logsOf(pod), previousLogs: new Map() });
    await startPod(kube, pod, records, later);
  };

  // List and watch every pod, again after any error: the API server may restart.
  const loop = async (): Promise<void> => {
    while (!controller.signal.aborted) {
      try {
        const list = await kube.call<{ metadata: { resourceVersion: string }; items: Pod[] }>('GET', '/api/v1/pods');
        for (const pod of list.items) await onPod('ADDED', pod).catch(() => undefined);
        await kube.watch(
          `/api/v1/pods?watch=true&allowWatchBookmarks=true&resourceVersion=${list.metadata.resourceVersion}`,
          (event) => {
            if (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED') {
              void onPod(event.type, event.object as unknown as Pod).catch(() => undefined);
            }
          },
          controller.signal,
        );
      } catch {
        // reconnect below
      }
      if (!controller.signal.aborted) await new Promise((r) => setTimeout(r, 300));
    }
  };
  const loopDone = loop();

  return {
    nodeName,
    port,
    pods: () => records,
    async stop() {
      controller.abort();
      for (const timer of timers) clearTimeout(timer);
      await loopDone;
      await new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
    },
  };
}

async function registerNode(kube: KubeClient, nodeName: string, port: number): Promise<void> {
  const existing = await kube.request('GET', `/api/v1/nodes/${nodeName}`);
  if (existing.status === 404) {
    await kube.call('POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: nodeName, labels: { 'kubernetes.io/hostname': nodeName, 'kubernetes.io/os': 'linux' } },
    });
  }
  await kube.call(
    'PATCH',
    `/api/v1/nodes/${nodeName}/status`,
    {
      status: {
        addresses: [
          { type: 'InternalIP', address: '127.0.0.1' },
          { type: 'Hostname', address: nodeName },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: port } },
        capacity: { cpu: '8', memory: '32Gi', pods: '110' },
        allocatable: { cpu: '8', memory: '32Gi', pods: '110' },
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'fake kubelet is posting ready status', lastHeartbeatTime: now(), lastTransitionTime: now() }],
        nodeInfo: {
          kubeletVersion: 'v1.37.2',
          kubeProxyVersion: '',
          operatingSystem: 'linux',
          architecture: 'amd64',
          containerRuntimeVersion: 'fake://1',
          kernelVersion: '',
          osImage: 'fake',
          machineID: '',
          systemUUID: '',
          bootID: '',
        },
      },
    },
    'application/merge-patch+json',
  );
}

async function bind(kube: KubeClient, pod: Pod, nodeName: string): Promise<void> {
  const res = await kube.request('POST', `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/binding`, {
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { name: pod.metadata.name, uid: pod.metadata.uid },
    target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
  });
  // 409: another event already bound it; 404: the pod is gone.
  if (res.status >= 300 && res.status !== 409 && res.status !== 404) throw new Error(`binding ${pod.metadata.name}: ${res.text}`);
}

function logsOf(pod: Pod): Map<string, string> {
  const annotations = pod.metadata.annotations ?? {};
  const logs = new Map<string, string>();
  for (const container of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    const text = annotations[`${ANNOTATION}/log.${container.name}`] ?? annotations[`${ANNOTATION}/log`] ?? '';
    logs.set(container.name, text);
  }
  return logs;
}

async function patchStatus(kube: KubeClient, pod: Pod, status: Record<string, unknown>): Promise<void> {
  await kube.call('PATCH', `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`, { status }, 'application/merge-patch+json');
}

function readyConditions(ready: boolean, at: string): Array<Record<string, string>> {
  const value = ready ? 'True' : 'False';
  return [
    { type: 'PodReadyToStartContainers', status: 'True', lastTransitionTime: at },
    { type: 'Initialized', status: 'True', lastTransitionTime: at },
    { type: 'Ready', status: value, lastTransitionTime: at, ...(ready ? {} : { reason: 'PodCompleted' }) },
    { type: 'ContainersReady', status: value, lastTransitionTime: at, ...(ready ? {} : { reason: 'PodCompleted' }) },
    { type: 'PodScheduled', status: 'True', lastTransitionTime: at },
  ];
}

async function startPod(kube: KubeClient, pod: Pod, records: Map<string, PodRecord>, later: (ms: number, run: () => Promise<void>) => void): Promise<void> {
  const annotations = pod.metadata.annotations ?? {};
  const startedAt = now();
  const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
  const waiting = annotations[`${ANNOTATION}/waiting`];
  if (waiting) {
    await patchStatus(kube, pod, {
      phase: 'Pending',
      hostIP: '127.0.0.1',
      hostIPs: [{ ip: '127.0.0.1' }],
      startTime: startedAt,
      conditions: readyConditions(false, startedAt).map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, reason: 'ContainersNotReady' } : c)),
      containerStatuses: pod.spec.containers.map((c) => ({
        name: c.name,
        image: c.image,
        imageID: '',
        ready: false,
        restartCount: 0,
        started: false,
        state: { waiting: { reason: waiting, message: annotations[`${ANNOTATION}/waiting-message`] ?? '' } },
      })),
    });
    return;
  }
  await patchStatus(kube, pod, {
    phase: 'Running',
    hostIP: '127.0.0.1',
    hostIPs: [{ ip: '127.0.0.1' }],
    podIP: '10.244.0.10',
    podIPs: [{ ip: '10.244.0.10' }],
    startTime: startedAt,
    conditions: readyConditions(true, startedAt),
    containerStatuses: pod.spec.containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: `fake://${c.image}`,
      containerID: `fake://${pod.metadata.uid}-${c.name}`,
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt } },
    })),
  });
  const record = records.get(key);
  if (record) record.phase = 'Running';
  const runFor = annotations[`${ANNOTATION}/run-ms`] ?? '300';
  if (runFor === 'forever') return;
  later(Number(runFor), () => finishPod(kube, pod, startedAt, records, later, 0));
}

async function finishPod(
  kube: KubeClient,
  pod: Pod,
  startedAt: string,
  records: Map<string, PodRecord>,
  later: (ms: number, run: () => Promise<void>) => void,
  restarts: number,
): Promise<void> {
  const annotations = pod.metadata.annotations ?? {};
  const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
  const current = await kube.request<Pod>('GET', `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`);
  if (current.status !== 200 || current.body.metadata.uid !== pod.metadata.uid || current.body.metadata.deletionTimestamp) return;
  const finishedAt = now();
  const evict = annotations[`${ANNOTATION}/evict`];
  if (evict) {
    await patchStatus(kube, pod, {
      phase: 'Failed',
      reason: 'Evicted',
      message: evict,
      conditions: [
        ...readyConditions(false, finishedAt),
        { type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message: evict, lastTransitionTime: finishedAt },
      ],
      containerStatuses: pod.spec.containers.map((c) => ({
        name: c.name,
        image: c.image,
        imageID: `fake://${c.image}`,
        containerID: `fake://${pod.metadata.uid}-${c.name}`,
        ready: false,
        started: false,
        restartCount: restarts,
        state: { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated', startedAt, finishedAt } },
      })),
    });
    const record = records.get(key);
    if (record) record.phase = 'Failed';
    return;
  }
  const exitCode = Number(annotations[`${ANNOTATION}/exit-code`] ?? '0');
  const reason = annotations[`${ANNOTATION}/reason`] ?? (exitCode === 0 ? 'Completed' : 'Error');
  const message = annotations[`${ANNOTATION}/message`];
  const terminated = { exitCode, reason, startedAt, finishedAt, ...(message ? { message } : {}) };
  const onFailure = pod.spec.restartPolicy === 'OnFailure';
  if (exitCode !== 0 && onFailure) {
    // The container restarts in place: the pod stays Running and counts restarts.
    const record = records.get(key);
    if (record) for (const [name, text] of record.logs) record.previousLogs.set(name, text);
    const restartedAt = now();
    await patchStatus(kube, pod, {
      phase: 'Running',
      containerStatuses: pod.spec.containers.map((c) => ({
        name: c.name,
        image: c.image,
        imageID: `fake://${c.image}`,
        containerID: `fake://${pod.metadata.uid}-${c.name}-${restarts + 1}`,
        ready: true,
        started: true,
        restartCount: restarts + 1,
        lastState: { terminated },
        state: { running: { startedAt: restartedAt } },
      })),
    });
    const runFor = Number(annotations[`${ANNOTATION}/run-ms`] ?? '300');
    later(runFor, () => finishPod(kube, pod, restartedAt, records, later, restarts + 1));
    return;
  }
  const phase = exitCode === 0 ? 'Succeeded' : 'Failed';
  await patchStatus(kube, pod, {
    phase,
    conditions: readyConditions(false, finishedAt),
    containerStatuses: pod.spec.containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: `fake://${c.image}`,
      containerID: `fake://${pod.metadata.uid}-${c.name}-${restarts}`,
      ready: false,
      started: false,
      restartCount: restarts,
      state: { terminated: { ...terminated, containerID: `fake://${pod.metadata.uid}-${c.name}-${restarts}` } },
    })),
  });
  const record = records.get(key);
  if (record) record.phase = phase;
}

function lastStateOf(pod: Pod, container: string): { lastState?: unknown } {
  const status = pod.status?.containerStatuses?.find((s) => s.name === container) as { lastState?: { terminated?: unknown } } | undefined;
  return status?.lastState?.terminated ? { lastState: status.lastState } : {};
}

/** Finishes a graceful deletion: the containers stop on SIGTERM, then the pod object goes. */
async function killForDeletion(kube: KubeClient, pod: Pod, records: Map<string, PodRecord>): Promise<void> {
  const finishedAt = now();
  await patchStatus(kube, pod, {
    phase: 'Failed',
    conditions: readyConditions(false, finishedAt),
    containerStatuses: pod.spec.containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: `fake://${c.image}`,
      ready: false,
      started: false,
      restartCount: pod.status?.containerStatuses?.find((s) => s.name === c.name)?.restartCount ?? 0,
      // The kubelet keeps the run before a restart as lastState when it stops the container.
      ...lastStateOf(pod, c.name),
      state: { terminated: { exitCode: 143, reason: 'Error', startedAt: finishedAt, finishedAt } },
    })),
  }).catch(() => undefined);
  const record = records.get(`${pod.metadata.namespace}/${pod.metadata.name}`);
  if (record) record.phase = 'Failed';
  await kube.request('DELETE', `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`, {
    apiVersion: 'v1',
    kind: 'DeleteOptions',
    gracePeriodSeconds: 0,
    preconditions: { uid: pod.metadata.uid },
  });
}

/** Serves the kubelet's `/containerLogs/NS/POD/CONTAINER` endpoint from the logs the pods' annotations set. */
async function serveLogs(plane: ControlPlane, records: Map<string, PodRecord>): Promise<Server> {
  const server = createServer(
    { cert: readFileSync(join(plane.pki, 'kubelet.crt')), key: readFileSync(join(plane.pki, 'kubelet.key')) },
    (req, res) => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      const match = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (!match) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
        return;
      }
      const [, namespace, pod, container] = match as unknown as [string, string, string, string];
      const record = records.get(`${namespace}/${pod}`);
      const previous = url.searchParams.get('previous') === 'true';
      const logs = previous ? record?.previousLogs : record?.logs;
      const text = logs?.get(container);
      if (text === undefined) {
        const message = previous ? `previous terminated container "${container}" in pod "${pod}" not found` : `container "${container}" in pod "${pod}" is not available`;
        // The kubelet returns 400 for a missing previous instance, and the API server passes its text on.
        res.writeHead(previous ? 400 : 404, { 'content-type': 'text/plain' }).end(message);
        return;
      }
      let lines = text === '' ? [] : text.replace(/\n$/, '').split('\n').map((line) => `${line}\n`);
      const tail = url.searchParams.get('tailLines');
      if (tail !== null) lines = Number(tail) === 0 ? [] : lines.slice(-Number(tail));
      let body = lines.join('');
      const limit = url.searchParams.get('limitBytes');
      if (limit !== null) body = Buffer.from(body).subarray(0, Number(limit)).toString();
      res.writeHead(200, { 'content-type': 'text/plain' }).end(body);
    },
  );
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return server;
}
