import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../fake-slack/index.ts';
import { signRequest } from '../fake-slack/signing.ts';
import { createSlackApp, SLACK_EVENTS_PATH, type SlackApp } from '../../src/slack/bolt-app.ts';
import { captureLogger } from './capture-logger.ts';

let fake: FakeSlack;
const running: SlackApp[] = [];

beforeEach(async () => {
  fake = await startFakeSlack();
});

afterEach(async () => {
  for (const slackApp of running.splice(0)) {
    await slackApp.stop();
  }
  await fake.stop();
});

async function startApp(
  options: {
    slackApiUrl?: string;
    register?: ((app: App) => void)[];
    botId?: string;
    botUserId?: string;
  } = {},
) {
  const captured = captureLogger();
  const slackApp = createSlackApp({
    botToken: fake.botToken,
    signingSecret: fake.signingSecret,
    slackApiUrl: options.slackApiUrl ?? fake.apiUrl,
    logger: captured.logger,
    ...(options.register === undefined ? {} : { register: options.register }),
    ...(options.botId === undefined ? {} : { botId: options.botId }),
    ...(options.botUserId === undefined ? {} : { botUserId: options.botUserId }),
  });
  const { port } = await slackApp.start(0, '127.0.0.1');
  running.push(slackApp);
  return { url: `http://127.0.0.1:${port}${SLACK_EVENTS_PATH}`, records: captured.records };
}

function eventBody(text: string): string {
  return JSON.stringify({
    type: 'event_callback',
    team_id: fake.teamId,
    api_app_id: 'A0JOBWATCH',
    event_id: `Ev${Math.random().toString(36).slice(2)}`,
    event_time: Math.floor(Date.now() / 1000),
    event: {
      type: 'app_mention',
      user: 'U0ALICE',
      text,
      channel: 'C0ALERTS',
      ts: '1796349701.000100',
    },
  });
}

function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

function signed(body: string): Record<string, string> {
  return { ...signRequest(fake.signingSecret, body) };
}

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/api/`;
}

describe('createSlackApp', () => {
  it('rejects an unsigned request with 401', async () => {
    const { url } = await startApp();
    const response = await post(url, eventBody('hi'));
    expect(response.status).toBe(401);
  });

  it('rejects a forged signature with 401', async () => {
    const { url } = await startApp();
    const body = eventBody('hi');
    const response = await post(url, body, {
      ...signed(body),
      'x-slack-signature': `v0=${'0'.repeat(64)}`,
    });
    expect(response.status).toBe(401);
  });

  it('answers a signed url_verification challenge', async () => {
    const { url } = await startApp();
    const body = JSON.stringify({ type: 'url_verification', challenge: 'c-123', token: 'legacy' });
    const response = await post(url, body, signed(body));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ challenge: 'c-123' });
  });

  it('starts without calling Slack when the API is down', async () => {
    const { url } = await startApp({ slackApiUrl: await closedPortUrl() });
    const response = await post(url, eventBody('hi'));
    expect(response.status).toBe(401);
  });

  it('makes no Slack call at startup', async () => {
    await startApp();
    expect(fake.calls()).toEqual([]);
  });

  it('passes signed events to registered listeners', async () => {
    const mentions: string[] = [];
    const register = (app: App): void => {
      app.event('app_mention', ({ event }) => {
        mentions.push(event.text);
        return Promise.resolve();
      });
    };
    const { url } = await startApp({ register: [register] });
    for (const text of ['first', 'second']) {
      const body = eventBody(text);
      const response = await post(url, body, signed(body));
      expect(response.status).toBe(200);
    }
    await expect.poll(() => mentions).toEqual(['first', 'second']);
    // The bot identity is looked up once and kept.
    expect(fake.calls('auth.test')).toHaveLength(1);
  });

  it('skips auth.test when the bot ids are given', async () => {
    const seen: string[] = [];
    const register = (app: App): void => {
      app.event('app_mention', ({ context }) => {
        seen.push(`${context.botId}/${context.botUserId}`);
        return Promise.resolve();
      });
    };
    const { url } = await startApp({
      register: [register],
      botId: 'B0GIVEN',
      botUserId: 'U0GIVEN',
    });
    const body = eventBody('hello');
    await post(url, body, signed(body));
    await expect.poll(() => seen).toEqual(['B0GIVEN/U0GIVEN']);
    expect(fake.calls('auth.test')).toEqual([]);
  });

  it('retries auth.test on the next request after a failure', async () => {
    const seen: string[] = [];
    const register = (app: App): void => {
      app.event('app_mention', ({ event }) => {
        seen.push(event.text);
        return Promise.resolve();
      });
    };
    const { url, records } = await startApp({ register: [register] });
    fake.failNext('auth.test', 'invalid_auth');
    const failing = eventBody('lost');
    await post(url, failing, signed(failing));
    const body = eventBody('kept');
    await post(url, body, signed(body));
    await expect.poll(() => seen).toEqual(['kept']);
    expect(fake.calls('auth.test')).toHaveLength(2);
    expect(
      records().some((record) => record['msg'] === 'slack auth.test failed, next request retries'),
    ).toBe(true);
  });

  it('writes Bolt logs through pino', async () => {
    const { url, records } = await startApp();
    await post(url, eventBody('hi'));
    await expect.poll(() => records().some((record) => record['component'] === 'bolt')).toBe(true);
  });
});
