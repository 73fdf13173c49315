import type { Redis } from 'ioredis';
import { noopMetrics, type ActionName, type Metrics } from '../metrics/metrics.ts';
import { clusterKeyParts, DEFAULT_CLUSTER } from '../queue/cluster-names.ts';
import type { KubeIdentity, SlackActor } from './types.ts';

/** The kind of request a user made from an alert, a modal or the `/job` command. */
export type ActionKind = 'retry' | 'raise-limits' | 'logs' | 'why' | 'status' | 'list';

/**
 * The life of an action: `requested` by the Slack side, `planned` by the cluster side
 * (a confirmation is shown), `confirmed` by the user, then `done`, `failed` or
 * `refused`. Read-only kinds go from `requested` straight to `done`.
 */
export type ActionStage = 'requested' | 'planned' | 'confirmed' | 'done' | 'failed' | 'refused';

/** The destination of an action's replies. */
export interface ActionReply {
  /** The user who acted, the only one to see ephemeral replies. */
  userId: string;
  channel: string;
  /** The alert's thread, where the action and its outcome are recorded. */
  threadTs?: string;
  /** Slack's response URL of the click or command, valid for 30 minutes and 5 uses. */
  responseUrl?: string;
}

/** One action, stored in Redis under its id so that every process reads the same state. */
export interface ActionRecord {
  id: string;
  kind: ActionKind;
  stage: ActionStage;
  actor: SlackActor;
  /** The identity the policy maps the actor to, impersonated by cluster writes. */
  identity?: KubeIdentity;
  /** The alert's episode key (the failed Job's uid), when the action started from an alert. */
  alertKey?: string;
  /**
   * The cluster whose cluster side performs the action (`JOBWATCH_CLUSTER_NAME` there).
   * Records stored before clusters were named have none and belong to `default`.
   */
  cluster?: string;
  namespace: string;
  /** The Job the action is about. */
  name?: string;
  reply: ActionReply;
  /** Kind-specific input: the raise-limits values, the list filter, the logs options. */
  params?: Record<string, unknown>;
  /** The plan the cluster side prepared, shown in the confirmation. */
  plan?: {
    summary: string;
    warnings: string[];
    /** Lines of the change, such as `container main: limits.memory 512Mi → 768Mi`. */
    diff?: string[];
    /** The Job to create, as JSON. */
    job?: Record<string, unknown>;
    /** A merge patch of a CronJob. */
    cronJobPatch?: Record<string, unknown>;
    cronJobName?: string;
    /** Also create a Job from the patched CronJob at once. */
    runNow?: boolean;
  };
  /** The outcome: mrkdwn text for the user and, for created Jobs, their names. */
  result?: { text: string; createdJob?: string; error?: string };
  /** Name of an uploaded file's content key, for full logs. */
  fileKey?: string;
  createdAt: string;
  updatedAt: string;
}

/** An active mute of a Job's or a CronJob's alerts. */
export interface MuteRecord {
  /** `job:NS/NAME` or `cronjob:NS/NAME`, as {@link muteTargets} builds it. */
  target: string;
  /** The cluster the Job or CronJob is in. Default `default`. */
  cluster?: string;
  userId: string;
  until: string;
}

/** How long action records live, in seconds: long enough to follow a retry to its end. */
const ACTION_TTL_SECONDS = 3 * 24 * 3600;

/** Tells whether an action does nothing more after `stage`, which is then its outcome. */
function isFinal(stage: ActionStage): stage is 'done' | 'failed' | 'refused' {
  return stage === 'done' || stage === 'failed' || stage === 'refused';
}

/**
 * Action state in Redis: records, the claim that makes a confirmation run once, mutes,
 * acknowledgements and the per-alert retry counter. Every key carries a time to live.
 * It is also where actions are counted: a record stored in a final stage, a mute, an
 * unmute, an acknowledgement, and a record looked up after it expired.
 */
