import type { ActionRecord } from '../actions/action-store.ts';
import { ACTION_IDS, mention } from './alert-actions.ts';
import { context, plainText, section, type Block } from './block-kit.ts';
import { escapeMrkdwn } from './escape.ts';
import { inlineCode } from './mrkdwn.ts';

/** A message about an action: fallback text and blocks. */
export interface ActionMessage {
  text: string;
  blocks: Block[];
}

const VERBS: Record<ActionRecord['kind'], string> = {
  retry: 'retry',
  'raise-limits': 'raise limits of',
  logs: 'fetch the logs of',
  why: 'diagnose',
  status: 'show the status of',
  list: 'list Jobs in',
};

/** Shows what an action is about: `NS/NAME`, a namespace or all namespaces, and its cluster. */
function target(record: ActionRecord): string {
  const target = inlineCode(record.name ? `${record.namespace}/${record.name}` : record.namespace || 'all namespaces', 120);
  return record.cluster === undefined ? target : `${target} in cluster ${inlineCode(record.cluster, 80)}`;
}

/** Builds the context line naming the action's cluster, for records that name one. */
function clusterContext(record: ActionRecord): Block[] {
  return record.cluster === undefined ? [] : [context([`cluster ${inlineCode(record.cluster, 80)}`], 150)];
}

/**
 * Renders the ephemeral confirmation of a planned action: what will happen, the warnings,
 * and the buttons. The buttons carry only the action's id.
 */
export function renderConfirmation(record: ActionRecord): ActionMessage {
  const plan = record.plan;
  const lines = [`*Confirm:* ${plan?.summary ?? `${VERBS[record.kind]} ${target(record)}`}`];
  if (record.cluster !== undefined) lines.push(`In cluster ${inlineCode(record.cluster, 80)}.`);
  for (const warning of plan?.warnings ?? []) lines.push(`:warning: ${warning}`);
  if (plan?.diff?.length) lines.push(plan.diff.map((line) => `• ${escapeMrkdwn(line)}`).join('\n'));
  const title = record.kind === 'retry' ? 'Create the retry' : 'Apply';
  return {
    text: plan?.summary ?? 'Confirm the action',
    blocks: [
      section(lines.join('\n')),
      {
        type: 'actions',
        block_id: 'jobwatch.confirm',
        elements: [
          { type: 'button', action_id: ACTION_IDS.confirm, text: plainText(title), value: record.id, style: 'primary' },
          { type: 'button', action_id: ACTION_IDS.cancel, text: plainText('Cancel'), value: record.id },
        ],
      },
    ],
  };
}

/** Renders the reply to the acting user: the result, or why the action failed or was rejected. */
export function renderResult(record: ActionRecord): ActionMessage {
  const text = record.result?.text || `Done: ${VERBS[record.kind]} ${target(record)}.`;
  let prefix = ':x:';
  if (record.stage === 'done') prefix = ':white_check_mark:';
  else if (record.stage === 'refused') prefix = ':no_entry:';
  const body = record.kind === 'status' || record.kind === 'why' || record.kind === 'list' ? text : `${prefix} ${text}`;
  return { text: body.slice(0, 300), blocks: [...clusterContext(record), section(body)] };
}

/** Renders the thread record of an action on the alert: who did what, and how it went. */
export function renderThreadNote(record: ActionRecord): ActionMessage {
  const who = mention(record.actor.id);
  const as = record.identity ? ` as Kubernetes user ${inlineCode(record.identity.user, 80)}` : '';
  let line: string;
  if (record.stage === 'done') {
    line = `:arrows_counterclockwise: ${who} asked to ${VERBS[record.kind]} ${target(record)}${as}: ${record.result?.text ?? 'done'}`;
  } else {
    line = `:x: ${who} asked to ${VERBS[record.kind]} ${target(record)}${as}, which ${record.stage === 'refused' ? 'was refused' : 'failed'}: ${record.result?.text ?? ''}`;
  }
  const blocks: Block[] = [section(line)];
  if (record.plan?.diff?.length) blocks.push(section(record.plan.diff.map((d) => `• ${escapeMrkdwn(d)}`).join('\n')));
  return { text: line.slice(0, 300), blocks };
}

/** Renders the thread note about how a Job created by an action ended. */
export function renderOutcomeNote(jobName: string, outcome: 'succeeded' | 'failed', detail?: string): ActionMessage {
  const line =
    outcome === 'succeeded'
      ? `:white_check_mark: ${inlineCode(jobName, 80)} succeeded${detail ? ` ${escapeMrkdwn(detail)}` : ''}.`
      : `:x: ${inlineCode(jobName, 80)} failed${detail ? `: ${escapeMrkdwn(detail)}` : ''}. Its own alert has the details.`;
  return { text: line, blocks: [section(line)] };
}

/** Characters of log shown to the user when the logs are not uploaded as a file. */
const LOG_TAIL_CHARS = 2_500;

/**
 * Renders the end of a Job's collected logs for the acting user alone, for `/job logs`.
 * The command's channel may be public, so the full file goes only to an alert's thread.
 */
export function renderLogTail(record: ActionRecord, content: string): ActionMessage {
  const cutNote =
    content.length > LOG_TAIL_CHARS
      ? `_The last ${LOG_TAIL_CHARS.toLocaleString('en-US')} of ${content.length.toLocaleString('en-US')} characters; *Full logs* on the alert uploads the whole file to its thread._\n`
      : '';
  const tail = escapeMrkdwn(content.length > LOG_TAIL_CHARS ? content.slice(-LOG_TAIL_CHARS) : content).replaceAll('```', "'''");
  const fence = '```';
  return { text: `Logs of ${record.namespace}/${record.name ?? ''}`, blocks: [section(`Logs of ${target(record)}:\n${cutNote}${fence}${tail}${fence}`)] };
}
