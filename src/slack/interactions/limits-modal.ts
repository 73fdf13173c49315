import type { App, BlockAction, ButtonAction, ViewSubmitAction } from '@slack/bolt';
import { currentLimits, diffLimits, limitFieldId, suggestLimits, validateLimits, type LimitFormInput } from '../../actions/limits.ts';
import type { LimitValues } from '../../actions/types.ts';
import { managedWarning } from '../../actions/managers.ts';
import { ACTION_IDS } from '../alert-actions.ts';
import { escapeMrkdwn } from '../escape.ts';
import { inlineCode } from '../mrkdwn.ts';
import { DEFAULT_CLUSTER } from '../../queue/cluster-names.ts';
import { actorOf, clusterProblem, cronJobOf, decide, denial, loadAlert, newRecord, type InteractionDeps } from './context.ts';

/** Callback ids of the two modal steps: the form, then the change to confirm. */
export const LIMITS_FORM = 'jobwatch.limits_form';
export const LIMITS_CONFIRM = 'jobwatch.limits_confirm';
/** Containers shown in the form; Slack allows 100 blocks in a modal. */
const MAX_CONTAINERS = 10;
const RUN_NOW_BLOCK = 'runNow';

type Block = Record<string, unknown>;

function plain(text: string): { type: 'plain_text'; text: string } {
  return { type: 'plain_text', text: text.slice(0, 150) };
}

// Each input's action_id repeats its block_id, so the ids are unique across the whole view
// and not only within their block, which is all Slack documents.
function input(blockId: string, label: string, initial: string | undefined, hint?: string): Block {
  return {
    type: 'input',
    block_id: blockId,
    optional: true,
    label: plain(label),
    element: { type: 'plain_text_input', action_id: blockId, ...(initial ? { initial_value: initial } : {}) },
    ...(hint ? { hint: plain(hint) } : {}),
  };
}

