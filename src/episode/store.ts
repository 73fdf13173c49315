import { randomUUID } from 'node:crypto';
import type { V1Job } from '@kubernetes/client-node';
import type { Redis } from 'ioredis';
import { redactJob } from '../diagnose/redact-objects.ts';
import { clusterKeyParts, DEFAULT_CLUSTER } from '../queue/cluster-names.ts';
import type { CapturedEvidence } from '../queue/signals.ts';
import type { AlertView } from '../slack/alert-view.ts';
import type { EpisodeRecord } from './record.ts';

/** How often a waiting worker tries a taken episode lock again, in milliseconds. */
const LOCK_POLL_MS = 50;

/** The kinds of messages with delivery records: digests group the root alerts of a storm. */
export type DeliveryKind = 'alert' | 'reply' | 'incident' | 'digest';

/** The channel and ts of a posted alert, reply, incident root or digest. */
export interface Delivery {
  channel: string;
  ts: string;
  /** The newest view version shown in that message. */
  version: number;
}

/** A CronJob incident: the runs of one CronJob threaded under one root message. */
export interface IncidentRecord {
  key: string;
  cronJobUid: string;
  namespace: string;
  cronJobName: string;
  runs: { jobUid: string; jobName: string; outcome: 'succeeded' | 'failed' | 'running' }[];
  resolved: boolean;
  version: number;
  channel?: string;
}

/**
 * jobwatch's own state in Redis. Every key carries the install's prefix and a time
 * to live, so Redis stays bounded; only the install markers are permanent. Keys by Job
 * uid are shared by every cluster, because uids are unique across clusters.
 */
