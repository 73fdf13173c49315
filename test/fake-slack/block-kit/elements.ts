import {
  type CheckContext,
  checkActionId,
  checkArray,
  checkConfirm,
  checkOption,
  checkString,
  checkStyle,
  checkText,
  isObject,
  report,
} from './checks.ts';

type ElementCheck = (ctx: CheckContext, element: Record<string, unknown>, pointer: string) => void;

function checkButton(ctx: CheckContext, element: Record<string, unknown>, pointer: string): void {
  checkText(ctx, element.text, `${pointer}/text`, { max: 75, plainOnly: true, required: true });
  checkActionId(ctx, element.action_id, `${pointer}/action_id`);
  checkString(ctx, element.value, `${pointer}/value`, { max: 2000, min: 1 });
  checkString(ctx, element.url, `${pointer}/url`, { max: 3000, min: 1 });
  checkString(ctx, element.accessibility_label, `${pointer}/accessibility_label`, {
    max: 75,
    min: 1,
  });
  checkStyle(ctx, element.style, `${pointer}/style`);
  checkConfirm(ctx, element.confirm, `${pointer}/confirm`);
}

/** Checks the image element of sections and context blocks (not the image block). */
function checkImageElement(
  ctx: CheckContext,
  element: Record<string, unknown>,
  pointer: string,
): void {
  if (element.image_url === undefined && element.slack_file === undefined) {
    report(ctx, `${pointer}/image_url`, 'must provide image_url or slack_file');
  }
  checkString(ctx, element.image_url, `${pointer}/image_url`, { max: 3000, min: 1 });
  checkString(ctx, element.alt_text, `${pointer}/alt_text`, { max: 2000, min: 1, required: true });
}

function checkPlaceholder(
  ctx: CheckContext,
  element: Record<string, unknown>,
  pointer: string,
): void {
  checkText(ctx, element.placeholder, `${pointer}/placeholder`, { max: 150, plainOnly: true });
}

/** Selects whose options come from Slack itself (users, channels …) or from the app. */
function checkPlainSelect(
  ctx: CheckContext,
  element: Record<string, unknown>,
  pointer: string,
): void {
  checkActionId(ctx, element.action_id, `${pointer}/action_id`);
  checkPlaceholder(ctx, element, pointer);
  checkConfirm(ctx, element.confirm, `${pointer}/confirm`);
}

function checkStaticSelect(
  ctx: CheckContext,
  element: Record<string, unknown>,
  pointer: string,
): void {
  checkPlainSelect(ctx, element, pointer);
  const hasOptions = element.options !== undefined;
  const hasGroups = element.option_groups !== undefined;
  if (hasOptions === hasGroups) {
    report(ctx, pointer, 'must provide exactly one of options or option_groups');
  }
  const options = checkArray(ctx, element.options, `${pointer}/options`, { max: 100, min: 1 });
  options.forEach((option, i) => checkOption(ctx, option, `${pointer}/options/${i}`, false));
  const groups = checkArray(ctx, element.option_groups, `${pointer}/option_groups`, {
    max: 100,
    min: 1,
  });
  groups.forEach((group, i) => checkOptionGroup(ctx, group, `${pointer}/option_groups/${i}`));
}

function checkOptionGroup(ctx: CheckContext, group: unknown, pointer: string): void {
  if (!isObject(group)) {
    report(ctx, pointer, 'must be an option group object');
    return;
  }
  checkText(ctx, group.label, `${pointer}/label`, { max: 75, plainOnly: true, required: true });
  const options = checkArray(ctx, group.options, `${pointer}/options`, {
    max: 100,
    min: 1,
    required: true,
  });
  options.forEach((option, i) => checkOption(ctx, option, `${pointer}/options/${i}`, false));
}

function checkOverflow(ctx: CheckContext, element: Record<string, unknown>, pointer: string): void {
  checkActionId(ctx, element.action_id, `${pointer}/action_id`);
  const options = checkArray(ctx, element.options, `${pointer}/options`, {
    max: 5,
    min: 1,
    required: true,
  });
  options.forEach((option, i) => checkOption(ctx, option, `${pointer}/options/${i}`, false));
  checkConfirm(ctx, element.confirm, `${pointer}/confirm`);
}

