/**
 * Slack conversation ids: `C` (public channel), `G` (private channel or group DM) or `D`
 * (direct message), then upper-case letters and digits.
 */
const CHANNEL_ID = /^[CGD][A-Z0-9]{6,20}$/;

/**
 * Slack channel names: lower-case letters (any script), digits, `-` and `_`, at most 80
 * characters, with an optional leading `#`.
 */
const CHANNEL_NAME = /^#?[\p{Ll}\p{Lo}\p{N}_-]{1,80}$/u;

/**
 * Checks a Slack channel given as an id (`C0123456`) or a name (`#payments-oncall` or
 * `payments-oncall`). Returns why the value is invalid, or `undefined` when it is valid.
 */
export function checkSlackChannel(value: string): string | undefined {
  if (CHANNEL_ID.test(value) || CHANNEL_NAME.test(value)) return undefined;
  if (/\s/.test(value)) return 'it contains whitespace';
  if (value.startsWith('#') && /\p{Lu}/u.test(value)) {
    return 'Slack channel names are lower case';
  }
  return 'it is neither a channel id such as C0123456 nor a channel name such as #alerts';
}

/** The fix shown for an invalid channel, wherever it was set. */
export const SLACK_CHANNEL_FIX =
  'use a channel id such as C0123456 (channel details, "About") or a name such as #alerts';
