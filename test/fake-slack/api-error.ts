/**
 * The error a method handler throws to make the fake respond `{ ok: false, error }`,
 * with HTTP 200 as Slack does for every platform error.
 */
export class SlackApiError extends Error {
  /** Slack's error code, e.g. `channel_not_found`. */
  readonly code: string;
  /** Lines for `response_metadata.messages`, e.g. `[ERROR] … [json-pointer:/blocks/0]`. */
  readonly messages: string[];

  constructor(code: string, messages: string[] = []) {
    super(messages.length > 0 ? `${code}: ${messages.join('; ')}` : code);
    this.name = 'SlackApiError';
    this.code = code;
    this.messages = messages;
  }
}

/** Builds the JSON body Slack sends for a platform error. */
export function errorBody(error: SlackApiError): Record<string, unknown> {
  if (error.messages.length === 0) return { ok: false, error: error.code };
  return { ok: false, error: error.code, response_metadata: { messages: error.messages } };
}

/** Thrown when a rate-limit bucket is empty: the fake responds with HTTP 429. */
export class RateLimitedError extends Error {
  /** Whole seconds for the `Retry-After` header; at least 1. */
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super(`rate limited, retry after ${retryAfterSeconds} s`);
    this.name = 'RateLimitedError';
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}
