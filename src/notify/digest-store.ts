/**
 * The digest state in Redis: recent episodes per channel and cause, the digest open for
 * each, its members and its thread messages. Episodes themselves stay per Job in the
 * episode store; these keys only group their Slack presentation.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CauseId } from '../diagnose/types.ts';
import type { EpisodeState } from '../slack/alert-view.ts';

/** One Job in a digest. */
export interface DigestMember {
  uid: string;
  /** Cluster of the Job, absent in members stored before clusters were named. */
  cluster?: string;
  namespace: string;
  jobName: string;
  /** Join order, from 1. */
  seq: number;
  cause: CauseId;
  state: EpisodeState;
  /** The Job's condition reason or stuck reason, as the alert shows it. */
  reason: string | null;
  /** True for a Job whose own root alert was posted before the digest opened. */
  ownMessage: boolean;
  /** The new cause of a Job that left the digest for an alert of its own. */
  movedTo?: CauseId;
}

/** A digest: one channel, one cause, and the members that joined it. */
export interface DigestRecord extends DigestMeta {
  members: DigestMember[];
}

/** A digest without its members, which a storm makes many. */
export interface DigestMeta {
  key: string;
  channel: string;
  cause: CauseId;
  /** The summary of the first member's diagnosis, shown after the cause. */
  summary: string;
  /** Bumped on every change the digest should show. */
  version: number;
  /** The version last shown in Slack, 0 before the first post. */
  shownVersion: number;
  /** When the newest member opened its episode, in ms since the epoch. */
  lastJoinMs: number;
}

/** A posted list message in a digest's thread, with a checksum of what it shows. */
export interface DigestListMessage {
  ts: string;
  checksum: string;
}

