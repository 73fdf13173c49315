import type { AddressInfo } from 'node:net';
import { App } from '@slack/bolt';
import { WebAPIPlatformError } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, sendSlashCommand, startFakeSlack } from '../fake-slack/index.ts';
import { type ManualClock, manualClock, silentLogger } from './helpers.ts';

const VIEW = {
  type: 'modal' as const,
  title: { type: 'plain_text' as const, text: 'Job' },
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'loading' } }],
};

/**
 * A command handler that acks, waits for the test to release it, then opens a
 * modal, as a handler that does slow cluster work before views.open would.
 */
describe('trigger expiry through Bolt', () => {
  let fake: FakeSlack;
  let clock: ManualClock;
  let app: App;
  let appUrl: string;
  let release: () => void;
  let outcome: Promise<string>;

  beforeEach(async () => {
    clock = manualClock();
    fake = await startFakeSlack({ clock: clock.now });
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let settle: (result: string) => void = () => {};
    outcome = new Promise<string>((resolve) => {
      settle = resolve;
    });
    app = new App({
      token: fake.botToken,
      signingSecret: fake.signingSecret,
      clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
      logger: silentLogger(),
      deferInitialization: true,
    });
    await app.init();
    app.command('/job', async ({ ack, command, client }) => {
      await ack();
      await gate;
      try {
        await client.views.open({ trigger_id: command.trigger_id, view: VIEW });
        settle('opened');
      } catch (error) {
        settle(error instanceof WebAPIPlatformError ? error.data.error : String(error));
      }
    });
    const server = await app.start(0);
    appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });

  afterEach(async () => {
    await app.stop();
    await fake.stop();
  });

  it('opens the modal when views.open comes within 3 s', async () => {
    const delivery = await sendSlashCommand(
      appUrl,
      fake.signingSecret,
      { command: '/job', text: '' },
      { fake },
    );
    expect(delivery.status).toBe(200);
    clock.advance(2900);
    release();
    expect(await outcome).toBe('opened');
  });

  it('fails with expired_trigger_id when slow work comes first', async () => {
    const delivery = await sendSlashCommand(
      appUrl,
      fake.signingSecret,
      { command: '/job', text: '' },
      { fake },
    );
    expect(delivery.status).toBe(200);
    clock.advance(3500);
    release();
    expect(await outcome).toBe('expired_trigger_id');
    expect(fake.views()).toEqual([]);
  });
});
