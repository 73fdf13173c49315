import { SlackApiError } from '../api-error.ts';
import { type ChannelState, compareTs, isReply } from '../state.ts';
import type { StoredMessage } from '../types.ts';
import {
  type MethodHandler,
  flag,
  optionalString,
  requireString,
  resolveChannel,
  toApiMessage,
} from './context.ts';

/** Slack's default and maximum page sizes for history and replies. */
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 999;

function describeChannel(channel: ChannelState): Record<string, unknown> {
  return {
    id: channel.id,
    name: channel.name,
    is_channel: !channel.isPrivate,
    is_group: false,
    is_im: false,
    is_private: channel.isPrivate,
    is_archived: channel.isArchived,
    is_member: channel.botIsMember,
  };
}

export const info: MethodHandler = ({ args, state }) => {
  const channel = resolveChannel(state, args.channel);
  if (channel.isPrivate && !channel.botIsMember) throw new SlackApiError('channel_not_found');
  return { channel: describeChannel(channel) };
};

export const join: MethodHandler = ({ args, state }) => {
  const channel = resolveChannel(state, args.channel);
  if (channel.isPrivate) throw new SlackApiError('method_not_supported_for_channel_type');
  if (channel.isArchived) throw new SlackApiError('is_archived');
  if (channel.botIsMember) {
    return { channel: describeChannel(channel), warning: 'already_in_channel' };
  }
  channel.botIsMember = true;
  return { channel: describeChannel(channel) };
};

function readLimit(args: Record<string, unknown>): number {
  const raw = optionalString(args, 'limit');
  if (raw === undefined) return DEFAULT_LIMIT;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1) {
    throw new SlackApiError('invalid_limit', [
      `[ERROR] limit must be a positive integer, got ${raw}`,
    ]);
  }
  return Math.min(limit, MAX_LIMIT);
}

/** Keeps messages inside `oldest`..`latest`, exclusive unless `inclusive` is set. */
function inRange(args: Record<string, unknown>): (message: StoredMessage) => boolean {
  const oldest = optionalString(args, 'oldest');
  const latest = optionalString(args, 'latest');
  const inclusive = flag(args, 'inclusive');
  return (message) => {
    if (oldest !== undefined) {
      const order = compareTs(message.ts, oldest);
      if (order < 0 || (order === 0 && !inclusive)) return false;
    }
    if (latest !== undefined) {
      const order = compareTs(message.ts, latest);
      if (order > 0 || (order === 0 && !inclusive)) return false;
    }
    return true;
  };
}

/** Cursor pages: the cursor is the ts of the last message already returned. */
function page(
  messages: StoredMessage[],
  args: Record<string, unknown>,
): { items: StoredMessage[]; nextCursor: string } {
  const cursor = optionalString(args, 'cursor');
  let start = 0;
  if (cursor !== undefined) {
    const afterTs = Buffer.from(cursor, 'base64').toString('utf8');
    start = messages.findIndex((message) => message.ts === afterTs) + 1;
    if (start === 0) throw new SlackApiError('invalid_cursor');
  }
  const limit = readLimit(args);
  const items = messages.slice(start, start + limit);
  const last = items.at(-1);
  const more = start + limit < messages.length && last !== undefined;
  return { items, nextCursor: more ? Buffer.from(last.ts, 'utf8').toString('base64') : '' };
}

function requireReadable(channel: ChannelState): void {
  if (!channel.botIsMember) throw new SlackApiError('not_in_channel');
}

/** Root messages, newest first; replies stay in their threads as in Slack. */
export const history: MethodHandler = ({ args, state }) => {
  const channel = resolveChannel(state, args.channel);
  requireReadable(channel);
  const roots = state
    .channelHistory(channel.id)
    .filter((message) => !isReply(message))
    .filter(inRange(args))
    .reverse();
  const { items, nextCursor } = page(roots, args);
  const withMetadata = flag(args, 'include_all_metadata');
  return {
    messages: items.map((message) => toApiMessage(message, withMetadata)),
    has_more: nextCursor !== '',
    response_metadata: { next_cursor: nextCursor },
  };
};

/** Returns a thread oldest first with its root, found by the root's or a reply's ts. */
export const replies: MethodHandler = ({ args, state }) => {
  const channel = resolveChannel(state, args.channel);
  requireReadable(channel);
  const ts = requireString(args, 'ts');
  const message = state.findMessage(channel.id, ts);
  if (!message) throw new SlackApiError('thread_not_found');
  const rootTs = isReply(message) ? String(message.thread_ts) : message.ts;
  const thread = state.thread(channel.id, rootTs).filter(inRange(args));
  const { items, nextCursor } = page(thread, args);
  const withMetadata = flag(args, 'include_all_metadata');
  return {
    messages: items.map((item) => toApiMessage(item, withMetadata)),
    has_more: nextCursor !== '',
    response_metadata: { next_cursor: nextCursor },
  };
};
