/**
 * The thin layer that delivers rendered messages through `@slack/web-api`. Every failure
 * comes out as a {@link SlackDeliveryError}, so the queue worker above decides between
 * failing, retrying and waiting without knowing Slack's error strings.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Block } from './block-kit.ts';
import { classifySlackError, SlackDeliveryError, SlackPermanentError } from './slack-errors.ts';

export { createWebClient, webClientOptions, type WebClientSettings } from './web-client.ts';

/**
 * Slack message metadata. {@link SlackClient.findMessageByMetadata} matches its
 * `event_payload.key`.
 */
export interface MessageMetadata {
  event_type: string;
  event_payload: Record<string, string | number | boolean>;
}

export interface PostMessageRequest {
  /** Channel id (`C…`) or name. */
  channel: string;
  /** Notification and screen-reader text; Slack shows it when blocks cannot be shown. */
  text: string;
  blocks: Block[];
  /** The root message's ts, to post a thread reply. */
  threadTs?: string;
  metadata?: MessageMetadata;
}

export interface UpdateMessageRequest {
  channel: string;
  ts: string;
  text: string;
  blocks: Block[];
}

/** Location of a message: its channel id and its ts. */
export interface MessageRef {
  channel: string;
  ts: string;
}

export interface EnsureChannelResult {
  /** Channel id. */
  channel: string;
  /** True when the app joined just now; false when it was a member already. */
  joined: boolean;
}

export interface SlackClient {
  /** Posts a message; joins a public channel first when Slack returns `not_in_channel`. */
  postMessage(request: PostMessageRequest): Promise<MessageRef>;
  /** Replaces the text and blocks of a message the app posted. */
  updateMessage(request: UpdateMessageRequest): Promise<MessageRef>;
  /**
   * Finds the newest root message whose metadata has this `event_type` and
   * `event_payload.key`, at or after `sinceTs`. It detects a post that Slack accepted but
   * whose response never arrived. Searches at most {@link HISTORY_PAGES} pages of history.
   */
  findMessageByMetadata(
    channel: string,
    eventType: string,
    key: string,
    sinceTs?: string,
  ): Promise<MessageRef | undefined>;
  /** Like {@link findMessageByMetadata}, for replies in the thread of `threadTs`. */
  findReplyByMetadata(channel: string, threadTs: string, eventType: string, key: string): Promise<MessageRef | undefined>;
  /** Makes the app a member of a public channel; a private one raises `not_in_channel`. */
  ensureChannel(channel: string): Promise<EnsureChannelResult>;
}

export interface SlackClientOptions {
  /** A client built by `createWebClient` of `web-client.ts`, which hands 429s back at once. */
  client: WebClient;
  logger: Logger;
}

/** Pages of 200 messages that {@link SlackClient.findMessageByMetadata} reads at most. */
export const HISTORY_PAGES = 5;
const HISTORY_PAGE_SIZE = 200;

