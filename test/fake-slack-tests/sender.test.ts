import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../fake-slack/index.ts';
import {
  FORM_CONTENT_TYPE,
  redeliver,
  replay,
  sendBlockAction,
  sendSlashCommand,
  sendViewSubmission,
  signRequest,
} from '../fake-slack/sender.ts';
import { clientFor, silentLogger } from './helpers.ts';

const plain = (text: string) => ({ type: 'plain_text' as const, text });

const RETRY_MODAL = {
  type: 'modal' as const,
  callback_id: 'retry_job',
  title: plain('Retry job'),
  submit: plain('Retry'),
  blocks: [
    {
      type: 'input',
      block_id: 'reason',
      label: plain('Reason'),
      element: { type: 'plain_text_input', action_id: 'reason_input' },
    },
  ],
};

interface Seen {
  commands: string[];
  retryNums: (number | undefined)[];
  actions: { actionId: string; messageTs: string | undefined }[];
  submissions: string[];
}

describe('signRequest', () => {
  it('signs with the documented v0 algorithm', () => {
    // Example values from Slack's guide to verifying requests.
    const body = [
      'token=xyzz0WbapA4vBCDEFasx0q6G',
      'team_id=T1DC2JH3J',
      'team_domain=testteamnow',
      'channel_id=G8PSS9T3V',
      'channel_name=foobar',
      'user_id=U2CERLKJA',
      'user_name=roadrunner',
      'command=%2Fwebhook-collect',
      'text=',
      'response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F' +
        '96rGlfmibIGlgcZRskXaIFfN',
      'trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
    ].join('&');
    const headers = signRequest('8f742231b10e8888abcd99yyyzzz85a5', body, 1531420618);
    expect(headers['x-slack-request-timestamp']).toBe('1531420618');
    expect(headers['x-slack-signature']).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });
});

