import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../fake-slack/index.ts';
import { clientFor, errorLines, platformError } from './helpers.ts';

const plain = (text: string) => ({ type: 'plain_text', text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const section = (text: string, extra: Record<string, unknown> = {}) => ({
  type: 'section',
  text: mrkdwn(text),
  ...extra,
});
const button = (actionId: string, extra: Record<string, unknown> = {}) => ({
  type: 'button',
  text: plain('Retry'),
  action_id: actionId,
  ...extra,
});
const actions = (...elements: unknown[]) => ({ type: 'actions', elements });
const richText = (...elements: unknown[]) => ({ type: 'rich_text', elements });

interface Case {
  limit: string;
  blocks: unknown[];
  pointer: string;
  problem: string;
}

const INVALID: Case[] = [
  {
    limit: 'more than 50 blocks in a message',
    blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })),
    pointer: '/blocks',
    problem: 'no more than 50 items allowed',
  },
  {
    limit: 'an unknown block type',
    blocks: [{ type: 'table' }],
    pointer: '/blocks/0/type',
    problem: 'unsupported block type table',
  },
  {
    limit: 'an input block in a message',
    blocks: [{ type: 'input', label: plain('x'), element: { type: 'plain_text_input' } }],
    pointer: '/blocks/0/type',
    problem: 'only allowed in modals',
  },
  {
    limit: 'section text over 3000 characters',
    blocks: [section('ok'), section('ok'), section('x'.repeat(3001))],
    pointer: '/blocks/2/text/text',
    problem: 'must be less than 3001 characters',
  },
  {
    limit: 'empty section text',
    blocks: [section('')],
    pointer: '/blocks/0/text/text',
    problem: 'must be at least 1 characters',
  },
  {
    limit: 'a section without text or fields',
    blocks: [{ type: 'section' }],
    pointer: '/blocks/0',
    problem: 'must provide text or fields',
  },
  {
    limit: 'header text over 150 characters',
    blocks: [{ type: 'header', text: plain('h'.repeat(151)) }],
    pointer: '/blocks/0/text/text',
    problem: 'must be less than 151 characters',
  },
  {
    limit: 'mrkdwn in a header',
    blocks: [{ type: 'header', text: mrkdwn('*job*') }],
    pointer: '/blocks/0/text/type',
    problem: 'must be plain_text',
  },
  {
    limit: 'more than 10 section fields',
    blocks: [{ type: 'section', fields: Array.from({ length: 11 }, () => mrkdwn('f')) }],
    pointer: '/blocks/0/fields',
    problem: 'no more than 10 items allowed',
  },
  {
    limit: 'a section field over 2000 characters',
    blocks: [{ type: 'section', fields: [mrkdwn('a'), mrkdwn('f'.repeat(2001))] }],
    pointer: '/blocks/0/fields/1/text',
    problem: 'must be less than 2001 characters',
  },
  {
    limit: 'a field that is a plain string',
    blocks: [{ type: 'section', fields: ['*Job*'] }],
    pointer: '/blocks/0/fields/0',
    problem: 'must be a text object',
  },
  {
    limit: 'more than 10 context elements',
    blocks: [{ type: 'context', elements: Array.from({ length: 11 }, () => mrkdwn('c')) }],
    pointer: '/blocks/0/elements',
    problem: 'no more than 10 items allowed',
  },
  {
    limit: 'more than 25 actions elements',
    blocks: [actions(...Array.from({ length: 26 }, (_, i) => button(`b${i}`)))],
    pointer: '/blocks/0/elements',
    problem: 'no more than 25 items allowed',
  },
  {
    limit: 'button text over 75 characters',
    blocks: [actions(button('retry', { text: plain('r'.repeat(76)) }))],
    pointer: '/blocks/0/elements/0/text/text',
    problem: 'must be less than 76 characters',
  },
  {
    limit: 'mrkdwn button text',
    blocks: [actions(button('retry', { text: mrkdwn('*Retry*') }))],
    pointer: '/blocks/0/elements/0/text/type',
    problem: 'must be plain_text',
  },
  {
    limit: 'action_id over 255 characters',
    blocks: [actions(button('a'.repeat(256)))],
    pointer: '/blocks/0/elements/0/action_id',
    problem: 'must be less than 256 characters',
  },
  {
    limit: 'a duplicate action_id',
    blocks: [actions(button('retry')), section('x', { accessory: button('retry') })],
    pointer: '/blocks/1/accessory/action_id',
    problem: 'duplicate action_id retry',
  },
  {
    limit: 'button value over 2000 characters',
    blocks: [actions(button('retry', { value: 'v'.repeat(2001) }))],
    pointer: '/blocks/0/elements/0/value',
    problem: 'must be less than 2001 characters',
  },
  {
    limit: 'button url over 3000 characters',
    blocks: [actions(button('open', { url: `https://example.test/${'u'.repeat(3000)}` }))],
    pointer: '/blocks/0/elements/0/url',
    problem: 'must be less than 3001 characters',
  },
  {
    limit: 'an unknown button style',
    blocks: [actions(button('retry', { style: 'warning' }))],
    pointer: '/blocks/0/elements/0/style',
    problem: 'must be primary or danger',
  },
  {
    limit: 'block_id over 255 characters',
    blocks: [{ type: 'divider', block_id: 'b'.repeat(256) }],
    pointer: '/blocks/0/block_id',
    problem: 'must be less than 256 characters',
  },
  {
    limit: 'a duplicate block_id',
    blocks: [
      { type: 'divider', block_id: 'd' },
      { type: 'divider', block_id: 'd' },
    ],
    pointer: '/blocks/1/block_id',
    problem: 'duplicate block_id d',
  },
  {
    limit: 'an empty plain_text object',
    blocks: [{ type: 'header', text: plain('') }],
    pointer: '/blocks/0/text/text',
    problem: 'must be at least 1 characters',
  },
  {
    limit: 'a text object without type',
    blocks: [{ type: 'section', text: { text: 'x' } }],
    pointer: '/blocks/0/text/type',
    problem: 'must be plain_text or mrkdwn',
  },
  {
    limit: 'emoji on a mrkdwn object',
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x', emoji: true } }],
    pointer: '/blocks/0/text/emoji',
    problem: 'only allowed on plain_text',
  },
  {
    limit: 'an element not allowed in actions',
    blocks: [actions({ type: 'plain_text_input', action_id: 'x' })],
    pointer: '/blocks/0/elements/0/type',
    problem: 'unsupported element type plain_text_input',
  },
  {
    limit: 'a divider with extra fields',
    blocks: [{ type: 'divider', text: plain('x') }],
    pointer: '/blocks/0/text',
    problem: 'unexpected field',
  },
  {
    limit: 'an image block without alt_text',
    blocks: [{ type: 'image', image_url: 'https://example.test/a.png' }],
    pointer: '/blocks/0/alt_text',
    problem: 'missing required field',
  },
  {
    limit: 'an unknown rich_text container',
    blocks: [richText({ type: 'rich_text_table', elements: [] })],
    pointer: '/blocks/0/elements/0/type',
    problem: 'must be a rich_text_section',
  },
  {
    limit: 'a rich_text text element without text',
    blocks: [richText({ type: 'rich_text_section', elements: [{ type: 'text' }] })],
    pointer: '/blocks/0/elements/0/elements/0/text',
    problem: 'missing required field',
  },
  {
    limit: 'a rich_text list without style',
    blocks: [
      richText({ type: 'rich_text_list', elements: [{ type: 'rich_text_section', elements: [] }] }),
    ],
    pointer: '/blocks/0/elements/0/style',
    problem: 'must be bullet or ordered',
  },
  {
    limit: 'a rich_text list item that is not a section',
    blocks: [
      richText({
        type: 'rich_text_list',
        style: 'bullet',
        elements: [{ type: 'text', text: 'x' }],
      }),
    ],
    pointer: '/blocks/0/elements/0/elements/0',
    problem: 'list items must be rich_text_section',
  },
  {
    limit: 'an unknown inline rich_text element',
    blocks: [richText({ type: 'rich_text_preformatted', elements: [{ type: 'code', text: 'x' }] })],
    pointer: '/blocks/0/elements/0/elements/0/type',
    problem: 'unsupported rich text element type code',
  },
  {
    limit: 'an unknown rich_text style flag',
    blocks: [
      richText({
        type: 'rich_text_section',
        elements: [{ type: 'text', text: 'x', style: { blink: true } }],
      }),
    ],
    pointer: '/blocks/0/elements/0/elements/0/style/blink',
    problem: 'unknown style blink',
  },
  {
    limit: 'markdown blocks over 12,000 characters together',
    blocks: [
      { type: 'markdown', text: 'm'.repeat(6000) },
      { type: 'markdown', text: 'm'.repeat(6001) },
    ],
    pointer: '/blocks/1/text',
    problem: 'exceed 12000 characters',
  },
  {
    limit: 'overflow with more than 5 options',
    blocks: [
      actions({
        type: 'overflow',
        action_id: 'more',
        options: Array.from({ length: 6 }, (_, i) => ({ text: plain(`o${i}`), value: `v${i}` })),
      }),
    ],
    pointer: '/blocks/0/elements/0/options',
    problem: 'no more than 5 items allowed',
  },
  {
    limit: 'a confirm dialog with mrkdwn title',
    blocks: [
      actions(
        button('delete', {
          confirm: {
            title: mrkdwn('Sure?'),
            text: plain('x'),
            confirm: plain('Yes'),
            deny: plain('No'),
          },
        }),
      ),
    ],
    pointer: '/blocks/0/elements/0/confirm/title/type',
    problem: 'must be plain_text',
  },
  {
    limit: 'a select option value over 150 characters',
    blocks: [
      actions({
        type: 'static_select',
        action_id: 'pick',
        options: [{ text: plain('a'), value: 'v'.repeat(151) }],
      }),
    ],
    pointer: '/blocks/0/elements/0/options/0/value',
    problem: 'must be less than 151 characters',
  },
  {
    limit: 'mrkdwn option text in a select',
    blocks: [
      actions({
        type: 'static_select',
        action_id: 'pick',
        options: [{ text: mrkdwn('*a*'), value: 'a' }],
      }),
    ],
    pointer: '/blocks/0/elements/0/options/0/text/type',
    problem: 'must be plain_text',
  },
  {
    limit: 'a select with both options and option_groups',
    blocks: [
      actions({
        type: 'static_select',
        action_id: 'pick',
        options: [{ text: plain('a'), value: 'a' }],
        option_groups: [{ label: plain('g'), options: [{ text: plain('b'), value: 'b' }] }],
      }),
    ],
    pointer: '/blocks/0/elements/0',
    problem: 'exactly one of options or option_groups',
  },
  {
    limit: 'a button without text',
    blocks: [actions({ type: 'button', action_id: 'retry' })],
    pointer: '/blocks/0/elements/0/text',
    problem: 'missing required field',
  },
  {
    limit: 'a context image without alt_text',
    blocks: [
      { type: 'context', elements: [{ type: 'image', image_url: 'https://example.test/i.png' }] },
    ],
    pointer: '/blocks/0/elements/0/alt_text',
    problem: 'missing required field',
  },
  {
    limit: 'context text over 3000 characters',
    blocks: [{ type: 'context', elements: [mrkdwn('c'.repeat(3001))] }],
    pointer: '/blocks/0/elements/0/text',
    problem: 'must be less than 3001 characters',
  },
  {
    limit: 'an input element as a section accessory',
    blocks: [section('x', { accessory: { type: 'plain_text_input', action_id: 'x' } })],
    pointer: '/blocks/0/accessory/type',
    problem: 'unsupported element type plain_text_input',
  },
  {
    limit: 'a block that is not an object',
    blocks: ['divider'],
    pointer: '/blocks/0',
    problem: 'must be a block object',
  },
];

