import type { Block } from '../slack/block-kit.ts';
import type { SlackClient } from '../slack/slack-client.ts';
import { SlackDeliveryError, SlackRateLimitedError } from '../slack/slack-errors.ts';
import { DeliveryError, type MessageKey, type Messenger, type RenderedMessage } from './messenger.ts';

/** Slack error codes that mean the channel itself cannot take the message. */
const CHANNEL_CODES = new Set(['channel_not_found', 'not_in_channel', 'is_archived', 'private_channel_not_joinable']);

/** Delivers messages to Slack through the Web API client. */
export class SlackMessenger implements Messenger {
  readonly #client: SlackClient;

  constructor(client: SlackClient) {
    this.#client = client;
  }

  async post(request: { channel: string; message: RenderedMessage; threadTs?: string; metadata: MessageKey }): Promise<{ channel: string; ts: string }> {
    return await translate(() =>
      this.#client.postMessage({
        channel: request.channel,
        text: request.message.text,
        blocks: request.message.blocks as Block[],
        ...(request.threadTs ? { threadTs: request.threadTs } : {}),
        metadata: { event_type: request.metadata.eventType, event_payload: { key: request.metadata.key } },
      }),
    );
  }

  async update(request: { channel: string; ts: string; message: RenderedMessage }): Promise<void> {
    await translate(() =>
      this.#client.updateMessage({ channel: request.channel, ts: request.ts, text: request.message.text, blocks: request.message.blocks as Block[] }),
    );
  }

  async find(channel: string, metadata: MessageKey, threadTs?: string): Promise<{ ts: string } | undefined> {
    const found = await translate(() =>
      threadTs === undefined
        ? this.#client.findMessageByMetadata(channel, metadata.eventType, metadata.key)
        : this.#client.findReplyByMetadata(channel, threadTs, metadata.eventType, metadata.key),
    );
    return found ? { ts: found.ts } : undefined;
  }
}

async function translate<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof SlackDeliveryError)) throw err;
    throw new DeliveryError(err.message, {
      code: err.code,
      permanent: err.permanent,
      ...(err instanceof SlackRateLimitedError ? { retryAfterSeconds: err.retryAfterSeconds } : {}),
      channelProblem: CHANNEL_CODES.has(err.code),
      cause: err,
    });
  }
}
