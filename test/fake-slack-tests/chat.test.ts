import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../fake-slack/index.ts';
import { clientFor, errorLines, platformError } from './helpers.ts';

const CHANNELS = [
  { id: 'C0ALERTS', name: 'job-alerts' },
  { id: 'C0LOBBY', name: 'lobby', botIsMember: false },
  { id: 'C0OLD', name: 'old-alerts', isArchived: true },
  { id: 'G0SECRET', name: 'secret', isPrivate: true, botIsMember: false },
];

describe('chat methods', () => {
  let fake: FakeSlack;

  beforeEach(async () => {
    fake = await startFakeSlack({ channels: CHANNELS });
  });

  afterEach(async () => {
    await fake.stop();
  });

  it('stores a posted message with its ts, text and blocks', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*backup* failed' } }];
    const result = await clientFor(fake).chat.postMessage({
      channel: 'C0ALERTS',
      text: 'backup failed',
      blocks,
    });
    expect(result.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(result.channel).toBe('C0ALERTS');
    const [stored] = fake.messages('C0ALERTS');
    expect(stored?.ts).toBe(result.ts);
    expect(stored?.text).toBe('backup failed');
    expect(stored?.blocks).toEqual(blocks);
    expect(stored?.bot_id).toBe(fake.botId);
  });

  it('accepts a channel name in place of its id', async () => {
    const result = await clientFor(fake).chat.postMessage({ channel: '#job-alerts', text: 'hi' });
    expect(result.channel).toBe('C0ALERTS');
  });

  it('increases ts when the clock is frozen', async () => {
    const fixed = await startFakeSlack({ clock: () => 1_760_000_000_000 });
    try {
      const client = clientFor(fixed);
      const first = await client.chat.postMessage({ channel: 'C0ALERTS', text: 'one' });
      const second = await client.chat.postMessage({ channel: 'C0ALERTS', text: 'two' });
      expect(first.ts).toBe('1760000000.000000');
      expect(second.ts).toBe('1760000000.000001');
    } finally {
      await fixed.stop();
    }
  });

  it('rejects an unknown channel with channel_not_found', async () => {
    await platformError(
      clientFor(fake).chat.postMessage({ channel: 'C0NOPE', text: 'x' }),
      'channel_not_found',
    );
  });

  it('rejects an unjoined public channel with not_in_channel', async () => {
    await platformError(
      clientFor(fake).chat.postMessage({ channel: 'C0LOBBY', text: 'x' }),
      'not_in_channel',
    );
  });

  it('rejects an archived channel with is_archived', async () => {
    await platformError(
      clientFor(fake).chat.postMessage({ channel: 'C0OLD', text: 'x' }),
      'is_archived',
    );
  });

  it('rejects a message without text or blocks with no_text', async () => {
    await platformError(
      clientFor(fake).chat.postMessage({ channel: 'C0ALERTS', text: '' }),
      'no_text',
    );
  });

  it('rejects top-level text over 40,000 characters with msg_too_long', async () => {
    const client = clientFor(fake);
    await client.chat.postMessage({ channel: 'C0ALERTS', text: 'a'.repeat(40_000) });
    await platformError(
      client.chat.postMessage({ channel: 'C0ALERTS', text: 'a'.repeat(40_001) }),
      'msg_too_long',
    );
  });

  it('stores a reply under its root and marks the root', async () => {
    const client = clientFor(fake);
    const root = await client.chat.postMessage({ channel: 'C0ALERTS', text: 'root' });
    const reply = await client.chat.postMessage({
      channel: 'C0ALERTS',
      text: 'reply',
      thread_ts: String(root.ts),
    });
    const thread = fake.thread('C0ALERTS', String(root.ts));
    expect(thread.map((message) => message.text)).toEqual(['root', 'reply']);
    expect(thread[1]?.thread_ts).toBe(root.ts);
    expect(thread[0]?.reply_count).toBe(1);
    expect(reply.message?.thread_ts).toBe(root.ts);
  });

  it('rejects a thread_ts that names no message with thread_not_found', async () => {
    const error = await platformError(
      clientFor(fake).chat.postMessage({
        channel: 'C0ALERTS',
        text: 'x',
        thread_ts: '1700000000.000001',
      }),
      'thread_not_found',
    );
    expect(errorLines(error)[0]).toContain('no message with ts 1700000000.000001');
  });

  it('rejects a thread_ts that names a reply with thread_not_found', async () => {
    const client = clientFor(fake);
    const root = await client.chat.postMessage({ channel: 'C0ALERTS', text: 'root' });
    const reply = await client.chat.postMessage({
      channel: 'C0ALERTS',
      text: 'r',
      thread_ts: String(root.ts),
    });
    const error = await platformError(
      client.chat.postMessage({ channel: 'C0ALERTS', text: 'x', thread_ts: String(reply.ts) }),
      'thread_not_found',
    );
    expect(errorLines(error)[0]).toContain(`use its root ts ${String(root.ts)}`);
  });

  it('rejects a thread_ts from another channel with thread_not_found', async () => {
    const client = clientFor(fake);
    await client.conversations.join({ channel: 'C0LOBBY' });
    const root = await client.chat.postMessage({ channel: 'C0LOBBY', text: 'root' });
    await platformError(
      client.chat.postMessage({ channel: 'C0ALERTS', text: 'x', thread_ts: String(root.ts) }),
      'thread_not_found',
    );
  });

  it('updates a message in place and keeps the earlier version', async () => {
    const client = clientFor(fake);
    const posted = await client.chat.postMessage({ channel: 'C0ALERTS', text: 'v1' });
    const updated = await client.chat.update({
      channel: 'C0ALERTS',
      ts: String(posted.ts),
      text: 'v2',
    });
    expect(updated.ts).toBe(posted.ts);
    const [stored] = fake.messages('C0ALERTS');
    expect(stored?.text).toBe('v2');
    expect(stored?.edits.map((edit) => edit.text)).toEqual(['v1']);
    expect(stored?.edited?.user).toBe(fake.botUserId);
    expect(fake.messages('C0ALERTS')).toHaveLength(1);
  });

  it('keeps blocks when chat.update omits them', async () => {
    const client = clientFor(fake);
    const blocks = [{ type: 'divider' }];
    const posted = await client.chat.postMessage({ channel: 'C0ALERTS', text: 'v1', blocks });
    await client.chat.update({ channel: 'C0ALERTS', ts: String(posted.ts), text: 'v2' });
    expect(fake.messages('C0ALERTS')[0]?.blocks).toEqual(blocks);
  });

  it('removes blocks when chat.update sends an empty array', async () => {
    const client = clientFor(fake);
    const posted = await client.chat.postMessage({
      channel: 'C0ALERTS',
      text: 'v1',
      blocks: [{ type: 'divider' }],
    });
    await client.chat.update({
      channel: 'C0ALERTS',
      ts: String(posted.ts),
      text: 'v2',
      blocks: [],
    });
    expect(fake.messages('C0ALERTS')[0]?.blocks).toBeUndefined();
  });

  it('rejects chat.update of an unknown ts with message_not_found', async () => {
    await platformError(
      clientFor(fake).chat.update({ channel: 'C0ALERTS', ts: '1700000000.000001', text: 'x' }),
      'message_not_found',
    );
  });

  it('rejects chat.update of an ephemeral message_ts with message_not_found', async () => {
    const client = clientFor(fake);
    const ephemeral = await client.chat.postEphemeral({
      channel: 'C0ALERTS',
      user: 'U0ALICE',
      text: 'psst',
    });
    await platformError(
      client.chat.update({ channel: 'C0ALERTS', ts: String(ephemeral.message_ts), text: 'x' }),
      'message_not_found',
    );
  });

  it('rejects chat.update of a human message with cant_update_message', async () => {
    const human = fake.postAsUser('C0ALERTS', 'U0ALICE', 'my message');
    await platformError(
      clientFor(fake).chat.update({ channel: 'C0ALERTS', ts: human.ts, text: 'hijacked' }),
      'cant_update_message',
    );
    expect(fake.messages('C0ALERTS')[0]?.text).toBe('my message');
  });

  it('rejects empty text with empty blocks as no_text', async () => {
    await platformError(
      clientFor(fake).chat.postMessage({ channel: 'C0ALERTS', text: '', blocks: [] }),
      'no_text',
    );
  });

  it('rejects chat.update without text or blocks with no_text', async () => {
    const client = clientFor(fake);
    const posted = await client.chat.postMessage({ channel: 'C0ALERTS', text: 'v1' });
    await platformError(
      client.chat.update({ channel: 'C0ALERTS', ts: String(posted.ts), text: '' }),
      'no_text',
    );
  });

  it('keeps ephemeral messages out of channel history', async () => {
    await clientFor(fake).chat.postEphemeral({
      channel: 'C0ALERTS',
      user: 'U0ALICE',
      text: 'only you',
    });
    expect(fake.messages('C0ALERTS')).toEqual([]);
    expect(fake.ephemeralMessages('C0ALERTS').map((message) => message.text)).toEqual(['only you']);
  });

  it('rejects an ephemeral message to an unknown user with user_not_in_channel', async () => {
    await platformError(
      clientFor(fake).chat.postEphemeral({ channel: 'C0ALERTS', user: 'U0NOBODY', text: 'x' }),
      'user_not_in_channel',
    );
  });

  it('builds permalinks for roots and replies', async () => {
    const client = clientFor(fake);
    const root = await client.chat.postMessage({ channel: 'C0ALERTS', text: 'root' });
    const reply = await client.chat.postMessage({
      channel: 'C0ALERTS',
      text: 'r',
      thread_ts: String(root.ts),
    });
    const rootLink = await client.chat.getPermalink({
      channel: 'C0ALERTS',
      message_ts: String(root.ts),
    });
    const replyLink = await client.chat.getPermalink({
      channel: 'C0ALERTS',
      message_ts: String(reply.ts),
    });
    expect(rootLink.permalink).toBe(
      `https://jobwatch-test.slack.com/archives/C0ALERTS/p${String(root.ts).replace('.', '')}`,
    );
    expect(replyLink.permalink).toContain(`?thread_ts=${String(root.ts)}&cid=C0ALERTS`);
  });

  it('rejects a permalink for an unknown ts with message_not_found', async () => {
    await platformError(
      clientFor(fake).chat.getPermalink({ channel: 'C0ALERTS', message_ts: '1.000001' }),
      'message_not_found',
    );
  });
});
