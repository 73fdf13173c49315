/**
 * Typed Slack delivery errors. Every failure of a Web API call becomes one of three kinds,
 * so that a queue worker can decide without reading messages: fail the job now
 * (`permanent`), retry with backoff (`transient`), or wait `retryAfterSeconds`
 * (`rate_limited`).
 */
import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
} from '@slack/web-api';

export type SlackErrorKind = 'permanent' | 'transient' | 'rate_limited';

/** The method and channel of a failed call, for the error message and logs. */
export interface SlackCallTarget {
  /** Web API method, such as `chat.postMessage`. */
  method: string;
  channel?: string;
}

interface SlackDeliveryErrorOptions extends SlackCallTarget {
  code: string;
  message: string;
  cause?: unknown;
}

/** A failed Slack Web API call, with a stable `code` and the kind that steers retries. */
export abstract class SlackDeliveryError extends Error {
  abstract readonly kind: SlackErrorKind;
  /** Slack's error string (`channel_not_found`) or jobwatch's (`http_503`, `timeout`). */
  readonly code: string;
  readonly method: string;
  readonly channel: string | undefined;

  constructor(options: SlackDeliveryErrorOptions) {
    super(options.message, { cause: options.cause });
    this.code = options.code;
    this.method = options.method;
    this.channel = options.channel;
  }

  /** True when retrying the same call cannot succeed: the caller fails without retry. */
  get permanent(): boolean {
    return this.kind === 'permanent';
  }
}

/** A call Slack rejected for a reason that retrying does not change. */
export class SlackPermanentError extends SlackDeliveryError {
  readonly kind = 'permanent';
  /** For `invalid_blocks`: the JSON pointers Slack named, such as `/blocks/2/text/text`. */
  readonly blockPaths: string[];
  /** Slack's `response_metadata.messages`, such as `[ERROR] must be less than 3001 characters`. */
  readonly details: string[];

  constructor(options: SlackDeliveryErrorOptions & { details?: string[] }) {
    super(options);
    this.name = 'SlackPermanentError';
    this.details = options.details ?? [];
    this.blockPaths = this.details.flatMap((line) =>
      [...line.matchAll(/\[json-pointer:([^\]]+)\]/g)].map((m) => m[1] ?? ''),
    );
  }
}

/** A call that failed on the way or inside Slack, and may succeed when retried with backoff. */
export class SlackTransientError extends SlackDeliveryError {
  readonly kind = 'transient';

  constructor(options: SlackDeliveryErrorOptions) {
    super(options);
    this.name = 'SlackTransientError';
  }
}

/** A call rejected by Slack's rate limits; retry after `retryAfterSeconds`. */
export class SlackRateLimitedError extends SlackDeliveryError {
  readonly kind = 'rate_limited';
  /** Seconds to wait before the next call to this method, from Slack's Retry-After. */
  readonly retryAfterSeconds: number;