/** Checkboxes and radio buttons: up to 10 options, which may use mrkdwn. */
function checkChoices(ctx: CheckContext, element: Record<string, unknown>, pointer: string): void {
  checkActionId(ctx, element.action_id, `${pointer}/action_id`);
  const options = checkArray(ctx, element.options, `${pointer}/options`, {
    max: 10,
    min: 1,
    required: true,
  });
  options.forEach((option, i) => checkOption(ctx, option, `${pointer}/options/${i}`, true));
  checkConfirm(ctx, element.confirm, `${pointer}/confirm`);
}

function checkTextInput(
  ctx: CheckContext,
  element: Record<string, unknown>,
  pointer: string,
): void {
  checkActionId(ctx, element.action_id, `${pointer}/action_id`);
  checkPlaceholder(ctx, element, pointer);
  checkLengthBound(ctx, element.max_length, `${pointer}/max_length`, 1);
  checkLengthBound(ctx, element.min_length, `${pointer}/min_length`, 0);
  if (element.multiline !== undefined && typeof element.multiline !== 'boolean') {
    report(ctx, `${pointer}/multiline`, 'must be a boolean');
  }
}

function checkLengthBound(ctx: CheckContext, value: unknown, pointer: string, min: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 3000) {
    report(ctx, pointer, `must be an integer from ${min} to 3000`);
  }
}

function checkNumberInput(
  ctx: CheckContext,
  element: Record<string, unknown>,
  pointer: string,
): void {
  checkActionId(ctx, element.action_id, `${pointer}/action_id`);
  checkPlaceholder(ctx, element, pointer);
  if (typeof element.is_decimal_allowed !== 'boolean') {
    report(ctx, `${pointer}/is_decimal_allowed`, 'missing required field');
  }
}

const ELEMENT_CHECKS: Record<string, ElementCheck> = {
  button: checkButton,
  image: checkImageElement,
  overflow: checkOverflow,
  static_select: checkStaticSelect,
  multi_static_select: checkStaticSelect,
  external_select: checkPlainSelect,
  users_select: checkPlainSelect,
  multi_users_select: checkPlainSelect,
  conversations_select: checkPlainSelect,
  multi_conversations_select: checkPlainSelect,
  channels_select: checkPlainSelect,
  multi_channels_select: checkPlainSelect,
  datepicker: checkPlainSelect,
  timepicker: checkPlainSelect,
  datetimepicker: checkPlainSelect,
  checkboxes: checkChoices,
  radio_buttons: checkChoices,
  plain_text_input: checkTextInput,
  email_text_input: checkTextInput,
  url_text_input: checkTextInput,
  number_input: checkNumberInput,
};

const PICKERS = ['datepicker', 'timepicker', 'checkboxes', 'radio_buttons'];
const SELECTS = [
  'static_select',
  'multi_static_select',
  'external_select',
  'users_select',
  'multi_users_select',
  'conversations_select',
  'multi_conversations_select',
  'channels_select',
  'multi_channels_select',
];

/** Element types each container accepts, per Slack's block reference pages. */
export const ACTIONS_ELEMENTS = new Set(['button', 'overflow', ...SELECTS, ...PICKERS]);
export const ACCESSORY_ELEMENTS = new Set(['button', 'image', 'overflow', ...SELECTS, ...PICKERS]);
export const INPUT_ELEMENTS = new Set([
  'plain_text_input',
  'email_text_input',
  'url_text_input',
  'number_input',
  'datetimepicker',
  ...SELECTS,
  ...PICKERS,
]);

/** Checks one block element, rejecting types the container does not accept. */
export function checkElement(
  ctx: CheckContext,
  element: unknown,
  pointer: string,
  allowed: Set<string>,
): void {
  if (!isObject(element)) {
    report(ctx, pointer, 'must be an element object');
    return;
  }
  const type = element.type;
  if (typeof type !== 'string' || !allowed.has(type)) {
    report(ctx, `${pointer}/type`, `unsupported element type ${String(type)} here`);
    return;
  }
  ELEMENT_CHECKS[type]?.(ctx, element, pointer);
}

/** Checks a context block element: an image element or a text object. */
export function checkContextElement(ctx: CheckContext, element: unknown, pointer: string): void {
  if (isObject(element) && element.type === 'image') {
    checkImageElement(ctx, element, pointer);
    return;
  }
  checkText(ctx, element, pointer, { max: 3000, required: true });
}
