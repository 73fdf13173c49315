import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../fake-slack/index.ts';
import { type ManualClock, clientFor, manualClock } from './helpers.ts';

async function postJson(url: string, body: unknown): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.status;
}

describe('response_url endpoint', () => {
  let fake: FakeSlack;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = manualClock();
    fake = await startFakeSlack({ clock: clock.now });
  });

  afterEach(async () => {
    await fake.stop();
  });

  it('accepts five posts and rejects the sixth with 404', async () => {
    const url = fake.issueResponseUrl({ channel: 'C0ALERTS' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push(await postJson(url, { text: `reply ${i}` }));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 404]);
    expect(fake.responses().at(-1)?.problems[0]).toContain('already used 5 times');
  });

  it('rejects a post after 30 minutes with 404', async () => {
    const url = fake.issueResponseUrl();
    clock.advance(30 * 60 * 1000 + 1);
    expect(await postJson(url, { text: 'late' })).toBe(404);
    expect(fake.responses()[0]?.problems[0]).toContain('expired');
  });

  it('rejects invalid blocks with 400 and the pointer', async () => {
    const url = fake.issueResponseUrl();
    const blocks = [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }];
    expect(await postJson(url, { text: 'x', blocks })).toBe(400);
    const [recorded] = fake.responses();
    expect(recorded?.problems[0]).toBe('invalid_blocks');
    expect(recorded?.problems[1]).toContain('[json-pointer:/blocks/0/text/text]');
  });

  it('rejects a post without text or blocks with 400', async () => {
    expect(await postJson(fake.issueResponseUrl(), { response_type: 'ephemeral' })).toBe(400);
    expect(fake.responses()[0]?.problems).toEqual(['no_text']);
  });

  it('replaces the source message with replace_original', async () => {
    const posted = await clientFor(fake).chat.postMessage({
      channel: 'C0ALERTS',
      text: 'v1',
      blocks: [{ type: 'divider' }],
    });
    const url = fake.issueResponseUrl({ channel: 'C0ALERTS', messageTs: String(posted.ts) });
    expect(await postJson(url, { text: 'v2', replace_original: true })).toBe(200);
    const [message] = fake.messages('C0ALERTS');
    expect(message?.text).toBe('v2');
    expect(message?.blocks).toBeUndefined();
    expect(message?.edits.map((edit) => edit.text)).toEqual(['v1']);
  });

  it('leaves the source message alone without replace_original', async () => {
    const posted = await clientFor(fake).chat.postMessage({ channel: 'C0ALERTS', text: 'v1' });
    const url = fake.issueResponseUrl({ channel: 'C0ALERTS', messageTs: String(posted.ts) });
    expect(await postJson(url, { text: 'only for you' })).toBe(200);
    expect(fake.messages('C0ALERTS')[0]?.text).toBe('v1');
  });

  it('marks the source message deleted with delete_original', async () => {
    const posted = await clientFor(fake).chat.postMessage({ channel: 'C0ALERTS', text: 'v1' });
    const url = fake.issueResponseUrl({ channel: 'C0ALERTS', messageTs: String(posted.ts) });
    expect(await postJson(url, { delete_original: true })).toBe(200);
    expect(fake.messages('C0ALERTS')[0]?.subtype).toBe('message_deleted');
  });

  it('rejects an unknown response_url id with 404', async () => {
    expect(await postJson(`${fake.baseUrl}/response/nope`, { text: 'x' })).toBe(404);
  });
});
