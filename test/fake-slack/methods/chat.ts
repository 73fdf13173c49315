import { RateLimitedError, SlackApiError } from '../api-error.ts';
import {
  type MessageMetadata,
  decodeJsonField,
  readMessageBlocks,
  readMessageText,
  readMetadata,
} from '../block-kit/message-content.ts';
import { WORKSPACE, isReply } from '../state.ts';
import type { StoredMessage } from '../types.ts';
import {
  type MethodHandler,
  optionalString,
  requirePostable,
  resolveChannel,
  resolveThreadTs,
  toApiMessage,
} from './context.ts';

interface MessageContent {
  text: string | undefined;
  blocks: unknown[] | undefined;
  metadata: MessageMetadata | undefined;
}

/** Slack allows at most 100 legacy attachments per message. */
const MAX_ATTACHMENTS = 100;

/**
 * Validates text, blocks, attachments and metadata of a message argument set and
 * throws `no_text` when nothing visible is left.
 */
function readContent(args: Record<string, unknown>): MessageContent {
  if (args.markdown_text !== undefined && (args.text !== undefined || args.blocks !== undefined)) {
    throw new SlackApiError('markdown_text_conflict');
  }
  const text = readMessageText(args.text ?? args.markdown_text);
  const blocks = readMessageBlocks(args.blocks);
  const attachments = readAttachments(args.attachments);
  const hasBlocks = blocks !== undefined && blocks.length > 0;
  if ((text === undefined || text === '') && !hasBlocks && attachments === 0) {
    throw new SlackApiError('no_text');
  }
  return { text, blocks, metadata: readMetadata(args.metadata) };
}

function readAttachments(raw: unknown): number {
  if (raw === undefined || raw === '') return 0;
  const decoded = decodeJsonField(raw);
  if ('invalid' in decoded || !Array.isArray(decoded.value)) {
    throw new SlackApiError('invalid_attachments');
  }
  if (decoded.value.length > MAX_ATTACHMENTS) throw new SlackApiError('too_many_attachments');
  return decoded.value.length;
}

export const postMessage: MethodHandler = ({ args, state, postLimiter }) => {
  const channel = resolveChannel(state, args.channel);
  requirePostable(channel);
  const waitSeconds = postLimiter.take(channel.id);
  if (waitSeconds !== undefined) throw new RateLimitedError(waitSeconds);
  const content = readContent(args);
  const threadTs = resolveThreadTs(state, channel, args.thread_ts);
  const message: StoredMessage = {
    type: 'message',
    channel: channel.id,
    ts: state.nextTs(),
    text: content.text ?? '',
    user: WORKSPACE.botUserId,
    bot_id: WORKSPACE.botId,
    edits: [],
  };
  if (threadTs !== undefined) message.thread_ts = threadTs;
  if (content.blocks !== undefined && content.blocks.length > 0) message.blocks = content.blocks;
  if (content.metadata !== undefined) message.metadata = content.metadata;
  state.addMessage(message);
  return { channel: channel.id, ts: message.ts, message: toApiMessage(message, true) };
};

export const update: MethodHandler = ({ args, state, updateLimiter }) => {
  const waitSeconds = updateLimiter.take();
  if (waitSeconds !== undefined) throw new RateLimitedError(waitSeconds);
  const channel = resolveChannel(state, args.channel);
  const ts = optionalString(args, 'ts');
  const message = ts === undefined ? undefined : state.findMessage(channel.id, ts);
  if (!message) throw new SlackApiError('message_not_found');
  if (message.bot_id !== WORKSPACE.botId) throw new SlackApiError('cant_update_message');
  const content = readContent(args);
  const previous = { text: message.text, replacedAtMs: state.clock() };
  message.edits.push(message.blocks ? { ...previous, blocks: message.blocks } : previous);
  message.text = content.text ?? '';
  // As in Slack, omitted blocks keep the previous ones and an empty array removes them.
  if (content.blocks?.length === 0) delete message.blocks;
  else if (content.blocks !== undefined) message.blocks = content.blocks;
  if (content.metadata !== undefined) message.metadata = content.metadata;
  message.edited = { user: WORKSPACE.botUserId, ts: state.nextTs() };
  return {
    channel: channel.id,
    ts: message.ts,
    text: message.text,
    message: toApiMessage(message, true),
  };
};

export const postEphemeral: MethodHandler = ({ args, state }) => {
  const channel = resolveChannel(state, args.channel);
  requirePostable(channel);
  const user = optionalString(args, 'user');
  // The fake treats every known human as a member of every channel.
  if (user === undefined || !state.users.has(user)) throw new SlackApiError('user_not_in_channel');
  const content = readContent(args);
  const threadTs = resolveThreadTs(state, channel, args.thread_ts);
  const messageTs = state.nextTs();
  const ephemeral = { channel: channel.id, user, message_ts: messageTs, text: content.text ?? '' };
  state.ephemerals.push({
    ...ephemeral,
    ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
    ...(content.blocks === undefined ? {} : { blocks: content.blocks }),
  });
  return { message_ts: messageTs };
};

export const getPermalink: MethodHandler = ({ args, state }) => {
  const channel = resolveChannel(state, args.channel);
  const ts = optionalString(args, 'message_ts');
  const message = ts === undefined ? undefined : state.findMessage(channel.id, ts);
  if (!message) throw new SlackApiError('message_not_found');
  const workspaceUrl = `https://${WORKSPACE.teamDomain}.slack.com`;
  const base = `${workspaceUrl}/archives/${channel.id}/p${message.ts.replace('.', '')}`;
  const permalink = isReply(message)
    ? `${base}?thread_ts=${message.thread_ts}&cid=${channel.id}`
    : base;
  return { channel: channel.id, permalink };
};
