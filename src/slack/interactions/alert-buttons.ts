import type { App, BlockAction, ButtonAction, OverflowAction, RespondFn } from '@slack/bolt';
import { muteTargets } from '../../actions/action-store.ts';
import { ACTION_IDS, mention } from '../alert-actions.ts';
import { inlineCode } from '../mrkdwn.ts';
import type { ActionVerb, PolicyDecision, SlackActor } from '../../actions/types.ts';
import { DEFAULT_CLUSTER } from '../../queue/cluster-names.ts';
import { actorOf, clusterProblem, decide, denial, loadAlert, newRecord, type AlertContext, type InteractionDeps } from './context.ts';

const MUTE_DURATIONS_MS: Record<string, number> = { '1h': 3_600_000, '4h': 14_400_000, '24h': 86_400_000, '7d': 604_800_000 };

function ephemeral(respond: RespondFn, text: string): Promise<unknown> {
  return respond({ response_type: 'ephemeral', replace_original: false, text });
}

type ButtonBody = BlockAction<ButtonAction>;

/** Shows a Job as `NS/NAME` in cluster `C`. */
function jobIn(namespace: string, name: string, cluster: string): string {
  return `${inlineCode(`${namespace}/${name}`)} in cluster ${inlineCode(cluster, 80)}`;
}

function fromEphemeral(body: ButtonBody): boolean {
  return (body.container as { is_ephemeral?: boolean } | undefined)?.is_ephemeral === true;
}

/** A click that passed the checks: its alert, the acting user and the policy's decision. */
interface CheckedClick {
  alert: AlertContext;
  actor: SlackActor;
  decision: Extract<PolicyDecision, { allowed: true }>;
}

/**
 * Re-reads the alert a button belongs to, checks that its cluster side is live when the
 * click queues work for it, and checks the user against the policy for `verb`. Replies to
 * the user and returns undefined when a check fails.
 */
async function checkClick(
  deps: InteractionDeps,
  respond: RespondFn,
  click: { key: string; container: Parameters<typeof loadAlert>[2]; user: { id: string; name?: string; username?: string } },
  verb: ActionVerb,
  options: { needsCluster?: boolean } = {},
): Promise<CheckedClick | undefined> {
  const alert = await loadAlert(deps, click.key, click.container);
  if (!alert.ok) {
    await ephemeral(respond, alert.message);
    return undefined;
  }
  // Work for the cluster side waits in its queue; a cluster that is gone would never take it.
  const problem = options.needsCluster ? await clusterProblem(deps, alert.value.cluster) : undefined;
  if (problem !== undefined) {
    await ephemeral(respond, problem);
    return undefined;
  }
  const actor = await actorOf(deps, click.user);
  const decision = decide(deps, actor, verb, alert.value.view.namespace);
  if (!decision.allowed) {
    await ephemeral(respond, denial(decision));
    return undefined;
  }
  return { alert: alert.value, actor, decision };
}

/**
 * Registers the alert's buttons: retry, full logs, acknowledge and the mute menu. Each
 * click is acknowledged at once, re-reads the alert from Redis, checks the user against
 * the policy, and queues cluster work instead of doing it here.
 */
