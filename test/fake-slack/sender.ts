import { checkMessagePayload } from './block-kit/message-content.ts';
import {
  type InputValue,
  actionEntry,
  checkViewAck,
  findAction,
  listActionIds,
  requireStoredMessage,
  submittedView,
} from './interaction-payloads.ts';
import { type DeliveryOptions, type SlackDelivery, deliver } from './signing.ts';
import { WORKSPACE } from './state.ts';
import type { FakeSlack } from './types.ts';

export {
  type DeliveryOptions,
  type SentRequest,
  type SlackDelivery,
  type SlackSignatureHeaders,
  FORM_CONTENT_TYPE,
  redeliver,
  replay,
  signRequest,
} from './signing.ts';

/** Form fields of a slash command, all strings, as Slack posts them. */
export interface SlashCommandFields {
  token: string;
  team_id: string;
  team_domain: string;
  channel_id: string;
  channel_name: string;
  user_id: string;
  user_name: string;
  command: string;
  text: string;
  api_app_id: string;
  is_enterprise_install: string;
  response_url: string;
  trigger_id: string;
}

/** Legacy verification token Slack still sends; apps must not rely on it. */
const LEGACY_TOKEN = 'legacy-verification-token';

/** Derives a user name from an id: `U0ALICE` becomes `alice`, matching the default users. */
function userNameOf(userId: string): string {
  return userId.replace(/^U0/, '').toLowerCase();
}

/** The app's response to a slash command and what is wrong with its ack body. */
export interface SlashCommandDelivery extends SlackDelivery {
  ackProblems: string[];
}

/**
 * Lists what is wrong with a slash command ack. An empty body or plain text is
 * valid; a JSON body must be a valid message (text or blocks, `response_type`).
 */
