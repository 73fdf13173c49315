import { randomUUID } from 'node:crypto';
import type { IncidentView } from '../slack/alert-view.ts';
import type { EpisodeStore, IncidentRecord } from './store.ts';

/** Runs of one CronJob shown in its incident's history. */
export const RUN_HISTORY = 10;

/** How long one run update may hold its CronJob's incident lock, in milliseconds. */
const INCIDENT_LOCK_MS = 10_000;
/** How long a run update waits for that lock, in milliseconds. */
const INCIDENT_LOCK_WAIT_MS = 15_000;

export type RunOutcome = IncidentRecord['runs'][number]['outcome'];

interface RunTarget {
  cronJobUid: string;
  cronJobName: string;
  namespace: string;
  jobUid: string;
  jobName: string;
}

/**
 * Records a run's outcome in its CronJob's incident, opening one on the first
 * failure. A success after failures resolves the incident; the next failure
 * opens a new one with a new root message. Returns the incident that changed.
 */
export async function recordRun(store: EpisodeStore, target: RunTarget, outcome: RunOutcome): Promise<IncidentRecord | undefined> {
  // Different workers process runs of one CronJob at once. Without this lock two of
  // them could each open an incident, each with its own root message.
  const held = await store.withLock(`cron.${target.cronJobUid}`, INCIDENT_LOCK_MS, () => recordRunLocked(store, target, outcome), INCIDENT_LOCK_WAIT_MS);
  if (!held) throw new Error(`the incident of CronJob ${target.namespace}/${target.cronJobName} stayed locked; the signal will be retried`);
  return held.value;
}

async function recordRunLocked(store: EpisodeStore, target: RunTarget, outcome: RunOutcome): Promise<IncidentRecord | undefined> {
  const openKey = await store.getOpenIncidentKey(target.cronJobUid);
  const incident = openKey ? await store.getIncident(openKey) : undefined;
  if (!incident) {
    if (outcome === 'succeeded') {
      // Successful runs before a failure give the incident its "3 of the last 4" context.
      await store.pushCronSuccess(target.cronJobUid, { jobUid: target.jobUid, jobName: target.jobName }, RUN_HISTORY - 1);
      return undefined;
    }
    const earlier = (await store.getCronSuccesses(target.cronJobUid)).filter((run) => run.jobUid !== target.jobUid);
    const fresh: IncidentRecord = {
      key: `${target.cronJobUid}.${randomUUID().slice(0, 8)}`,
      cronJobUid: target.cronJobUid,
      namespace: target.namespace,
      cronJobName: target.cronJobName,
      runs: [
        ...earlier.map((run) => ({ ...run, outcome: 'succeeded' as const })),
        { jobUid: target.jobUid, jobName: target.jobName, outcome },
      ],
      resolved: false,
      version: 1,
    };
    await store.putIncident(fresh);
    await store.setOpenIncidentKey(target.cronJobUid, fresh.key);
    return fresh;
  }
  const runs = [...incident.runs];
  const existing = runs.findIndex((r) => r.jobUid === target.jobUid);
  if (existing >= 0 && runs[existing]?.outcome === outcome) return undefined;
  if (existing >= 0) runs[existing] = { jobUid: target.jobUid, jobName: target.jobName, outcome };
  else runs.push({ jobUid: target.jobUid, jobName: target.jobName, outcome });
  const resolved = outcome === 'succeeded';
  const updated: IncidentRecord = { ...incident, runs: runs.slice(-RUN_HISTORY), resolved, version: incident.version + 1 };
  await store.putIncident(updated);
  if (resolved) await store.setOpenIncidentKey(target.cronJobUid, undefined);
  return updated;
}

/** Builds the root-message view of an incident. */
export function incidentView(incident: IncidentRecord, cluster?: string): IncidentView {
  const view: IncidentView = {
    key: incident.key,
    version: incident.version,
    namespace: incident.namespace,
    cronJobName: incident.cronJobName,
    runs: incident.runs.map((r) => ({ jobName: r.jobName, outcome: r.outcome })),
    failedRuns: incident.runs.filter((r) => r.outcome === 'failed').length,
    resolved: incident.resolved,
  };
  if (cluster !== undefined) view.cluster = cluster;
  return view;
}
