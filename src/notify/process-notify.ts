import { incidentView } from '../episode/incidents.ts';
import type { NotifyRequest } from '../episode/process-signal.ts';
import { reportFirstPost } from '../metrics/first-post.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { AlertView, AttemptView, IncidentView } from '../slack/alert-view.ts';
import { refreshDigest, showInDigest, type DigestDeps } from './digest.ts';
import type { RenderedMessage } from './messenger.ts';
import { postOnce, updateMessage, type SendDeps } from './send.ts';

export interface Renderers {
  alert(view: AlertView): RenderedMessage;
  attempt(view: AlertView, attempt: AttemptView): RenderedMessage;
  incident(view: IncidentView): RenderedMessage;
}

export interface NotifyDeps extends SendDeps {
  render: Renderers;
  /** Queues follow-up work, such as the replies of attempts made before the first post. */
  enqueue: (request: NotifyRequest, delayMs?: number) => Promise<void>;
  /** Adds what is kept apart from the episode (acknowledgement, mute, buttons) before rendering. */
  decorate?: (view: AlertView) => Promise<AlertView>;
  /** Counts first posts and their latency. Default: not counted. */
  metrics?: Metrics;
  /** Shows actions and their outcomes; without it those requests are skipped. */
  actions?: (request: Extract<NotifyRequest, { kind: 'action' | 'action-outcome' }>) => Promise<NotifyOutcome>;
  /** Groups the root alerts of a failure storm into digests; without it every alert posts alone. */
  digest?: Omit<DigestDeps, keyof SendDeps | 'enqueue'>;
}

/** How long one notifier may hold a message's lock, in milliseconds; Slack calls time out sooner. */
const MESSAGE_LOCK_MS = 30_000;
/** How long a request waits for another notifier to finish the same message, in milliseconds. */
const MESSAGE_LOCK_WAIT_MS = 10_000;

export type NotifyOutcome = 'posted' | 'updated' | 'skipped' | 'recovered-post' | 'digested';

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
    case 'digest':
      return `digest.${request.key}`;
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
    case 'digest':
      return deps.digest ? await refreshDigest(digestDeps(deps, deps.digest), request.key) : 'skipped';
  }
}

async function refreshAlert(deps: NotifyDeps, uid: string): Promise<NotifyOutcome> {
  const [stored, delivery] = await Promise.all([deps.store.getView(uid), deps.store.getDelivery('alert', uid)]);
  if (!stored || !delivery) return 'skipped';
  // A Job shown only in a digest has no message of its own to render again.
  if (await isDigestOnly(deps, uid)) return 'skipped';
  const view = deps.decorate ? await deps.decorate(stored) : stored;
  await updateMessage(deps, { channel: delivery.channel, ts: delivery.ts, message: deps.render.alert(view) });
  return 'updated';
}

async function notifyAlert(deps: NotifyDeps, uid: string): Promise<NotifyOutcome> {
  const { store } = deps;
  const [stored, episode, found] = await Promise.all([store.getView(uid), store.getEpisode(uid), store.getDelivery('alert', uid)]);
  if (!stored || !episode?.route) return 'skipped';
  if (found && found.version >= stored.version) return 'skipped';
  const view = deps.decorate ? await deps.decorate(stored) : stored;
  let delivery = found;
  if (deps.digest) {
    const standalone = !episode.incident && !episode.threadUnder;
    const routing = await showInDigest(digestDeps(deps, deps.digest), view, episode.route.channel, standalone, found);
    if (routing.handled) return 'digested';
    delivery = routing.delivery;
  }
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
  const acceptedAtMs = posted.recovered ? undefined : Date.now();
  await store.putDelivery('alert', uid, { channel: posted.delivery.channel, ts: posted.delivery.ts, version: view.version });
  if (deps.metrics) await reportFirstPost({ metrics: deps.metrics, getJob: (key) => store.getJob(key), logger: deps.logger }, view, acceptedAtMs);
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
  // Attempts of a Job shown only in a digest are read with the status command instead.
  if (await isDigestOnly(deps, uid)) return 'skipped';
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

function digestDeps(deps: NotifyDeps, digest: NonNullable<NotifyDeps['digest']>): DigestDeps {
  return { ...deps, ...digest, enqueue: deps.enqueue };
}

/** True when a Job is listed in a digest and has no root alert of its own. */
async function isDigestOnly(deps: NotifyDeps, uid: string): Promise<boolean> {
  if (!deps.digest) return false;
  const membership = await deps.digest.digests.memberOf(uid);
  return membership !== undefined && !membership.member.ownMessage && membership.member.movedTo === undefined;
}
