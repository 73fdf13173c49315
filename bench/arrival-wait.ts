import type { FakeSlack } from '../test/fake-slack/types.ts';
import { sleep } from './bench-clock.ts';
import { alertArrivals, type AlertArrival } from './slack-arrivals.ts';

/** How often the fake Slack's call record is read while waiting, in milliseconds. */
const POLL_MS = 100;

/** Reads the alert arrivals of every Job from the fake Slack's call record. */
export function readArrivals(slack: FakeSlack): Map<string, AlertArrival> {
  const calls = slack.calls().filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update');
  return alertArrivals(calls);
}

/**
 * Waits until every Job in `uids` has an alert showing the `failed` state, or `timeoutMs`
 * passes. Returns the arrivals read last, so a caller can count the Jobs still missing.
 */
export async function waitForFinalAlerts(slack: FakeSlack, uids: readonly string[], timeoutMs: number): Promise<Map<string, AlertArrival>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const arrivals = readArrivals(slack);
    const done = uids.every((uid) => arrivals.get(uid)?.finalAtMs !== undefined);
    if (done || Date.now() > deadline) return arrivals;
    await sleep(POLL_MS);
  }
}
