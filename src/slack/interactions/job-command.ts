import type { App, RespondFn } from '@slack/bolt';
import type { ActionKind } from '../../actions/action-store.ts';
import type { ActionVerb } from '../../actions/types.ts';
import { helpText, parseJobCommand } from '../job-command.ts';
import { subcommandHelp } from '../job-command-help.ts';
import { inlineCode } from '../mrkdwn.ts';
import { mention } from '../alert-actions.ts';
import { chooseCluster, unreachableReason } from '../cluster-choice.ts';
import { actorOf, decide, denial, newRecord, type InteractionDeps } from './context.ts';

function ephemeral(respond: RespondFn, text: string): Promise<unknown> {
  return respond({ response_type: 'ephemeral', text });
}

const VERB_OF: Record<string, ActionVerb> = { status: 'read', why: 'read', logs: 'read', list: 'read', retry: 'retry', mute: 'mute', unmute: 'mute' };

/**
 * Registers the slash command (`/job` by default). It is acknowledged at once. Usage
 * errors, help and mutes are handled here, and everything that reads or writes the
 * cluster is queued for the cluster side, which replies through the command's response URL.
 */
export function registerJobCommand(app: App, deps: InteractionDeps): void {
  app.command(deps.command, async ({ ack, command, respond }) => {
    await ack();
    const parsed = parseJobCommand(command.text, { command: deps.command });
    if (!parsed.ok) return void (await ephemeral(respond, parsed.message));
    if (parsed.subcommand === 'help') return void (await ephemeral(respond, parsed.topic ? subcommandHelp(deps.command, parsed.topic) : helpText(deps.command)));
    const namespace = parsed.namespace;
    if (!namespace && parsed.subcommand !== 'list') {
      return void (await ephemeral(respond, `Which namespace? Add ${inlineCode('-n NAMESPACE')}, for example ${inlineCode(`${deps.command} ${parsed.subcommand} ${'name' in parsed ? parsed.name : 'NAME'} -n NAMESPACE`)}.`));
    }
    const clusters = await deps.clusters();
    const now = deps.clock?.() ?? new Date();
    const choice = chooseCluster(parsed.cluster, clusters, `${deps.command} ${command.text.trim()}`, now);
    if (!choice.ok) return void (await ephemeral(respond, choice.message));
    const cluster = choice.cluster;
    const actor = await actorOf(deps, { id: command.user_id, name: command.user_name });
    // Listing every namespace needs read rights on each; the cluster side lists only
    // namespaces, so a listing without -n is checked against the wildcard namespace.
    const decision = decide(deps, actor, VERB_OF[parsed.subcommand] ?? 'read', namespace ?? '*');
    if (!decision.allowed) return void (await ephemeral(respond, denial(decision)));

    const where = { namespace: namespace ?? '', cluster };
    if (parsed.subcommand === 'mute') return void (await muteByName(deps, { name: parsed.name, mute: { durationMs: parsed.durationMs, duration: parsed.duration } }, where, actor.id, respond));
    if (parsed.subcommand === 'unmute') return void (await muteByName(deps, { name: parsed.name }, where, actor.id, respond));
    // Mutes live in Redis, but everything else waits in the cluster's queue for its cluster side.
    const problem = unreachableReason(cluster, clusters, now);
    if (problem !== undefined) return void (await ephemeral(respond, problem));
    const kind: ActionKind = parsed.subcommand;
    const id = `cmd.${kind}.${command.trigger_id}`;
    const record = newRecord(deps, {
      id,
      kind,
      actor,
      ...(decision.identity ? { identity: decision.identity } : {}),
      cluster,
      namespace: namespace ?? '',
      ...('name' in parsed ? { name: parsed.name } : {}),
      reply: { userId: actor.id, channel: command.channel_id, responseUrl: command.response_url },
      ...(parsed.subcommand === 'list' ? { params: { filter: parsed.filter } } : {}),
      ...(parsed.subcommand === 'logs' ? { params: { previous: parsed.previous, ...(parsed.container ? { container: parsed.container } : {}) } } : {}),
    });
    if (await deps.actions.create(record)) await deps.enqueueAction(cluster, id, 'plan');
    let subject = 'every namespace';
    if ('name' in parsed) subject = inlineCode(`${namespace ?? ''}/${parsed.name}`);
    else if (namespace) subject = inlineCode(namespace);
    await ephemeral(respond, `Working on ${inlineCode(`${deps.command} ${parsed.subcommand}`)} for ${subject} in cluster ${inlineCode(cluster, 80)}…`);
  });
}

async function muteByName(
  deps: InteractionDeps,
  parsed: { name: string; mute?: { durationMs: number; duration: string } },
  where: { namespace: string; cluster: string },
  userId: string,
  respond: RespondFn,
): Promise<void> {
  const { namespace, cluster } = where;
  // The name may be a Job's or a CronJob's, so both targets are set. The worker checks a
  // Job against its own name and its CronJob's.
  const targets = [`job:${namespace}/${parsed.name}`, `cronjob:${namespace}/${parsed.name}`];
  const target = `${inlineCode(`${namespace}/${parsed.name}`)} in cluster ${inlineCode(cluster, 80)}`;
  if (!parsed.mute) {
    let removed = false;
    for (const target of targets) removed = (await deps.actions.unmute(target, cluster)) || removed;
    await ephemeral(respond, removed ? `Unmuted alerts for ${target}.` : `Alerts for ${target} were not muted.`);
    return;
  }
  const until = new Date((deps.clock?.() ?? new Date()).getTime() + parsed.mute.durationMs).toISOString();
  for (const target of targets) await deps.actions.mute({ target, cluster, userId, until });
  await ephemeral(
    respond,
    `:no_bell: ${mention(userId)} muted alerts for the Job or CronJob named ${target} for ${inlineCode(parsed.mute.duration)}, until ${until.replace('T', ' ').slice(0, 16)} UTC. The name is not checked against the cluster: use ${inlineCode(`${deps.command} status NAME -n NAMESPACE`)} to check it, and ${inlineCode(`${deps.command} unmute`)} to undo a typo.`,
  );
}
