import { SlackApiError } from '../api-error.ts';
import { argString } from '../request-body.ts';
import { checkBlocks } from './blocks.ts';
import { isObject } from './checks.ts';

/** Slack truncates longer top-level `text`; the fake rejects it with `msg_too_long`. */
export const MAX_MESSAGE_TEXT = 40_000;

/**
 * Budget for `msg_blocks_too_long`. Slack does not document this limit. Users saw
 * rejections from about 11,300 characters of block text upward, and a Slack
 * maintainer described it as 12,000 text characters plus room for block
 * containers (https://github.com/slackapi/bolt-js/issues/2509,
 * https://github.com/slackapi/bolt-js/issues/2867). The fake counts every string
 * under a `text` key in the blocks, adds 100 characters per top-level block, and
 * rejects a total above 12,000.
 * NOTE: an estimate of an undocumented server rule.
 */
export const BLOCKS_TEXT_BUDGET = 12_000;
export const BLOCK_CONTAINER_CHARS = 100;

/** Sums the length of every string stored under a `text` key, at any depth. */
export function countBlockText(value: unknown): number {
  if (Array.isArray(value))
    return value.reduce((sum: number, item) => sum + countBlockText(item), 0);
  if (!isObject(value)) return 0;
  let total = 0;
  for (const [key, child] of Object.entries(value)) {
    if (key === 'text' && typeof child === 'string') total += child.length;
    else total += countBlockText(child);
  }
  return total;
}

/** Decodes a field that form bodies carry as a JSON string and JSON bodies carry as-is. */
export function decodeJsonField(value: unknown): { value: unknown } | { invalid: true } {
  if (typeof value !== 'string') return { value };
  try {
    return { value: JSON.parse(value) as unknown };
  } catch {
    return { invalid: true };
  }
}

/**
 * Validates the `blocks` argument of a message method and returns the blocks, or
 * undefined when absent. Throws `invalid_blocks_format`, `invalid_blocks` (with one
 * `[ERROR]` line per violation) or `msg_blocks_too_long`.
 */
export function readMessageBlocks(raw: unknown): unknown[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  const decoded = decodeJsonField(raw);
  if ('invalid' in decoded || !Array.isArray(decoded.value)) {
    throw new SlackApiError('invalid_blocks_format', [
      '[ERROR] blocks must be a JSON array of block objects [json-pointer:/blocks]',
    ]);
  }
  const blocks: unknown[] = decoded.value;
  const problems = checkBlocks(blocks, 'message', '/blocks');
  if (problems.length > 0) throw new SlackApiError('invalid_blocks', problems);
  const size = countBlockText(blocks) + BLOCK_CONTAINER_CHARS * blocks.length;
  if (size > BLOCKS_TEXT_BUDGET) throw new SlackApiError('msg_blocks_too_long');
  return blocks;
}

/** Validates top-level `text`: a string of at most 40,000 characters, or absent. */
export function readMessageText(raw: unknown): string | undefined {
  const text = argString(raw);
  if (text === undefined) return undefined;
  if (text.length > MAX_MESSAGE_TEXT) throw new SlackApiError('msg_too_long');
  return text;
}

export interface MessageMetadata {
  event_type: string;
  event_payload: Record<string, unknown>;
}

/**
 * Validates `metadata`: a JSON object with an `event_type` of letters, digits and
 * underscores and an object `event_payload`. Throws `invalid_metadata_format` for
 * JSON that does not parse to an object and `invalid_metadata_schema` for a wrong shape.
 */
export function readMetadata(raw: unknown): MessageMetadata | undefined {
  if (raw === undefined || raw === '') return undefined;
  const decoded = decodeJsonField(raw);
  if ('invalid' in decoded || !isObject(decoded.value)) {
    throw new SlackApiError('invalid_metadata_format');
  }
  const { event_type: eventType, event_payload: payload } = decoded.value;
  if (typeof eventType !== 'string' || !/^[a-zA-Z0-9_]+$/.test(eventType)) {
    throw new SlackApiError('invalid_metadata_schema', [
      '[ERROR] event_type must match ^[a-zA-Z0-9_]+$ [json-pointer:/metadata/event_type]',
    ]);
  }
  if (!isObject(payload)) {
    throw new SlackApiError('invalid_metadata_schema', [
      '[ERROR] event_payload must be an object [json-pointer:/metadata/event_payload]',
    ]);
  }
  return { event_type: eventType, event_payload: payload };
}

/**
 * Lists what is wrong with a message sent outside the Web API: a response_url
 * post or a slash command's JSON ack. Checks text, blocks and `response_type`,
 * and requires text or blocks unless the post deletes the original.
 */
export function checkMessagePayload(body: unknown): string[] {
  if (!isObject(body)) return ['body must be a JSON object'];
  const problems: string[] = [];
  try {
    readMessageText(body.text);
    readMessageBlocks(body.blocks);
  } catch (error) {
    if (!(error instanceof SlackApiError)) throw error;
    problems.push(error.code, ...error.messages);
  }
  const type = body.response_type;
  if (type !== undefined && type !== 'ephemeral' && type !== 'in_channel') {
    problems.push(`response_type must be ephemeral or in_channel, got ${JSON.stringify(type)}`);
  }
  const hasContent = body.text !== undefined || body.blocks !== undefined;
  if (!hasContent && body.delete_original !== true) problems.push('no_text');
  return problems;
}