export class ActionStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #metrics: Pick<Metrics, 'action'>;

  constructor(redis: Redis, options: { prefix: string; metrics?: Pick<Metrics, 'action'> }) {
    this.#redis = redis;
    this.#prefix = options.prefix;
    this.#metrics = options.metrics ?? noopMetrics;
  }

  #key(...parts: string[]): string {
    return [this.#prefix, ...parts].join(':');
  }

  async get(id: string): Promise<ActionRecord | undefined> {
    const raw = await this.#redis.get(this.#key('action', id));
    if (raw === null) {
      const action = actionOfId(id);
      if (action) this.#metrics.action(action, 'expired');
      return undefined;
    }
    return JSON.parse(raw) as ActionRecord;
  }

  async put(record: ActionRecord): Promise<void> {
    await this.#redis.set(this.#key('action', record.id), JSON.stringify(record), 'EX', ACTION_TTL_SECONDS);
    if (isFinal(record.stage)) this.#metrics.action(actionOfKind(record.kind), record.stage);
  }

  /** Creates the record unless one with this id exists; returns false when it did. */
  async create(record: ActionRecord): Promise<boolean> {
    const set = await this.#redis.set(this.#key('action', record.id), JSON.stringify(record), 'EX', ACTION_TTL_SECONDS, 'NX');
    return set === 'OK';
  }

  /**
   * Claims a step of an action for one caller. Double clicks, two app processes and
   * Slack's redeliveries all reach this, and only the first claim wins.
   */
  async claim(id: string, step: string): Promise<boolean> {
    const set = await this.#redis.set(this.#key('action-claim', id, step), '1', 'EX', ACTION_TTL_SECONDS, 'NX');
    return set === 'OK';
  }

  async isMarked(id: string, step: string): Promise<boolean> {
    return (await this.#redis.exists(this.#key('action-claim', id, step))) === 1;
  }

  /** Stores a file's content for the notifier to upload, for an hour. */
  async putFile(id: string, content: string): Promise<string> {
    const key = this.#key('action-file', id);
    await this.#redis.set(key, content, 'EX', 3600);
    return key;
  }

  async getFile(key: string): Promise<string | undefined> {
    return (await this.#redis.get(key)) ?? undefined;
  }

  /** Returns the number of the next retry of an alert's Job: 1, 2, … */
  async nextRetryNumber(alertKey: string): Promise<number> {
    const key = this.#key('alert-retries', alertKey);
    const value = await this.#redis.incr(key);
    await this.#redis.expire(key, ACTION_TTL_SECONDS);
    return value;
  }

  async currentRetryNumber(alertKey: string): Promise<number> {
    return Number((await this.#redis.get(this.#key('alert-retries', alertKey))) ?? '0');
  }

  /**
   * Returns the key of a mute. Two clusters may have a Job of the same namespace and
   * name, so a named cluster's mutes have keys of their own. The default cluster's mutes
   * keep the keys they had before clusters were named.
   */
  #muteKey(target: string, cluster: string | undefined): string {
    return this.#key(...clusterKeyParts(cluster ?? DEFAULT_CLUSTER), 'mute', target);
  }

  /** Mutes a target (`job:NS/NAME` or `cronjob:NS/NAME`) of `record.cluster` until `until`. */
  async mute(record: MuteRecord): Promise<void> {
    const seconds = Math.max(1, Math.ceil((Date.parse(record.until) - Date.now()) / 1000));
    await this.#redis.set(this.#muteKey(record.target, record.cluster), JSON.stringify(record), 'EX', seconds);
    this.#metrics.action('mute', 'done');
  }

  /** Ends a mute of a target in `cluster` (default `default`); false when none was set. */
  async unmute(target: string, cluster?: string): Promise<boolean> {
    const removed = (await this.#redis.del(this.#muteKey(target, cluster))) > 0;
    if (removed) this.#metrics.action('unmute', 'done');
    return removed;
  }

  /** Returns the active mute of a target in `cluster` (default `default`). */
  async getMute(target: string, cluster?: string): Promise<MuteRecord | undefined> {
    const raw = await this.#redis.get(this.#muteKey(target, cluster));
    return raw === null ? undefined : (JSON.parse(raw) as MuteRecord);
  }

  /** Records who acknowledged an alert; the first acknowledgement is kept. */
  async acknowledge(alertKey: string, userId: string, at: string): Promise<{ userId: string; at: string }> {
    const key = this.#key('alert-ack', alertKey);
    const set = await this.#redis.set(key, JSON.stringify({ userId, at }), 'EX', ACTION_TTL_SECONDS, 'NX');
    this.#metrics.action('ack', set === 'OK' ? 'done' : 'refused');
    const raw = await this.#redis.get(key);
    return raw === null ? { userId, at } : (JSON.parse(raw) as { userId: string; at: string });
  }

  async getAcknowledgement(alertKey: string): Promise<{ userId: string; at: string } | undefined> {
    const raw = await this.#redis.get(this.#key('alert-ack', alertKey));
    return raw === null ? undefined : (JSON.parse(raw) as { userId: string; at: string });
  }

  /** Links a Job created by an action to it, so the Job's outcome can be reported. */
  async linkCreatedJob(jobUid: string, actionId: string): Promise<void> {
    await this.#redis.set(this.#key('action-job', jobUid), actionId, 'EX', ACTION_TTL_SECONDS);
  }

  async actionOfJob(jobUid: string): Promise<string | undefined> {
    return (await this.#redis.get(this.#key('action-job', jobUid))) ?? undefined;
  }
}

/** Lists the mute targets of a Job: itself, and its CronJob when it has one. */
export function muteTargets(namespace: string, jobName: string, cronJobName?: string): string[] {
  const targets = [`job:${namespace}/${jobName}`];
  if (cronJobName) targets.push(`cronjob:${namespace}/${cronJobName}`);
  return targets;
}

/** Names an action kind as the metrics do: `raise-limits` is `limits`. */
export function actionOfKind(kind: ActionKind): ActionName {
  return kind === 'raise-limits' ? 'limits' : kind;
}

const KINDS: ReadonlySet<string> = new Set<ActionKind>(['retry', 'raise-limits', 'logs', 'why', 'status', 'list']);

/**
 * Reads the kind from an action id, which starts with it: `retry.…`, `logs.…`, `limits.…`,
 * or `cmd.<kind>.…` for the slash command. Undefined for an id of another shape.
 */
function actionOfId(id: string): ActionName | undefined {
  const [first = '', second = ''] = id.split('.');
  let kind = first;
  if (first === 'cmd') kind = second;
  if (first === 'limits') kind = 'raise-limits';
  return KINDS.has(kind) ? actionOfKind(kind as ActionKind) : undefined;
}