describe('Block Kit validation on chat.postMessage', () => {
  let fake: FakeSlack;

  beforeAll(async () => {
    fake = await startFakeSlack();
  });

  afterAll(async () => {
    await fake.stop();
  });

  it.each(INVALID)('rejects $limit', async ({ blocks, pointer, problem }) => {
    const error = await platformError(
      clientFor(fake).chat.postMessage({
        channel: 'C0ALERTS',
        text: 'fallback',
        blocks: blocks as never,
      }),
      'invalid_blocks',
    );
    const line = errorLines(error).find((message) => message.endsWith(`[json-pointer:${pointer}]`));
    expect(line, errorLines(error).join('\n')).toBeDefined();
    expect(line).toContain(problem);
    expect(line).toMatch(/^\[ERROR\] /);
  });

  it('accepts every block type a message allows at its limits', async () => {
    const blocks = [
      { type: 'header', text: plain('h'.repeat(150)) },
      section('s'.repeat(3000), {
        accessory: button('open', { url: 'https://example.test', style: 'primary' }),
      }),
      { type: 'section', fields: Array.from({ length: 10 }, () => mrkdwn('f'.repeat(20))) },
      {
        type: 'context',
        elements: [
          mrkdwn('c'),
          { type: 'image', image_url: 'https://example.test/i.png', alt_text: 'i' },
        ],
      },
      { type: 'divider', block_id: 'b'.repeat(255) },
      actions(button('a'.repeat(255), { value: 'v'.repeat(2000) }), button('second')),
      richText(
        { type: 'rich_text_preformatted', elements: [{ type: 'text', text: 'line 1\nline 2' }] },
        {
          type: 'rich_text_list',
          style: 'bullet',
          elements: [
            {
              type: 'rich_text_section',
              elements: [{ type: 'text', text: 'item', style: { bold: true } }],
            },
          ],
        },
        {
          type: 'rich_text_section',
          elements: [
            { type: 'user', user_id: 'U0ALICE' },
            { type: 'link', url: 'https://example.test' },
          ],
        },
      ),
      {
        type: 'image',
        image_url: 'https://example.test/a.png',
        alt_text: 'chart',
        title: plain('chart'),
      },
      { type: 'markdown', text: '**done**' },
    ];
    const result = await clientFor(fake).chat.postMessage({
      channel: 'C0ALERTS',
      text: 'ok',
      blocks,
    });
    expect(result.ok).toBe(true);
  });

  it('accepts exactly 50 blocks', async () => {
    const blocks = Array.from({ length: 50 }, () => ({ type: 'divider' }));
    const result = await clientFor(fake).chat.postMessage({
      channel: 'C0ALERTS',
      text: 'ok',
      blocks,
    });
    expect(result.ok).toBe(true);
  });

  it('rejects blocks whose total text passes the budget with msg_blocks_too_long', async () => {
    // Four sections of 2,901 characters: 11,604 text plus 4 × 100 per block = 12,004.
    const blocks = Array.from({ length: 4 }, () => section('t'.repeat(2901)));
    await platformError(
      clientFor(fake).chat.postMessage({ channel: 'C0ALERTS', text: 'x', blocks }),
      'msg_blocks_too_long',
    );
    const fits = Array.from({ length: 4 }, () => section('t'.repeat(2900)));
    const result = await clientFor(fake).chat.postMessage({
      channel: 'C0ALERTS',
      text: 'x',
      blocks: fits,
    });
    expect(result.ok).toBe(true);
  });

  it('rejects blocks that are not a JSON array with invalid_blocks_format', async () => {
    await platformError(
      clientFor(fake).apiCall('chat.postMessage', {
        channel: 'C0ALERTS',
        text: 'x',
        blocks: '{"type":"divider"}',
      }),
      'invalid_blocks_format',
    );
  });

  it('validates blocks on chat.update too', async () => {
    const client = clientFor(fake);
    const posted = await client.chat.postMessage({ channel: 'C0ALERTS', text: 'v1' });
    const error = await platformError(
      client.chat.update({
        channel: 'C0ALERTS',
        ts: String(posted.ts),
        text: 'v2',
        blocks: [section('x'.repeat(3001))],
      }),
      'invalid_blocks',
    );
    expect(errorLines(error)[0]).toContain('[json-pointer:/blocks/0/text/text]');
  });

  it('reports every violation of one payload', async () => {
    const blocks = [{ type: 'header', text: mrkdwn('') }, actions(button('x'), button('x'))];
    const error = await platformError(
      clientFor(fake).chat.postMessage({ channel: 'C0ALERTS', text: 'x', blocks }),
      'invalid_blocks',
    );
    expect(errorLines(error)).toHaveLength(3);
  });
});
