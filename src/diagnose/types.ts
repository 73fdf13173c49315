import type {
  CoreV1Event,
  KubernetesObject,
  V1CronJob,
  V1Job,
  V1Node,
  V1Pod,
} from '@kubernetes/client-node';

/** Failure cause ids. Alerts, metrics, tests and scenario files use them verbatim. */
export const CAUSE_IDS = [
  'app-error',
  'app-crash',
  'oom-killed',
  'evicted',
  'unschedulable',
  'quota-exceeded',
  'admission-denied',
  'deadline-exceeded',
  'pod-failure-policy',
  'image-pull',
  'image-invalid',
  'command-invalid',
  'config-missing',
  'volume-mount',
  'permission-denied',
  'dependency-unavailable',
  'node-disruption',
  'schedule-missed',
  'unknown',
] as const;

export type CauseId = (typeof CAUSE_IDS)[number];

/** One container's log as `kubectl logs` prints it; `previous` marks the earlier run. */
export interface ContainerLog {
  namespace: string;
  pod: string;
  container: string;
  previous: boolean;
  text: string;
  /** True when the text is a tail cut to a byte or line limit. */
  truncated?: boolean | undefined;
}

/**
 * Everything known about one Job at diagnosis time. Pods include those captured
 * by the watcher before the job controller or a TTL deleted them.
 */
export interface Snapshot {
  job: V1Job;
  cronJob?: V1CronJob;
  pods: V1Pod[];
  events: CoreV1Event[];
  nodes?: V1Node[];
  logs: ContainerLog[];
  /** Other objects a story needs: PersistentVolumeClaims, ResourceQuotas and so on. */
  others?: KubernetesObject[];
  /** Evaluation time, as an ISO 8601 string; defaults to the newest timestamp seen. */
  now?: string;
}

/** Where a quote came from: an object's status, an event, a log line or the spec. */
export type EvidenceSource = 'status' | 'event' | 'log' | 'spec';

export interface EvidenceQuote {
  source: EvidenceSource;
  /** The exact text as the cluster or program wrote it, or a field path and its value. */
  text: string;
  /** The object it came from, such as `pod/report-x7k2p` or `container report`. */
  object?: string;
}

export type Confidence = 'high' | 'medium' | 'low';

export interface Diagnosis {
  cause: CauseId;
  /** The `reason` of the Job's `Failed` condition, or null while the Job has not failed. */
  reason: string | null;
  /** One line: what failed and why, with the decisive value. */
  summary: string;
  evidence: EvidenceQuote[];
  /** The next step, with the object's own values. */
  fix: string;
  secondary: CauseId[];
  confidence: Confidence;
  /** The pod and container the cause was read from, when there is one. */
  pod?: string;
  container?: string;
}
