import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../fake-slack/index.ts';
import { type ManualClock, clientFor, errorLines, manualClock, platformError } from './helpers.ts';

const plain = (text: string) => ({ type: 'plain_text' as const, text });

function modal(overrides: Record<string, unknown> = {}) {
  return {
    type: 'modal' as const,
    title: plain('Retry job'),
    submit: plain('Retry'),
    close: plain('Cancel'),
    callback_id: 'retry_job',
    blocks: [
      {
        type: 'input',
        block_id: 'reason',
        label: plain('Reason'),
        element: { type: 'plain_text_input', action_id: 'reason_input', max_length: 500 },
      },
    ],
    ...overrides,
  };
}

describe('views methods', () => {
  let fake: FakeSlack;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = manualClock();
    fake = await startFakeSlack({ clock: clock.now });
  });

  afterEach(async () => {
    await fake.stop();
  });

  it('opens a modal with a fresh trigger', async () => {
    const result = await clientFor(fake).views.open({
      trigger_id: fake.issueTrigger(),
      view: modal(),
    });
    expect(result.view?.id).toMatch(/^V/);
    expect(result.view?.callback_id).toBe('retry_job');
    expect(fake.views()).toHaveLength(1);
  });

  it('accepts a trigger exactly 3 s old', async () => {
    const trigger = fake.issueTrigger();
    clock.advance(3000);
    const result = await clientFor(fake).views.open({ trigger_id: trigger, view: modal() });
    expect(result.ok).toBe(true);
  });

  it('rejects a trigger older than 3 s with expired_trigger_id', async () => {
    const trigger = fake.issueTrigger();
    clock.advance(3001);
    await platformError(
      clientFor(fake).views.open({ trigger_id: trigger, view: modal() }),
      'expired_trigger_id',
    );
    expect(fake.views()).toEqual([]);
  });

  it('rejects a used trigger with exchanged_trigger_id', async () => {
    const trigger = fake.issueTrigger();
    const client = clientFor(fake);
    await client.views.open({ trigger_id: trigger, view: modal() });
    await platformError(
      client.views.open({ trigger_id: trigger, view: modal() }),
      'exchanged_trigger_id',
    );
  });

  it('rejects an unknown trigger with invalid_trigger_id', async () => {
    await platformError(
      clientFor(fake).views.open({ trigger_id: '1.made-up', view: modal() }),
      'invalid_trigger_id',
    );
  });

  it('rejects a title over 24 characters with invalid_arguments', async () => {
    const error = await platformError(
      clientFor(fake).views.open({
        trigger_id: fake.issueTrigger(),
        view: modal({ title: plain('t'.repeat(25)) }),
      }),
      'invalid_arguments',
    );
    expect(errorLines(error)).toContain(
      '[ERROR] must be less than 25 characters [json-pointer:/view/title/text]',
    );
  });

  it('rejects input blocks without submit with invalid_arguments', async () => {
    const view = modal();
    delete (view as Partial<typeof view>).submit;
    const error = await platformError(
      clientFor(fake).views.open({ trigger_id: fake.issueTrigger(), view }),
      'invalid_arguments',
    );
    expect(errorLines(error)[0]).toContain('[json-pointer:/view/submit]');
  });

  it('rejects more than 100 blocks in a modal', async () => {
    const blocks = Array.from({ length: 101 }, () => ({ type: 'divider' }));
    const error = await platformError(
      clientFor(fake).views.open({ trigger_id: fake.issueTrigger(), view: modal({ blocks }) }),
      'invalid_arguments',
    );
    expect(errorLines(error)).toContain(
      '[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]',
    );
  });

  it('accepts 100 blocks in a modal', async () => {
    const blocks = Array.from({ length: 100 }, () => ({ type: 'divider' }));
    const result = await clientFor(fake).views.open({
      trigger_id: fake.issueTrigger(),
      view: modal({ blocks }),
    });
    expect(result.ok).toBe(true);
  });

  it('rejects a mrkdwn input label with invalid_arguments', async () => {
    const blocks = [
      {
        type: 'input',
        label: { type: 'mrkdwn', text: '*Reason*' },
        element: { type: 'plain_text_input' },
      },
    ];
    const error = await platformError(
      clientFor(fake).views.open({ trigger_id: fake.issueTrigger(), view: modal({ blocks }) }),
      'invalid_arguments',
    );
    expect(errorLines(error)[0]).toContain('[json-pointer:/view/blocks/0/label/type]');
  });

  it('rejects a text input max_length over 3000', async () => {
    const blocks = [
      { type: 'input', label: plain('x'), element: { type: 'plain_text_input', max_length: 3001 } },
    ];
    const error = await platformError(
      clientFor(fake).views.open({ trigger_id: fake.issueTrigger(), view: modal({ blocks }) }),
      'invalid_arguments',
    );
    expect(errorLines(error)[0]).toContain('[json-pointer:/view/blocks/0/element/max_length]');
  });

  it('rejects a stale view hash with hash_conflict', async () => {
    const client = clientFor(fake);
    const opened = await client.views.open({ trigger_id: fake.issueTrigger(), view: modal() });
    const viewId = String(opened.view?.id);
    const firstHash = String(opened.view?.hash);
    const updated = await client.views.update({
      view_id: viewId,
      hash: firstHash,
      view: modal({ title: plain('Done') }),
    });
    expect(updated.view?.title).toEqual(plain('Done'));
    expect(updated.view?.hash).not.toBe(firstHash);
    await platformError(
      client.views.update({ view_id: viewId, hash: firstHash, view: modal() }),
      'hash_conflict',
    );
  });

  it('updates a view by external_id', async () => {
    const client = clientFor(fake);
    await client.views.open({
      trigger_id: fake.issueTrigger(),
      view: modal({ external_id: 'job-1' }),
    });
    const updated = await client.views.update({
      external_id: 'job-1',
      view: modal({ external_id: 'job-1', title: plain('Again') }),
    });
    expect(updated.view?.title).toEqual(plain('Again'));
  });

  it('rejects an update of an unknown view with not_found', async () => {
    await platformError(
      clientFor(fake).views.update({ view_id: 'V0NOPE', view: modal() }),
      'not_found',
    );
  });

  it('rejects a duplicate external_id with duplicate_external_id', async () => {
    const client = clientFor(fake);
    await client.views.open({
      trigger_id: fake.issueTrigger(),
      view: modal({ external_id: 'job-1' }),
    });
    await platformError(
      client.views.open({ trigger_id: fake.issueTrigger(), view: modal({ external_id: 'job-1' }) }),
      'duplicate_external_id',
    );
  });

  it('pushes up to 3 views and then rejects with push_limit_reached', async () => {
    const client = clientFor(fake);
    const root = await client.views.open({ trigger_id: fake.issueTrigger(), view: modal() });
    const rootId = String(root.view?.id);
    const second = await client.views.push({
      trigger_id: fake.issueTrigger({ viewId: rootId }),
      view: modal(),
    });
    expect(second.view?.root_view_id).toBe(rootId);
    expect(second.view?.previous_view_id).toBe(rootId);
    const third = await client.views.push({
      trigger_id: fake.issueTrigger({ viewId: rootId }),
      view: modal(),
    });
    expect(third.view?.previous_view_id).toBe(second.view?.id);
    await platformError(
      client.views.push({ trigger_id: fake.issueTrigger({ viewId: rootId }), view: modal() }),
      'push_limit_reached',
    );
  });

  it('rejects a push with an expired trigger', async () => {
    const client = clientFor(fake);
    await client.views.open({ trigger_id: fake.issueTrigger(), view: modal() });
    const trigger = fake.issueTrigger();
    clock.advance(3500);
    await platformError(
      client.views.push({ trigger_id: trigger, view: modal() }),
      'expired_trigger_id',
    );
  });
});
