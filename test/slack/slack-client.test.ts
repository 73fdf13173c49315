import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../fake-slack/index.ts';
import type { Block } from '../../src/slack/block-kit.ts';
import {
  createSlackClient,
  createWebClient,
  type SlackClient,
} from '../../src/slack/slack-client.ts';
import {
  SlackDeliveryError,
  SlackPermanentError,
  SlackRateLimitedError,
  SlackTransientError,
} from '../../src/slack/slack-errors.ts';
import { captureLogger } from './capture-logger.ts';

const BLOCKS: Block[] = [{ type: 'section', text: { type: 'mrkdwn', text: 'hello' } }];

let fake: FakeSlack;

beforeEach(async () => {
  fake = await startFakeSlack({
    channels: [
      { id: 'C0ALERTS', name: 'job-alerts' },
      { id: 'C0OUTSIDE', name: 'batch-alerts', botIsMember: false },
      { id: 'G0PRIVATE', name: 'secret-alerts', isPrivate: true, botIsMember: false },
      { id: 'C0OLD', name: 'old-alerts', isArchived: true },
    ],
  });
});

afterEach(async () => {
  await fake.stop();
});

function slackFor(
  options: { token?: string; retries?: number; timeoutMs?: number; apiUrl?: string } = {},
) {
  const captured = captureLogger();
  const client = createWebClient({
    token: options.token ?? fake.botToken,
    slackApiUrl: options.apiUrl ?? fake.apiUrl,
    logger: captured.logger,
    retries: options.retries ?? 0,
    retryMinDelayMs: 10,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  return {
    slack: createSlackClient({ client, logger: captured.logger }),
    records: captured.records,
  };
}

async function failure(promise: Promise<unknown>): Promise<SlackDeliveryError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(SlackDeliveryError);
  return error as SlackDeliveryError;
}

function post(slack: SlackClient, channel: string, key = 'job-1') {
  return slack.postMessage({
    channel,
    text: 'alert',
    blocks: BLOCKS,
    metadata: { event_type: 'jobwatch_alert', event_payload: { key } },
  });
}

describe('postMessage and updateMessage', () => {
  it('posts a root message and a thread reply', async () => {
    const { slack } = slackFor();
    const root = await post(slack, 'C0ALERTS');
    const reply = await slack.postMessage({
      channel: 'C0ALERTS',
      text: 'attempt',
      blocks: BLOCKS,
      threadTs: root.ts,
    });
    expect(root.channel).toBe('C0ALERTS');
    expect(fake.thread('C0ALERTS', root.ts).map((message) => message.ts)).toEqual([
      root.ts,
      reply.ts,
    ]);
    expect(fake.messages('C0ALERTS')[0]?.metadata).toEqual({
      event_type: 'jobwatch_alert',
      event_payload: { key: 'job-1' },
    });
  });

  it('replaces text and blocks of a posted message', async () => {
    const { slack } = slackFor();
    const root = await post(slack, 'C0ALERTS');
    const blocks: Block[] = [{ type: 'section', text: { type: 'mrkdwn', text: 'updated' } }];
    await expect(slack.updateMessage({ ...root, text: 'alert v2', blocks })).resolves.toEqual(root);
    const stored = fake.messages('C0ALERTS')[0];
    expect(stored?.text).toBe('alert v2');
    expect(stored?.blocks).toEqual(blocks);
  });

  it('joins a public channel it is not in, then posts', async () => {
    const { slack } = slackFor();
    await post(slack, 'C0OUTSIDE');
    expect(fake.calls('conversations.join')).toHaveLength(1);
    expect(fake.messages('C0OUTSIDE')).toHaveLength(1);
  });
});

describe('error classification', () => {
  it('makes channel_not_found permanent', async () => {
    const { slack } = slackFor();
    const error = await failure(post(slack, 'C0MISSING'));
    expect(error).toBeInstanceOf(SlackPermanentError);
    expect(error.code).toBe('channel_not_found');
    expect(error.permanent).toBe(true);
    expect(error.message).toContain('chat.postMessage to channel C0MISSING');
  });

  it('makes not_in_channel permanent after a failed join', async () => {
    const { slack } = slackFor();
    const error = await failure(post(slack, 'G0PRIVATE'));
    expect(error.code).toBe('not_in_channel');
    expect(error.permanent).toBe(true);
    expect(error.message).toContain('/invite');
    expect(fake.messages('G0PRIVATE')).toHaveLength(0);
  });

  it('makes is_archived and invalid_auth permanent', async () => {
    const archived = await failure(post(slackFor().slack, 'C0OLD'));
    expect(archived.code).toBe('is_archived');
    expect(archived.permanent).toBe(true);
    const unauthorized = await failure(post(slackFor({ token: 'xoxb-wrong' }).slack, 'C0ALERTS'));
    expect(unauthorized.code).toBe('invalid_auth');
    expect(unauthorized.permanent).toBe(true);
  });

  it('returns a 429 at once with its Retry-After', async () => {
    const { slack } = slackFor();
    fake.rateLimit('chat.postMessage', { calls: 1, retryAfterSeconds: 42 });
    const error = await failure(post(slack, 'C0ALERTS'));
    expect(error).toBeInstanceOf(SlackRateLimitedError);
    expect(error.code).toBe('rate_limited');
    expect(error.permanent).toBe(false);
    expect((error as SlackRateLimitedError).retryAfterSeconds).toBe(42);
    // The client is not paused for 42 s: the next call goes through.
    await expect(post(slack, 'C0ALERTS')).resolves.toMatchObject({ channel: 'C0ALERTS' });
  });

  it('makes HTTP 5xx transient', async () => {
    const { slack } = slackFor();
    fake.failNext('chat.postMessage', { httpStatus: 503 });
    const error = await failure(post(slack, 'C0ALERTS'));
    expect(error).toBeInstanceOf(SlackTransientError);
    expect(error.code).toBe('http_503');
    expect(error.permanent).toBe(false);
  });

  it('retries a 5xx inside the client when retries are set', async () => {
    const { slack } = slackFor({ retries: 1 });
    fake.failNext('chat.postMessage', { httpStatus: 502 });
    await post(slack, 'C0ALERTS');
    expect(fake.calls('chat.postMessage')).toHaveLength(2);
    expect(fake.messages('C0ALERTS')).toHaveLength(1);
  });

  it('makes internal_error transient', async () => {
    const { slack } = slackFor();
    fake.failNext('chat.update', 'internal_error');
    const error = await failure(
      slack.updateMessage({ channel: 'C0ALERTS', ts: '1.000001', text: 't', blocks: BLOCKS }),
    );
    expect(error.kind).toBe('transient');
    expect(error.code).toBe('internal_error');
  });

  it('makes a transport failure transient', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { slack } = slackFor({ apiUrl: `http://127.0.0.1:${port}/api/` });
    const error = await failure(post(slack, 'C0ALERTS'));
    expect(error.kind).toBe('transient');
    expect(error.code).toBe('request_failed');
  });

  it('makes a timeout transient, and the accepted post is found by metadata', async () => {
    const { slack } = slackFor({ timeoutMs: 200 });
    fake.acceptThenTimeout('chat.postMessage', 1000);
    const error = await failure(post(slack, 'C0ALERTS', 'job-timeout'));
    expect(error.kind).toBe('transient');
    expect(error.code).toBe('timeout');
    const found = await slack.findMessageByMetadata('C0ALERTS', 'jobwatch_alert', 'job-timeout');
    expect(found).toEqual({ channel: 'C0ALERTS', ts: fake.messages('C0ALERTS')[0]?.ts });
  });

  it('makes invalid_blocks permanent and logs the offending path', async () => {
    const { slack, records } = slackFor();
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } },
    ] as Block[];
    const error = await failure(slack.postMessage({ channel: 'C0ALERTS', text: 't', blocks }));
    expect(error.code).toBe('invalid_blocks');
    expect(error.permanent).toBe(true);
    expect((error as SlackPermanentError).blockPaths).toContain('/blocks/0/text/text');
    const logged = records().find((record) => record['msg'] === 'slack rejected message blocks');
    expect(logged?.['blockPaths']).toContain('/blocks/0/text/text');
  });
});

