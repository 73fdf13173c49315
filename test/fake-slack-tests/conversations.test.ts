import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../fake-slack/index.ts';
import { clientFor, manualClock, platformError } from './helpers.ts';

const CHANNELS = [
  { id: 'C0ALERTS', name: 'job-alerts' },
  { id: 'C0LOBBY', name: 'lobby', botIsMember: false },
  { id: 'C0OLD', name: 'old-alerts', isArchived: true, botIsMember: false },
  { id: 'G0SECRET', name: 'secret', isPrivate: true, botIsMember: false },
  { id: 'G0TEAM', name: 'team', isPrivate: true },
];

const METADATA = { event_type: 'job_failed', event_payload: { job_uid: 'uid-1', attempt: 2 } };

describe('conversations methods', () => {
  let fake: FakeSlack;

  beforeEach(async () => {
    fake = await startFakeSlack({ channels: CHANNELS, clock: manualClock().now });
  });

  afterEach(async () => {
    await fake.stop();
  });

  it('describes a channel with its membership and flags', async () => {
    const result = await clientFor(fake).conversations.info({ channel: 'G0TEAM' });
    expect(result.channel).toMatchObject({
      id: 'G0TEAM',
      name: 'team',
      is_private: true,
      is_member: true,
    });
  });

  it('rejects info on an unknown channel with channel_not_found', async () => {
    await platformError(
      clientFor(fake).conversations.info({ channel: 'C0NOPE' }),
      'channel_not_found',
    );
  });

  it('hides a private channel the bot is not in', async () => {
    await platformError(
      clientFor(fake).conversations.info({ channel: 'G0SECRET' }),
      'channel_not_found',
    );
  });

  it('joins a public channel and then allows posting there', async () => {
    const client = clientFor(fake);
    await platformError(
      client.chat.postMessage({ channel: 'C0LOBBY', text: 'x' }),
      'not_in_channel',
    );
    const joined = await client.conversations.join({ channel: 'C0LOBBY' });
    expect(joined.channel?.is_member).toBe(true);
    const posted = await client.chat.postMessage({ channel: 'C0LOBBY', text: 'x' });
    expect(posted.ok).toBe(true);
  });

  it('warns already_in_channel on a second join', async () => {
    const result = await clientFor(fake).conversations.join({ channel: 'C0ALERTS' });
    expect(result.warning).toBe('already_in_channel');
  });

  it('rejects joining a private channel with method_not_supported_for_channel_type', async () => {
    await platformError(
      clientFor(fake).conversations.join({ channel: 'G0SECRET' }),
      'method_not_supported_for_channel_type',
    );
  });

  it('rejects joining an archived channel with is_archived', async () => {
    await platformError(clientFor(fake).conversations.join({ channel: 'C0OLD' }), 'is_archived');
  });

  it('lists root messages newest first without replies', async () => {
    const client = clientFor(fake);
    const first = await client.chat.postMessage({ channel: 'C0ALERTS', text: 'first' });
    await client.chat.postMessage({
      channel: 'C0ALERTS',
      text: 'reply',
      thread_ts: String(first.ts),
    });
    await client.chat.postMessage({ channel: 'C0ALERTS', text: 'second' });
    const result = await client.conversations.history({ channel: 'C0ALERTS' });
    expect(result.messages?.map((message) => message.text)).toEqual(['second', 'first']);
    expect(result.messages?.[1]?.reply_count).toBe(1);
  });

  it('returns metadata only with include_all_metadata', async () => {
    const client = clientFor(fake);
    await client.chat.postMessage({ channel: 'C0ALERTS', text: 'alert', metadata: METADATA });
    const plain = await client.conversations.history({ channel: 'C0ALERTS' });
    const full = await client.conversations.history({
      channel: 'C0ALERTS',
      include_all_metadata: true,
    });
    expect(plain.messages?.[0]?.metadata).toBeUndefined();
    expect(full.messages?.[0]?.metadata).toEqual(METADATA);
  });

  it('rejects metadata with a bad event_type with invalid_metadata_schema', async () => {
    const metadata = { event_type: 'job-failed', event_payload: {} };
    await platformError(
      clientFor(fake).chat.postMessage({ channel: 'C0ALERTS', text: 'x', metadata }),
      'invalid_metadata_schema',
    );
  });

  it('rejects metadata whose payload is not an object with invalid_metadata_schema', async () => {
    await platformError(
      clientFor(fake).apiCall('chat.postMessage', {
        channel: 'C0ALERTS',
        text: 'x',
        metadata: { event_type: 'job_failed', event_payload: ['a'] },
      }),
      'invalid_metadata_schema',
    );
  });

  it('rejects metadata that is not JSON with invalid_metadata_format', async () => {
    await platformError(
      clientFor(fake).apiCall('chat.postMessage', {
        channel: 'C0ALERTS',
        text: 'x',
        metadata: '{event',
      }),
      'invalid_metadata_format',
    );
  });

  it('pages history with limit and cursor', async () => {
    const client = clientFor(fake);
    for (const text of ['a', 'b', 'c'])
      await client.chat.postMessage({ channel: 'C0ALERTS', text });
    const page1 = await client.conversations.history({ channel: 'C0ALERTS', limit: 2 });
    expect(page1.messages?.map((message) => message.text)).toEqual(['c', 'b']);
    expect(page1.has_more).toBe(true);
    const cursor = String(page1.response_metadata?.next_cursor);
    const page2 = await client.conversations.history({ channel: 'C0ALERTS', limit: 2, cursor });
    expect(page2.messages?.map((message) => message.text)).toEqual(['a']);
    expect(page2.has_more).toBe(false);
  });

  it('filters history by oldest and latest, exclusive by default', async () => {
    const client = clientFor(fake);
    const a = await client.chat.postMessage({ channel: 'C0ALERTS', text: 'a' });
    await client.chat.postMessage({ channel: 'C0ALERTS', text: 'b' });
    const c = await client.chat.postMessage({ channel: 'C0ALERTS', text: 'c' });
    const range = { channel: 'C0ALERTS', oldest: String(a.ts), latest: String(c.ts) };
    const exclusive = await client.conversations.history(range);
    const inclusive = await client.conversations.history({ ...range, inclusive: true });
    expect(exclusive.messages?.map((message) => message.text)).toEqual(['b']);
    expect(inclusive.messages?.map((message) => message.text)).toEqual(['c', 'b', 'a']);
  });

  it('rejects history outside membership with not_in_channel', async () => {
    await platformError(
      clientFor(fake).conversations.history({ channel: 'C0LOBBY' }),
      'not_in_channel',
    );
  });

  it('returns a thread oldest first with its root', async () => {
    const client = clientFor(fake);
    const root = await client.chat.postMessage({ channel: 'C0ALERTS', text: 'root' });
    await client.chat.postMessage({ channel: 'C0ALERTS', text: 'one', thread_ts: String(root.ts) });
    await client.chat.postMessage({ channel: 'C0ALERTS', text: 'two', thread_ts: String(root.ts) });
    const result = await client.conversations.replies({ channel: 'C0ALERTS', ts: String(root.ts) });
    expect(result.messages?.map((message) => message.text)).toEqual(['root', 'one', 'two']);
  });

  it('rejects replies of an unknown ts with thread_not_found', async () => {
    await platformError(
      clientFor(fake).conversations.replies({ channel: 'C0ALERTS', ts: '1700000000.000009' }),
      'thread_not_found',
    );
  });
});