/** Creates a {@link SlackClient} over a `WebClient`. */
export function createSlackClient({ client, logger }: SlackClientOptions): SlackClient {
  const log = logger.child({ component: 'slack-client' });

  async function call<T>(method: string, channel: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const classified = classifySlackError(error, { method, channel });
      logFailure(log, classified);
      throw classified;
    }
  }

  async function post(request: PostMessageRequest): Promise<MessageRef> {
    const response = await call('chat.postMessage', request.channel, () =>
      client.chat.postMessage({
        channel: request.channel,
        text: request.text,
        blocks: request.blocks,
        unfurl_links: false,
        unfurl_media: false,
        ...(request.threadTs === undefined ? {} : { thread_ts: request.threadTs }),
        ...(request.metadata === undefined ? {} : { metadata: request.metadata }),
      }),
    );
    return messageRef('chat.postMessage', request.channel, response.channel, response.ts);
  }

  async function ensureChannel(channel: string): Promise<EnsureChannelResult> {
    const info = await call('conversations.info', channel, () =>
      client.conversations.info({ channel }),
    ).catch((error: unknown) => {
      // Slack returns channel_not_found for a private channel the app is not in, so the
      // join below tells a private channel apart from a missing one.
      if (
        error instanceof SlackDeliveryError &&
        ['channel_not_found', 'missing_scope'].includes(error.code)
      ) {
        return undefined;
      }
      throw error;
    });
    const found = info?.channel;
    if (found?.is_member === true && found.id !== undefined) {
      return { channel: found.id, joined: false };
    }
    if (found?.is_private === true) {
      throw privateChannelError(channel);
    }
    return join(found?.id ?? channel);
  }

  async function join(channel: string): Promise<EnsureChannelResult> {
    try {
      const response = await call('conversations.join', channel, () =>
        client.conversations.join({ channel }),
      );
      log.info({ channel }, 'joined slack channel');
      return {
        channel: response.channel?.id ?? channel,
        joined: response.warning !== 'already_in_channel',
      };
    } catch (error) {
      if (
        error instanceof SlackDeliveryError &&
        error.code === 'method_not_supported_for_channel_type'
      ) {
        throw privateChannelError(channel);
      }
      throw error;
    }
  }

  return {
    async postMessage(request) {
      try {
        return await post(request);
      } catch (error) {
        if (!(error instanceof SlackDeliveryError) || error.code !== 'not_in_channel') {
          throw error;
        }
        await ensureChannel(request.channel);
        return post(request);
      }
    },

    async updateMessage(request) {
      const response = await call('chat.update', request.channel, () =>
        client.chat.update({
          channel: request.channel,
          ts: request.ts,
          text: request.text,
          blocks: request.blocks,
        }),
      );
      return messageRef('chat.update', request.channel, response.channel, response.ts);
    },

    async findMessageByMetadata(channel, eventType, key, sinceTs) {
      // conversations.history lists root messages only; findReplyByMetadata searches a thread.
      let cursor: string | undefined;
      for (let page = 0; page < HISTORY_PAGES; page += 1) {
        const response = await call('conversations.history', channel, () =>
          client.conversations.history({
            channel,
            include_all_metadata: true,
            limit: HISTORY_PAGE_SIZE,
            ...(sinceTs === undefined ? {} : { oldest: sinceTs, inclusive: true }),
            ...(cursor === undefined ? {} : { cursor }),
          }),
        );
        const match = response.messages?.find(
          (message) =>
            message.metadata?.event_type === eventType &&
            payloadKey(message.metadata.event_payload) === key,
        );
        if (match?.ts !== undefined) {
          return { channel, ts: match.ts };
        }
        cursor = response.response_metadata?.next_cursor;
        if (response.has_more !== true || cursor === undefined || cursor === '') {
          return undefined;
        }
      }
      log.warn(
        { channel, eventType, key, pages: HISTORY_PAGES },
        'metadata search stopped at page limit',
      );
      return undefined;
    },

    async findReplyByMetadata(channel, threadTs, eventType, key) {
      let cursor: string | undefined;
      for (let page = 0; page < HISTORY_PAGES; page += 1) {
        const response = await call('conversations.replies', channel, () =>
          client.conversations.replies({
            channel,
            ts: threadTs,
            include_all_metadata: true,
            limit: HISTORY_PAGE_SIZE,
            ...(cursor === undefined ? {} : { cursor }),
          }),
        );
        const match = response.messages?.find(
          (message) => message.metadata?.event_type === eventType && payloadKey(message.metadata.event_payload) === key,
        );
        if (match?.ts !== undefined) return { channel, ts: match.ts };
        cursor = response.response_metadata?.next_cursor;
        if (response.has_more !== true || cursor === undefined || cursor === '') return undefined;
      }
      log.warn({ channel, threadTs, eventType, key, pages: HISTORY_PAGES }, 'thread metadata search stopped at page limit');
      return undefined;
    },

    ensureChannel,
  };
}

function messageRef(
  method: string,
  channel: string,
  responseChannel: string | undefined,
  ts: string | undefined,
): MessageRef {
  if (ts === undefined) {
    throw new SlackPermanentError({
      method,
      channel,
      code: 'invalid_response',
      message: `${method} to channel ${channel} returned no ts`,
    });
  }
  return { channel: responseChannel ?? channel, ts };
}

// The SDK types event_payload as `{}`, though Slack returns the object the app posted.
function payloadKey(payload: object | undefined): unknown {
  return (payload as Record<string, unknown> | undefined)?.['key'];
}

function privateChannelError(channel: string): SlackPermanentError {
  return new SlackPermanentError({
    method: 'conversations.join',
    channel,
    code: 'not_in_channel',
    message:
      `cannot join channel ${channel} because it is private or hidden. ` +
      'Invite the app with /invite.',
  });
}

function logFailure(log: Logger, error: SlackDeliveryError): void {
  const fields = { err: error, method: error.method, channel: error.channel, code: error.code };
  if (error instanceof SlackPermanentError && error.blockPaths.length > 0) {
    log.warn(
      { ...fields, blockPaths: error.blockPaths, details: error.details },
      'slack rejected message blocks',
    );
    return;
  }
  log.warn(fields, 'slack call failed');
}