/** Builds the form, prefilled with the suggested values, and the current ones as hints. */
export function limitsForm(options: { id: string; namespace: string; jobName: string; cronJob?: string; current: LimitValues; suggested: LimitValues; reasons: string[] }): Record<string, unknown> {
  const { current, suggested } = options;
  const intro = options.cronJob
    ? `Changes CronJob ${inlineCode(options.cronJob)}'s jobTemplate for all future runs of ${inlineCode(`${options.namespace}/${options.jobName}`)}.`
    : `Runs ${inlineCode(`${options.namespace}/${options.jobName}`)} again as a new Job with these values; the failed Job is kept.`;
  const blocks: Block[] = [{ type: 'section', text: { type: 'mrkdwn', text: intro, verbatim: true } }];
  if (options.reasons.length > 0) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Suggested: ${escapeMrkdwn(options.reasons.join(' '))}`.slice(0, 2000), verbatim: true }] });
  }
  const now = (value: number | string | undefined): string => (value === undefined ? 'Now: not set' : `Now: ${value}`);
  blocks.push(input('backoffLimit', 'backoffLimit (retries)', suggested.backoffLimit?.toString(), now(current.backoffLimit)));
  blocks.push(input('activeDeadlineSeconds', 'activeDeadlineSeconds', suggested.activeDeadlineSeconds?.toString(), now(current.activeDeadlineSeconds)));
  suggested.containers.slice(0, MAX_CONTAINERS).forEach((container, i) => {
    const before = current.containers[i];
    const label = `${container.init === true ? 'init container' : 'container'} ${container.name}`;
    for (const group of ['requests', 'limits'] as const) {
      for (const resource of ['memory', 'cpu'] as const) {
        blocks.push(input(limitFieldId(container, group, resource), `${label}: ${group}.${resource}`, container[group][resource], now(before?.[group][resource])));
      }
    }
  });
  if (options.cronJob) {
    blocks.push({
      type: 'input',
      block_id: RUN_NOW_BLOCK,
      optional: true,
      label: plain('Run now'),
      element: { type: 'checkboxes', action_id: RUN_NOW_BLOCK, options: [{ text: plain('Also start a Job from the changed CronJob now'), value: 'yes' }] },
    });
  }
  return { type: 'modal', callback_id: LIMITS_FORM, private_metadata: options.id, title: plain('Raise limits'), submit: plain('Review'), close: plain('Cancel'), blocks };
}

type StateValues = Record<string, Record<string, { value?: string | null; selected_options?: { value: string }[] }>>;

/** Reads the submitted form into raw strings, keyed the way {@link validateLimits} expects. */
export function readForm(values: StateValues, current: LimitValues): { input: LimitFormInput; runNow: boolean } {
  const text = (blockId: string): string | undefined => {
    const value = values[blockId]?.[blockId]?.value;
    return value === null || value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const input: LimitFormInput = { containers: [] };
  const backoff = text('backoffLimit');
  const deadline = text('activeDeadlineSeconds');
  if (backoff !== undefined) input.backoffLimit = backoff;
  if (deadline !== undefined) input.activeDeadlineSeconds = deadline;
  for (const container of current.containers.slice(0, MAX_CONTAINERS)) {
    const entry: LimitFormInput['containers'][number] = { name: container.name, requests: {}, limits: {}, ...(container.init ? { init: true } : {}) };
    for (const group of ['requests', 'limits'] as const) {
      for (const resource of ['memory', 'cpu'] as const) {
        const value = text(limitFieldId(container, group, resource));
        if (value !== undefined) entry[group][resource] = value;
      }
    }
    input.containers.push(entry);
  }
  const runNow = (values[RUN_NOW_BLOCK]?.[RUN_NOW_BLOCK]?.selected_options?.length ?? 0) > 0;
  return { input, runNow };
}

/** Builds the message for a form that did not open. Slack accepts a trigger_id once, within 3 seconds. */
function formFailure(err: unknown): string {
  const code = (err as { data?: { error?: unknown } }).data?.error;
  if (code === 'expired_trigger_id' || code === 'exchanged_trigger_id') {
    return 'The Raise limits form could not open because Slack\'s trigger for it expired (Slack allows 3 seconds). Nothing was changed: click *Raise limits* again.';
  }
  return `The Raise limits form could not open: Slack returned ${inlineCode(typeof code === 'string' ? code : String(err), 80)}. Nothing was changed: click *Raise limits* again.`;
}

/**
 * Registers the raise-limits flow: the button opens the form at once (trigger ids expire
 * after 3 seconds), prefilled from the failed Job stored in Redis and the cause's
 * suggestion; the form shows field errors or the diff to confirm; the confirmation queues
 * the change for the cluster side.
 */
export function registerLimitsModal(app: App, deps: InteractionDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.raiseLimits, async ({ ack, body, action, client, respond }) => {
    await ack();
    const alert = await loadAlert(deps, action.value ?? '', body.container);
    if (!alert.ok) return void (await respond({ response_type: 'ephemeral', replace_original: false, text: alert.message }));
    const { view, job } = alert.value;
    const actor = await actorOf(deps, body.user);
    const decision = decide(deps, actor, 'raise-limits', view.namespace);
    if (!decision.allowed) return void (await respond({ response_type: 'ephemeral', replace_original: false, text: denial(decision) }));
    if (!job) return void (await respond({ response_type: 'ephemeral', replace_original: false, text: 'jobwatch has no copy of this Job\'s spec any more, so it cannot prefill the form.' }));
    const problem = await clusterProblem(deps, alert.value.cluster);
    if (problem !== undefined) return void (await respond({ response_type: 'ephemeral', replace_original: false, text: problem }));
    const current = currentLimits(job);
    // Only the container the kernel killed gets more memory, not every container with a limit.
    const oomKilled = view.attempts.findLast((attempt) => attempt.reason === 'OOMKilled' && attempt.container)?.container;
    const suggestion = suggestLimits(current, { cause: view.cause, reason: view.reason, ceiling: deps.ceilings, ...(oomKilled ? { container: oomKilled } : {}) });
    const cronJob = cronJobOf(job);
    const id = `limits.${view.key}.${actor.id}.${Date.now().toString(36)}`;
    await deps.actions.put(
      newRecord(deps, {
        id,
        kind: 'raise-limits',
        actor,
        alertKey: view.key,
        cluster: alert.value.cluster,
        namespace: view.namespace,
        name: view.jobName,
        reply: { userId: actor.id, channel: alert.value.channel, threadTs: alert.value.threadTs },
        params: { current },
      }),
    );
    try {
      await client.views.open({
        trigger_id: body.trigger_id,
        view: limitsForm({ id, namespace: view.namespace, jobName: view.jobName, ...(cronJob ? { cronJob } : {}), current, suggested: suggestion.values, reasons: suggestion.reasons }) as never,
      });
    } catch (err) {
      deps.logger.warn({ err, action: id, user: actor.id }, 'raise-limits form did not open');
      await respond({ response_type: 'ephemeral', replace_original: false, text: formFailure(err) });
    }
  });

  app.view<ViewSubmitAction>(LIMITS_FORM, async ({ ack, body, view }) => {
    const record = await deps.actions.get(view.private_metadata);
    if (!record || record.actor.id !== body.user.id || record.stage !== 'requested') {
      await ack({ response_action: 'errors', errors: { backoffLimit: 'This form has expired; open it again from the alert.' } });
      return;
    }
    const current = record.params?.['current'] as LimitValues;
    const { input, runNow } = readForm(view.state.values, current);
    const checked = validateLimits(input, deps.ceilings);
    if ('errors' in checked) {
      await ack({ response_action: 'errors', errors: checked.errors });
      return;
    }
    const diff = diffLimits(current, checked.values);
    if (diff.length === 0 && !runNow) {
      await ack({ response_action: 'errors', errors: { backoffLimit: 'Nothing changed: edit a value, or cancel.' } });
      return;
    }
    record.params = { ...record.params, values: checked.values, runNow };
    const alert = record.alertKey ? await deps.episodes.getView(record.alertKey) : undefined;
    const tool = alert?.cronJob?.managedBy;
    const warnings = tool && alert.cronJob ? [managedWarning('CronJob', alert.cronJob.name, tool)] : [];
    record.plan = { summary: `Apply to ${inlineCode(`${record.namespace}/${record.name ?? ''}`)}`, warnings, diff };
    await deps.actions.put(record);
    const lines = diff.length > 0 ? diff.map((line) => `• ${escapeMrkdwn(line)}`).join('\n') : '_No value changed; only a new run._';
    await ack({
      response_action: 'update',
      view: {
        type: 'modal',
        callback_id: LIMITS_CONFIRM,
        private_metadata: record.id,
        title: plain('Raise limits'),
        submit: plain('Apply'),
        close: plain('Cancel'),
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: `*This change will be applied:*\n${lines}${runNow ? '\n• and a Job starts from the CronJob now' : ''}`.slice(0, 3000), verbatim: true } },
          ...warnings.map((warning) => ({ type: 'context', elements: [{ type: 'mrkdwn', text: `:warning: ${escapeMrkdwn(warning)}`, verbatim: true }] })),
        ],
      } as never,
    });
  });

  app.view<ViewSubmitAction>(LIMITS_CONFIRM, async ({ ack, body, view }) => {
    const record = await deps.actions.get(view.private_metadata);
    if (!record || record.actor.id !== body.user.id) {
      await ack({ response_action: 'clear' });
      return;
    }
    const decision = decide(deps, await actorOf(deps, body.user), 'raise-limits', record.namespace);
    if (!decision.allowed || record.stage !== 'requested' || !(await deps.actions.claim(record.id, 'confirm'))) {
      await ack({ response_action: 'clear' });
      return;
    }
    await ack({ response_action: 'clear' });
    record.stage = 'confirmed';
    if (decision.identity) record.identity = decision.identity;
    record.updatedAt = new Date().toISOString();
    await deps.actions.put(record);
    await deps.enqueueAction(record.cluster ?? DEFAULT_CLUSTER, record.id, 'execute');
  });
}
