/**
 * Digests in the notifier: root alerts of a storm join one message per channel and cause,
 * and that message and its list replies are refreshed in place, coalesced, within the
 * shared Slack budget.
 */
import type { NotifyRequest } from '../episode/process-signal.ts';
import type { Delivery } from '../episode/store.ts';
import type { AlertView } from '../slack/alert-view.ts';
import type { DigestView } from '../slack/render-digest.ts';
import type { RenderedMessage } from './messenger.ts';
import { decideGrouping, type DigestRule } from './digest-rule.ts';
import type { DigestMember, DigestRecord, DigestStore } from './digest-store.ts';
import { postOnce, updateMessage, type SendDeps } from './send.ts';

/**
 * How long a digest refresh waits after a change, in milliseconds, so that the Jobs
 * joining meanwhile cost one update instead of one each.
 */
export const DIGEST_REFRESH_DELAY_MS = 5000;

/** How long one placement may hold its channel and cause, in milliseconds. */
const PLACE_LOCK_MS = 10_000;
const PLACE_LOCK_WAIT_MS = 15_000;

/** Renders digests; Slack has them, the terminal does not group alerts. */
export interface DigestRenderers {
  digest(view: DigestView): RenderedMessage;
  list(view: DigestView, index: number): RenderedMessage;
  listCount(view: DigestView): number;
}

/** Dependencies of the digest logic beyond those of sending. */
export interface DigestDeps extends SendDeps {
  digests: DigestStore;
  rule: DigestRule;
  render: DigestRenderers;
  /** The slash command shown in the per-Job hint. */
  command: string;
  enqueue: (request: NotifyRequest, delayMs?: number) => Promise<void>;
}

/** The outcome of {@link showInDigest}. */
export type DigestRouting =
  /** The digest shows the change; the alert has no message of its own. */
  | { handled: true }
  /** The alert goes to, or stays in, its own message: the one of `delivery`, or a new one. */
  | { handled: false; delivery: Delivery | undefined };

/**
 * Shows a change of an alert through its digest when it belongs in one. A Job whose cause
 * changes leaves its digest, which then notes the move, and gets a message of its own. A new root
 * alert is placed by {@link decideGrouping}. `standalone` is false for alerts that go in a
 * thread (CronJob runs, retries), which never join a digest.
 */
export async function showInDigest(deps: DigestDeps, view: AlertView, channel: string, standalone: boolean, delivery: Delivery | undefined): Promise<DigestRouting> {
  const membership = await deps.digests.memberOf(view.key);
  if (membership?.member.movedTo !== undefined) {
    // The Job left its digest. Until its own root is posted, its delivery record still
    // names the digest's message, which must not be overwritten with one alert.
    const root = await deps.store.getDelivery('digest', membership.key);
    if (delivery?.ts === root?.ts) delivery = undefined;
  } else if (membership) {
    const { key, member } = membership;
    const digest = await deps.digests.getMeta(key);
    const moved = digest !== undefined && view.cause !== digest.cause && !isClosedWell(view);
    await deps.digests.updateMember(key, { ...member, state: view.state, reason: view.reason, ...(moved ? { movedTo: view.cause } : {}) });
    await requestRefresh(deps, key);
    if (member.ownMessage) return { handled: false, delivery };
    if (!moved) return await showAsMember(deps, key, view);
    deps.logger.info({ jobUid: view.key, digest: key, cause: view.cause }, 'job left its digest after its cause changed');
    delivery = undefined;
  }
  if (delivery || !standalone) return { handled: false, delivery };
  const key = await place(deps, view, channel);
  return key === undefined ? { handled: false, delivery: undefined } : await showAsMember(deps, key, view);
}

/** True for a Job that recovered or was deleted: its cause no longer changes what it shows. */
function isClosedWell(view: AlertView): boolean {
  return view.state === 'recovered' || view.state === 'deleted';
}

async function showAsMember(deps: DigestDeps, key: string, view: AlertView): Promise<{ handled: true }> {
  const root = await ensurePosted(deps, key);
  await deps.store.putDelivery('alert', view.key, { channel: root.channel, ts: root.ts, version: view.version });
  return { handled: true };
}

/**
 * Decides under a lock per channel and cause whether a new root alert joins a digest,
 * so two notifiers never open two digests for one storm. Returns the digest's key.
 */
async function place(deps: DigestDeps, view: AlertView, channel: string): Promise<string | undefined> {
  const locked = await deps.store.withLock(`digest-place.${channel}.${view.cause}`, PLACE_LOCK_MS, () => placeLocked(deps, view, channel), PLACE_LOCK_WAIT_MS);
  if (!locked) throw new Error(`the digest placement of channel ${channel} and cause ${view.cause} stayed locked; the request will be retried`);
  return locked.value;
}

async function placeLocked(deps: DigestDeps, view: AlertView, channel: string): Promise<string | undefined> {
  const { digests, rule } = deps;
  const openedAtMs = Number.isNaN(Date.parse(view.openedAt)) ? Date.now() : Date.parse(view.openedAt);
  const recent = await digests.recordRecent(channel, view.cause, view.key, openedAtMs, rule.windowMs);
  const open = await digests.getOpen(channel, view.cause);
  const decision = decideGrouping(
    { openedAtMs, recentOpenedAtMs: recent.map((r) => r.openedAtMs), ...(open ? { digestLastJoinMs: open.lastJoinMs } : {}) },
    rule,
  );
  if (decision === 'alone') return undefined;
  let key = open?.key;
  if (decision === 'open' || key === undefined) {
    key = await digests.open(channel, view.cause, view.summary);
    await adoptEarlier(deps, key, channel, recent.map((r) => r.uid));
    deps.logger.info({ digest: key, channel, cause: view.cause }, 'opened a digest for a failure storm');
  }
  await digests.join(key, memberOf(view, false), openedAtMs);
  await requestRefresh(deps, key);
  return key;
}

