import type { Logger } from 'pino';
import { failpoint } from '../failpoint.ts';
import { incidentView } from '../episode/incidents.ts';
import type { NotifyRequest } from '../episode/process-signal.ts';
import type { Delivery, EpisodeStore } from '../episode/store.ts';
import type { AlertView, AttemptView, IncidentView } from '../slack/alert-view.ts';
import { DeliveryError, type MessageKey, type Messenger, type RenderedMessage } from './messenger.ts';

export interface Renderers {
  alert(view: AlertView): RenderedMessage;
  attempt(view: AlertView, attempt: AttemptView): RenderedMessage;
  incident(view: IncidentView): RenderedMessage;
}

export interface NotifyDeps {
  store: EpisodeStore;
  messenger: Messenger;
  render: Renderers;
  /** Channel for alerts whose routed channel cannot be posted to. */
  defaultChannel: string;
  logger: Logger;
  /** Queues follow-up work, such as the replies of attempts made before the first post. */
  enqueue: (request: NotifyRequest, delayMs?: number) => Promise<void>;
  /** Adds what is kept apart from the episode (acknowledgement, mute, buttons) before rendering. */
  decorate?: (view: AlertView) => Promise<AlertView>;
  /** Shows actions and their outcomes; without it those requests are skipped. */
  actions?: (request: Extract<NotifyRequest, { kind: 'action' | 'action-outcome' }>) => Promise<NotifyOutcome>;
}

/** How long one notifier may hold a message's lock, in milliseconds; Slack calls time out sooner. */
const MESSAGE_LOCK_MS = 30_000;
/** How long a request waits for another notifier to finish the same message, in milliseconds. */
const MESSAGE_LOCK_WAIT_MS = 10_000;

export type NotifyOutcome = 'posted' | 'updated' | 'skipped' | 'recovered-post';

/** Thrown when a message depends on one not posted yet; the queue retries it later. */
export class NotReadyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotReadyError';
  }
}

/**
 * Posts or updates one message so that Slack shows the newest version of it. Each
 * request reads the current view from Redis, so a stale or replayed request shows
 * nothing old, and several queued versions collapse into one update.
 */
export async function processNotify(deps: NotifyDeps, request: NotifyRequest): Promise<NotifyOutcome> {
  // Two versions of one message may be queued at once. The lock makes the second
  // see the first one's delivery record, so it updates instead of posting again.
  const id = lockId(request);
  const held = await deps.store.withLock(`notify.${id}`, MESSAGE_LOCK_MS, () => notifyLocked(deps, request), MESSAGE_LOCK_WAIT_MS);
  if (!held) throw new NotReadyError(`message ${id} is being sent by another notifier`);
  return held.value;
}

function lockId(request: NotifyRequest): string {
  switch (request.kind) {
    case 'incident':
      return `incident.${request.key}`;
    case 'alert-refresh':
      return `alert.${request.uid}`;
    case 'action':
    case 'action-outcome':
      return `action.${request.id}`;
    default:
      return `${request.kind}.${request.uid}`;
  }
}

async function notifyLocked(deps: NotifyDeps, request: NotifyRequest): Promise<NotifyOutcome> {
  switch (request.kind) {
    case 'alert':
      return await notifyAlert(deps, request.uid);
    case 'alert-refresh':
      return await refreshAlert(deps, request.uid);
    case 'action':
    case 'action-outcome':
      return deps.actions ? await deps.actions(request) : 'skipped';
    case 'reply':
      return await notifyReply(deps, request.uid, request.attemptKey);
    case 'incident':
      return await notifyIncident(deps, request.key);
  }
}

async function refreshAlert(deps: NotifyDeps, uid: string): Promise<NotifyOutcome> {
  const [stored, delivery] = await Promise.all([deps.store.getView(uid), deps.store.getDelivery('alert', uid)]);
  if (!stored || !delivery) return 'skipped';
  const view = deps.decorate ? await deps.decorate(stored) : stored;
  await updateMessage(deps, { channel: delivery.channel, ts: delivery.ts, message: deps.render.alert(view) });
  return 'updated';
}

async function notifyAlert(deps: NotifyDeps, uid: string): Promise<NotifyOutcome> {
  const { store } = deps;
  const [stored, episode, delivery] = await Promise.all([store.getView(uid), store.getEpisode(uid), store.getDelivery('alert', uid)]);
  if (!stored || !episode?.route) return 'skipped';
  if (delivery && delivery.version >= stored.version) return 'skipped';
  const view = deps.decorate ? await deps.decorate(stored) : stored;
  const message = deps.render.alert(view);
  if (delivery) {
    await updateMessage(deps, { channel: delivery.channel, ts: delivery.ts, message });
    await store.putDelivery('alert', uid, { ...delivery, version: view.version });
    return 'updated';
  }
  let channel = episode.route.channel;
  let threadTs: string | undefined;
  if (episode.incident) {
    const root = await store.getDelivery('incident', episode.incident);
    if (!root) throw new NotReadyError(`incident ${episode.incident} has no root message yet`);
    channel = root.channel;
    threadTs = root.ts;
  } else if (episode.threadUnder) {
    // A retry's alert joins the thread of the alert it was started from, when that is posted.
    const origin = await store.getDelivery('alert', episode.threadUnder);
    if (origin) {
      channel = origin.channel;
      threadTs = origin.ts;
    }
  }
  const posted = await postOnce(deps, 'alert', uid, { channel, message, ...(threadTs ? { threadTs } : {}), metadata: { eventType: 'jobwatch_alert', key: uid } });
  await store.putDelivery('alert', uid, { channel: posted.delivery.channel, ts: posted.delivery.ts, version: view.version });
  if (posted.recovered) await updateMessage(deps, { channel: posted.delivery.channel, ts: posted.delivery.ts, message });
  // Attempts made before the first post (final-only routes) get their replies now.
  for (const attempt of episode.attempts) await deps.enqueue({ kind: 'reply', uid, attemptKey: attempt.key });
  return posted.recovered ? 'recovered-post' : 'posted';
}

