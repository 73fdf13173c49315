/**
 * Matches the Slack calls that the fake Slack recorded to the Jobs they are about, and finds
 * when each Job's alert first showed the final `failed` state.
 */
import { STATE_EMOJI } from '../src/slack/headline.ts';
import type { RecordedCall } from '../test/fake-slack/types.ts';

/** The metadata `event_type` of a Job's root alert. Thread replies carry another type. */
const ALERT_EVENT_TYPE = 'jobwatch_alert';

/** When one Job's alert reached Slack. Times are the fake Slack's arrival clock, in ms. */
export interface AlertArrival {
  /** Arrival of the `chat.postMessage` that created the alert. */
  postedAtMs: number;
  /** Arrival of the first post or update whose text shows the `failed` state. */
  finalAtMs?: number;
  /** The call that first showed the `failed` state. */
  finalMethod?: 'chat.postMessage' | 'chat.update';
  /** Accepted `chat.postMessage` and `chat.update` calls on the root alert. */
  calls: number;
}

/** Tells whether an alert's text is the headline of a Job that failed for good. */
export function showsFailedState(text: unknown): boolean {
  return typeof text === 'string' && text.startsWith(`${STATE_EMOJI.failed} `);
}

function alertKey(args: Record<string, unknown>): string | undefined {
  const metadata = args.metadata as { event_type?: unknown; event_payload?: { key?: unknown } } | undefined;
  if (metadata?.event_type !== ALERT_EVENT_TYPE) return undefined;
  const key = metadata.event_payload?.key;
  return typeof key === 'string' ? key : undefined;
}

function accepted(call: RecordedCall): boolean {
  return call.httpStatus === 200 && call.response.ok === true;
}

function markFinal(arrival: AlertArrival, call: RecordedCall): void {
  if (arrival.finalAtMs !== undefined || !showsFailedState(call.args.text)) return;
  arrival.finalAtMs = call.atMs;
  arrival.finalMethod = call.method as 'chat.postMessage' | 'chat.update';
}

/**
 * Returns the alert arrivals keyed by Job uid, from calls in arrival order. A root post is
 * recognised by its `jobwatch_alert` metadata, and an update by the channel and ts that the
 * post's response returned. Rejected calls, replies and other methods are skipped.
 */
export function alertArrivals(calls: readonly RecordedCall[]): Map<string, AlertArrival> {
  const byUid = new Map<string, AlertArrival>();
  const uidByMessage = new Map<string, string>();
  for (const call of calls) {
    if (!accepted(call)) continue;
    if (call.method === 'chat.postMessage') {
      const uid = alertKey(call.args);
      if (uid === undefined || byUid.has(uid)) continue;
      const arrival: AlertArrival = { postedAtMs: call.atMs, calls: 1 };
      byUid.set(uid, arrival);
      uidByMessage.set(`${String(call.response.channel)}/${String(call.response.ts)}`, uid);
      markFinal(arrival, call);
    } else if (call.method === 'chat.update') {
      const uid = uidByMessage.get(`${String(call.args.channel)}/${String(call.args.ts)}`);
      const arrival = uid === undefined ? undefined : byUid.get(uid);
      if (!arrival) continue;
      arrival.calls += 1;
      markFinal(arrival, call);
    }
  }
  return byUid;
}
