/**
 * Shared pieces of the Block Kit validator: the list of violations with Slack's
 * message format, and checks for strings, text objects, options and confirm
 * dialogs. Lengths count UTF-16 code units, as `String.length` does.
 */

/** Where blocks appear; limits and allowed block types differ. */
export type Surface = 'message' | 'modal';

/** State shared while one payload's blocks are checked. */
export interface CheckContext {
  surface: Surface;
  /** Lines in Slack's format: `[ERROR] <problem> [json-pointer:<pointer>]`. */
  messages: string[];
  blockIds: Set<string>;
  /** action_ids seen so far; the fake requires them unique across the payload. */
  actionIds: Set<string>;
  /** Characters in `markdown` blocks so far; Slack allows 12,000 per payload. */
  markdownChars: number;
}

export function newContext(surface: Surface): CheckContext {
  return { surface, messages: [], blockIds: new Set(), actionIds: new Set(), markdownChars: 0 };
}

export function report(ctx: CheckContext, pointer: string, problem: string): void {
  ctx.messages.push(`[ERROR] ${problem} [json-pointer:${pointer}]`);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface StringRule {
  max: number;
  min?: number;
  required?: boolean;
}

/** Checks an optional (or required) string field against a length range. */
export function checkString(
  ctx: CheckContext,
  value: unknown,
  pointer: string,
  rule: StringRule,
): void {
  if (value === undefined) {
    if (rule.required) report(ctx, pointer, 'missing required field');
    return;
  }
  if (typeof value !== 'string') {
    report(ctx, pointer, 'must be a string');
    return;
  }
  const min = rule.min ?? 0;
  if (value.length < min) report(ctx, pointer, `must be at least ${min} characters`);
  if (value.length > rule.max) report(ctx, pointer, `must be less than ${rule.max + 1} characters`);
}

/** Checks an optional (or required) array field against a count range. */
export function checkArray(
  ctx: CheckContext,
  value: unknown,
  pointer: string,
  rule: StringRule,
): unknown[] {
  if (value === undefined) {
    if (rule.required) report(ctx, pointer, 'missing required field');
    return [];
  }
  if (!Array.isArray(value)) {
    report(ctx, pointer, 'must be an array');
    return [];
  }
  const min = rule.min ?? 0;
  if (value.length < min) report(ctx, pointer, `must provide at least ${min} items`);
  if (value.length > rule.max) report(ctx, pointer, `no more than ${rule.max} items allowed`);
  return value;
}

interface TextRule {
  max: number;
  /** Only `plain_text` is accepted (headers, buttons, titles, labels). */
  plainOnly?: boolean;
  required?: boolean;
}

/** Checks a text object: its type, a non-empty `text`, and the type-specific flags. */
export function checkText(
  ctx: CheckContext,
  value: unknown,
  pointer: string,
  rule: TextRule,
): void {
  if (value === undefined) {
    if (rule.required) report(ctx, pointer, 'missing required field');
    return;
  }
  if (!isObject(value)) {
    report(ctx, pointer, 'must be a text object');
    return;
  }
  const type = value.type;
  if (type !== 'plain_text' && type !== 'mrkdwn') {
    report(ctx, `${pointer}/type`, 'must be plain_text or mrkdwn');
  } else if (rule.plainOnly && type !== 'plain_text') {
    report(ctx, `${pointer}/type`, 'must be plain_text');
  }
  checkString(ctx, value.text, `${pointer}/text`, { max: rule.max, min: 1, required: true });
  if (type === 'mrkdwn' && value.emoji !== undefined) {
    report(ctx, `${pointer}/emoji`, 'emoji is only allowed on plain_text');
  }
  if (type === 'plain_text' && value.verbatim !== undefined) {
    report(ctx, `${pointer}/verbatim`, 'verbatim is only allowed on mrkdwn');
  }
}

/** Checks an `action_id`: at most 255 characters and not used before in the payload. */
export function checkActionId(ctx: CheckContext, value: unknown, pointer: string): void {
  checkString(ctx, value, pointer, { max: 255, min: 1 });
  if (typeof value !== 'string') return;
  if (ctx.actionIds.has(value)) report(ctx, pointer, `duplicate action_id ${value}`);
  ctx.actionIds.add(value);
}

/** Checks an option object; radio buttons and checkboxes also take mrkdwn text. */
export function checkOption(
  ctx: CheckContext,
  value: unknown,
  pointer: string,
  allowMrkdwn: boolean,
): void {
  if (!isObject(value)) {
    report(ctx, pointer, 'must be an option object');
    return;
  }
  checkText(ctx, value.text, `${pointer}/text`, {
    max: 75,
    plainOnly: !allowMrkdwn,
    required: true,
  });
  checkString(ctx, value.value, `${pointer}/value`, { max: 150, min: 1, required: true });
  checkText(ctx, value.description, `${pointer}/description`, { max: 75, plainOnly: !allowMrkdwn });
  checkString(ctx, value.url, `${pointer}/url`, { max: 3000, min: 1 });
}

/** Checks a confirmation dialog object. */
export function checkConfirm(ctx: CheckContext, value: unknown, pointer: string): void {
  if (value === undefined) return;
  if (!isObject(value)) {
    report(ctx, pointer, 'must be a confirmation dialog object');
    return;
  }
  checkText(ctx, value.title, `${pointer}/title`, { max: 100, plainOnly: true, required: true });
  checkText(ctx, value.text, `${pointer}/text`, { max: 300, required: true });
  checkText(ctx, value.confirm, `${pointer}/confirm`, { max: 30, plainOnly: true, required: true });
  checkText(ctx, value.deny, `${pointer}/deny`, { max: 30, plainOnly: true, required: true });
  checkStyle(ctx, value.style, `${pointer}/style`);
}

export function checkStyle(ctx: CheckContext, value: unknown, pointer: string): void {
  if (value === undefined || value === 'primary' || value === 'danger') return;
  report(ctx, pointer, 'must be primary or danger');
}
