import type { CoreV1Event, V1CronJob, V1Job } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Snapshot } from '../diagnose/types.ts';
import type { Signal } from '../queue/signals.ts';
import { MISSED_SCHEDULES_REASON } from '../watch/cronjob-stall.ts';
import type { ClusterReader } from './cluster-reader.ts';
import type { EpisodeRecord } from './record.ts';

/**
 * True for an episode of a CronJob that starts no runs: the watcher keys it on the
 * CronJob's uid and name, because there is no Job to key it on.
 */
export function isCronJobEpisode(signal: Signal, episode: EpisodeRecord | undefined): boolean {
  if (signal.type === 'stuck') return signal.stuck.reason === MISSED_SCHEDULES_REASON;
  return episode?.stuck?.reason === MISSED_SCHEDULES_REASON;
}

/**
 * Reads the CronJob controller's events about one CronJob (`JobAlreadyActive`,
 * `MissSchedule`, `TooManyMissedTimes`…). A failed read is logged and gives none,
 * because the diagnosis can still count missed times from the CronJob's status.
 */
export async function readCronJobEvents(
  reader: ClusterReader,
  namespace: string,
  cronJob: { name: string; uid?: string },
  logger: Logger,
): Promise<CoreV1Event[]> {
  try {
    return await reader.listEventsFor(namespace, { kind: 'CronJob', ...cronJob });
  } catch (err) {
    logger.warn({ err, cronJob: cronJob.name }, 'cronjob event list failed');
    return [];
  }
}

/**
 * Builds the diagnosis input for a CronJob that starts no runs: the live CronJob, its
 * events, and in place of a Job a stand-in made from its `jobTemplate`, without status.
 * Returns undefined when the CronJob is gone or was re-created under a new uid.
 */
export async function enrichCronJobStall(
  options: { reader: ClusterReader; logger: Logger; nowMs: number },
  target: { namespace: string; name: string; uid: string },
): Promise<{ snapshot: Snapshot; missing: string[] } | undefined> {
  const cronJob = await options.reader.getCronJob(target.namespace, target.name);
  if (cronJob?.metadata?.uid !== target.uid) return undefined;
  const events = await readCronJobEvents(options.reader, target.namespace, target, options.logger);
  const snapshot: Snapshot = {
    job: standInJob(cronJob),
    cronJob,
    pods: [],
    events,
    logs: [],
    now: new Date(options.nowMs).toISOString(),
  };
  return { snapshot, missing: [] };
}

/**
 * Returns a Job named after the CronJob with its template's spec. It carries no owner
 * reference, so the episode is not counted as a run of the CronJob's incident.
 */
function standInJob(cronJob: V1CronJob): V1Job {
  const template = cronJob.spec?.jobTemplate;
  const metadata: NonNullable<V1Job['metadata']> = {
    name: cronJob.metadata?.name ?? '',
    namespace: cronJob.metadata?.namespace ?? '',
  };
  if (template?.metadata?.labels) metadata.labels = template.metadata.labels;
  if (template?.metadata?.annotations) metadata.annotations = template.metadata.annotations;
  const job: V1Job = { apiVersion: 'batch/v1', kind: 'Job', metadata };
  if (template?.spec) job.spec = template.spec;
  return job;
}
