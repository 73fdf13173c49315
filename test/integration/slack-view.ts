import type { FakeSlack, StoredMessage } from '../fake-slack/types.ts';
import { eventually, type Harness } from '../support/harness.ts';

/** The metadata event types jobwatch puts on its messages. */
export type JobwatchEventType = 'jobwatch_alert' | 'jobwatch_reply' | 'jobwatch_incident';

/** Returns true for a root message, one that is not a reply in another message's thread. */
export function isRoot(message: StoredMessage): boolean {
  return message.thread_ts === undefined || message.thread_ts === message.ts;
}

/** Returns the root messages of one channel, or of every channel, in ts order. */
export function rootMessages(slack: FakeSlack, channel?: string): StoredMessage[] {
  return slack.messages(channel).filter(isRoot);
}

/** Returns the messages, roots and replies, whose metadata has this event type and key. */
export function messagesWithKey(
  slack: FakeSlack,
  eventType: JobwatchEventType,
  key: string,
  channel?: string,
): StoredMessage[] {
  return slack
    .messages(channel)
    .filter((m) => m.metadata?.event_type === eventType && m.metadata.event_payload['key'] === key);
}

/** Finds the alert of one Job by its uid, wherever it was posted. */
export function alertOf(slack: FakeSlack, jobUid: string): StoredMessage | undefined {
  return messagesWithKey(slack, 'jobwatch_alert', jobUid)[0];
}

/** Joins the text and blocks of a message into one string for content checks. */
export function contentOf(message: StoredMessage): string {
  return `${message.text}\n${JSON.stringify(message.blocks ?? [])}`;
}

/** Joins the arguments of every call jobwatch made to the fake Slack into one string. */
export function requestsText(slack: FakeSlack): string {
  return slack
    .calls()
    .map((call) => JSON.stringify(call.args))
    .join('\n');
}

/** Waits until jobwatch reports ready: Redis reachable and both watches listed. */
export async function waitReady(harness: Harness): Promise<void> {
  await eventually(() => harness.jobwatch.ready(), 'jobwatch ready');
}

/** Fetches `/readyz` of the running jobwatch and returns its HTTP status. */
export async function readyzStatus(harness: Harness): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${harness.jobwatch.httpPort}/readyz`);
  await response.body?.cancel();
  return response.status;
}

/** Resolves after `ms` milliseconds. */
export async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits until jobwatch has made no Slack call for `quietMs`, so that coalesced
 * updates, which wait one second, have landed. Throws after `timeoutMs`.
 */
export async function waitSlackQuiet(slack: FakeSlack, quietMs = 2500, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let count = slack.calls().length;
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for Slack calls to stop`);
    await sleep(100);
    const now = slack.calls().length;
    if (now !== count) {
      count = now;
      since = Date.now();
    }
  }
}
