import type { AlertView } from './alert-view.ts';
import { plainText, type ActionsBlock, type Block, type ButtonElement } from './block-kit.ts';
import { context } from './block-kit.ts';
import { inlineCode, slackDate } from './mrkdwn.ts';
import { DEFAULT_CLUSTER } from '../queue/cluster-names.ts';

/** Action ids of the alert's buttons and of the messages that follow them. */
export const ACTION_IDS = {
  retry: 'jobwatch.retry',
  raiseLimits: 'jobwatch.raise_limits',
  logs: 'jobwatch.logs',
  ack: 'jobwatch.ack',
  mute: 'jobwatch.mute',
  confirm: 'jobwatch.confirm',
  cancel: 'jobwatch.cancel',
} as const;

/** Mute durations offered on the alert, as overflow option values. */
export const MUTE_CHOICES = [
  { value: 'mute:1h', label: 'Mute for 1 hour' },
  { value: 'mute:4h', label: 'Mute for 4 hours' },
  { value: 'mute:24h', label: 'Mute for 24 hours' },
  { value: 'mute:7d', label: 'Mute for 7 days' },
  { value: 'unmute', label: 'Unmute' },
] as const;

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** Shows a Slack user id as a mention, or nothing when it does not look like one. */
export function mention(userId: string): string {
  return SLACK_USER_ID.test(userId) ? `<@${userId}>` : 'someone';
}

/**
 * Returns the value of an alert's buttons: `CLUSTER/KEY`, the cluster and the episode key.
 * The handlers check both against the alert stored in Redis, so the cluster in a value
 * routes nothing on its own.
 */
export function alertButtonValue(view: Pick<AlertView, 'key' | 'cluster'>): string {
  return `${view.cluster ?? DEFAULT_CLUSTER}/${view.key}`;
}

/**
 * Builds the blocks that follow an alert's body: who acknowledged it, an active mute,
 * and the buttons. Every button carries only the cluster and the episode key; the
 * handlers re-read the alert from Redis and check the user's rights on each click.
 */
export function alertActionBlocks(view: AlertView): Block[] {
  const blocks: Block[] = [];
  const notes: string[] = [];
  if (view.ack) notes.push(`:eyes: ${mention(view.ack.userId)} is on it`);
  if (view.mute) {
    const until = Math.floor(Date.parse(view.mute.until) / 1000);
    notes.push(`:no_bell: Alerts for ${inlineCode(view.mute.target.replace(/^\w+:/, ''), 80)} muted by ${mention(view.mute.userId)} until ${slackDate(until, view.mute.until)}`);
  }
  if (notes.length > 0) blocks.push(context(notes, 150));
  if (view.actions !== true || view.state === 'deleted') return blocks;

  const value = alertButtonValue(view);
  const buttons: ButtonElement[] = [];
  if (view.state === 'failed' || view.state === 'stuck') {
    buttons.push({
      type: 'button',
      action_id: ACTION_IDS.retry,
      text: plainText('Retry'),
      value,
      style: 'primary',
    });
  }
  if (view.state !== 'recovered') {
    buttons.push({ type: 'button', action_id: ACTION_IDS.raiseLimits, text: plainText('Raise limits'), value });
  }
  buttons.push({ type: 'button', action_id: ACTION_IDS.logs, text: plainText('Full logs'), value });
  if (!view.ack && view.state !== 'recovered') {
    buttons.push({ type: 'button', action_id: ACTION_IDS.ack, text: plainText('Acknowledge'), value });
  }
  const actions: ActionsBlock = {
    type: 'actions',
    block_id: 'jobwatch.alert',
    elements: [
      ...buttons,
      {
        type: 'overflow',
        action_id: ACTION_IDS.mute,
        options: MUTE_CHOICES.map((choice) => ({ text: plainText(choice.label), value: `${choice.value}|${value}` })),
      },
    ],
  };
  blocks.push(actions);
  return blocks;
}
