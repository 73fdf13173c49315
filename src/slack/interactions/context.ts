import type { V1Job } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { ActionRecord, ActionStore } from '../../actions/action-store.ts';
import type { ActionPolicy, ActionVerb, PolicyDecision, SlackActor } from '../../actions/types.ts';
import type { LimitCeilings } from '../../config/policy.ts';
import type { NotifyRequest } from '../../episode/process-signal.ts';
import type { EpisodeStore } from '../../episode/store.ts';
import type { AlertView } from '../alert-view.ts';
import { escapeMrkdwn } from '../escape.ts';

/** Dependencies of the Slack-facing handlers. None of them reaches the cluster, because actions are queued. */
export interface InteractionDeps {
  episodes: EpisodeStore;
  actions: ActionStore;
  policy: ActionPolicy;
  ceilings: LimitCeilings;
  enqueueAction(id: string, step: 'plan' | 'execute'): Promise<void>;
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
  job?: V1Job;
  channel: string;
  /** The thread the alert's records go to: the alert itself, or the incident it replies in. */
  threadTs: string;
}

/** Episode keys are Kubernetes uids; anything else in a button value is forged. */
const KEY_PATTERN = /^[A-Za-z0-9-]{1,64}$/;

export type Lookup<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Re-reads the alert a button belongs to and checks that the click came from that alert's
 * message. A value that names no alert, or an alert posted in another message, changes nothing.
 */
export async function loadAlert(
  deps: InteractionDeps,
  key: string,
  container: { channel_id?: string; message_ts?: string; thread_ts?: string } | undefined,
): Promise<Lookup<AlertContext>> {
  if (!KEY_PATTERN.test(key)) return { ok: false, message: 'This button does not belong to a jobwatch alert, so nothing was done.' };
  const [view, delivery, job] = await Promise.all([deps.episodes.getView(key), deps.episodes.getDelivery('alert', key), deps.episodes.getJob(key)]);
  if (!view || !delivery) {
    return { ok: false, message: 'jobwatch no longer has this alert (its state expires after the configured time to live), so nothing was done. Use the `/job` command with the Job name instead.' };
  }
  if (container?.channel_id !== delivery.channel || container.message_ts !== delivery.ts) {
    return { ok: false, message: 'This button does not belong to the alert it names, so nothing was done.' };
  }
  return { ok: true, value: { view, ...(job ? { job } : {}), channel: delivery.channel, threadTs: container.thread_ts ?? delivery.ts } };
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
