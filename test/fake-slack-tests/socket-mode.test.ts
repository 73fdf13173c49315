import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../fake-slack/index.ts';
import { eventually } from '../support/harness.ts';
import { clientFor, platformError } from './helpers.ts';

let fake: FakeSlack;
const sockets: WebSocket[] = [];

beforeEach(async () => {
  fake = await startFakeSlack({ socketAckTimeoutMs: 300 });
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await fake.stop();
});

async function openUrl(): Promise<string> {
  const opened = await clientFor(fake, fake.appToken).apps.connections.open();
  return String(opened.url);
}

interface RawConnection {
  socket: WebSocket;
  messages: Record<string, unknown>[];
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens a WebSocket as a bare client would, keeping every message it receives. */
function connect(url: string): Promise<RawConnection> {
  const socket = new WebSocket(url);
  sockets.push(socket);
  const messages: Record<string, unknown>[] = [];
  socket.addEventListener('message', (event) => {
    messages.push(JSON.parse(String(event.data)) as Record<string, unknown>);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.addEventListener('close', (event) => {
      resolve({ code: event.code, reason: event.reason });
    });
  });
  return new Promise((resolve, reject) => {
    socket.addEventListener('open', () => resolve({ socket, messages, closed }));
    socket.addEventListener('error', () => reject(new Error(`WebSocket to ${url} failed`)));
  });
}

describe('apps.connections.open', () => {
  it('returns a loopback link URL', async () => {
    const url = new URL(await openUrl());

    expect(url.protocol).toBe('ws:');
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.pathname).toBe('/link/');
    expect(url.searchParams.get('ticket')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('rejects a bot token', async () => {
    await platformError(clientFor(fake).apps.connections.open(), 'not_allowed_token_type');
  });

  it('rejects an unknown app token', async () => {
    const client = clientFor(fake, 'xapp-1-A0OTHER-1-unknown');
    await platformError(client.apps.connections.open(), 'invalid_auth');
  });

  it('rejects the app token elsewhere', async () => {
    const client = clientFor(fake, fake.appToken);
    const post = client.chat.postMessage({ channel: 'C0ALERTS', text: 'hi' });
    await platformError(post, 'not_allowed_token_type');
  });
});

describe('socket link', () => {
  it('sends hello first', async () => {
    const connection = await connect(await openUrl());

    await eventually(() => connection.messages.length > 0, 'hello', 5_000);
    expect(connection.messages[0]).toMatchObject({
      type: 'hello',
      num_connections: 1,
      connection_info: { app_id: 'A0JWAPP' },
    });
  });

  it('opens once per ticket', async () => {
    const url = await openUrl();
    await connect(url);

    await expect(connect(url)).rejects.toThrow('failed');
    expect(fake.socket.connections()).toHaveLength(1);
  });

  it('closes at once on link_disabled', async () => {
    const connection = await connect(await openUrl());
    await fake.socket.waitForConnections(1);

    fake.socket.disconnect('link_disabled');
    const closed = await connection.closed;

    const last = connection.messages.at(-1);
    expect(last).toMatchObject({ type: 'disconnect', reason: 'link_disabled' });
    expect(closed.code).toBe(1000);
  });

  it('delivers an envelope and takes its ack', async () => {
    const connection = await connect(await openUrl());
    await fake.socket.waitForConnections(1);

    const delivery = fake.socket.sendSlashCommand({ command: '/job', text: 'list' });
    const envelope = await eventually(
      () => connection.messages.find((message) => message.type === 'slash_commands'),
      'envelope',
      5_000,
    );
    connection.socket.send(
      JSON.stringify({ envelope_id: envelope.envelope_id, payload: { text: 'no jobs' } }),
    );
    const result = await delivery;

    expect(envelope.accepts_response_payload).toBe(true);
    expect(envelope).not.toHaveProperty('retry_attempt');
    expect(envelope.payload).toMatchObject({ command: '/job', text: 'list', user_id: 'U0ALICE' });
    expect(result.acked).toBe(true);
    expect(result.ackPayload).toEqual({ text: 'no jobs' });
    expect(result.ackProblems).toEqual([]);
  });

  it('flags a payload Slack ignores', async () => {
    const connection = await connect(await openUrl());
    await fake.socket.waitForConnections(1);

    const delivery = fake.socket.deliver('interactive', { type: 'block_actions', actions: [] });
    const envelope = await eventually(() => connection.messages[1], 'envelope', 5_000);
    connection.socket.send(
      JSON.stringify({ envelope_id: envelope.envelope_id, payload: { text: 'done' } }),
    );

    expect((await delivery).ackProblems).toEqual([
      'accepts_response_payload is false, so Slack ignores the ack payload',
    ]);
  });

  it('retries an event up to 3 times', async () => {
    await connect(await openUrl());
    await fake.socket.waitForConnections(1);

    const delivery = await fake.socket.sendEvent({ event: { type: 'app_mention', text: 'hi' } });

    expect(delivery.acked).toBe(false);
    const envelopes = delivery.attempts.map((attempt) => attempt.envelope);
    expect(envelopes.map((envelope) => envelope.retry_attempt)).toEqual([0, 1, 2, 3]);
    expect(envelopes.map((envelope) => envelope.retry_reason)).toEqual([
      '',
      'timeout',
      'timeout',
      'timeout',
    ]);
    expect(new Set(envelopes.map((envelope) => envelope.envelope_id)).size).toBe(4);
  });

  it('keeps acks of unknown envelopes', async () => {
    const connection = await connect(await openUrl());
    await fake.socket.waitForConnections(1);

    connection.socket.send(JSON.stringify({ envelope_id: 'no-such-envelope' }));
    connection.socket.send('not json');

    await eventually(() => fake.socket.strayMessages().length === 2, 'stray messages', 5_000);
    const [unknown, garbled] = fake.socket.strayMessages();
    expect(unknown).toContain('no-such-envelope');
    expect(garbled).toContain('not JSON');
  });

  it('rejects a delivery without a connection', async () => {
    await expect(fake.socket.sendSlashCommand({ command: '/job', text: 'x' })).rejects.toThrow(
      'no Socket Mode connection',
    );
  });
});