describe('ensureChannel', () => {
  it('joins a public channel once', async () => {
    const { slack } = slackFor();
    await expect(slack.ensureChannel('C0OUTSIDE')).resolves.toEqual({
      channel: 'C0OUTSIDE',
      joined: true,
    });
    await expect(slack.ensureChannel('C0OUTSIDE')).resolves.toEqual({
      channel: 'C0OUTSIDE',
      joined: false,
    });
    expect(fake.calls('conversations.join')).toHaveLength(1);
  });

  it('reports that it cannot join a private channel', async () => {
    const error = await failure(slackFor().slack.ensureChannel('G0PRIVATE'));
    expect(error.code).toBe('not_in_channel');
    expect(error.permanent).toBe(true);
    expect(error.message).toContain('private');
  });

  it('reports an unknown channel as not found', async () => {
    const error = await failure(slackFor().slack.ensureChannel('C0MISSING'));
    expect(error.code).toBe('channel_not_found');
  });
});

describe('findMessageByMetadata', () => {
  it('finds a posted message by key', async () => {
    const { slack } = slackFor();
    await post(slack, 'C0ALERTS', 'job-a');
    const target = await post(slack, 'C0ALERTS', 'job-b');
    await post(slack, 'C0ALERTS', 'job-c');
    await expect(
      slack.findMessageByMetadata('C0ALERTS', 'jobwatch_alert', 'job-b'),
    ).resolves.toEqual(target);
  });

  it('returns undefined for another key, event type or an older message', async () => {
    const { slack } = slackFor();
    const first = await post(slack, 'C0ALERTS', 'job-a');
    const second = await post(slack, 'C0ALERTS', 'job-b');
    await expect(
      slack.findMessageByMetadata('C0ALERTS', 'jobwatch_alert', 'job-z'),
    ).resolves.toBeUndefined();
    await expect(
      slack.findMessageByMetadata('C0ALERTS', 'other_event', 'job-a'),
    ).resolves.toBeUndefined();
    await expect(
      slack.findMessageByMetadata('C0ALERTS', 'jobwatch_alert', 'job-a', second.ts),
    ).resolves.toBeUndefined();
    await expect(
      slack.findMessageByMetadata('C0ALERTS', 'jobwatch_alert', 'job-a', first.ts),
    ).resolves.toEqual(first);
  });

  it('follows the cursor past the first page', async () => {
    const { slack } = slackFor();
    const target = await post(slack, 'C0ALERTS', 'oldest');
    for (let i = 0; i < 205; i += 1) {
      await post(slack, 'C0ALERTS', `filler-${i}`);
    }
    await expect(
      slack.findMessageByMetadata('C0ALERTS', 'jobwatch_alert', 'oldest'),
    ).resolves.toEqual(target);
    expect(fake.calls('conversations.history')).toHaveLength(2);
  });
});
