/**
 * The notifier's calls to Slack: posts that are never doubled, updates, a text-only fallback
 * when Slack rejects the blocks, and the shared budget that keeps within Slack's limits.
 */
import type { Logger } from 'pino';
import type { Delivery, DeliveryKind, EpisodeStore } from '../episode/store.ts';
import { failpoint } from '../failpoint.ts';
import { BudgetWaitError, type SlackBudget } from './channel-budget.ts';
import { DeliveryError, type MessageKey, type Messenger, type RenderedMessage } from './messenger.ts';

/** Dependencies of sending: the store for markers, the messenger and the shared budget. */
export interface SendDeps {
  store: EpisodeStore;
  messenger: Messenger;
  /** Channel for alerts whose routed channel cannot be posted to. */
  defaultChannel: string;
  logger: Logger;
  /** Slack's limits shared by every notifier; without it calls are made at once. */
  budget?: SlackBudget;
}

/**
 * Posts a message, avoiding a second copy of an earlier try. A marker is set before
 * the post. Finding it already set means that Slack may have accepted an earlier try
 * whose result was lost, because the process died or the response timed out. The
 * channel or thread is then searched for the message's metadata first, and a post
 * found there is adopted. NOTE: the search reads the newest 1,000 messages; an older lost post is
 * not found and is posted again.
 */
export async function postOnce(
  deps: SendDeps,
  kind: DeliveryKind,
  id: string,
  request: { channel: string; message: RenderedMessage; threadTs?: string; metadata: MessageKey },
): Promise<{ delivery: Omit<Delivery, 'version'>; recovered: boolean }> {
  // The token is taken before the marker is set, so a request sent back to wait for the
  // budget does not later search the channel for a post that was never tried.
  await spendPost(deps, request.channel);
  const triedBefore = await deps.store.markPosting(kind, id);
  if (triedBefore) {
    const channels = request.threadTs ? [request.channel] : [request.channel, deps.defaultChannel];
    for (const channel of new Set(channels)) {
      const found = await deps.messenger.find(channel, request.metadata, request.threadTs);
      if (found) {
        deps.logger.warn({ kind, id, channel, ts: found.ts }, 'adopted a post that was accepted before it was recorded');
        return { delivery: { channel, ts: found.ts }, recovered: true };
      }
    }
  }
  try {
    const delivery = await postMessage(deps, request);
    failpoint('notify-after-post');
    return { delivery, recovered: false };
  } catch (err) {
    const fallback = deps.defaultChannel;
    if (!(err instanceof DeliveryError) || !err.channelProblem || request.channel === fallback || request.threadTs) throw err;
    deps.logger.error({ err, channel: request.channel, fallback, kind, id }, 'cannot post to the routed channel; posting to the default channel');
    return { delivery: await postMessage(deps, { ...request, channel: fallback }), recovered: false };
  }
}

/** Slack errors that reject the blocks themselves; the same text without blocks still gets through. */
const BLOCK_ERRORS = new Set(['invalid_blocks', 'msg_blocks_too_long', 'msg_too_long']);

/** Builds a message of the fallback text alone, cut well under Slack's text limit. */
function plainMessage(message: RenderedMessage): RenderedMessage {
  const text = message.text.length > 3000 ? `${message.text.slice(0, 3000)} … (cut)` : message.text;
  return { text: `${text}\n(jobwatch could not render the full alert; see its logs)`, blocks: [] };
}

/**
 * Posts a message, and when Slack rejects its blocks, posts the fallback text alone,
 * so a rendering bug costs the detail of an alert rather than the alert.
 */
async function postMessage(deps: SendDeps, request: Parameters<Messenger['post']>[0]): Promise<{ channel: string; ts: string }> {
  try {
    return await deps.messenger.post(request);
  } catch (err) {
    await blockOnRateLimit(deps, err, { post: request.channel });
    if (!(err instanceof DeliveryError) || !BLOCK_ERRORS.has(err.code)) throw err;
    deps.logger.error({ err, channel: request.channel, key: request.metadata.key }, 'slack rejected the blocks; posting the text alone');
    return await deps.messenger.post({ ...request, message: plainMessage(request.message) });
  }
}

/**
 * Updates a message within the shared update budget, and when Slack rejects its blocks,
 * updates it with the fallback text alone.
 */
export async function updateMessage(deps: SendDeps, request: Parameters<Messenger['update']>[0]): Promise<void> {
  await spendUpdate(deps);
  try {
    await deps.messenger.update(request);
  } catch (err) {
    await blockOnRateLimit(deps, err, {});
    if (!(err instanceof DeliveryError) || !BLOCK_ERRORS.has(err.code)) throw err;
    deps.logger.error({ err, channel: request.channel, ts: request.ts }, 'slack rejected the blocks; updating with the text alone');
    await deps.messenger.update({ ...request, message: plainMessage(request.message) });
  }
}

async function spendPost(deps: SendDeps, channel: string): Promise<void> {
  const waitMs = (await deps.budget?.takePost(channel)) ?? 0;
  if (waitMs > 0) throw new BudgetWaitError(`no post token left for channel ${channel}`, waitMs);
}

async function spendUpdate(deps: SendDeps): Promise<void> {
  const waitMs = (await deps.budget?.takeUpdate()) ?? 0;
  if (waitMs > 0) throw new BudgetWaitError('no chat.update token left for the workspace', waitMs);
}

/**
 * Turns Slack's 429 into a block of the shared bucket, so that every notifier waits out
 * Retry-After, and into a {@link BudgetWaitError} that sends the request back to the queue.
 * Other errors pass through unchanged.
 */
async function blockOnRateLimit(deps: SendDeps, err: unknown, target: { post?: string }): Promise<void> {
  if (!(err instanceof DeliveryError) || err.retryAfterSeconds === undefined) return;
  const waitMs = err.retryAfterSeconds * 1000;
  const channel = target.post;
  if (deps.budget) {
    if (channel === undefined) await deps.budget.blockUpdates(waitMs);
    else await deps.budget.blockPosts(channel, waitMs);
  }
  deps.logger.warn({ channel, retryAfterSeconds: err.retryAfterSeconds, method: channel === undefined ? 'chat.update' : 'chat.postMessage' }, 'slack rate limited a call; waiting out Retry-After');
  throw new BudgetWaitError(`slack returned 429 with Retry-After ${err.retryAfterSeconds} s`, waitMs);
}
