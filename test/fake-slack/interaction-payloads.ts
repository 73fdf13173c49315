import { SlackApiError } from './api-error.ts';
import { isObject } from './block-kit/checks.ts';
import { readModalView } from './block-kit/views.ts';
import { toApiView } from './methods/views.ts';
import type { FakeSlack, StoredMessage, StoredView } from './types.ts';

/** A clickable element found in a stored message, with the block that contains it. */
interface FoundAction {
  element: Record<string, unknown>;
  blockId: string;
}

/** Elements of one block that a user can act on: actions elements or a section accessory. */
function interactiveElements(block: Record<string, unknown>): unknown[] {
  if (block.type === 'actions' && Array.isArray(block.elements)) return block.elements;
  if (block.type === 'section' && block.accessory !== undefined) return [block.accessory];
  return [];
}

/** Lists the action_ids a message offers, in block order. */
export function listActionIds(message: StoredMessage): string[] {
  return (message.blocks ?? []).filter(isObject).flatMap((block) =>
    interactiveElements(block)
      .filter(isObject)
      .map((element) => element.action_id)
      .filter((id): id is string => typeof id === 'string'),
  );
}

/**
 * Finds the element with `actionId` in a stored message. A block without a
 * `block_id` gets `block-<index>` here, standing in for the id Slack would assign.
 */
export function findAction(message: StoredMessage, actionId: string): FoundAction | undefined {
  const blocks = message.blocks ?? [];
  for (const [index, block] of blocks.entries()) {
    if (!isObject(block)) continue;
    const element = interactiveElements(block).find(
      (candidate) => isObject(candidate) && candidate.action_id === actionId,
    );
    if (isObject(element)) {
      const blockId = typeof block.block_id === 'string' ? block.block_id : `block-${index}`;
      return { element, blockId };
    }
  }
  return undefined;
}

/** Builds the `actions[0]` entry Slack sends for a click on `found`. */
export function actionEntry(
  found: FoundAction,
  actionTs: string,
  selectedValue?: string,
): Record<string, unknown> {
  const { element, blockId } = found;
  const entry: Record<string, unknown> = {
    type: element.type,
    action_id: element.action_id,
    block_id: blockId,
    action_ts: actionTs,
  };
  if (element.text !== undefined) entry.text = element.text;
  if (element.value !== undefined) entry.value = element.value;
  if (element.style !== undefined) entry.style = element.style;
  if (selectedValue !== undefined) {
    const options = Array.isArray(element.options) ? element.options.filter(isObject) : [];
    const option = options.find((candidate) => candidate.value === selectedValue);
    if (!option) {
      const actionId = String(element.action_id);
      throw new Error(`action ${actionId} has no option with value ${selectedValue}`);
    }
    entry.selected_option = option;
  }
  return entry;
}

/** A submitted input value: a string for a `plain_text_input`, or a value object sent as given. */
export type InputValue = string | Record<string, unknown>;

/** Expands a plain string into the value object of a `plain_text_input`. */
function toValueObject(
  elementType: unknown,
  value: InputValue | undefined,
): Record<string, unknown> {
  if (isObject(value)) return { type: elementType, ...value };
  return { type: elementType, value: value ?? null };
}

/**
 * Builds `view.state.values` for a submission: every input block of the view
 * appears, with the given values and `value: null` for the rest. Throws when a
 * value names a block_id or action_id that the view does not contain.
 */
export function buildStateValues(
  view: Record<string, unknown>,
  values: Record<string, Record<string, InputValue>>,
): Record<string, Record<string, Record<string, unknown>>> {
  const inputs = (Array.isArray(view.blocks) ? view.blocks : [])
    .filter(isObject)
    .filter((block) => block.type === 'input' && isObject(block.element));
  const state: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const block of inputs) {
    const element = block.element as Record<string, unknown>;
    const blockId = String(block.block_id);
    const actionId = String(element.action_id);
    state[blockId] = { [actionId]: toValueObject(element.type, values[blockId]?.[actionId]) };
  }
  for (const [blockId, byAction] of Object.entries(values)) {
    for (const actionId of Object.keys(byAction)) {
      if (state[blockId]?.[actionId] === undefined) {
        throw new Error(`view has no input block ${blockId} with action_id ${actionId}`);
      }
    }
  }
  return state;
}

/** Returns the view of a submission as Slack sends it, state values included. */
export function submittedView(
  stored: StoredView,
  values: Record<string, Record<string, InputValue>>,
): Record<string, unknown> {
  return { ...toApiView(stored), state: { values: buildStateValues(stored.view, values) } };
}

const RESPONSE_ACTIONS = new Set(['errors', 'update', 'push', 'clear']);

/**
 * Lists what is wrong with an app's ack of a view_submission: an unknown
 * `response_action`, an `errors` key that is not an input block of the view, or
 * an invalid `view`. An empty body closes the modal and is valid.
 */
export function checkViewAck(view: Record<string, unknown>, ack: string): string[] {
  if (ack === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(ack);
  } catch {
    return [`ack body is not JSON: ${ack.slice(0, 200)}`];
  }
  if (!isObject(parsed)) return ['ack body must be a JSON object'];
  const action = parsed.response_action;
  if (typeof action !== 'string' || !RESPONSE_ACTIONS.has(action)) {
    return [`unknown response_action ${JSON.stringify(action)}`];
  }
  if (action === 'errors') return checkErrorKeys(view, parsed.errors);
  if (action === 'update' || action === 'push') return checkAckView(parsed.view);
  return [];
}

function checkErrorKeys(view: Record<string, unknown>, errors: unknown): string[] {
  if (!isObject(errors)) return ['errors must be an object of block_id to message'];
  const inputIds = new Set(
    (Array.isArray(view.blocks) ? view.blocks : [])
      .filter(isObject)
      .filter((block) => block.type === 'input')
      .map((block) => block.block_id),
  );
  return Object.keys(errors)
    .filter((key) => !inputIds.has(key))
    .map((key) => `errors key ${key} is not the block_id of an input block in the view`);
}

function checkAckView(view: unknown): string[] {
  try {
    readModalView(view);
    return [];
  } catch (error) {
    if (error instanceof SlackApiError) return [error.code, ...error.messages];
    throw error;
  }
}

/** Looks up a stored message or throws an error naming what exists. */
export function requireStoredMessage(fake: FakeSlack, channel: string, ts: string): StoredMessage {
  const message = fake.messages(channel).find((candidate) => candidate.ts === ts);
  if (!message) {
    throw new Error(
      `no message with ts ${ts} in channel ${channel}; post it through the fake first`,
    );
  }
  return message;
}