async function notifyReply(deps: NotifyDeps, uid: string, attemptKey: string): Promise<NotifyOutcome> {
  const { store } = deps;
  const id = `${uid}.${attemptKey}`;
  if (await store.getDelivery('reply', id)) return 'skipped';
  const [view, episode, parent] = await Promise.all([store.getView(uid), store.getEpisode(uid), store.getDelivery('alert', uid)]);
  if (!view || !episode) return 'skipped';
  if (!parent) throw new NotReadyError(`alert for job ${uid} is not posted yet`);
  const index = episode.attempts.findIndex((a) => a.key === attemptKey);
  const attempt = view.attempts[index];
  if (index < 0 || !attempt) return 'skipped';
  // A CronJob run's alert is itself a reply in the incident thread, and Slack
  // threads do not nest, so its attempts join the same thread.
  const threadTs =
    (episode.incident ? (await store.getDelivery('incident', episode.incident))?.ts : undefined) ??
    (episode.threadUnder ? (await store.getDelivery('alert', episode.threadUnder))?.ts : undefined) ??
    parent.ts;
  const message = deps.render.attempt(view, attempt);
  const posted = await postOnce(deps, 'reply', id, { channel: parent.channel, message, threadTs, metadata: { eventType: 'jobwatch_reply', key: id } });
  await store.putDelivery('reply', id, { ...posted.delivery, version: 1 });
  return posted.recovered ? 'recovered-post' : 'posted';
}

async function notifyIncident(deps: NotifyDeps, key: string): Promise<NotifyOutcome> {
  const { store } = deps;
  const [incident, delivery] = await Promise.all([store.getIncident(key), store.getDelivery('incident', key)]);
  if (!incident?.channel) return 'skipped';
  if (delivery && delivery.version >= incident.version) return 'skipped';
  const message = deps.render.incident(incidentView(incident));
  if (delivery) {
    await updateMessage(deps, { channel: delivery.channel, ts: delivery.ts, message });
    await store.putDelivery('incident', key, { ...delivery, version: incident.version });
    return 'updated';
  }
  const posted = await postOnce(deps, 'incident', key, { channel: incident.channel, message, metadata: { eventType: 'jobwatch_incident', key } });
  await store.putDelivery('incident', key, { ...posted.delivery, version: incident.version });
  return posted.recovered ? 'recovered-post' : 'posted';
}

/**
 * Posts a message, avoiding a second copy of an earlier try. A marker is set before
 * the post. Finding it already set means that Slack may have accepted an earlier try
 * whose result was lost, because the process died or the response timed out. The
 * channel or thread is then searched for the message's metadata first, and a post
 * found there is adopted. NOTE: the search reads the newest 1,000 messages; an older lost post is
 * not found and is posted again.
 */
async function postOnce(
  deps: NotifyDeps,
  kind: 'alert' | 'reply' | 'incident',
  id: string,
  request: { channel: string; message: RenderedMessage; threadTs?: string; metadata: MessageKey },
): Promise<{ delivery: Omit<Delivery, 'version'>; recovered: boolean }> {
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
async function postMessage(deps: NotifyDeps, request: Parameters<Messenger['post']>[0]): Promise<{ channel: string; ts: string }> {
  try {
    return await deps.messenger.post(request);
  } catch (err) {
    if (!(err instanceof DeliveryError) || !BLOCK_ERRORS.has(err.code)) throw err;
    deps.logger.error({ err, channel: request.channel, key: request.metadata.key }, 'slack rejected the blocks; posting the text alone');
    return await deps.messenger.post({ ...request, message: plainMessage(request.message) });
  }
}

async function updateMessage(deps: NotifyDeps, request: Parameters<Messenger['update']>[0]): Promise<void> {
  try {
    await deps.messenger.update(request);
  } catch (err) {
    if (!(err instanceof DeliveryError) || !BLOCK_ERRORS.has(err.code)) throw err;
    deps.logger.error({ err, channel: request.channel, ts: request.ts }, 'slack rejected the blocks; updating with the text alone');
    await deps.messenger.update({ ...request, message: plainMessage(request.message) });
  }
}
