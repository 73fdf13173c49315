/**
 * Splits each Job's latency into pipeline stages with the timestamps BullMQ keeps on every
 * queue job (`timestamp` when added, `processedOn`, `finishedOn`, all in epoch ms), read from
 * the run's private Redis after the load.
 */
import { Redis } from 'ioredis';
import { summarize, type Summary } from './stats.ts';

/** BullMQ's times of one queue job, in epoch milliseconds. */
export interface QueueJobTimes {
  addedAtMs: number;
  processedAtMs?: number;
  finishedAtMs?: number;
}

/** One Job's times at each step, as far as they are known. */
export interface JobTimeline {
  /** The `Failed` condition written into the simulated store. */
  failedAtMs: number;
  /** The Job's `job-failed` signal. */
  signal?: QueueJobTimes;
  /** The notify job that sent the call showing the `failed` state. */
  notify?: QueueJobTimes;
  /** That call's arrival at the fake Slack. */
  finalAtMs?: number;
}

/** Names of the stages, in pipeline order. */
export const STAGES = ['watch to signal queue', 'signal queue wait', 'worker', 'notify queue wait', 'notifier to Slack'] as const;
export type StageName = (typeof STAGES)[number];

/** Returns the duration of each stage of one timeline, skipping stages with a missing end. */
export function stageDurations(timeline: JobTimeline): Partial<Record<StageName, number>> {
  const { signal, notify } = timeline;
  const durations: Partial<Record<StageName, number>> = {};
  const put = (stage: StageName, from: number | undefined, to: number | undefined): void => {
    if (from !== undefined && to !== undefined) durations[stage] = to - from;
  };
  put('watch to signal queue', timeline.failedAtMs, signal?.addedAtMs);
  put('signal queue wait', signal?.addedAtMs, signal?.processedAtMs);
  put('worker', signal?.processedAtMs, signal?.finishedAtMs);
  put('notify queue wait', notify?.addedAtMs, notify?.processedAtMs);
  put('notifier to Slack', notify?.processedAtMs, timeline.finalAtMs);
  return durations;
}

/** Summarizes each stage over many timelines. */
export function summarizeStages(timelines: readonly JobTimeline[]): Partial<Record<StageName, Summary>> {
  const result: Partial<Record<StageName, Summary>> = {};
  for (const stage of STAGES) {
    const values = timelines.map((t) => stageDurations(t)[stage]).filter((v): v is number => v !== undefined);
    const summary = summarize(values);
    if (summary) result[stage] = summary;
  }
  return result;
}

function toTimes(fields: (string | null)[]): QueueJobTimes | undefined {
  const [added, processed, finished] = fields.map((f) => (f === null || f === '' ? undefined : Number(f)));
  if (added === undefined) return undefined;
  return { addedAtMs: added, ...(processed !== undefined ? { processedAtMs: processed } : {}), ...(finished !== undefined ? { finishedAtMs: finished } : {}) };
}

/** Reads the times of BullMQ job `id` of `queue`, or `undefined` when it is gone. */
async function readJobTimes(redis: Redis, prefix: string, queue: string, id: string): Promise<QueueJobTimes | undefined> {
  return toTimes(await redis.hmget(`${prefix}:${queue}:${id}`, 'timestamp', 'processedOn', 'finishedOn'));
}

/** Lists the ids of every alert notify job (`alert.<uid>.v<version>`), grouped by Job uid. */
async function alertJobIdsByUid(redis: Redis, prefix: string): Promise<Map<string, string[]>> {
  const byUid = new Map<string, string[]>();
  const start = `${prefix}:notify:`;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${start}alert.*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const id = key.slice(start.length);
      const uid = /^alert\.(.+)\.v\d+$/.exec(id)?.[1];
      if (uid !== undefined) byUid.set(uid, [...(byUid.get(uid) ?? []), id]);
    }
  } while (cursor !== '0');
  return byUid;
}

/** A Job to read the timeline of, with its times on the bench's side. */
export interface TimelineRequest {
  uid: string;
  failedAtMs: number;
  finalAtMs?: number;
}

/**
 * Reads the queue times of each Job: the first of its `Failed` and `FailureTarget` signals
 * (the job controller writes both at once), and the last alert notify job processed
 * before the final call arrived.
 */
export async function readTimelines(redis: Redis, prefix: string, jobs: readonly TimelineRequest[]): Promise<JobTimeline[]> {
  const alertIds = await alertJobIdsByUid(redis, prefix);
  const timelines: JobTimeline[] = [];
  for (const { uid, failedAtMs, finalAtMs } of jobs) {
    const signals = await Promise.all(['Failed', 'FailureTarget'].map((type) => readJobTimes(redis, prefix, 'signals', `${uid}.${type}`)));
    const signal = signals.filter((s): s is QueueJobTimes => s !== undefined).sort((a, b) => a.addedAtMs - b.addedAtMs)[0];
    const notifies = await Promise.all((alertIds.get(uid) ?? []).map((id) => readJobTimes(redis, prefix, 'notify', id)));
    const notify = notifies
      .filter((n): n is QueueJobTimes => n?.processedAtMs !== undefined && (finalAtMs === undefined || n.processedAtMs <= finalAtMs))
      .sort((a, b) => (b.processedAtMs ?? 0) - (a.processedAtMs ?? 0))[0];
    timelines.push({ failedAtMs, ...(signal ? { signal } : {}), ...(notify ? { notify } : {}), ...(finalAtMs !== undefined ? { finalAtMs } : {}) });
  }
  return timelines;
}

/** Opens a connection to the run's Redis, runs `read` and closes it. */
export async function withRedis<T>(url: string, read: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    return await read(redis);
  } finally {
    redis.disconnect();
  }
}
