import { SlackApiError } from '../api-error.ts';
import type { TriggerStore } from '../interactions.ts';
import type { ChannelPostLimiter, WorkspaceUpdateLimiter } from '../rate-limits.ts';
import { type ChannelState, WORKSPACE, type WorkspaceState, isReply } from '../state.ts';
import { argString } from '../request-body.ts';
import type { StoredMessage } from '../types.ts';

/** What a method handler gets: the parsed arguments and the workspace. */
export interface MethodContext {
  /** Form fields as strings, or JSON body values as sent. The token is removed. */
  args: Record<string, unknown>;
  state: WorkspaceState;
  triggers: TriggerStore;
  postLimiter: ChannelPostLimiter;
  updateLimiter: WorkspaceUpdateLimiter;
  /** `http://127.0.0.1:<port>`, for upload URLs. */
  baseUrl: string;
}

/** Returns the fields of an `ok: true` response, or throws SlackApiError or RateLimitedError. */
export type MethodHandler = (ctx: MethodContext) => Record<string, unknown>;

/** Reads a required string argument; missing or empty means `invalid_arguments`. */
export function requireString(args: Record<string, unknown>, name: string): string {
  const value = argString(args[name]);
  if (value === undefined || value === '') {
    throw new SlackApiError('invalid_arguments', [
      `[ERROR] missing required field: ${name} [json-pointer:/${name}]`,
    ]);
  }
  return value;
}

export function optionalString(args: Record<string, unknown>, name: string): string | undefined {
  const value = argString(args[name]);
  return value === '' ? undefined : value;
}

/** Reads a boolean flag as sent by form bodies (`true`, `1`) or JSON bodies. */
export function flag(args: Record<string, unknown>, name: string): boolean {
  const value = args[name];
  return value === true || value === 'true' || value === '1' || value === 1;
}

/** Finds the channel named by an argument, or throws `channel_not_found`. */
export function resolveChannel(state: WorkspaceState, raw: unknown): ChannelState {
  const channel = typeof raw === 'string' && raw !== '' ? state.findChannel(raw) : undefined;
  if (!channel) throw new SlackApiError('channel_not_found');
  return channel;
}

/** Throws `is_archived` or `not_in_channel` when the bot cannot post in `channel`. */
export function requirePostable(channel: ChannelState): void {
  if (channel.isArchived) throw new SlackApiError('is_archived');
  if (!channel.botIsMember) throw new SlackApiError('not_in_channel');
}

/**
 * Checks a `thread_ts` argument. Slack does not document its response to a
 * thread_ts that names no message or names a reply, so the fake rejects both with
 * `thread_not_found` and states which case it was in `response_metadata.messages`.
 */
export function resolveThreadTs(
  state: WorkspaceState,
  channel: ChannelState,
  raw: unknown,
): string | undefined {
  const threadTs = argString(raw);
  if (threadTs === undefined || threadTs === '') return undefined;
  const parent = state.findMessage(channel.id, threadTs);
  if (!parent) {
    throw new SlackApiError('thread_not_found', [
      `[ERROR] no message with ts ${threadTs} in channel ${channel.id} [json-pointer:/thread_ts]`,
    ]);
  }
  if (isReply(parent)) {
    throw new SlackApiError('thread_not_found', [
      `[ERROR] ts ${threadTs} is a reply, so use its root ts ${String(parent.thread_ts)} ` +
        '[json-pointer:/thread_ts]',
    ]);
  }
  return threadTs;
}

/** Shapes a stored message the way history and chat methods return it. */
export function toApiMessage(
  message: StoredMessage,
  includeMetadata: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: 'message',
    ts: message.ts,
    text: message.text,
    user: message.user,
    team: WORKSPACE.teamId,
  };
  if (message.bot_id !== undefined) {
    out.bot_id = message.bot_id;
    out.app_id = WORKSPACE.appId;
  }
  if (message.subtype !== undefined) out.subtype = message.subtype;
  if (message.thread_ts !== undefined) out.thread_ts = message.thread_ts;
  if (message.reply_count !== undefined) out.reply_count = message.reply_count;
  if (message.blocks !== undefined) out.blocks = message.blocks;
  if (message.files !== undefined) out.files = message.files;
  if (message.edited !== undefined) out.edited = message.edited;
  if (includeMetadata && message.metadata !== undefined) out.metadata = message.metadata;
  return out;
}
