/**
 * The few Block Kit shapes jobwatch posts, their limits, and builders that enforce them.
 * The types are structurally compatible with `KnownBlock` from `@slack/types`.
 */
import { truncate } from './escape.ts';

/**
 * Block Kit limits for messages, in characters
 * (https://docs.slack.dev/reference/block-kit/blocks and the pages of each block).
 */
export const LIMITS = {
  /** Blocks in one message. */
  blocks: 50,
  /** `text` of a header block, which must be plain_text. */
  headerText: 150,
  /** `text` of a section block and of any text object. */
  sectionText: 3000,
  /** Items in a section's `fields`. */
  fields: 10,
  /** Length of each item in a section's `fields`. */
  fieldText: 2000,
  /** Elements in a context block. */
  contextElements: 10,
  /**
   * Text summed over all blocks, with {@link LIMITS.blockOverhead} per block: an estimate.
   * Slack rejects large messages with the undocumented `msg_blocks_too_long`, measured near
   * 13,200 characters and lower once blocks other than markdown are added
   * (https://github.com/slackapi/bolt-js/issues/2509).
   */
  totalText: 12_000,
  /** Characters counted for each block's own structure, as part of {@link LIMITS.totalText}. */
  blockOverhead: 100,
} as const;

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}

export interface MrkdwnText {
  type: 'mrkdwn';
  text: string;
  /** True turns off Slack's automatic linking of URLs, channel names and mentions. */
  verbatim?: boolean;
}

export type TextObject = PlainText | MrkdwnText;

export interface HeaderBlock {
  type: 'header';
  text: PlainText;
}

export interface SectionBlock {
  type: 'section';
  text?: MrkdwnText;
  fields?: MrkdwnText[];
}

export interface ContextBlock {
  type: 'context';
  elements: TextObject[];
}

export interface DividerBlock {
  type: 'divider';
}

/** A confirmation dialog Slack shows before it sends a button's click. */
export interface ConfirmDialog {
  title: PlainText;
  text: MrkdwnText;
  confirm: PlainText;
  deny: PlainText;
  style?: 'primary' | 'danger';
}

export interface ButtonElement {
  type: 'button';
  action_id: string;
  text: PlainText;
  /** An opaque id; handlers re-read everything else from Redis. */
  value: string;
  style?: 'primary' | 'danger';
  confirm?: ConfirmDialog;
}

export interface OverflowElement {
  type: 'overflow';
  action_id: string;
  options: { text: PlainText; value: string }[];
}

export interface ActionsBlock {
  type: 'actions';
  block_id?: string;
  elements: (ButtonElement | OverflowElement)[];
}

/** One message block as jobwatch builds it. */
export type Block = HeaderBlock | SectionBlock | ContextBlock | DividerBlock | ActionsBlock;

/** A rendered message: the blocks and the top-level `text` used by notifications. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/**
 * Builds a header block from plain text that is already escaped, cut to
 * {@link LIMITS.headerText}.
 *
 * NOTE: plain_text does not parse mentions, so the escaping there only keeps the rule
 * "cluster text is always escaped". Whether Slack shows `&lt;` in plain_text as `<` or as
 * written was not checked; Kubernetes names cannot contain `<`, `>` or `&`.
 */
export function header(text: string): HeaderBlock {
  return {
    type: 'header',
    text: { type: 'plain_text', text: nonEmpty(truncate(text, LIMITS.headerText)), emoji: true },
  };
}

/**
 * Builds a section block from escaped mrkdwn, cut to `maxChars` (at most
 * {@link LIMITS.sectionText}). `verbatim` is set so that cluster text never turns into links.
 */
export function section(mrkdwn: string, maxChars: number = LIMITS.sectionText): SectionBlock {
  const limit = Math.min(maxChars, LIMITS.sectionText);
  return { type: 'section', text: mrkdwnText(truncate(mrkdwn, limit)) };
}

/**
 * Builds a section of at most {@link LIMITS.fields} fields, each cut to `maxCharsEach`
 * (at most {@link LIMITS.fieldText}). Fields past the tenth are dropped, so callers order
 * them by importance.
 */
export function fieldsSection(
  fields: string[],
  maxCharsEach: number = LIMITS.fieldText,
): SectionBlock {
  const limit = Math.min(maxCharsEach, LIMITS.fieldText);
  return {
    type: 'section',
    fields: fields.slice(0, LIMITS.fields).map((field) => mrkdwnText(truncate(field, limit))),
  };
}

/** Builds a context block of mrkdwn elements, each cut to `maxCharsEach`. */
export function context(elements: string[], maxCharsEach: number): ContextBlock {
  return {
    type: 'context',
    elements: elements
      .slice(0, LIMITS.contextElements)
      .map((element) => mrkdwnText(truncate(element, Math.min(maxCharsEach, LIMITS.sectionText)))),
  };
}

/**
 * Measures `blocks` the way {@link LIMITS.totalText} bounds them: the length of every text
 * plus {@link LIMITS.blockOverhead} per block.
 */
export function countBlockText(blocks: Block[]): number {
  let total = 0;
  for (const block of blocks) {
    total += LIMITS.blockOverhead;
    for (const text of textsOf(block)) {
      total += text.text.length;
    }
  }
  return total;
}

/** Lists every text object of a block, in order. */
export function textsOf(block: Block): TextObject[] {
  switch (block.type) {
    case 'header':
      return [block.text];
    case 'section':
      return [...(block.text ? [block.text] : []), ...(block.fields ?? [])];
    case 'context':
      return block.elements;
    case 'divider':
      return [];
    case 'actions':
      return block.elements.flatMap((element) => (element.type === 'button' ? [element.text] : element.options.map((option) => option.text)));
  }
}

/** Builds a plain_text object for buttons, titles and options. */
export function plainText(text: string, maxChars = 75): PlainText {
  return { type: 'plain_text', text: nonEmpty(truncate(text, maxChars)), emoji: true };
}

function mrkdwnText(text: string): MrkdwnText {
  return { type: 'mrkdwn', text: nonEmpty(text), verbatim: true };
}

// Slack rejects a text object with empty text as invalid_blocks, and whitespace shows nothing.
function nonEmpty(text: string): string {
  return text.trim() === '' ? '-' : text;
}
