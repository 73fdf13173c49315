import { WebAPIRateLimitedError } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../fake-slack/index.ts';
import { clientFor, manualClock } from './helpers.ts';

let fake: FakeSlack;
let clock: ReturnType<typeof manualClock>;

beforeEach(async () => {
  clock = manualClock();
  fake = await startFakeSlack({
    clock: clock.now,
    channels: [
      { id: 'C0ALERTS', name: 'job-alerts' },
      { id: 'C0OTHER', name: 'other' },
    ],
  });
});
afterEach(async () => {
  await fake.stop();
});

async function rateLimited(call: Promise<unknown>): Promise<WebAPIRateLimitedError> {
  const error = await call.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(WebAPIRateLimitedError);
  return error as WebAPIRateLimitedError;
}

describe('workspace chat.update limit', () => {
  it('rejects updates past the burst with Retry-After on the fake clock', async () => {
    const client = clientFor(fake);
    const a = await client.chat.postMessage({ channel: 'C0ALERTS', text: 'a' });
    const b = await client.chat.postMessage({ channel: 'C0OTHER', text: 'b' });
    fake.setUpdateLimit({ perMinute: 60, burst: 2 });
    await client.chat.update({ channel: 'C0ALERTS', ts: a.ts ?? '', text: 'a2' });
    await client.chat.update({ channel: 'C0OTHER', ts: b.ts ?? '', text: 'b2' });
    // One bucket for the workspace: the other channel's update used the last token.
    const error = await rateLimited(client.chat.update({ channel: 'C0ALERTS', ts: a.ts ?? '', text: 'a3' }));
    expect(error.retryAfter).toBe(1);
    expect(fake.messages('C0ALERTS')[0]?.text).toBe('a2');
    clock.advance(1000);
    await client.chat.update({ channel: 'C0ALERTS', ts: a.ts ?? '', text: 'a3' });
    expect(fake.messages('C0ALERTS')[0]?.text).toBe('a3');
  });

  it('counts each rejected update as a 429 call', async () => {
    fake.setUpdateLimit({ perMinute: 50, burst: 1 });
    const client = clientFor(fake);
    const posted = await client.chat.postMessage({ channel: 'C0ALERTS', text: 'a' });
    await client.chat.update({ channel: 'C0ALERTS', ts: posted.ts ?? '', text: 'a2' });
    const error = await rateLimited(client.chat.update({ channel: 'C0ALERTS', ts: posted.ts ?? '', text: 'a3' }));
    expect(error.retryAfter).toBe(2);
    expect(fake.calls('chat.update').map((call) => call.httpStatus)).toEqual([200, 429]);
  });

  it('leaves updates unlimited when switched off', async () => {
    fake.setUpdateLimit({ burst: 1 });
    fake.setUpdateLimit(null);
    const client = clientFor(fake);
    const posted = await client.chat.postMessage({ channel: 'C0ALERTS', text: 'a' });
    for (let i = 0; i < 20; i += 1) await client.chat.update({ channel: 'C0ALERTS', ts: posted.ts ?? '', text: `v${i}` });
    expect(fake.calls('chat.update').every((call) => call.httpStatus === 200)).toBe(true);
  });

  it('leaves chat.postMessage to its own per-channel bucket', async () => {
    fake.setUpdateLimit({ perMinute: 50, burst: 1 });
    const client = clientFor(fake);
    for (let i = 0; i < 5; i += 1) await client.chat.postMessage({ channel: 'C0ALERTS', text: `p${i}` });
    expect(fake.messages('C0ALERTS')).toHaveLength(5);
  });
});