export class EpisodeStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #ttlSeconds: number;
  readonly #cluster: string;

  /**
   * @param options.cluster - The cluster whose install marker this store reads and sets
   *   (`JOBWATCH_CLUSTER_NAME`). Default `default`.
   */
  constructor(redis: Redis, options: { prefix: string; ttlSeconds: number; cluster?: string }) {
    this.#redis = redis;
    this.#prefix = options.prefix;
    this.#ttlSeconds = options.ttlSeconds;
    this.#cluster = options.cluster ?? DEFAULT_CLUSTER;
  }

  get redis(): Redis {
    return this.#redis;
  }

  key(...parts: string[]): string {
    return [this.#prefix, ...parts].join(':');
  }

  async getEpisode(uid: string): Promise<EpisodeRecord | undefined> {
    return await this.#getJson<EpisodeRecord>(this.key('ep', uid));
  }

  async putEpisode(episode: EpisodeRecord): Promise<void> {
    await this.#setJson(this.key('ep', episode.key), episode);
  }

  /** Returns the last whole Job read for an episode, kept so a deleted Job can still be shown. */
  async getJob(uid: string): Promise<V1Job | undefined> {
    return await this.#getJson<V1Job>(this.key('job', uid));
  }

  /** Stores a copy with secret env values, command lines and messages masked (`redactJob`). */
  async putJob(uid: string, job: V1Job): Promise<void> {
    const copy = redactJob(job);
    if (copy.metadata) delete copy.metadata.managedFields;
    await this.#setJson(this.key('job', uid), copy);
  }

  async getView(uid: string): Promise<AlertView | undefined> {
    return await this.#getJson<AlertView>(this.key('view', uid));
  }

  async putView(view: AlertView): Promise<void> {
    await this.#setJson(this.key('view', view.key), view);
  }

  async getEvidence(uid: string): Promise<Record<string, CapturedEvidence>> {
    const raw = await this.#redis.hgetall(this.key('evidence', uid));
    const out: Record<string, CapturedEvidence> = {};
    for (const [field, value] of Object.entries(raw)) out[field] = JSON.parse(value) as CapturedEvidence;
    return out;
  }

  async putEvidence(uid: string, attemptKey: string, evidence: CapturedEvidence): Promise<void> {
    const key = this.key('evidence', uid);
    await this.#redis.multi().hset(key, attemptKey, JSON.stringify(evidence)).expire(key, this.#ttlSeconds).exec();
  }

  async getDelivery(kind: DeliveryKind, id: string): Promise<Delivery | undefined> {
    return await this.#getJson<Delivery>(this.key('delivery', kind, id));
  }

  async putDelivery(kind: DeliveryKind, id: string, delivery: Delivery): Promise<void> {
    await this.#setJson(this.key('delivery', kind, id), delivery);
  }

  /**
   * Records that a post is about to be sent. If the process dies after Slack
   * accepted the post but before `putDelivery`, the marker makes the next attempt
   * look for the message in the channel before posting again. Returns true when the
   * marker was already set.
   */
  async markPosting(kind: DeliveryKind, id: string): Promise<boolean> {
    const previous = await this.#redis.set(this.key('posting', kind, id), '1', 'EX', this.#ttlSeconds, 'GET');
    return previous !== null;
  }

  async getIncident(key: string): Promise<IncidentRecord | undefined> {
    return await this.#getJson<IncidentRecord>(this.key('incident', key));
  }

  async putIncident(incident: IncidentRecord): Promise<void> {
    await this.#setJson(this.key('incident', incident.key), incident);
  }

  /** Returns the key of the incident open for a CronJob, if any. */
  async getOpenIncidentKey(cronJobUid: string): Promise<string | undefined> {
    return (await this.#redis.get(this.key('incident-open', cronJobUid))) ?? undefined;
  }

  async setOpenIncidentKey(cronJobUid: string, key: string | undefined): Promise<void> {
    const k = this.key('incident-open', cronJobUid);
    if (key === undefined) await this.#redis.del(k);
    else await this.#redis.set(k, key, 'EX', this.#ttlSeconds);
  }

  /** Records a successful CronJob run, keeping the newest `keep`, oldest first on read. */
  async pushCronSuccess(cronJobUid: string, run: { jobUid: string; jobName: string }, keep: number): Promise<void> {
    const key = this.key('cron-successes', cronJobUid);
    await this.#redis.multi().rpush(key, JSON.stringify(run)).ltrim(key, -keep, -1).expire(key, this.#ttlSeconds).exec();
  }

  async getCronSuccesses(cronJobUid: string): Promise<{ jobUid: string; jobName: string }[]> {
    const raw = await this.#redis.lrange(this.key('cron-successes', cronJobUid), 0, -1);
    return raw.map((entry) => JSON.parse(entry) as { jobUid: string; jobName: string });
  }

  /**
   * True once this store's cluster has finished its first list; set by the watcher. Each
   * cluster has its own marker, so a cluster that joins later also starts with a bootstrap
   * list instead of posting every old failure.
   */
  async isInstalled(): Promise<boolean> {
    return (await this.#redis.exists(this.#installedKey())) === 1;
  }

  async markInstalled(): Promise<void> {
    await this.#redis.set(this.#installedKey(), new Date().toISOString(), 'NX');
  }

  #installedKey(): string {
    return this.key(...clusterKeyParts(this.#cluster), 'installed');
  }

  /**
   * Runs `fn` while holding a short lock on one episode, so two workers never
   * interleave read-modify-write on it. Waits up to `waitMs` for another holder to
   * finish, and a holder that died frees the lock when `ttlMs` runs out. Returns
   * undefined when the lock stayed taken.
   */
  async withLock<T>(id: string, ttlMs: number, fn: () => Promise<T>, waitMs = 0): Promise<{ value: T } | undefined> {
    const key = this.key('lock', id);
    const token = randomUUID();
    const deadline = Date.now() + waitMs;
    while ((await this.#redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') {
      if (Date.now() >= deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
    try {
      return { value: await fn() };
    } finally {
      // Delete only our own lock: it may have expired and been taken by another worker.
      await this.#redis.eval(
        "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end",
        1,
        key,
        token,
      );
    }
  }

  async #getJson<T>(key: string): Promise<T | undefined> {
    const raw = await this.#redis.get(key);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async #setJson(key: string, value: unknown): Promise<void> {
    await this.#redis.set(key, JSON.stringify(value), 'EX', this.#ttlSeconds);
  }
}
