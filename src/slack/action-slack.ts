import type { WebClient } from '@slack/web-api';
import type { ActionSlack } from '../notify/action-notify.ts';
import { DeliveryError } from '../notify/messenger.ts';
import { classifySlackError, SlackRateLimitedError } from './slack-errors.ts';

/**
 * Shows actions in Slack through the Web API: thread notes, ephemeral messages, replies
 * to response URLs, and file uploads with Slack's external upload flow
 * (`files.getUploadURLExternal`, then `files.completeUploadExternal`).
 */
export function createActionSlack(client: WebClient): ActionSlack {
  return {
    async postInThread(channel, threadTs, message) {
      await delivered('chat.postMessage', channel, () => client.chat.postMessage({ channel, thread_ts: threadTs, text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false }));
    },
    async respond(responseUrl, message, replaceOriginal) {
      const res = await fetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', replace_original: replaceOriginal, text: message.text, blocks: message.blocks }),
      });
      const body = await res.text();
      if (!res.ok) throw new Error(`posting to the response URL failed with HTTP ${res.status}: ${body.slice(0, 200)}`);
    },
    async postEphemeral(channel, userId, message, threadTs) {
      await delivered('chat.postEphemeral', channel, () =>
        client.chat.postEphemeral({ channel, user: userId, text: message.text, blocks: message.blocks, ...(threadTs ? { thread_ts: threadTs } : {}) }),
      );
    },
    async uploadFile(request) {
      const file = { filename: request.filename, title: request.title, content: request.content, initial_comment: request.comment };
      const threadTs = request.threadTs;
      await delivered('files.uploadV2', request.channel, () =>
        threadTs ? client.filesUploadV2({ ...file, channel_id: request.channel, thread_ts: threadTs }) : client.filesUploadV2({ ...file, channel_id: request.channel }),
      );
    },
  };
}

/**
 * Runs a Web API call and turns its failure into a `DeliveryError`, so the notify queue
 * gives up on errors no retry fixes (`channel_not_found`, `not_in_channel`…) and waits
 * as long as the Retry-After of a 429.
 */
async function delivered(method: string, channel: string, call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (err) {
    const classified = classifySlackError(err, { method, channel });
    throw new DeliveryError(classified.message, {
      code: classified.code,
      permanent: classified.permanent,
      ...(classified instanceof SlackRateLimitedError ? { retryAfterSeconds: classified.retryAfterSeconds } : {}),
      cause: err,
    });
  }
}
