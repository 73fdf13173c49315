import { expect } from 'vitest';
import type { Block, SlackMessage } from '../../src/slack/block-kit.ts';
import { countBlockText, textsOf } from '../../src/slack/block-kit.ts';

/** Block Kit limits as Slack documents them, written out here so the tests check the source. */
export const SLACK_LIMITS = {
  blocks: 50,
  header: 150,
  sectionText: 3000,
  fields: 10,
  field: 2000,
  contextElements: 10,
  totalText: 12_000,
} as const;

/** Asserts every Block Kit limit on a rendered message, numerically. */
export function expectWithinLimits(message: SlackMessage): void {
  expect(message.text.length).toBeGreaterThan(0);
  expect(message.text.length).toBeLessThanOrEqual(4000);
  expect(message.blocks.length).toBeGreaterThan(0);
  expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  expect(countBlockText(message.blocks)).toBeLessThanOrEqual(SLACK_LIMITS.totalText);
  for (const block of message.blocks) {
    expectBlockWithinLimits(block);
  }
}

function expectBlockWithinLimits(block: Block): void {
  for (const text of textsOf(block)) {
    expect(text.text.trim().length).toBeGreaterThan(0);
  }
  switch (block.type) {
    case 'header':
      expect(block.text.type).toBe('plain_text');
      expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.header);
      break;
    case 'section':
      expect(block.text !== undefined || block.fields !== undefined).toBe(true);
      expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      expect(block.fields?.length ?? 0).toBeLessThanOrEqual(SLACK_LIMITS.fields);
      for (const field of block.fields ?? []) {
        expect(field.text.length).toBeLessThanOrEqual(SLACK_LIMITS.field);
      }
      break;
    case 'context':
      expect(block.elements.length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements);
      for (const element of block.elements) {
        expect(element.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      }
      break;
    case 'divider':
      break;
  }
}

/** Lists every text of a message, the top-level `text` first. */
export function allTexts(message: SlackMessage): string[] {
  return [
    message.text,
    ...message.blocks.flatMap((block) => textsOf(block).map((text) => text.text)),
  ];
}

/**
 * Returns the `<…>` sequences of mrkdwn that are not jobwatch's own date references; Slack
 * would turn any of them into a mention, channel notification or link.
 */
export function unescapedReferences(text: string): string[] {
  return [...text.matchAll(/<[^>]*>?/g)]
    .map((match) => match[0])
    .filter(
      (reference) => !/^<!date\^\d+\^\{date_short_pretty\} \{time\}\|[^<>]*>$/.test(reference),
    );
}
