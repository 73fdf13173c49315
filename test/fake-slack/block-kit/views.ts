import { SlackApiError } from '../api-error.ts';
import { checkBlocks } from './blocks.ts';
import { type CheckContext, checkString, checkText, isObject, newContext } from './checks.ts';
import { decodeJsonField } from './message-content.ts';

function checkViewFields(ctx: CheckContext, view: Record<string, unknown>): void {
  if (view.type !== 'modal') {
    ctx.messages.push('[ERROR] must be modal [json-pointer:/view/type]');
  }
  checkText(ctx, view.title, '/view/title', { max: 24, plainOnly: true, required: true });
  checkText(ctx, view.submit, '/view/submit', { max: 24, plainOnly: true });
  checkText(ctx, view.close, '/view/close', { max: 24, plainOnly: true });
  checkString(ctx, view.private_metadata, '/view/private_metadata', { max: 3000 });
  checkString(ctx, view.callback_id, '/view/callback_id', { max: 255 });
  checkString(ctx, view.external_id, '/view/external_id', { max: 255, min: 1 });
}

/**
 * Validates the `view` argument of views.open, views.update and views.push and
 * returns it. Throws `invalid_arguments` with `[ERROR]` lines pointing under
 * `/view`, as Slack reports schema problems in views.
 */
export function readModalView(raw: unknown): Record<string, unknown> {
  const decoded = decodeJsonField(raw);
  if ('invalid' in decoded || !isObject(decoded.value)) {
    throw new SlackApiError('invalid_arguments', [
      '[ERROR] view must be a JSON object [json-pointer:/view]',
    ]);
  }
  const view = decoded.value;
  const ctx = newContext('modal');
  checkViewFields(ctx, view);
  if (!Array.isArray(view.blocks)) {
    ctx.messages.push('[ERROR] must be an array [json-pointer:/view/blocks]');
  } else {
    ctx.messages.push(...checkBlocks(view.blocks, 'modal', '/view/blocks'));
    const hasInput = view.blocks.some((block) => isObject(block) && block.type === 'input');
    if (hasInput && view.submit === undefined) {
      ctx.messages.push(
        '[ERROR] submit is required when a view has input blocks [json-pointer:/view/submit]',
      );
    }
  }
  if (ctx.messages.length > 0) throw new SlackApiError('invalid_arguments', ctx.messages);
  return view;
}
