import type { V1Job } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { ActionRecord, ActionStore } from '../../actions/action-store.ts';
import type { ActionPolicy, ActionVerb, PolicyDecision, SlackActor } from '../../actions/types.ts';
import type { LimitCeilings } from '../../config/policy.ts';
import type { NotifyRequest } from '../../episode/process-signal.ts';
import type { EpisodeStore } from '../../episode/store.ts';
import { CLUSTER_NAME, DEFAULT_CLUSTER } from '../../queue/cluster-names.ts';
import type { ClusterStatus } from '../../queue/cluster-registry.ts';
import type { AlertView } from '../alert-view.ts';
import { unreachableReason } from '../cluster-choice.ts';
import { escapeMrkdwn } from '../escape.ts';

/** Dependencies of the Slack-facing handlers. None of them reaches the cluster, because actions are queued. */
export interface InteractionDeps {
  episodes: EpisodeStore;
  actions: ActionStore;
  policy: ActionPolicy;
  ceilings: LimitCeilings;
  /** Queues a step of an action in the action queue of `cluster`. */
  enqueueAction(cluster: string, id: string, step: 'plan' | 'execute'): Promise<void>;
  /** The cluster sides registered in Redis, live or not. */
  clusters(): Promise<ClusterStatus[]>;
  enqueueNotify(request: NotifyRequest): Promise<void>;
  /** The Slack user group ids (`S…`) a user belongs to, for group rules of the policy. */
  groupsOf(userId: string): Promise<string[]>;
  /** The slash command as configured, such as `/job`. */
  command: string;
  logger: Logger;
  clock?: () => Date;
}

/** An alert a button belongs to, re-read from Redis on every click. */
export interface AlertContext {
  view: AlertView;
  /** The alert's cluster: the stored view's, or `default` for alerts from before clusters were named. */
  cluster: string;
  job?: V1Job;
  channel: string;
  /** The thread the alert's records go to: the alert itself, or the incident it replies in. */
  threadTs: string;
}

/** Episode keys are Kubernetes uids; anything else in a button value is forged. */
const KEY_PATTERN = /^[A-Za-z0-9-]{1,64}$/;

export type Lookup<T> = { ok: true; value: T } | { ok: false; message: string };

const NOT_AN_ALERT = 'This button does not belong to a jobwatch alert, so nothing was done.';

/**
 * Splits a button value, `CLUSTER/KEY` or the bare `KEY` of alerts posted before clusters
 * were named. Undefined for a value of any other shape.
 */
export function parseButtonValue(value: string): { key: string; cluster?: string } | undefined {
  const slash = value.indexOf('/');
  const key = slash < 0 ? value : value.slice(slash + 1);
  const cluster = slash < 0 ? undefined : value.slice(0, slash);
  if (!KEY_PATTERN.test(key)) return undefined;
  if (cluster === undefined) return { key };
  return CLUSTER_NAME.test(cluster) ? { key, cluster } : undefined;
}

/**
 * Re-reads the alert a button belongs to and checks that the click came from that alert's
 * message and names that alert's cluster. A value that names no alert, an alert posted in
 * another message or another cluster than the alert's changes nothing.
 */
export async function loadAlert(
  deps: InteractionDeps,
  value: string,
  container: { channel_id?: string; message_ts?: string; thread_ts?: string } | undefined,
): Promise<Lookup<AlertContext>> {
  const parsed = parseButtonValue(value);
  if (!parsed) return { ok: false, message: NOT_AN_ALERT };
  const { key } = parsed;
  const [view, delivery, job] = await Promise.all([deps.episodes.getView(key), deps.episodes.getDelivery('alert', key), deps.episodes.getJob(key)]);
  if (!view || !delivery) {
    return { ok: false, message: 'jobwatch no longer has this alert (its state expires after the configured time to live), so nothing was done. Use the `/job` command with the Job name instead.' };
  }
  if (container?.channel_id !== delivery.channel || container.message_ts !== delivery.ts) {
    return { ok: false, message: 'This button does not belong to the alert it names, so nothing was done.' };
  }
  const cluster = view.cluster ?? DEFAULT_CLUSTER;
  if (parsed.cluster !== undefined && parsed.cluster !== cluster) {
    deps.logger.warn({ alert: key, cluster, named: parsed.cluster }, 'button value names another cluster than its alert');
    return { ok: false, message: 'This button names another cluster than its alert, so nothing was done.' };
  }
  return { ok: true, value: { view, cluster, ...(job ? { job } : {}), channel: delivery.channel, threadTs: container.thread_ts ?? delivery.ts } };
}

/**
 * Returns why nothing can be queued for `cluster` (not registered, or not seen within its
 * registration's TTL), or undefined when its cluster side is live.
 */
export async function clusterProblem(deps: InteractionDeps, cluster: string): Promise<string | undefined> {
  return unreachableReason(cluster, await deps.clusters(), deps.clock?.() ?? new Date());
}

/** Builds the actor of a click or command, with their user groups. */
export async function actorOf(deps: InteractionDeps, user: { id: string; name?: string; username?: string }): Promise<SlackActor> {
  const groups = await deps.groupsOf(user.id).catch((err: unknown) => {
    deps.logger.warn({ err, user: user.id }, 'could not read the user groups; deciding on user rules alone');
    return [];
  });
  const name = user.username ?? user.name;
  return { id: user.id, groups, ...(name ? { name } : {}) };
}

/** Decides and logs one policy check. */
export function decide(deps: InteractionDeps, actor: SlackActor, verb: ActionVerb, namespace: string): PolicyDecision {
  const decision = deps.policy.decide(actor, verb, namespace);
  deps.logger.info({ user: actor.id, verb, namespace, allowed: decision.allowed, ...(decision.allowed ? { rule: decision.rule } : { reason: decision.reason }) }, 'action policy decision');
  return decision;
}

/** Writes a denial for the user, with the policy's reason. */
export function denial(decision: Extract<PolicyDecision, { allowed: false }>): string {
  return `:no_entry: ${escapeMrkdwn(decision.reason)}`;
}

/** Creates the record of a new action. */
export function newRecord(deps: InteractionDeps, fields: Omit<ActionRecord, 'stage' | 'createdAt' | 'updatedAt'>): ActionRecord {
  const now = (deps.clock?.() ?? new Date()).toISOString();
  return { ...fields, stage: 'requested', createdAt: now, updatedAt: now };
}

/** Returns the name of the CronJob that owns a Job, from its owner references. */
export function cronJobOf(job: V1Job | undefined): string | undefined {
  return job?.metadata?.ownerReferences?.find((ref) => ref.kind === 'CronJob' && ref.controller === true)?.name;
}