export function checkCommandAck(body: string): string[] {
  if (body === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  // A JSON scalar is shown as plain text, like any other non-object body.
  return typeof parsed === 'object' && parsed !== null ? checkMessagePayload(parsed) : [];
}

/**
 * Builds every form field of a slash command from the given ones. With `fake`,
 * the `response_url` points at the fake's `/response/<id>` and the `trigger_id`
 * comes from `fake.issueTrigger()`; without it, both must be in `fields`.
 */
export function buildSlashCommandFields(
  fields: Partial<SlashCommandFields> & { command: string; text: string },
  fake?: FakeSlack,
): SlashCommandFields {
  const channelId = fields.channel_id ?? 'C0ALERTS';
  const responseUrl = fields.response_url ?? fake?.issueResponseUrl({ channel: channelId });
  const triggerId = fields.trigger_id ?? fake?.issueTrigger();
  if (responseUrl === undefined || triggerId === undefined) {
    throw new Error(
      'sendSlashCommand needs options.fake, or response_url and trigger_id in fields',
    );
  }
  const userId = fields.user_id ?? 'U0ALICE';
  const channelName = fake?.channels().find((channel) => channel.id === channelId)?.name;
  return {
    token: LEGACY_TOKEN,
    team_id: WORKSPACE.teamId,
    team_domain: WORKSPACE.teamDomain,
    channel_id: channelId,
    channel_name: channelName ?? 'job-alerts',
    user_id: userId,
    user_name: userNameOf(userId),
    api_app_id: WORKSPACE.appId,
    is_enterprise_install: 'false',
    ...fields,
    response_url: responseUrl,
    trigger_id: triggerId,
  };
}

/**
 * Sends a signed slash command to the app and checks its ack body. With
 * `options.fake`, the `response_url` points at the fake's `/response/<id>` and
 * the `trigger_id` comes from `fake.issueTrigger()`; without it, both must be
 * in `fields`.
 */
export async function sendSlashCommand(
  appUrl: string,
  signingSecret: string,
  fields: Partial<SlashCommandFields> & { command: string; text: string },
  options: DeliveryOptions & { fake?: FakeSlack } = {},
): Promise<SlashCommandDelivery> {
  const { fake, ...delivery } = options;
  const full = buildSlashCommandFields(fields, fake);
  const body = new URLSearchParams(Object.entries(full)).toString();
  const response = await deliver(appUrl, signingSecret, body, delivery);
  return { ...response, ackProblems: checkCommandAck(response.body) };
}

function interactionUser(userId: string): Record<string, unknown> {
  const name = userNameOf(userId);
  return { id: userId, username: name, name, team_id: WORKSPACE.teamId };
}

function payloadBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** Which click to send: a message the fake stored and one of its action_ids. */
export interface BlockActionTarget {
  channel: string;
  messageTs: string;
  actionId: string;
  userId: string;
  /** For selects and overflows: the `value` of the chosen option. */
  selectedValue?: string;
}

/**
 * Builds the `block_actions` payload of a click on a message the fake stored.
 * Only action_ids that exist in the message's current blocks can be clicked;
 * anything else throws.
 */
export function buildBlockActionPayload(
  fake: FakeSlack,
  target: BlockActionTarget,
): Record<string, unknown> {
  const message = requireStoredMessage(fake, target.channel, target.messageTs);
  const found = findAction(message, target.actionId);
  if (!found) {
    const offered = listActionIds(message).join(', ') || 'none';
    const where = `message ${message.ts} in ${target.channel}`;
    throw new Error(`${where} has no action_id ${target.actionId}; it offers: ${offered}`);
  }
  const actionTs = (Date.now() / 1000).toFixed(6);
  const channelName = fake.channels().find((channel) => channel.id === message.channel)?.name;
  const threadTs = message.thread_ts !== message.ts ? message.thread_ts : undefined;
  return {
    type: 'block_actions',
    team: { id: WORKSPACE.teamId, domain: WORKSPACE.teamDomain },
    user: interactionUser(target.userId),
    api_app_id: WORKSPACE.appId,
    token: LEGACY_TOKEN,
    trigger_id: fake.issueTrigger(),
    container: {
      type: 'message',
      message_ts: message.ts,
      channel_id: message.channel,
      is_ephemeral: false,
      ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
    },
    channel: { id: message.channel, name: channelName ?? message.channel },
    message: {
      type: 'message',
      ts: message.ts,
      text: message.text,
      user: message.user,
      ...(message.bot_id === undefined ? {} : { bot_id: message.bot_id }),
      ...(message.thread_ts === undefined ? {} : { thread_ts: message.thread_ts }),
      blocks: message.blocks ?? [],
    },
    state: { values: {} },
    response_url: fake.issueResponseUrl({ channel: message.channel, messageTs: message.ts }),
    actions: [actionEntry(found, actionTs, target.selectedValue)],
    is_enterprise_install: false,
    enterprise: null,
  };
}

/**
 * Sends a signed `block_actions` click on a message the fake stored. The
 * payload is built from the stored message, so only action_ids that exist in
 * its current blocks can be clicked; anything else throws before sending.
 */
export async function sendBlockAction(
  appUrl: string,
  signingSecret: string,
  fake: FakeSlack,
  target: BlockActionTarget,
  options: DeliveryOptions = {},
): Promise<SlackDelivery> {
  const payload = buildBlockActionPayload(fake, target);
  return deliver(appUrl, signingSecret, payloadBody(payload), options);
}

/** What a modal submission contains: the view and values keyed by block_id, then action_id. */
export interface ViewSubmission {
  viewId: string;
  userId: string;
  /** A string is the value of a `plain_text_input`; objects are sent as value objects. */
  values: Record<string, Record<string, InputValue>>;
}

/** The app's response to a view_submission and what is wrong with its ack body. */
export interface ViewSubmissionDelivery extends SlackDelivery {
  ackProblems: string[];
}

/**
 * Builds the `view_submission` payload for a view the fake stored, and returns
 * that view too, for checking the app's ack against it.
 */
export function buildViewSubmissionPayload(
  fake: FakeSlack,
  submission: ViewSubmission,
): { payload: Record<string, unknown>; view: Record<string, unknown> } {
  const stored = fake.views().find((view) => view.id === submission.viewId);
  if (!stored) {
    throw new Error(`no view ${submission.viewId} in the fake; open it with views.open first`);
  }
  const payload = {
    type: 'view_submission',
    team: { id: WORKSPACE.teamId, domain: WORKSPACE.teamDomain },
    user: interactionUser(submission.userId),
    api_app_id: WORKSPACE.appId,
    token: LEGACY_TOKEN,
    trigger_id: fake.issueTrigger({ viewId: stored.id }),
    view: submittedView(stored, submission.values),
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
  return { payload, view: stored.view };
}

/**
 * Sends a signed `view_submission` for a view the fake stored, then checks the
 * app's ack body against that view (see `checkViewAck`).
 */
export async function sendViewSubmission(
  appUrl: string,
  signingSecret: string,
  fake: FakeSlack,
  submission: ViewSubmission,
  options: DeliveryOptions = {},
): Promise<ViewSubmissionDelivery> {
  const { payload, view } = buildViewSubmissionPayload(fake, submission);
  const delivery = await deliver(appUrl, signingSecret, payloadBody(payload), options);
  return { ...delivery, ackProblems: checkViewAck(view, delivery.body) };
}
