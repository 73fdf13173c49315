import type { CoreV1Event, V1Job, V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { redactText, secretEnvNames } from '../diagnose/redact.ts';
import type { ContainerLog, Snapshot } from '../diagnose/types.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { CapturedEvidence } from '../queue/signals.ts';
import type { ClusterReader } from './cluster-reader.ts';
import { readCronJobEvents } from './enrich-cronjob.ts';

/** Pods whose events are read for one diagnosis; the newest are kept. */
export const MAX_PODS_WITH_EVENTS = 8;

export interface EnrichOptions {
  reader: ClusterReader;
  logger: Logger;
  tailLines: number;
  limitBytes: number;
  /** Counts each event list and log read as captured, truncated or missing. Default: not counted. */
  metrics?: Pick<Metrics, 'evidence'>;
}

export interface EnrichResult {
  snapshot: Snapshot;
  /** Evidence that could not be read, in words, for the diagnosis and the alert. */
  missing: string[];
}

/**
 * Builds the diagnosis input for one Job: the live Job, its pods, their events and
 * logs, merged with what the watcher captured before pods were deleted. `lastJob`
 * replaces a Job that has been deleted since.
 */
export async function enrichEpisode(
  options: EnrichOptions,
  target: { namespace: string; name: string; uid: string },
  lastJob: V1Job | undefined,
  evidence: Record<string, CapturedEvidence>,
): Promise<EnrichResult | undefined> {
  const { reader } = options;
  const missing: string[] = Object.values(evidence).flatMap((e) => e.missing);
  const live = await reader.getJob(target.namespace, target.name);
  const job = live?.metadata?.uid === target.uid ? live : lastJob;
  if (!job) return undefined;
  if (job !== live) missing.push(`job ${target.name}: deleted; showing what was read before`);

  const livePods = live === job ? await reader.listJobPods(target.namespace, target.uid) : [];
  const pods = mergePods(livePods, Object.values(evidence));
  const cronRef = job.metadata?.ownerReferences?.find((r) => r.controller && r.kind === 'CronJob');
  const cronJob = cronRef ? await reader.getCronJob(target.namespace, cronRef.name) : undefined;
  const events = await readEvents(reader, target, pods, options.metrics);
  // The CronJob's events show whether scheduled runs were skipped while this one ran.
  if (cronRef) events.push(...(await readCronJobEvents(reader, target.namespace, cronRef, options.logger)));
  const logs = mergeLogs(Object.values(evidence), await readMissingLogs(options, livePods, evidence, missing));

  const snapshot: Snapshot = { job, pods, events, logs };
  if (cronJob) snapshot.cronJob = cronJob;
  return { snapshot, missing };
}

function mergePods(live: V1Pod[], evidence: CapturedEvidence[]): V1Pod[] {
  const byUid = new Map<string, V1Pod>();
  for (const e of evidence) {
    const pod = e.pod as V1Pod | undefined;
    const uid = pod?.metadata?.uid;
    if (pod && uid) byUid.set(uid, pod);
  }
  // A live pod is newer than any captured copy of it.
  for (const pod of live) byUid.set(pod.metadata?.uid ?? pod.metadata?.name ?? '', pod);
  return [...byUid.values()].sort((a, b) => timeOf(a) - timeOf(b));
}

/**
 * Reads the events of the Job and of its pods. Pods the Job's `SuccessfulCreate` events
 * name but that are gone (preempted, deleted with their node) are read by name, because
 * their events often are all that is left of them.
 */
async function readEvents(
  reader: ClusterReader,
  job: { namespace: string; name: string; uid: string },
  pods: V1Pod[],
  metrics?: Pick<Metrics, 'evidence'>,
): Promise<CoreV1Event[]> {
  const listEvents = async (target: { kind: string; name: string; uid?: string }): Promise<CoreV1Event[]> => {
    try {
      const events = await reader.listEventsFor(job.namespace, target);
      metrics?.evidence('events', 'captured');
      return events;
    } catch {
      // The diagnosis goes on without the events of this object.
      metrics?.evidence('events', 'missing');
      return [];
    }
  };
  const jobEvents = await listEvents({ kind: 'Job', name: job.name, uid: job.uid });
  const known = new Set(pods.map((p) => p.metadata?.name ?? ''));
  const gone = [
    ...new Set(
      jobEvents
        .filter((e) => e.reason === 'SuccessfulCreate')
        .map((e) => /Created pod: (\S+)/.exec(e.message ?? '')?.[1])
        .filter((name): name is string => name !== undefined && !known.has(name)),
    ),
  ];
  const targets = [
    ...pods.slice(-MAX_PODS_WITH_EVENTS).map((p) => ({ kind: 'Pod', name: p.metadata?.name ?? '', uid: p.metadata?.uid ?? '' })),
    ...gone.slice(-MAX_PODS_WITH_EVENTS).map((name) => ({ kind: 'Pod', name })),
  ];
  const lists = await Promise.all(targets.map((t) => listEvents(t)));
  return [...jobEvents, ...lists.flat()];
}

async function readMissingLogs(
  options: EnrichOptions,
  livePods: V1Pod[],
  evidence: Record<string, CapturedEvidence>,
  missing: string[],
): Promise<ContainerLog[]> {
  const have = new Set(Object.values(evidence).flatMap((e) => e.logs.map((l) => `${l.pod}/${l.container}/${l.previous}`)));
  const logs: ContainerLog[] = [];
  for (const pod of livePods.slice(-MAX_PODS_WITH_EVENTS)) {
    const name = pod.metadata?.name ?? '';
    const namespace = pod.metadata?.namespace ?? '';
    const secrets = secretEnvNames(pod);
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    for (const status of statuses) {
      const wanted = [
        { previous: false, ran: status.state?.terminated !== undefined || status.state?.running !== undefined },
        { previous: true, ran: (status.restartCount ?? 0) > 0 },
      ];
      for (const { previous, ran } of wanted) {
        if (!ran || have.has(`${name}/${status.name}/${previous}`)) continue;
        const read = await options.reader.readPodLog({
          namespace, pod: name, container: status.name, previous, tailLines: options.tailLines, limitBytes: options.limitBytes,
        }).catch((err: unknown) => ({ unavailable: err instanceof Error ? err.message : String(err) }));
        const kind = previous ? 'previous_logs' : 'logs';
        if ('unavailable' in read) {
          options.metrics?.evidence(kind, 'missing');
          missing.push(`log of ${name}/${status.name}${previous ? ' (previous)' : ''}: ${read.unavailable}`);
          continue;
        }
        options.metrics?.evidence(kind, read.truncated ? 'truncated' : 'captured');
        logs.push({ namespace, pod: name, container: status.name, previous, text: redactText(read.text, { secretEnvNames: secrets }), ...(read.truncated ? { truncated: true } : {}) });
      }
    }
  }
  return logs;
}

function mergeLogs(evidence: CapturedEvidence[], fresh: ContainerLog[]): ContainerLog[] {
  const byKey = new Map<string, ContainerLog>();
  for (const log of [...evidence.flatMap((e) => e.logs), ...fresh]) byKey.set(`${log.pod}/${log.container}/${log.previous}`, log);
  return [...byKey.values()];
}

function timeOf(pod: V1Pod): number {
  const t = pod.metadata?.creationTimestamp;
  return t ? new Date(t).getTime() : 0;
}