describe('signing sender against a Bolt HTTP receiver', () => {
  let fake: FakeSlack;
  let app: App;
  let appUrl: string;
  let seen: Seen;

  beforeEach(async () => {
    fake = await startFakeSlack();
    seen = { commands: [], retryNums: [], actions: [], submissions: [] };
    app = new App({
      token: fake.botToken,
      signingSecret: fake.signingSecret,
      clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
      logger: silentLogger(),
      logLevel: LogLevel.ERROR,
      // Runs auth.test here rather than in the constructor, so no request is in flight at stop.
      deferInitialization: true,
    });
    await app.init();
    app.command('/job', async ({ command, ack, respond, client, context }) => {
      seen.commands.push(command.text);
      seen.retryNums.push(context.retryNum);
      if (command.text === 'bad-ack') {
        // Held in a variable, because Bolt's block types reject a mrkdwn header literal.
        const header = { type: 'header', text: { type: 'mrkdwn', text: '*jobs*' } };
        await ack({ blocks: [header] });
        return;
      }
      await ack();
      if (command.text === 'modal') {
        await client.views.open({ trigger_id: command.trigger_id, view: RETRY_MODAL });
      }
      if (command.text === 'status') await respond({ text: 'backup: failed (OOMKilled)' });
    });
    app.action('retry_job', async ({ ack, body }) => {
      const messageTs = body.type === 'block_actions' ? body.message?.ts : undefined;
      seen.actions.push({ actionId: 'retry_job', messageTs });
      await ack();
    });
    app.action('pick_namespace', async ({ ack, action }) => {
      const value = action.type === 'static_select' ? action.selected_option.value : '';
      seen.actions.push({ actionId: `pick_namespace:${value}`, messageTs: undefined });
      await ack();
    });
    app.view('retry_job', async ({ ack, view }) => {
      const reason = view.state.values.reason?.reason_input?.value ?? '';
      seen.submissions.push(reason);
      if (reason === '') await ack({ response_action: 'errors', errors: { reason: 'Say why' } });
      else if (reason === 'typo') await ack({ response_action: 'errors', errors: { why: 'x' } });
      else await ack();
    });
    const server = await app.start(0);
    appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });

  afterEach(async () => {
    await app.stop();
    await fake.stop();
  });

  it('acks a signed slash command with 200', async () => {
    const delivery = await sendSlashCommand(
      appUrl,
      fake.signingSecret,
      { command: '/job', text: 'list' },
      { fake },
    );
    expect(delivery.status).toBe(200);
    expect(seen.commands).toEqual(['list']);
    expect(delivery.request.headers['content-type']).toBe(FORM_CONTENT_TYPE);
    expect(delivery.request.body).toContain('command=%2Fjob');
  });

  it('flags a command ack with invalid blocks', async () => {
    const delivery = await sendSlashCommand(
      appUrl,
      fake.signingSecret,
      { command: '/job', text: 'bad-ack' },
      { fake },
    );
    expect(delivery.status).toBe(200);
    expect(delivery.ackProblems[0]).toBe('invalid_blocks');
    expect(delivery.ackProblems[1]).toContain('[json-pointer:/blocks/0/text/type]');
  });

  it('passes an empty command ack', async () => {
    const delivery = await sendSlashCommand(
      appUrl,
      fake.signingSecret,
      { command: '/job', text: 'list' },
      { fake },
    );
    expect(delivery.ackProblems).toEqual([]);
  });

  it('rejects a forged signature with 401 before the handler', async () => {
    const delivery = await sendSlashCommand(
      appUrl,
      fake.signingSecret,
      { command: '/job', text: 'list' },
      { fake, signature: `v0=${'0'.repeat(64)}` },
    );
    expect(delivery.status).toBe(401);
    expect(seen.commands).toEqual([]);
  });

  it('rejects a body signed with another secret with 401', async () => {
    const delivery = await sendSlashCommand(
      appUrl,
      'some-other-secret',
      { command: '/job', text: 'list' },
      { fake },
    );
    expect(delivery.status).toBe(401);
    expect(seen.commands).toEqual([]);
  });

  it('rejects a stale timestamp with 401 before the handler', async () => {
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    const delivery = await sendSlashCommand(
      appUrl,
      fake.signingSecret,
      { command: '/job', text: 'list' },
      { fake, timestampSeconds: sixMinutesAgo },
    );
    expect(delivery.status).toBe(401);
    expect(seen.commands).toEqual([]);
  });

  it('replays identical bytes, which Bolt accepts a second time', async () => {
    const first = await sendSlashCommand(
      appUrl,
      fake.signingSecret,
      { command: '/job', text: 'list' },
      { fake },
    );
    const second = await replay(first.request);
    expect(second.status).toBe(200);
    expect(second.request.body).toBe(first.request.body);
    expect(seen.commands).toEqual(['list', 'list']);
  });

  it('redelivers with retry headers that reach the context', async () => {
    const first = await sendSlashCommand(
      appUrl,
      fake.signingSecret,
      { command: '/job', text: 'list' },
      { fake },
    );
    const retry = await redeliver(fake.signingSecret, first.request, {
      retryNum: 1,
      retryReason: 'http_timeout',
    });
    expect(retry.status).toBe(200);
    expect(retry.request.headers['x-slack-retry-reason']).toBe('http_timeout');
    expect(seen.retryNums).toEqual([undefined, 1]);
  });

  it('records what the app posts to the response_url', async () => {
    await sendSlashCommand(
      appUrl,
      fake.signingSecret,
      { command: '/job', text: 'status' },
      { fake },
    );
    await expect.poll(() => fake.responses().length).toBe(1);
    const [response] = fake.responses();
    expect(response?.status).toBe(200);
    expect(response?.body).toMatchObject({ text: 'backup: failed (OOMKilled)' });
  });

  it('gives the command a trigger_id that opens a modal', async () => {
    await sendSlashCommand(
      appUrl,
      fake.signingSecret,
      { command: '/job', text: 'modal' },
      { fake },
    );
    await expect.poll(() => fake.views().length).toBe(1);
    expect(fake.calls('views.open')[0]?.response.ok).toBe(true);
  });

  it('clicks a button that exists in the stored message', async () => {
    const posted = await clientFor(fake).chat.postMessage({
      channel: 'C0ALERTS',
      text: 'backup failed',
      blocks: [
        {
          type: 'actions',
          block_id: 'alert_actions',
          elements: [
            { type: 'button', text: plain('Retry'), action_id: 'retry_job', value: 'uid-1' },
          ],
        },
      ],
    });
    const delivery = await sendBlockAction(appUrl, fake.signingSecret, fake, {
      channel: 'C0ALERTS',
      messageTs: String(posted.ts),
      actionId: 'retry_job',
      userId: 'U0ALICE',
    });
    expect(delivery.status).toBe(200);
    expect(seen.actions).toEqual([{ actionId: 'retry_job', messageTs: posted.ts }]);
    const raw = new URLSearchParams(delivery.request.body).get('payload') ?? '{}';
    const payload = JSON.parse(raw) as { actions: Record<string, unknown>[] };
    expect(payload.actions[0]).toMatchObject({ block_id: 'alert_actions', value: 'uid-1' });
  });

  it('selects an option of a static select', async () => {
    const posted = await clientFor(fake).chat.postMessage({
      channel: 'C0ALERTS',
      text: 'pick a namespace',
      blocks: [
        {
          type: 'section',
          text: { type: 'mrkdwn', text: 'Namespace' },
          accessory: {
            type: 'static_select',
            action_id: 'pick_namespace',
            options: [
              { text: plain('prod'), value: 'prod' },
              { text: plain('staging'), value: 'staging' },
            ],
          },
        },
      ],
    });
    const target = {
      channel: 'C0ALERTS',
      messageTs: String(posted.ts),
      actionId: 'pick_namespace',
      userId: 'U0BOB',
    };
    const delivery = await sendBlockAction(appUrl, fake.signingSecret, fake, {
      ...target,
      selectedValue: 'staging',
    });
    expect(delivery.status).toBe(200);
    expect(seen.actions).toEqual([{ actionId: 'pick_namespace:staging', messageTs: undefined }]);
    await expect(
      sendBlockAction(appUrl, fake.signingSecret, fake, { ...target, selectedValue: 'dev' }),
    ).rejects.toThrow(/no option with value dev/);
  });

  it('refuses to click an action_id the message no longer has', async () => {
    const client = clientFor(fake);
    const posted = await client.chat.postMessage({
      channel: 'C0ALERTS',
      text: 'backup failed',
      blocks: [
        {
          type: 'actions',
          elements: [{ type: 'button', text: plain('Retry'), action_id: 'retry_job' }],
        },
      ],
    });
    await client.chat.update({
      channel: 'C0ALERTS',
      ts: String(posted.ts),
      text: 'backup recovered',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'backup recovered' } }],
    });
    await expect(
      sendBlockAction(appUrl, fake.signingSecret, fake, {
        channel: 'C0ALERTS',
        messageTs: String(posted.ts),
        actionId: 'retry_job',
        userId: 'U0ALICE',
      }),
    ).rejects.toThrow(/has no action_id retry_job; it offers: none/);
    expect(seen.actions).toEqual([]);
  });

  it('accepts an errors ack keyed by an input', async () => {
    const opened = await clientFor(fake).views.open({
      trigger_id: fake.issueTrigger(),
      view: RETRY_MODAL,
    });
    const delivery = await sendViewSubmission(appUrl, fake.signingSecret, fake, {
      viewId: String(opened.view?.id),
      userId: 'U0ALICE',
      values: {},
    });
    expect(delivery.status).toBe(200);
    expect(seen.submissions).toEqual(['']);
    expect(delivery.json).toEqual({ response_action: 'errors', errors: { reason: 'Say why' } });
    expect(delivery.ackProblems).toEqual([]);
  });

  it('flags an errors ack keyed by a non-input', async () => {
    const opened = await clientFor(fake).views.open({
      trigger_id: fake.issueTrigger(),
      view: RETRY_MODAL,
    });
    const delivery = await sendViewSubmission(appUrl, fake.signingSecret, fake, {
      viewId: String(opened.view?.id),
      userId: 'U0ALICE',
      values: { reason: { reason_input: 'typo' } },
    });
    expect(seen.submissions).toEqual(['typo']);
    expect(delivery.ackProblems).toEqual([
      'errors key why is not the block_id of an input block in the view',
    ]);
  });

  it('refuses a submission value for an input the view lacks', async () => {
    const opened = await clientFor(fake).views.open({
      trigger_id: fake.issueTrigger(),
      view: RETRY_MODAL,
    });
    await expect(
      sendViewSubmission(appUrl, fake.signingSecret, fake, {
        viewId: String(opened.view?.id),
        userId: 'U0ALICE',
        values: { namespace: { ns_input: 'prod' } },
      }),
    ).rejects.toThrow(/no input block namespace/);
  });
});
