import type { KubeObject } from './resources.ts';

/** One `columnDefinitions` entry of a Table. `priority` 1 columns show only with `-o wide`. */
export interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

function column(name: string, type = 'string', priority = 0, format = ''): Column {
  return { name, type, format, description: `${name} column`, priority };
}

/**
 * Formats a duration as kubectl does in AGE columns (`45s`, `5m30s`, `3h`, `2d4h`), from the
 * rules of `k8s.io/apimachinery/pkg/util/duration.HumanDuration`.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  if (seconds < 120) return `${seconds}s`;
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 192) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (days < 730) return `${days}d`;
  const years = Math.floor(days / 365);
  return days < 2920 ? `${years}y${days % 365}d` : `${years}y`;
}

function age(object: KubeObject, now: Date): string {
  const created = object.metadata.creationTimestamp;
  if (created === undefined) return '<unknown>';
  return humanDuration(now.getTime() - Date.parse(created));
}

interface JobShape {
  spec?: { completions?: number; parallelism?: number; suspend?: boolean };
  status?: {
    succeeded?: number;
    startTime?: string;
    completionTime?: string;
    conditions?: { type: string; status: string }[];
  };
}

function jobStatus(job: JobShape): string {
  const active = (type: string) =>
    job.status?.conditions?.some((c) => c.type === type && c.status === 'True') === true;
  for (const type of ['Failed', 'Complete', 'FailureTarget', 'SuccessCriteriaMet', 'Suspended']) {
    if (active(type)) return type;
  }
  return 'Running';
}

/** Columns of the job table, as the real server's printer defines them. */
export const jobColumns: readonly Column[] = [
  column('Name', 'string', 0, 'name'),
  column('Status'),
  column('Completions'),
  column('Duration'),
  column('Age'),
];

/** Returns the job table cells for one Job. */
export function jobRow(object: KubeObject, now: Date): unknown[] {
  const job = object as unknown as JobShape;
  const completions = job.spec?.completions;
  const done = `${job.status?.succeeded ?? 0}/${completions ?? job.spec?.parallelism ?? 1}`;
  const start = job.status?.startTime;
  const end = job.status?.completionTime ? Date.parse(job.status.completionTime) : now.getTime();
  const duration = start === undefined ? '' : humanDuration(end - Date.parse(start));
  return [object.metadata.name, jobStatus(job), done, duration, age(object, now)];
}

interface ContainerStatus {
  ready?: boolean;
  restartCount?: number;
  state?: {
    waiting?: { reason?: string };
    terminated?: { reason?: string; exitCode?: number; signal?: number };
  };
}

interface PodShape {
  metadata: { deletionTimestamp?: string };
  spec?: { containers?: unknown[]; nodeName?: string };
  status?: { phase?: string; reason?: string; podIP?: string; containerStatuses?: ContainerStatus[] };
}

function containerReason(status: ContainerStatus): string | undefined {
  const waiting = status.state?.waiting?.reason;
  if (waiting) return waiting;
  const terminated = status.state?.terminated;
  if (terminated === undefined) return undefined;
  if (terminated.reason) return terminated.reason;
  if (terminated.signal) return `Signal:${terminated.signal}`;
  return `ExitCode:${terminated.exitCode ?? 0}`;
}

function podStatus(pod: PodShape): string {
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  if (pod.status?.reason) return pod.status.reason;
  const statuses = [...(pod.status?.containerStatuses ?? [])].reverse();
  for (const status of statuses) {
    const reason = containerReason(status);
    if (reason !== undefined && reason !== 'Completed') return reason;
  }
  return pod.status?.phase ?? 'Unknown';
}

/** Columns of the pod table; the last three show only with `-o wide`. */
export const podColumns: readonly Column[] = [
  column('Name', 'string', 0, 'name'),
  column('Ready'),
  column('Status'),
  column('Restarts', 'string'),
  column('Age'),
  column('IP', 'string', 1),
  column('Node', 'string', 1),
];

/** Returns the pod table cells for one Pod. */
export function podRow(object: KubeObject, now: Date): unknown[] {
  const pod = object as unknown as PodShape;
  const statuses = pod.status?.containerStatuses ?? [];
  const ready = `${statuses.filter((s) => s.ready === true).length}/${pod.spec?.containers?.length ?? 0}`;
  const restarts = statuses.reduce((sum, s) => sum + (s.restartCount ?? 0), 0);
  return [
    object.metadata.name,
    ready,
    podStatus(pod),
    String(restarts),
    age(object, now),
    pod.status?.podIP ?? '<none>',
    pod.spec?.nodeName ?? '<none>',
  ];
}
