import {
  type CheckContext,
  type Surface,
  checkArray,
  checkString,
  checkText,
  isObject,
  newContext,
  report,
} from './checks.ts';
import {
  ACCESSORY_ELEMENTS,
  ACTIONS_ELEMENTS,
  INPUT_ELEMENTS,
  checkContextElement,
  checkElement,
} from './elements.ts';
import { checkRichText } from './rich-text.ts';

type BlockCheck = (ctx: CheckContext, block: Record<string, unknown>, pointer: string) => void;

/** Maximum blocks per surface: 50 in a message, 100 in a modal. */
export const MAX_BLOCKS: Record<Surface, number> = { message: 50, modal: 100 };

/** Slack's documented cap on the text of all markdown blocks in one payload. */
const MARKDOWN_PAYLOAD_CHARS = 12_000;

function checkSection(ctx: CheckContext, block: Record<string, unknown>, pointer: string): void {
  if (block.text === undefined && block.fields === undefined) {
    report(ctx, pointer, 'must provide text or fields');
  }
  checkText(ctx, block.text, `${pointer}/text`, { max: 3000 });
  const fields = checkArray(ctx, block.fields, `${pointer}/fields`, { max: 10, min: 1 });
  fields.forEach((field, i) =>
    checkText(ctx, field, `${pointer}/fields/${i}`, { max: 2000, required: true }),
  );
  if (block.accessory !== undefined) {
    checkElement(ctx, block.accessory, `${pointer}/accessory`, ACCESSORY_ELEMENTS);
  }
}

function checkHeader(ctx: CheckContext, block: Record<string, unknown>, pointer: string): void {
  checkText(ctx, block.text, `${pointer}/text`, { max: 150, plainOnly: true, required: true });
}

function checkContext(ctx: CheckContext, block: Record<string, unknown>, pointer: string): void {
  const elements = checkArray(ctx, block.elements, `${pointer}/elements`, {
    max: 10,
    min: 1,
    required: true,
  });
  elements.forEach((element, i) => checkContextElement(ctx, element, `${pointer}/elements/${i}`));
}

function checkDivider(ctx: CheckContext, block: Record<string, unknown>, pointer: string): void {
  for (const key of Object.keys(block)) {
    if (key !== 'type' && key !== 'block_id') report(ctx, `${pointer}/${key}`, 'unexpected field');
  }
}

function checkActions(ctx: CheckContext, block: Record<string, unknown>, pointer: string): void {
  const elements = checkArray(ctx, block.elements, `${pointer}/elements`, {
    max: 25,
    min: 1,
    required: true,
  });
  elements.forEach((element, i) =>
    checkElement(ctx, element, `${pointer}/elements/${i}`, ACTIONS_ELEMENTS),
  );
}

function checkImage(ctx: CheckContext, block: Record<string, unknown>, pointer: string): void {
  if (block.image_url === undefined && block.slack_file === undefined) {
    report(ctx, `${pointer}/image_url`, 'must provide image_url or slack_file');
  }
  checkString(ctx, block.image_url, `${pointer}/image_url`, { max: 3000, min: 1 });
  checkString(ctx, block.alt_text, `${pointer}/alt_text`, { max: 2000, min: 1, required: true });
  checkText(ctx, block.title, `${pointer}/title`, { max: 2000, plainOnly: true });
}

function checkMarkdown(ctx: CheckContext, block: Record<string, unknown>, pointer: string): void {
  checkString(ctx, block.text, `${pointer}/text`, {
    max: MARKDOWN_PAYLOAD_CHARS,
    min: 1,
    required: true,
  });
  if (typeof block.text !== 'string') return;
  ctx.markdownChars += block.text.length;
  if (ctx.markdownChars > MARKDOWN_PAYLOAD_CHARS) {
    report(ctx, `${pointer}/text`, 'markdown blocks exceed 12000 characters in total');
  }
}

function checkInput(ctx: CheckContext, block: Record<string, unknown>, pointer: string): void {
  if (ctx.surface !== 'modal') {
    report(ctx, `${pointer}/type`, 'input blocks are only allowed in modals');
    return;
  }
  checkText(ctx, block.label, `${pointer}/label`, { max: 2000, plainOnly: true, required: true });
  checkText(ctx, block.hint, `${pointer}/hint`, { max: 2000, plainOnly: true });
  if (block.element === undefined) report(ctx, `${pointer}/element`, 'missing required field');
  else checkElement(ctx, block.element, `${pointer}/element`, INPUT_ELEMENTS);
  if (block.optional !== undefined && typeof block.optional !== 'boolean') {
    report(ctx, `${pointer}/optional`, 'must be a boolean');
  }
}

const BLOCK_CHECKS: Record<string, BlockCheck> = {
  section: checkSection,
  header: checkHeader,
  context: checkContext,
  divider: checkDivider,
  actions: checkActions,
  rich_text: checkRichText,
  image: checkImage,
  markdown: checkMarkdown,
  input: checkInput,
};

function checkBlock(ctx: CheckContext, block: unknown, pointer: string): void {
  if (!isObject(block)) {
    report(ctx, pointer, 'must be a block object');
    return;
  }
  const check = typeof block.type === 'string' ? BLOCK_CHECKS[block.type] : undefined;
  if (!check) {
    report(ctx, `${pointer}/type`, `unsupported block type ${String(block.type)}`);
    return;
  }
  if (block.block_id !== undefined) {
    checkString(ctx, block.block_id, `${pointer}/block_id`, { max: 255, min: 1 });
    if (typeof block.block_id === 'string') {
      if (ctx.blockIds.has(block.block_id)) {
        report(ctx, `${pointer}/block_id`, `duplicate block_id ${block.block_id}`);
      }
      ctx.blockIds.add(block.block_id);
    }
  }
  check(ctx, block, pointer);
}

/**
 * Checks a list of blocks for one surface and returns Slack-style error lines,
 * each pointing at the offending field under `pointer` (e.g. `/blocks/2/text/text`).
 * An empty list means the blocks are valid.
 */
export function checkBlocks(blocks: unknown[], surface: Surface, pointer: string): string[] {
  const ctx = newContext(surface);
  const max = MAX_BLOCKS[surface];
  if (blocks.length > max) report(ctx, pointer, `no more than ${max} items allowed`);
  blocks.forEach((block, i) => checkBlock(ctx, block, `${pointer}/${i}`));
  return ctx.messages;
}
