import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from 'undici';
import { inject } from 'vitest';
import { startFakeSlack } from '../../fake-slack/index.ts';
import type { FakeSlack, StoredMessage } from '../../fake-slack/types.ts';
import { ALERT_CHANNEL, eventually, harnessEnv, launchInProcess, type InProcessJobwatch } from '../../support/harness.ts';
import { testRedisUrl, uniquePrefix } from '../../support/redis.ts';
import { ANNOTATION } from './fake-kubelet.ts';
import type { ControlPlaneInfo } from './global-control-plane.ts';
import { createKubeClient, type KubeClient } from './kube-client.ts';

export { ANNOTATION };

/** Returns the run's control plane with an administrator's client. */
export function controlPlane(): ControlPlaneInfo & { kube: KubeClient; dispatcher: Agent } {
  const info = inject('controlPlane');
  const dispatcher = new Agent({
    connect: {
      ca: readFileSync(join(info.pki, 'ca.crt')),
      cert: readFileSync(join(info.pki, 'admin.crt')),
      key: readFileSync(join(info.pki, 'admin.key')),
    },
  });
  return { ...info, dispatcher, kube: createKubeClient(info.server, dispatcher) };
}

let namespaceCounter = 0;

/** Creates a namespace of its own for one test. */
export async function createNamespace(kube: KubeClient, stem: string): Promise<string> {
  namespaceCounter += 1;
  const name = `${stem}-${process.pid}-${namespaceCounter}-${Date.now().toString(36)}`.slice(0, 63).replace(/-+$/, '');
  await kube.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

export interface E2eJobwatch {
  slack: FakeSlack;
  prefix: string;
  current: InProcessJobwatch;
  lines: string[];
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts jobwatch in this process against the real API server, the strict fake Slack and real Redis. */
export async function startJobwatchOn(kubeconfig: string, env: Record<string, string> = {}): Promise<E2eJobwatch> {
  const slack = await startFakeSlack({ channels: [{ id: ALERT_CHANNEL, name: 'job-alerts' }] });
  const prefix = uniquePrefix('e2e');
  const lines: string[] = [];
  const fullEnv = { ...harnessEnv(slack, testRedisUrl(), prefix), KUBECONFIG: kubeconfig, ...env };
  const handle: E2eJobwatch = {
    slack,
    prefix,
    lines,
    current: await launchInProcess(fullEnv, lines),
    async restart() {
      await handle.current.jobwatch.stop().catch(() => undefined);
      await handle.current.close();
      handle.current = await launchInProcess(fullEnv, lines);
    },
    async stop() {
      await handle.current.jobwatch.stop().catch(() => undefined);
      await handle.current.close();
      await slack.stop();
    },
  };
  await eventually(() => handle.current.jobwatch.ready(), 'jobwatch ready on the real API server', 60_000);
  return handle;
}

/** Alert roots in the channel: messages that are not replies in a thread. */
export function rootMessages(slack: FakeSlack, channel = ALERT_CHANNEL): StoredMessage[] {
  return slack.messages(channel).filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts);
}

export interface JobOptions {
  namespace: string;
  name: string;
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  restartPolicy?: 'Never' | 'OnFailure';
  /** Annotations that tell the fake kubelet what the pod does. */
  behaviour?: Record<string, string>;
  podFailurePolicy?: unknown;
  memoryLimit?: string;
  labels?: Record<string, string>;
}

/** Builds a batch/v1 Job whose pods the fake kubelet runs as `behaviour` describes. */
export function jobManifest(options: JobOptions): Record<string, unknown> {
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.behaviour ?? {})) annotations[`${ANNOTATION}/${key}`] = value;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: options.name, namespace: options.namespace, labels: options.labels ?? {} },
    spec: {
      backoffLimit: options.backoffLimit ?? 0,
      ...(options.activeDeadlineSeconds === undefined ? {} : { activeDeadlineSeconds: options.activeDeadlineSeconds }),
      ...(options.podFailurePolicy === undefined ? {} : { podFailurePolicy: options.podFailurePolicy }),
      template: {
        metadata: { annotations },
        spec: {
          restartPolicy: options.restartPolicy ?? 'Never',
          containers: [
            {
              name: 'main',
              image: 'registry.example/batch/report:1.4.2',
              ...(options.memoryLimit ? { resources: { limits: { memory: options.memoryLimit }, requests: { memory: options.memoryLimit } } } : {}),
            },
          ],
        },
      },
    },
  };
}

export async function createJob(kube: KubeClient, options: JobOptions): Promise<{ metadata: { uid: string } }> {
  return kube.call('POST', `/apis/batch/v1/namespaces/${options.namespace}/jobs`, jobManifest(options));
}

export interface JobStatus {
  metadata: { uid: string; managedFields?: Array<{ manager: string; operation: string; subresource?: string; fieldsV1?: Record<string, unknown> }> };
  status?: { failed?: number; conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> };
}

/** Waits until the job controller marks the Job Failed, and returns it. */
export async function waitForJobFailed(kube: KubeClient, namespace: string, name: string, timeoutMs = 90_000): Promise<JobStatus> {
  return eventually(
    async () => {
      const job = await kube.call<JobStatus>('GET', `/apis/batch/v1/namespaces/${namespace}/jobs/${name}`);
      return job.status?.conditions?.some((c) => c.type === 'Failed' && c.status === 'True') ? job : undefined;
    },
    `job ${namespace}/${name} Failed by the job controller`,
    timeoutMs,
  );
}

/** Lists the managers that wrote a Job's status conditions, from its managedFields. */
export function conditionWriters(job: JobStatus): string[] {
  return (job.metadata.managedFields ?? [])
    .filter((f) => f.subresource === 'status' && JSON.stringify(f.fieldsV1 ?? {}).includes('f:conditions'))
    .map((f) => f.manager);
}
