import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App, BlockButtonAction } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildRuntime } from '../../src/app/runtime.ts';
import { loadConfig, type SlackConfig } from '../../src/config/env.ts';
import {
  createSlackRuntime,
  type SlackRuntime,
  type SlackRuntimeOptions,
} from '../../src/app/slack-runtime.ts';
import { SLACK_EVENTS_PATH } from '../../src/slack/bolt-app.ts';
import {
  type FakeSlack,
  sendBlockAction,
  sendSlashCommand,
  startFakeSlack,
} from '../fake-slack/index.ts';
import { clientFor } from '../fake-slack-tests/helpers.ts';
import { eventually } from '../support/harness.ts';
import { captureLogger } from './capture-logger.ts';

type SlackOutput = Extract<SlackConfig, { output: 'slack' }>;

let fake: FakeSlack;
const runtimes: SlackRuntime[] = [];
const servers: Server[] = [];

beforeEach(async () => {
  fake = await startFakeSlack();
});

afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.close();
  for (const server of servers.splice(0)) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await fake.stop();
});

function configFor(receiver: 'http' | 'socket', overrides: Partial<SlackOutput> = {}): SlackOutput {
  const credentials =
    receiver === 'socket' ? { appToken: fake.appToken } : { signingSecret: fake.signingSecret };
  return {
    output: 'slack',
    receiver,
    botToken: fake.botToken,
    channel: 'C0ALERTS',
    apiUrl: fake.apiUrl,
    ...credentials,
    ...overrides,
  };
}

async function startRuntime(config: SlackOutput, options: SlackRuntimeOptions = {}) {
  const captured = captureLogger();
  const runtime = await createSlackRuntime(config, captured.logger, options);
  runtimes.push(runtime);
  return { runtime, records: captured.records };
}