  constructor(options: SlackDeliveryErrorOptions & { retryAfterSeconds: number }) {
    super(options);
    this.name = 'SlackRateLimitedError';
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/**
 * Wait in seconds when Slack signals a rate limit without a usable Retry-After. Slack states
 * its rate-limit tiers per minute, so a minute lets the limit refill.
 */
export const DEFAULT_RETRY_AFTER_SECONDS = 60;

// Platform errors that report trouble inside Slack or a request cut off on the way, so the
// same request can succeed later.
const TRANSIENT_CODES = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);
const RATE_LIMITED_CODES = new Set(['ratelimited', 'rate_limited']);

/** Advice for common permanent errors, appended to the error message. */
const HINTS: Record<string, string> = {
  channel_not_found: 'Check the channel id and that the app is installed in its workspace.',
  not_in_channel: 'Invite the app to the channel with /invite.',
  is_archived: 'Unarchive the channel or configure another one.',
  invalid_auth: 'Check the bot token.',
  not_authed: 'Check that a bot token is set.',
  token_revoked: 'Reinstall the app and set the new bot token.',
  token_expired: 'Refresh the bot token.',
  account_inactive: 'Reinstall the app and set the new bot token.',
  missing_scope: 'Add the missing scope to the Slack app and reinstall it.',
  invalid_blocks: 'The blocks break a Block Kit rule at the paths in blockPaths.',
  msg_too_long: 'The message text is too long.',
  msg_blocks_too_long: 'The message blocks are too long in total.',
  message_not_found: 'The message was deleted or its ts is wrong.',
  cant_update_message: 'Only messages posted by this app can be updated.',
};

/**
 * Converts anything a `WebClient` call threw into a {@link SlackDeliveryError}. Unknown
 * platform errors and unexpected exceptions are permanent, because Slack rejects the same
 * request again the same way.
 */
export function classifySlackError(error: unknown, target: SlackCallTarget): SlackDeliveryError {
  if (error instanceof SlackDeliveryError) {
    return error;
  }
  if (error instanceof WebAPIRateLimitedError) {
    return rateLimited(target, error.retryAfter, error);
  }
  if (error instanceof WebAPIPlatformError) {
    return fromPlatformError(error, target);
  }
  if (error instanceof WebAPIHTTPError) {
    return fromHttpStatus(error.statusCode, target, error);
  }
  if (error instanceof WebAPIRequestError) {
    const timedOut = error.original.name === 'TimeoutError' || error.original.name === 'AbortError';
    const code = timedOut ? 'timeout' : 'request_failed';
    const what = timedOut ? 'timed out' : `failed: ${error.original.message}`;
    return new SlackTransientError({
      ...target,
      code,
      message: `${describe(target)} ${what}`,
      cause: error,
    });
  }
  // @slack/web-api throws a plain Error, recognisable only by its text, for a 429 whose
  // Retry-After header is missing or not a number (WebClient.makeRequest, web-api 8.2).
  if (
    error instanceof Error &&
    error.message.startsWith('Retry header did not contain a valid timeout')
  ) {
    return rateLimited(target, DEFAULT_RETRY_AFTER_SECONDS, error);
  }
  const text = error instanceof Error ? error.message : String(error);
  return new SlackPermanentError({
    ...target,
    code: 'unexpected',
    message: `${describe(target)} failed unexpectedly: ${text}`,
    cause: error,
  });
}

function fromPlatformError(
  error: WebAPIPlatformError,
  target: SlackCallTarget,
): SlackDeliveryError {
  const code = error.data.error;
  if (RATE_LIMITED_CODES.has(code)) {
    return rateLimited(target, DEFAULT_RETRY_AFTER_SECONDS, error);
  }
  if (TRANSIENT_CODES.has(code)) {
    return new SlackTransientError({
      ...target,
      code,
      message: `${describe(target)} failed inside Slack: ${code}`,
      cause: error,
    });
  }
  const details = error.data.response_metadata?.messages ?? [];
  const hint = HINTS[code];
  const advice = hint === undefined ? '' : ` ${hint}`;
  const message = `Slack rejected ${describe(target)} with ${code}.${advice}`;
  return new SlackPermanentError({ ...target, code, message, details, cause: error });
}

function fromHttpStatus(
  status: number,
  target: SlackCallTarget,
  cause: unknown,
): SlackDeliveryError {
  const code = `http_${status}`;
  // 408 and 5xx report trouble on the server. Any other status means that the request or
  // the API URL is wrong, which a retry does not fix.
  if (status >= 500 || status === 408) {
    return new SlackTransientError({
      ...target,
      code,
      message: `${describe(target)} failed with HTTP ${status} from the server`,
      cause,
    });
  }
  return new SlackPermanentError({
    ...target,
    code,
    message: `${describe(target)} failed with HTTP ${status}. Check the Slack API URL.`,
    cause,
  });
}

function rateLimited(
  target: SlackCallTarget,
  retryAfterSeconds: number,
  cause: unknown,
): SlackRateLimitedError {
  const message = `${describe(target)} was rate limited. Retry after ${retryAfterSeconds}s.`;
  return new SlackRateLimitedError({
    ...target,
    code: 'rate_limited',
    message,
    retryAfterSeconds,
    cause,
  });
}

function describe(target: SlackCallTarget): string {
  return target.channel === undefined
    ? target.method
    : `${target.method} to channel ${target.channel}`;
}
