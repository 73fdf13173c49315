import {
  WebAPIHTTPError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
} from '@slack/web-api';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../fake-slack/index.ts';
import {
  type ManualClock,
  clientFor,
  manualClock,
  platformError,
  silentLogger,
} from './helpers.ts';

async function rejection(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => new Error('expected the call to fail, but it succeeded'),
    (error: unknown) => error,
  );
}

async function postRaw(
  fake: FakeSlack,
  method: string,
  body: string,
  headers: Record<string, string>,
) {
  const response = await fetch(`${fake.apiUrl}${method}`, {
    method: 'POST',
    body,
    headers,
    redirect: 'manual',
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('Web API transport', () => {
  let fake: FakeSlack;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = manualClock();
    fake = await startFakeSlack({ clock: clock.now });
  });

  afterEach(async () => {
    await fake.stop();
  });

  it('answers auth.test with the bot identity Bolt reads', async () => {
    const result = await clientFor(fake).auth.test();
    expect(result.user_id).toBe(fake.botUserId);
    expect(result.bot_id).toBe(fake.botId);
    expect(result.team_id).toBe(fake.teamId);
  });

  it('rejects a request without a token with not_authed', async () => {
    const client = new WebClient(undefined, {
      slackApiUrl: fake.apiUrl,
      retryConfig: { retries: 0 },
      logger: silentLogger(),
    });
    await platformError(client.auth.test(), 'not_authed');
  });

  it('rejects an unknown token with invalid_auth', async () => {
    await platformError(clientFor(fake, 'xoxb-someone-else').auth.test(), 'invalid_auth');
  });

  it('accepts the token as a form field', async () => {
    const body = new URLSearchParams({
      token: fake.botToken,
      channel: 'C0ALERTS',
      text: 'hi',
    }).toString();
    const answer = await postRaw(fake, 'chat.postMessage', body, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(answer.json.ok).toBe(true);
  });

  it('accepts a JSON body with a bearer token', async () => {
    const body = JSON.stringify({ channel: 'C0ALERTS', text: 'hi', blocks: [{ type: 'divider' }] });
    const answer = await postRaw(fake, 'chat.postMessage', body, {
      'content-type': 'application/json; charset=utf-8',
      authorization: `Bearer ${fake.botToken}`,
    });
    expect(answer.json.ok).toBe(true);
    expect(fake.messages('C0ALERTS')[0]?.blocks).toEqual([{ type: 'divider' }]);
  });

  it('ignores a token field inside a JSON body', async () => {
    const body = JSON.stringify({ token: fake.botToken, channel: 'C0ALERTS', text: 'hi' });
    const answer = await postRaw(fake, 'chat.postMessage', body, {
      'content-type': 'application/json',
    });
    expect(answer.json.error).toBe('not_authed');
  });

  it('rejects an unsupported content type with invalid_post_type', async () => {
    const answer = await postRaw(fake, 'auth.test', 'hello', {
      'content-type': 'text/plain',
      authorization: `Bearer ${fake.botToken}`,
    });
    expect(answer.status).toBe(200);
    expect(answer.json.error).toBe('invalid_post_type');
  });

  it('rejects malformed JSON with invalid_json', async () => {
    const answer = await postRaw(fake, 'auth.test', '{"a":', {
      'content-type': 'application/json',
      authorization: `Bearer ${fake.botToken}`,
    });
    expect(answer.json.error).toBe('invalid_json');
  });

  it('rejects an unknown method with unknown_method', async () => {
    await platformError(clientFor(fake).apiCall('chat.scheduleMessageSoon'), 'unknown_method');
  });

  it('rejects the retired files.upload with unknown_method', async () => {
    await platformError(
      clientFor(fake).apiCall('files.upload', { channels: 'C0ALERTS' }),
      'unknown_method',
    );
  });

  it('records each call with parsed arguments and without the token', async () => {
    const blocks = [{ type: 'divider' }];
    await clientFor(fake).chat.postMessage({ channel: 'C0ALERTS', text: 'hi', blocks });
    const [call] = fake.calls('chat.postMessage');
    expect(call?.args).toMatchObject({ channel: 'C0ALERTS', text: 'hi', blocks });
    expect(call?.args.token).toBeUndefined();
    expect(call?.httpStatus).toBe(200);
    expect(call?.response.ok).toBe(true);
    expect(call?.atMs).toBe(clock.now());
  });

  it('answers scripted rate limits with 429 and an integer Retry-After', async () => {
    fake.rateLimit('chat.postMessage', { calls: 2, retryAfterSeconds: 7 });
    const client = clientFor(fake);
    for (let i = 0; i < 2; i += 1) {
      const error = await rejection(client.chat.postMessage({ channel: 'C0ALERTS', text: 'x' }));
      expect(error).toBeInstanceOf(WebAPIRateLimitedError);
      expect((error as WebAPIRateLimitedError).retryAfter).toBe(7);
    }
    const third = await client.chat.postMessage({ channel: 'C0ALERTS', text: 'x' });
    expect(third.ok).toBe(true);
    expect(fake.calls('chat.postMessage').map((call) => call.httpStatus)).toEqual([429, 429, 200]);
    expect(fake.messages('C0ALERTS')).toHaveLength(1);
  });

  it('fails the next calls with a scripted platform error', async () => {
    fake.failNext('chat.update', 'edit_window_closed', 2);
    const client = clientFor(fake);
    const posted = await client.chat.postMessage({ channel: 'C0ALERTS', text: 'v1' });
    const args = { channel: 'C0ALERTS', ts: String(posted.ts), text: 'v2' };
    await platformError(client.chat.update(args), 'edit_window_closed');
    await platformError(client.chat.update(args), 'edit_window_closed');
    expect((await client.chat.update(args)).ok).toBe(true);
  });

  it('fails the next call with a scripted HTTP status', async () => {
    fake.failNext('chat.postMessage', { httpStatus: 503 });
    const error = await rejection(
      clientFor(fake).chat.postMessage({ channel: 'C0ALERTS', text: 'x' }),
    );
    expect(error).toBeInstanceOf(WebAPIHTTPError);
    expect((error as WebAPIHTTPError).statusCode).toBe(503);
    expect(fake.messages()).toEqual([]);
  });

  it('stores a message whose response comes after the client timeout', async () => {
    fake.acceptThenTimeout('chat.postMessage', 2000);
    const impatient = new WebClient(fake.botToken, {
      slackApiUrl: fake.apiUrl,
      retryConfig: { retries: 0 },
      timeout: 250,
      logger: silentLogger(),
    });
    const error = await rejection(
      impatient.chat.postMessage({ channel: 'C0ALERTS', text: 'maybe' }),
    );
    expect(error).toBeInstanceOf(WebAPIRequestError);
    // The fake stores the message before it holds back the response.
    await expect.poll(() => fake.calls('chat.postMessage').length).toBe(1);
    expect(fake.messages('C0ALERTS').map((message) => message.text)).toEqual(['maybe']);
  });

  it('limits chat.postMessage per channel once the bucket is on', async () => {
    fake.setChannelPostLimit({ perSecond: 1, burst: 2 });
    const client = clientFor(fake);
    await client.chat.postMessage({ channel: 'C0ALERTS', text: '1' });
    await client.chat.postMessage({ channel: 'C0ALERTS', text: '2' });
    const error = await rejection(client.chat.postMessage({ channel: 'C0ALERTS', text: '3' }));
    expect(error).toBeInstanceOf(WebAPIRateLimitedError);
    expect((error as WebAPIRateLimitedError).retryAfter).toBe(1);
    clock.advance(1000);
    expect((await client.chat.postMessage({ channel: 'C0ALERTS', text: '3' })).ok).toBe(true);
    expect(fake.messages('C0ALERTS').map((message) => message.text)).toEqual(['1', '2', '3']);
  });

  it('keeps a separate post bucket per channel', async () => {
    const limited = await startFakeSlack({
      clock: clock.now,
      channels: [
        { id: 'C0ALERTS', name: 'job-alerts' },
        { id: 'C0OTHER', name: 'other' },
      ],
      channelPostLimit: { perSecond: 1, burst: 1 },
    });
    try {
      const client = clientFor(limited);
      await client.chat.postMessage({ channel: 'C0ALERTS', text: 'a1' });
      const error = await rejection(client.chat.postMessage({ channel: 'C0ALERTS', text: 'a2' }));
      expect(error).toBeInstanceOf(WebAPIRateLimitedError);
      const other = await client.chat.postMessage({ channel: 'C0OTHER', text: 'b1' });
      expect(other.ok).toBe(true);
    } finally {
      await limited.stop();
    }
  });

  it('keeps chat.postMessage unlimited while the bucket is off', async () => {
    const client = clientFor(fake);
    for (let i = 0; i < 10; i += 1)
      await client.chat.postMessage({ channel: 'C0ALERTS', text: String(i) });
    expect(fake.messages('C0ALERTS')).toHaveLength(10);
  });

  it('describes users and rejects unknown ones with user_not_found', async () => {
    const client = clientFor(fake);
    const alice = await client.users.info({ user: 'U0ALICE' });
    expect(alice.user?.name).toBe('alice');
    expect(alice.user?.is_bot).toBe(false);
    await platformError(client.users.info({ user: 'U0NOBODY' }), 'user_not_found');
  });

  it('logs each call without the token', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'debug' },
      { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const logged = await startFakeSlack({ logger });
    try {
      const client = clientFor(logged);
      await client.auth.test();
      await platformError(
        client.chat.postMessage({ channel: 'C0NOPE', text: 'x' }),
        'channel_not_found',
      );
    } finally {
      await logged.stop();
    }
    const messages = lines.map((line) => line.msg);
    expect(messages).toEqual([
      'fake slack started',
      'fake slack api call',
      'fake slack api call',
      'fake slack stopped',
    ]);
    expect(lines[2]).toMatchObject({
      method: 'chat.postMessage',
      status: 200,
      error: 'channel_not_found',
    });
    expect(JSON.stringify(lines)).not.toContain(logged.botToken);
  });

  it('answers unknown paths with 404 and never redirects', async () => {
    const response = await fetch(`${fake.baseUrl}/api`, { redirect: 'manual' });
    expect(response.status).toBe(404);
  });
});