/** Mounts the runtime's HTTP listener on a loopback port and returns Slack's request URL. */
async function serveHttp(runtime: SlackRuntime): Promise<string> {
  const listener = runtime.requestListener;
  if (listener === undefined) throw new Error('the HTTP runtime has no request listener');
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}${SLACK_EVENTS_PATH}`;
}

/** Listeners as the actions feature registers them: a command, a button and a modal. */
function jobListeners(received: string[]): (app: App) => void {
  return (app) => {
    app.command('/job', async ({ command, ack, client }) => {
      received.push(`command ${command.text}`);
      if (command.text === 'raise') {
        await client.views.open({
          trigger_id: command.trigger_id,
          view: {
            type: 'modal',
            callback_id: 'raise-limits',
            title: { type: 'plain_text', text: 'Raise limits' },
            submit: { type: 'plain_text', text: 'Apply' },
            blocks: [
              {
                type: 'input',
                block_id: 'memory',
                label: { type: 'plain_text', text: 'Memory limit' },
                element: { type: 'plain_text_input', action_id: 'value' },
              },
            ],
          },
        });
      }
      await ack({ response_type: 'ephemeral', text: `jobwatch got ${command.text}` });
    });
    app.action<BlockButtonAction>('retry', async ({ action, ack }) => {
      await ack();
      received.push(`action ${action.value ?? ''}`);
    });
    app.view('raise-limits', async ({ view, ack }) => {
      received.push(`view ${view.state.values.memory?.value?.value ?? ''}`);
      await ack({ response_action: 'errors', errors: { memory: 'Above the 4Gi ceiling' } });
    });
  };
}

async function postAlertWithButton(): Promise<string> {
  const posted = await clientFor(fake).chat.postMessage({
    channel: 'C0ALERTS',
    text: 'Job report failed',
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: 'Job *report* failed' } },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: 'retry',
            text: { type: 'plain_text', text: 'Retry' },
            value: 'episode-1',
          },
        ],
      },
    ],
  });
  return String(posted.ts);
}

describe('socket mode receiver', () => {
  it('acks a slash command with its response', async () => {
    const received: string[] = [];
    await startRuntime(configFor('socket'), { register: [jobListeners(received)] });
    await fake.socket.waitForConnections(1);

    const delivery = await fake.socket.sendSlashCommand({ command: '/job', text: 'status' });

    expect(delivery.acked).toBe(true);
    expect(delivery.ackProblems).toEqual([]);
    expect(delivery.ackPayload).toEqual({
      response_type: 'ephemeral',
      text: 'jobwatch got status',
    });
    expect(received).toEqual(['command status']);
  });

  it('uses SLACK_API_URL for apps.connections.open', async () => {
    await startRuntime(configFor('socket'));
    await fake.socket.waitForConnections(1);

    const opens = fake.calls('apps.connections.open');
    expect(opens).toHaveLength(1);
    expect(opens[0]?.response.ok).toBe(true);
  });

  it('acks a block action on a posted alert', async () => {
    const received: string[] = [];
    await startRuntime(configFor('socket'), { register: [jobListeners(received)] });
    await fake.socket.waitForConnections(1);
    const ts = await postAlertWithButton();

    const delivery = await fake.socket.sendBlockAction({
      channel: 'C0ALERTS',
      messageTs: ts,
      actionId: 'retry',
      userId: 'U0ALICE',
    });

    expect(delivery.acked).toBe(true);
    expect(delivery.ackProblems).toEqual([]);
    await eventually(() => received.includes('action episode-1'), 'click handled', 5_000);
  });

  it('answers a modal submission', async () => {
    const received: string[] = [];
    await startRuntime(configFor('socket'), { register: [jobListeners(received)] });
    await fake.socket.waitForConnections(1);

    await fake.socket.sendSlashCommand({ command: '/job', text: 'raise' });
    const [view] = fake.views();
    if (view === undefined) throw new Error('the command opened no modal');
    const delivery = await fake.socket.sendViewSubmission({
      viewId: view.id,
      userId: 'U0ALICE',
      values: { memory: { value: '8Gi' } },
    });

    expect(delivery.acked).toBe(true);
    expect(delivery.ackProblems).toEqual([]);
    expect(delivery.ackPayload).toEqual({
      response_action: 'errors',
      errors: { memory: 'Above the 4Gi ceiling' },
    });
    expect(received).toEqual(['command raise', 'view 8Gi']);
  });

  it('reconnects after a refresh_requested disconnect', async () => {
    const received: string[] = [];
    await startRuntime(configFor('socket'), { register: [jobListeners(received)] });
    await fake.socket.waitForConnections(1);

    fake.socket.disconnect('refresh_requested');
    await fake.socket.waitForConnections(2);
    const delivery = await fake.socket.sendSlashCommand({ command: '/job', text: 'list' });

    const [first, second] = fake.socket.connections();
    expect(first?.disconnectReason).toBe('refresh_requested');
    expect(first?.open).toBe(false);
    // 1000 is the client's own close; the fake would cut a lingering link with 1006.
    expect(first?.closeCode).toBe(1000);
    expect(second?.open).toBe(true);
    expect(fake.calls('apps.connections.open')).toHaveLength(2);
    expect(delivery.attempts[0]?.connectionId).toBe(2);
    expect(delivery.acked).toBe(true);
  });

  it('reconnects at once after the connection drops', async () => {
    const waits: number[] = [];
    const sleep = (ms: number): Promise<void> => {
      waits.push(ms);
      return Promise.resolve();
    };
    fake.failNext('apps.connections.open', { httpStatus: 503 });
    const { records } = await startRuntime(configFor('socket'), { reconnect: { sleep } });
    await fake.socket.waitForConnections(1);

    fake.socket.drop();
    await fake.socket.waitForConnections(2);

    // The connect that succeeded in between resets the backoff.
    expect(waits).toEqual([1_000, 0]);
    expect(fake.socket.connections().map((connection) => connection.open)).toEqual([false, true]);
    const messages = records().map((record) => record.msg);
    expect(messages).toContain('slack socket mode connection closed, reconnecting');
  });

  it('retries an event whose ack is late', async () => {
    const retryNums: (number | undefined)[] = [];
    const register = (app: App): void => {
      app.event('app_mention', ({ context }) => {
        retryNums.push(context.retryNum);
        return Promise.resolve();
      });
    };
    await startRuntime(configFor('socket'), { register: [register] });
    await fake.socket.waitForConnections(1);
    // Bolt acks an event only after authorize, which waits for auth.test.
    fake.acceptThenTimeout('auth.test', 4_000);

    const delivery = await fake.socket.sendEvent({
      event: { type: 'app_mention', user: 'U0ALICE', text: 'hi', channel: 'C0ALERTS' },
    });

    const [first, retry] = delivery.attempts;
    expect(delivery.acked).toBe(true);
    expect(delivery.attempts).toHaveLength(2);
    expect(first?.outcome).toBe('timed_out');
    expect(first?.envelope.retry_attempt).toBe(0);
    expect(retry?.outcome).toBe('acked');
    expect(retry?.envelope.retry_attempt).toBe(1);
    expect(retry?.envelope.retry_reason).toBe('timeout');
    expect(retry?.envelope.payload.event_id).toBe(first?.envelope.payload.event_id);
    await eventually(() => retryNums.length === 2, 'both deliveries handled', 5_000);
    expect([...retryNums].sort()).toEqual([0, 1]);
  });

  it('reports a late command ack without a retry', async () => {
    let release = (): void => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const register = (app: App): void => {
      app.command('/job', async ({ ack }) => {
        await gate;
        await ack();
      });
    };
    await startRuntime(configFor('socket'), { register: [register] });
    await fake.socket.waitForConnections(1);

    const delivery = await fake.socket.sendSlashCommand({ command: '/job', text: 'why' });
    release();

    expect(delivery.acked).toBe(false);
    expect(delivery.attempts).toHaveLength(1);
    expect(delivery.attempts[0]?.outcome).toBe('timed_out');
    await eventually(() => delivery.attempts[0]?.lateAck === true, 'late ack recorded', 5_000);
    expect(fake.socket.strayMessages()).toEqual([]);
  });

  it('stops on a bot token', async () => {
    const { records } = await startRuntime(configFor('socket', { appToken: fake.botToken }));

    const failed = await eventually(
      () => records().find((record) => record.code === 'not_allowed_token_type'),
      'token error logged',
      5_000,
    );

    expect(failed.level).toBe(50);
    expect(fake.calls('apps.connections.open')).toHaveLength(1);
    expect(fake.socket.connections()).toEqual([]);
  });

  it('stops on an unknown app token', async () => {
    const { records } = await startRuntime(
      configFor('socket', { appToken: 'xapp-1-A0JWAPP-1-revoked' }),
    );

    await eventually(
      () => records().find((record) => record.code === 'invalid_auth'),
      'token error logged',
      5_000,
    );

    expect(fake.calls('apps.connections.open')).toHaveLength(1);
  });

  it('backs off while apps.connections.open fails', async () => {
    const waits: number[] = [];
    const sleep = (ms: number): Promise<void> => {
      waits.push(ms);
      return Promise.resolve();
    };
    fake.failNext('apps.connections.open', { httpStatus: 503 }, 3);

    const started = await startRuntime(configFor('socket'), { reconnect: { sleep } });
    expect(started.runtime.receiver).toBe('socket');
    await fake.socket.waitForConnections(1);

    expect(waits).toEqual([1_000, 2_000, 4_000]);
    expect(fake.calls('apps.connections.open').map((call) => call.httpStatus)).toEqual([
      503, 503, 503, 200,
    ]);
  });
});

describe('jobwatch runtime', () => {
  it('connects over Socket Mode from the environment', async () => {
    const config = loadConfig({
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_APP_TOKEN: fake.appToken,
      SLACK_CHANNEL: 'C0ALERTS',
      SLACK_API_URL: fake.apiUrl,
      JOBWATCH_ROLES: 'notifier',
    });
    const runtime = await buildRuntime(config, captureLogger().logger);

    try {
      await fake.socket.waitForConnections(1);
      expect(runtime.deps.slackListener).toBeUndefined();
      expect(fake.calls('apps.connections.open')).toHaveLength(1);
    } finally {
      await runtime.close();
    }
    await eventually(() => fake.socket.connections()[0]?.open === false, 'socket closed', 5_000);
  });
});

describe.each(['http', 'socket'] as const)('%s receiver', (receiver) => {
  it('runs shared command and button listeners', async () => {
    const received: string[] = [];
    const { runtime } = await startRuntime(configFor(receiver), {
      register: [jobListeners(received)],
    });
    const ts = await postAlertWithButton();
    const target = { channel: 'C0ALERTS', messageTs: ts, actionId: 'retry', userId: 'U0BOB' };

    if (receiver === 'http') {
      const url = await serveHttp(runtime);
      const command = await sendSlashCommand(
        url,
        fake.signingSecret,
        { command: '/job', text: 'status' },
        { fake },
      );
      const click = await sendBlockAction(url, fake.signingSecret, fake, target);
      expect(command.status).toBe(200);
      expect(click.status).toBe(200);
    } else {
      await fake.socket.waitForConnections(1);
      const command = await fake.socket.sendSlashCommand({ command: '/job', text: 'status' });
      const click = await fake.socket.sendBlockAction(target);
      expect(command.acked).toBe(true);
      expect(click.acked).toBe(true);
    }

    await eventually(() => received.length === 2, 'both listeners ran', 5_000);
    expect(received).toEqual(['command status', 'action episode-1']);
    expect(runtime.receiver).toBe(receiver);
  });
});