/** Lists the recent Jobs that were posted on their own before the digest opened. */
async function adoptEarlier(deps: DigestDeps, key: string, channel: string, uids: string[]): Promise<void> {
  for (const uid of uids) {
    const [view, delivery, membership] = await Promise.all([deps.store.getView(uid), deps.store.getDelivery('alert', uid), deps.digests.memberOf(uid)]);
    if (!view || delivery?.channel !== channel || membership) continue;
    await deps.digests.join(key, memberOf(view, true), Date.parse(view.openedAt) || 0);
  }
}

function memberOf(view: AlertView, ownMessage: boolean): Omit<DigestMember, 'seq'> {
  return {
    uid: view.key,
    ...(view.cluster === undefined ? {} : { cluster: view.cluster }),
    namespace: view.namespace,
    jobName: view.jobName,
    cause: view.cause,
    state: view.state,
    reason: view.reason,
    ownMessage,
  };
}

/**
 * Queues a refresh of the digest. Requests made while version N is shown share one queue
 * job id, so a burst of joins costs one refresh. When a join lands while the refresh
 * renders, the refresh itself queues the next one.
 */
export async function requestRefresh(deps: DigestDeps, key: string): Promise<void> {
  const digest = await deps.digests.getMeta(key);
  if (!digest) return;
  await deps.enqueue({ kind: 'digest', key, after: digest.shownVersion }, DIGEST_REFRESH_DELAY_MS);
}

/** Posts the digest's root message unless it is posted; returns its delivery. */
async function ensurePosted(deps: DigestDeps, key: string): Promise<Delivery> {
  const existing = await deps.store.getDelivery('digest', key);
  if (existing) return existing;
  const locked = await deps.store.withLock(`notify.digest.${key}`, 30_000, () => postRoot(deps, key), 10_000);
  if (!locked) throw new Error(`the digest ${key} is being posted by another notifier; the request will be retried`);
  return locked.value;
}

async function postRoot(deps: DigestDeps, key: string): Promise<Delivery> {
  const existing = await deps.store.getDelivery('digest', key);
  if (existing) return existing;
  const digest = await loadDigest(deps, key);
  const message = deps.render.digest(viewOf(deps, digest));
  const posted = await postOnce(deps, 'digest', key, { channel: digest.channel, message, metadata: { eventType: 'jobwatch_digest', key } });
  const delivery = { ...posted.delivery, version: digest.version };
  await deps.store.putDelivery('digest', key, delivery);
  await deps.digests.setShown(key, digest.version);
  return delivery;
}

/**
 * Brings the digest's root message and its list replies up to date. Each message is
 * recorded as soon as it is sent, so a request that has to wait for the budget resumes
 * where it stopped. Called under the notifier's lock of this digest.
 */
export async function refreshDigest(deps: DigestDeps, key: string): Promise<'posted' | 'updated' | 'skipped'> {
  const root = await deps.store.getDelivery('digest', key);
  if (!root) {
    await postRoot(deps, key);
    return 'posted';
  }
  const digest = await loadDigest(deps, key);
  const view = viewOf(deps, digest);
  if (root.version < digest.version) {
    await updateMessage(deps, { channel: root.channel, ts: root.ts, message: deps.render.digest(view) });
    await deps.store.putDelivery('digest', key, { ...root, version: digest.version });
  }
  await refreshLists(deps, digest, view, root);
  await deps.digests.setShown(key, digest.version);
  const after = await deps.digests.getMeta(key);
  if (after && after.version > digest.version) {
    await deps.enqueue({ kind: 'digest', key, after: digest.version }, DIGEST_REFRESH_DELAY_MS);
  }
  return 'updated';
}

async function refreshLists(deps: DigestDeps, digest: DigestRecord, view: DigestView, root: Delivery): Promise<void> {
  const lists = await deps.digests.getListMessages(digest.key);
  const count = deps.render.listCount(view);
  for (let index = 0; index < count; index += 1) {
    const message = deps.render.list(view, index);
    const text = JSON.stringify(message);
    const checksum = `${text.length}:${hashText(text)}`;
    const posted = lists.get(index);
    if (posted?.checksum === checksum) continue;
    if (posted) {
      await updateMessage(deps, { channel: root.channel, ts: posted.ts, message });
      await deps.digests.putListMessage(digest.key, index, { ts: posted.ts, checksum });
      continue;
    }
    const id = `${digest.key}.list${index}`;
    const sent = await postOnce(deps, 'digest', id, { channel: root.channel, message, threadTs: root.ts, metadata: { eventType: 'jobwatch_digest', key: id } });
    await deps.digests.putListMessage(digest.key, index, { ts: sent.delivery.ts, checksum });
  }
}

async function loadDigest(deps: DigestDeps, key: string): Promise<DigestRecord> {
  const digest = await deps.digests.get(key);
  if (!digest) throw new Error(`digest ${key} is not in Redis; its state may have expired`);
  return digest;
}

function viewOf(deps: DigestDeps, digest: DigestRecord): DigestView {
  return {
    key: digest.key,
    cause: digest.cause,
    summary: digest.summary,
    command: deps.command,
    members: digest.members.map((m) => ({
      ...(m.cluster === undefined ? {} : { cluster: m.cluster }),
      namespace: m.namespace,
      jobName: m.jobName,
      state: m.state,
      reason: m.reason,
      ownMessage: m.ownMessage,
      ...(m.movedTo === undefined ? {} : { movedTo: m.movedTo }),
    })),
  };
}

/** FNV-1a over UTF-16 code units: a short checksum to tell whether a list reply changed. */
function hashText(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}
