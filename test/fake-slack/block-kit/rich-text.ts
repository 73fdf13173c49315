import { type CheckContext, checkArray, checkString, isObject, report } from './checks.ts';

const STYLE_KEYS = new Set(['bold', 'italic', 'strike', 'code', 'underline']);

/** Required string field of each inline element type of a rich text section. */
const INLINE_REQUIRED: Record<string, string> = {
  text: 'text',
  link: 'url',
  emoji: 'name',
  user: 'user_id',
  channel: 'channel_id',
  usergroup: 'usergroup_id',
  broadcast: 'range',
  date: 'format',
  color: 'value',
};

const BROADCAST_RANGES = new Set(['here', 'channel', 'everyone']);

function checkInlineStyle(ctx: CheckContext, style: unknown, pointer: string): void {
  if (style === undefined) return;
  if (!isObject(style)) {
    report(ctx, pointer, 'must be a style object');
    return;
  }
  for (const [key, flag] of Object.entries(style)) {
    if (!STYLE_KEYS.has(key)) report(ctx, `${pointer}/${key}`, `unknown style ${key}`);
    else if (typeof flag !== 'boolean') report(ctx, `${pointer}/${key}`, 'must be a boolean');
  }
}

function checkInline(ctx: CheckContext, element: unknown, pointer: string): void {
  if (!isObject(element)) {
    report(ctx, pointer, 'must be a rich text element object');
    return;
  }
  const type = element.type;
  const required = typeof type === 'string' ? INLINE_REQUIRED[type] : undefined;
  if (required === undefined) {
    report(ctx, `${pointer}/type`, `unsupported rich text element type ${String(type)}`);
    return;
  }
  checkString(ctx, element[required], `${pointer}/${required}`, { max: 40_000, required: true });
  if (type === 'link') checkString(ctx, element.text, `${pointer}/text`, { max: 40_000 });
  if (type === 'broadcast' && !BROADCAST_RANGES.has(String(element.range))) {
    report(ctx, `${pointer}/range`, 'must be here, channel or everyone');
  }
  if (type === 'date' && !Number.isInteger(element.timestamp)) {
    report(ctx, `${pointer}/timestamp`, 'must be an integer Unix time in seconds');
  }
  checkInlineStyle(ctx, element.style, `${pointer}/style`);
}

function checkInlineList(ctx: CheckContext, elements: unknown, pointer: string): void {
  const list = checkArray(ctx, elements, pointer, { max: 10_000, required: true });
  list.forEach((element, i) => checkInline(ctx, element, `${pointer}/${i}`));
}

function checkSection(ctx: CheckContext, element: Record<string, unknown>, pointer: string): void {
  checkInlineList(ctx, element.elements, `${pointer}/elements`);
}

function checkList(ctx: CheckContext, element: Record<string, unknown>, pointer: string): void {
  if (element.style !== 'bullet' && element.style !== 'ordered') {
    report(ctx, `${pointer}/style`, 'must be bullet or ordered');
  }
  const items = checkArray(ctx, element.elements, `${pointer}/elements`, {
    max: 10_000,
    min: 1,
    required: true,
  });
  items.forEach((item, i) => {
    const itemPointer = `${pointer}/elements/${i}`;
    if (!isObject(item) || item.type !== 'rich_text_section') {
      report(ctx, itemPointer, 'list items must be rich_text_section elements');
      return;
    }
    checkSection(ctx, item, itemPointer);
  });
  const indent = element.indent;
  if (
    indent !== undefined &&
    (!Number.isInteger(indent) || Number(indent) < 0 || Number(indent) > 8)
  ) {
    report(ctx, `${pointer}/indent`, 'must be an integer from 0 to 8');
  }
}

const CONTAINERS: Record<
  string,
  (ctx: CheckContext, element: Record<string, unknown>, pointer: string) => void
> = {
  rich_text_section: checkSection,
  rich_text_preformatted: checkSection,
  rich_text_quote: checkSection,
  rich_text_list: checkList,
};

/** Checks the `elements` of a rich_text block: sections, lists, preformatted and quotes. */
export function checkRichText(
  ctx: CheckContext,
  block: Record<string, unknown>,
  pointer: string,
): void {
  const elements = checkArray(ctx, block.elements, `${pointer}/elements`, {
    max: 10_000,
    min: 1,
    required: true,
  });
  elements.forEach((element, i) => {
    const elementPointer = `${pointer}/elements/${i}`;
    const check = isObject(element) ? CONTAINERS[String(element.type)] : undefined;
    if (!check || !isObject(element)) {
      report(
        ctx,
        `${elementPointer}/type`,
        'must be a rich_text_section, list, preformatted or quote',
      );
      return;
    }
    check(ctx, element, elementPointer);
  });
}