export function registerAlertButtons(app: App, deps: InteractionDeps): void {
  app.action<ButtonBody>(ACTION_IDS.retry, async ({ ack, body, action, respond }) => {
    await ack();
    const checked = await checkClick(deps, respond, { key: action.value ?? '', container: body.container, user: body.user }, 'retry', { needsCluster: true });
    if (!checked) return;
    const { alert, actor, decision } = checked;
    const { view } = alert;
    const jobLabel = jobIn(view.namespace, view.jobName, alert.cluster);
    // One plan per alert and retry number: two clicks, two app processes or a redelivery
    // all name the same action, and only the first creates it.
    const number = (await deps.actions.currentRetryNumber(view.key)) + 1;
    const id = `retry.${view.key}.${number}`;
    const record = newRecord(deps, {
      id,
      kind: 'retry',
      actor,
      ...(decision.identity ? { identity: decision.identity } : {}),
      alertKey: view.key,
      cluster: alert.cluster,
      namespace: view.namespace,
      name: view.jobName,
      reply: { userId: actor.id, channel: alert.channel, threadTs: alert.threadTs, ...(body.response_url ? { responseUrl: body.response_url } : {}) },
    });
    if (!(await deps.actions.create(record))) {
      const existing = await deps.actions.get(id);
      return void (await ephemeral(respond, `A retry of ${jobLabel} was already requested by ${mention(existing?.actor.id ?? '')}. Its confirmation is on the way.`));
    }
    await deps.enqueueAction(alert.cluster, id, 'plan');
    await ephemeral(respond, `Preparing the retry of ${jobLabel}…`);
  });

  app.action<ButtonBody>(ACTION_IDS.logs, async ({ ack, body, action, respond }) => {
    await ack();
    const checked = await checkClick(deps, respond, { key: action.value ?? '', container: body.container, user: body.user }, 'read', { needsCluster: true });
    if (!checked) return;
    const { alert, actor } = checked;
    const { view } = alert;
    const id = `logs.${view.key}.${body.container.message_ts ?? ''}.${actor.id}.${Math.floor(Date.now() / 10_000)}`;
    const record = newRecord(deps, {
      id,
      kind: 'logs',
      actor,
      alertKey: view.key,
      cluster: alert.cluster,
      namespace: view.namespace,
      name: view.jobName,
      reply: { userId: actor.id, channel: alert.channel, threadTs: alert.threadTs, ...(body.response_url ? { responseUrl: body.response_url } : {}) },
    });
    if (await deps.actions.create(record)) await deps.enqueueAction(alert.cluster, id, 'plan');
    await ephemeral(respond, `Collecting the logs of every attempt of ${jobIn(view.namespace, view.jobName, alert.cluster)}; they will be uploaded to this thread.`);
  });

  app.action<ButtonBody>(ACTION_IDS.ack, async ({ ack, body, action, respond, client }) => {
    await ack();
    const checked = await checkClick(deps, respond, { key: action.value ?? '', container: body.container, user: body.user }, 'read');
    if (!checked) return;
    const { alert, actor } = checked;
    const { view } = alert;
    const at = (deps.clock?.() ?? new Date()).toISOString();
    const kept = await deps.actions.acknowledge(view.key, actor.id, at);
    if (kept.userId !== actor.id || kept.at !== at) return void (await ephemeral(respond, `${mention(kept.userId)} already acknowledged this alert.`));
    await deps.enqueueNotify({ kind: 'alert-refresh', uid: view.key, at });
    await client.chat.postMessage({ channel: alert.channel, thread_ts: alert.threadTs, text: `:eyes: ${mention(actor.id)} acknowledged the alert and is looking into it.` });
  });

  app.action<BlockAction<OverflowAction>>(ACTION_IDS.mute, async ({ ack, body, action, respond, client }) => {
    await ack();
    const [choice = '', key = ''] = action.selected_option.value.split('|');
    const checked = await checkClick(deps, respond, { key, container: body.container, user: body.user }, 'mute');
    if (!checked) return;
    const { alert, actor } = checked;
    const { view } = alert;
    const [target] = muteTargets(view.namespace, view.jobName, view.cronJob?.name).reverse();
    if (!target) return;
    const muteLabel = inlineCode(target.replace(/^\w+:/, ''), 120);
    const at = (deps.clock?.() ?? new Date()).toISOString();
    let note: string;
    if (choice === 'unmute') {
      if (!(await deps.actions.unmute(target, alert.cluster))) return void (await ephemeral(respond, `Alerts for ${muteLabel} are not muted.`));
      note = `:bell: ${mention(actor.id)} unmuted alerts for ${muteLabel}.`;
    } else {
      const ms = MUTE_DURATIONS_MS[choice.replace(/^mute:/, '')];
      if (ms === undefined) return void (await ephemeral(respond, `Unknown mute choice ${inlineCode(choice, 40)}, so nothing was done.`));
      const until = new Date(Date.parse(at) + ms).toISOString();
      await deps.actions.mute({ target, cluster: alert.cluster, userId: actor.id, until });
      note = `:no_bell: ${mention(actor.id)} muted alerts for ${muteLabel} until ${until.replace('T', ' ').slice(0, 16)} UTC. New failures are recorded but not posted.`;
    }
    await deps.enqueueNotify({ kind: 'alert-refresh', uid: view.key, at });
    await client.chat.postMessage({ channel: alert.channel, thread_ts: alert.threadTs, text: note });
  });

  app.action<ButtonBody>(ACTION_IDS.confirm, async ({ ack, body, action, respond }) => {
    await ack();
    const record = await deps.actions.get(action.value ?? '');
    if (!record) return void (await ephemeral(respond, 'This confirmation has expired, so nothing was done. Start again from the alert.'));
    if (record.actor.id !== body.user.id) return void (await ephemeral(respond, `Only ${mention(record.actor.id)}, who asked for it, can confirm this.`));
    const verb = record.kind === 'raise-limits' ? 'raise-limits' : 'retry';
    const decision = decide(deps, await actorOf(deps, body.user), verb, record.namespace);
    if (!decision.allowed) return void (await ephemeral(respond, denial(decision)));
    const cluster = record.cluster ?? DEFAULT_CLUSTER;
    const problem = await clusterProblem(deps, cluster);
    if (problem !== undefined) return void (await ephemeral(respond, problem));
    if (record.stage !== 'planned' || !(await deps.actions.claim(record.id, 'confirm'))) {
      return void (await ephemeral(respond, 'This was already confirmed or cancelled; nothing more was done.'));
    }
    record.stage = 'confirmed';
    if (decision.identity) record.identity = decision.identity;
    record.updatedAt = new Date().toISOString();
    await deps.actions.put(record);
    await deps.enqueueAction(cluster, record.id, 'execute');
    // Only an ephemeral confirmation may be replaced; a click from anywhere else must not
    // replace the message it came from.
    await respond({ response_type: 'ephemeral', replace_original: fromEphemeral(body), text: `Working on it: ${record.plan?.summary ?? record.kind}` });
  });

  app.action<ButtonBody>(ACTION_IDS.cancel, async ({ ack, body, action, respond }) => {
    await ack();
    const record = await deps.actions.get(action.value ?? '');
    if (!record || record.actor.id !== body.user.id || record.stage !== 'planned' || !(await deps.actions.claim(record.id, 'confirm'))) {
      return void (await ephemeral(respond, 'Nothing to cancel.'));
    }
    record.stage = 'refused';
    record.result = { text: 'Cancelled.' };
    record.updatedAt = new Date().toISOString();
    await deps.actions.put(record);
    await respond({ response_type: 'ephemeral', replace_original: fromEphemeral(body), text: 'Cancelled; nothing was changed.' });
  });
}