/** Reads and writes digest state under the install's key prefix, every key with a TTL. */
export class DigestStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #ttlSeconds: number;

  constructor(redis: Redis, options: { prefix: string; ttlSeconds: number }) {
    this.#redis = redis;
    this.#prefix = options.prefix;
    this.#ttlSeconds = options.ttlSeconds;
  }

  /**
   * Records that episode `uid` of `channel` and `cause` opened at `openedAtMs`, and returns
   * the other episodes recorded within `windowMs` before it, with their times.
   */
  async recordRecent(channel: string, cause: CauseId, uid: string, openedAtMs: number, windowMs: number): Promise<{ uid: string; openedAtMs: number }[]> {
    const key = this.#key('digest-recent', channel, cause);
    // Older entries can no longer open a digest; ten windows leave room for late arrivals.
    const [, , , [, raw]] = (await this.#redis
      .multi()
      .zadd(key, openedAtMs, uid)
      .zremrangebyscore(key, '-inf', openedAtMs - 10 * windowMs)
      .expire(key, this.#ttlSeconds)
      .zrangebyscore(key, openedAtMs - windowMs, openedAtMs, 'WITHSCORES')
      .exec()) as [unknown, unknown, unknown, [unknown, string[]]];
    const recent: { uid: string; openedAtMs: number }[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const member = raw[i] as string;
      if (member !== uid) recent.push({ uid: member, openedAtMs: Number(raw[i + 1]) });
    }
    return recent;
  }

  /** Returns the digest open for a channel and cause, if any, without its members. */
  async getOpen(channel: string, cause: CauseId): Promise<DigestMeta | undefined> {
    const key = await this.#redis.get(this.#key('digest-open', channel, cause));
    return key === null ? undefined : await this.getMeta(key);
  }

  /** Creates a digest and makes it the open one of its channel and cause. */
  async open(channel: string, cause: CauseId, summary: string): Promise<string> {
    const key = `${cause}.${randomUUID().slice(0, 8)}`;
    const meta = this.#key('digest', key);
    await this.#redis
      .multi()
      .hset(meta, { channel, cause, summary, version: 0, shown: 0, lastJoinMs: 0 })
      .expire(meta, this.#ttlSeconds)
      .set(this.#key('digest-open', channel, cause), key, 'EX', this.#ttlSeconds)
      .exec();
    return key;
  }

  /** Returns a digest with its members in join order. */
  async get(key: string): Promise<DigestRecord | undefined> {
    const [meta, rawMembers] = await Promise.all([this.getMeta(key), this.#redis.hgetall(this.#key('digest-members', key))]);
    if (!meta) return undefined;
    const members = Object.values(rawMembers).map((raw) => JSON.parse(raw) as DigestMember);
    members.sort((a, b) => a.seq - b.seq);
    return { ...meta, members };
  }

  /** Returns a digest without reading its members. */
  async getMeta(key: string): Promise<DigestMeta | undefined> {
    const meta = await this.#redis.hgetall(this.#key('digest', key));
    if (meta.channel === undefined || meta.cause === undefined) return undefined;
    return {
      key,
      channel: meta.channel,
      cause: meta.cause as CauseId,
      summary: meta.summary ?? '',
      version: Number(meta.version ?? 0),
      shownVersion: Number(meta.shown ?? 0),
      lastJoinMs: Number(meta.lastJoinMs ?? 0),
    };
  }

  /** Adds a Job to a digest, or keeps its place when it is there already; returns the version. */
  async join(key: string, member: Omit<DigestMember, 'seq'>, openedAtMs: number): Promise<number> {
    const meta = this.#key('digest', key);
    const members = this.#key('digest-members', key);
    const existing = await this.#redis.hget(members, member.uid);
    const seq = existing === null ? await this.#redis.hincrby(meta, 'seq', 1) : (JSON.parse(existing) as DigestMember).seq;
    await this.#redis
      .multi()
      .hset(members, member.uid, JSON.stringify({ ...member, seq }))
      .expire(members, this.#ttlSeconds)
      .set(this.#key('digest-of', member.uid), key, 'EX', this.#ttlSeconds)
      .exec();
    // The newest member's time keeps the digest open; an older late arrival does not move it back.
    const last = Number((await this.#redis.hget(meta, 'lastJoinMs')) ?? 0);
    if (openedAtMs > last) await this.#redis.hset(meta, 'lastJoinMs', openedAtMs);
    return await this.bump(key);
  }

  /** Replaces what a digest shows of one member; returns the new version. */
  async updateMember(key: string, member: DigestMember): Promise<number> {
    await this.#redis.hset(this.#key('digest-members', key), member.uid, JSON.stringify(member));
    return await this.bump(key);
  }

  /** Returns the digest a Job joined last, if any, also after it left (`movedTo`). */
  async memberOf(uid: string): Promise<{ key: string; member: DigestMember } | undefined> {
    const key = await this.#redis.get(this.#key('digest-of', uid));
    if (key === null) return undefined;
    const raw = await this.#redis.hget(this.#key('digest-members', key), uid);
    return raw === null ? undefined : { key, member: JSON.parse(raw) as DigestMember };
  }

  async bump(key: string): Promise<number> {
    return await this.#redis.hincrby(this.#key('digest', key), 'version', 1);
  }

  async setShown(key: string, version: number): Promise<void> {
    await this.#redis.hset(this.#key('digest', key), 'shown', version);
  }

  async getListMessages(key: string): Promise<Map<number, DigestListMessage>> {
    const raw = await this.#redis.hgetall(this.#key('digest-lists', key));
    return new Map(Object.entries(raw).map(([index, value]) => [Number(index), JSON.parse(value) as DigestListMessage]));
  }

  async putListMessage(key: string, index: number, message: DigestListMessage): Promise<void> {
    const lists = this.#key('digest-lists', key);
    await this.#redis.multi().hset(lists, String(index), JSON.stringify(message)).expire(lists, this.#ttlSeconds).exec();
  }

  #key(...parts: string[]): string {
    return [this.#prefix, ...parts].join(':');
  }
}
