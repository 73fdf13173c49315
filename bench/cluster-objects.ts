/**
 * Jobs and Pods with the fields and bulk that a real API server returns (managedFields,
 * service account volumes, tolerations, conditions), for the memory benchmarks. A Job is
 * failed (backoff limit reached, its pod exited 1) or complete (its pod succeeded).
 */
import type { RawObject } from '../src/kube/list-watch-source.ts';

/** Options shared by a Job and its pod. */
export interface ObjectOptions {
  /** True for a failed Job and pod, false for a complete Job and a succeeded pod. */
  failed: boolean;
  /** RFC 3339 time used for every timestamp. */
  time: string;
  /** Namespaces the objects are spread over, by index. Default 40. */
  namespaces?: number;
}

/** Names and labels that tie Job number `index` and its pod together. */
export function jobIdentity(index: number, namespaces = 40) {
  const name = `etl-nightly-${index}`;
  const uid = `6f1c2a4e-0000-4000-8000-${String(index).padStart(12, '0')}`;
  const labels = {
    app: 'etl',
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': name,
    'controller-uid': uid,
    'job-name': name,
  };
  return { name, uid, namespace: `team-${index % namespaces}`, labels };
}

function managedFields(manager: string, time: string, fields: Record<string, unknown>): RawObject[] {
  return [{ manager, operation: 'Update', apiVersion: 'v1', time, fieldsType: 'FieldsV1', fieldsV1: fields }];
}

const container = {
  name: 'main',
  image: 'registry.example.com/etl/nightly:2026.11.30',
  args: ['--date', '2026-11-29', '--partitions', '64', '--output', 's3://bucket/path'],
  env: [
    { name: 'LOG_LEVEL', value: 'info' },
    { name: 'REGION', value: 'eu-west-1' },
  ],
  resources: { limits: { cpu: '2', memory: '4Gi' }, requests: { cpu: '1', memory: '2Gi' } },
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
  imagePullPolicy: 'IfNotPresent',
};

/** Builds Job number `index`. */
export function rawJob(index: number, options: ObjectOptions): RawObject {
  const { name, uid, namespace, labels } = jobIdentity(index, options.namespaces);
  const { time } = options;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace,
      uid,
      creationTimestamp: time,
      labels,
      annotations: { 'batch.kubernetes.io/job-tracking': '' },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'etl-nightly', uid: 'cj-uid', controller: true, blockOwnerDeletion: true }],
      managedFields: managedFields('kube-controller-manager', time, { 'f:status': { 'f:conditions': {}, 'f:failed': {}, 'f:startTime': {} } }),
    },
    spec: {
      backoffLimit: 3,
      completionMode: 'NonIndexed',
      completions: 1,
      parallelism: 1,
      suspend: false,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
      template: { metadata: { labels }, spec: { restartPolicy: 'Never', containers: [container] } },
    },
    status: jobStatus(options),
  };
}

function jobStatus({ failed, time }: ObjectOptions): RawObject {
  const times = { lastTransitionTime: time, lastProbeTime: time };
  if (failed) {
    const condition = { status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
    const conditions = [{ type: 'FailureTarget', ...condition, ...times }, { type: 'Failed', ...condition, ...times }];
    return { failed: 4, succeeded: 0, startTime: time, conditions };
  }
  const conditions = [{ type: 'SuccessCriteriaMet', status: 'True', ...times }, { type: 'Complete', status: 'True', ...times }];
  return { failed: 0, succeeded: 1, startTime: time, completionTime: time, conditions };
}

/** Builds the pod of Job number `index`, as the job controller and the kubelet leave it. */
export function rawPod(index: number, options: ObjectOptions): RawObject {
  const job = jobIdentity(index, options.namespaces);
  const { time } = options;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${job.name}-x7k2p`,
      namespace: job.namespace,
      uid: `9a3d5b7c-0000-4000-8000-${String(index).padStart(12, '0')}`,
      creationTimestamp: time,
      labels: job.labels,
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: job.name, uid: job.uid, controller: true, blockOwnerDeletion: true }],
      finalizers: ['batch.kubernetes.io/job-tracking'],
      managedFields: [
        ...managedFields('kube-controller-manager', time, { 'f:metadata': { 'f:labels': {}, 'f:ownerReferences': {} }, 'f:spec': { 'f:containers': {} } }),
        ...managedFields('kubelet', time, { 'f:status': { 'f:conditions': {}, 'f:containerStatuses': {}, 'f:podIP': {} } }),
      ],
    },
    spec: podSpec(),
    status: podStatus(index, options),
  };
}

function podSpec(): RawObject {
  const tokenVolume = {
    name: 'kube-api-access-7xk2q',
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
  const mount = { name: tokenVolume.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' };
  const toleration = (key: string) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  return {
    restartPolicy: 'Never',
    containers: [{ ...container, volumeMounts: [mount] }],
    volumes: [tokenVolume],
    nodeName: 'node-a',
    serviceAccountName: 'default',
    dnsPolicy: 'ClusterFirst',
    schedulerName: 'default-scheduler',
    securityContext: {},
    terminationGracePeriodSeconds: 30,
    enableServiceLinks: true,
    preemptionPolicy: 'PreemptLowerPriority',
    priority: 0,
    tolerations: [toleration('node.kubernetes.io/not-ready'), toleration('node.kubernetes.io/unreachable')],
  };
}

function podStatus(index: number, { failed, time }: ObjectOptions): RawObject {
  const condition = (type: string, status: string) => ({ type, status, lastProbeTime: null, lastTransitionTime: time });
  const terminated = failed
    ? { exitCode: 1, reason: 'Error', startedAt: time, finishedAt: time, containerID: `containerd://${'c'.repeat(56)}${index}` }
    : { exitCode: 0, reason: 'Completed', startedAt: time, finishedAt: time, containerID: `containerd://${'c'.repeat(56)}${index}` };
  return {
    phase: failed ? 'Failed' : 'Succeeded',
    conditions: [
      condition('PodReadyToStartContainers', 'False'),
      condition('Initialized', 'True'),
      condition('Ready', 'False'),
      condition('ContainersReady', 'False'),
      condition('PodScheduled', 'True'),
    ],
    hostIP: '10.0.3.17',
    hostIPs: [{ ip: '10.0.3.17' }],
    podIP: '10.244.3.12',
    podIPs: [{ ip: '10.244.3.12' }],
    startTime: time,
    qosClass: 'Burstable',
    containerStatuses: [
      {
        name: 'main',
        ready: false,
        restartCount: 0,
        started: false,
        image: container.image,
        imageID: `registry.example.com/etl/nightly@sha256:${'a'.repeat(64)}`,
        containerID: terminated.containerID,
        state: { terminated },
        lastState: {},
      },
    ],
  };
}
