/**
 * Builders for the mrkdwn pieces that carry cluster text. Each escapes its input and cuts
 * it inside the markup, so a cut never drops a closing backtick or fence.
 */
import { escapeMrkdwn, TRUNCATION_NOTE, truncate } from './escape.ts';

// Inside code, a backtick would close the span or fence early, and Slack has no escape
// for it, so it is shown as the look-alike U+02CB MODIFIER LETTER GRAVE ACCENT.
const BACKTICK_STANDIN = '\u02cb';

const FENCE = '```';

/**
 * Wraps text in an inline code span, where Slack applies no `*bold*`-style formatting.
 * Newlines become ` ↵ ` because a span cannot cross lines.
 *
 * @param maxChars - Maximum length of the result, backticks included; defaults to 3000.
 */
export function inlineCode(text: string, maxChars = 3000): string {
  const body = escapeMrkdwn(text.replace(/`/g, BACKTICK_STANDIN).replace(/\r?\n/g, ' ↵ '));
  return `\`${truncate(body === '' ? ' ' : body, maxChars - 2)}\``;
}

/**
 * Wraps text in a fenced code block. Backticks inside show as U+02CB, so a ``` in a log
 * cannot end the block early.
 *
 * @param maxChars - Maximum length of the result, fences included.
 * @param maxLines - Maximum number of lines kept; the rest are replaced by a note.
 */
export function codeBlock(
  text: string,
  maxChars: number,
  maxLines = Number.POSITIVE_INFINITY,
): string {
  const lines = text.replace(/\n+$/, '').split('\n');
  const kept =
    lines.length > maxLines
      ? [...lines.slice(0, maxLines), `… (${lines.length - maxLines} more lines)`]
      : lines;
  const body = escapeMrkdwn(kept.join('\n').replace(/`/g, BACKTICK_STANDIN));
  const room = maxChars - 2 * FENCE.length - 2;
  const cut = truncate(body === '' ? ' ' : body, room, `\n${TRUNCATION_NOTE.trim()}`);
  return `${FENCE}\n${cut}\n${FENCE}`;
}

/** Writes a bold label, such as `*Fix*`. Labels are jobwatch's own words, never cluster text. */
export function bold(label: string): string {
  return `*${label}*`;
}

/**
 * Writes a Slack date reference that each reader sees in their own time zone, such as
 * "today 02:01", with the UTC text as the fallback
 * (https://api.slack.com/reference/surfaces/formatting, "Date formatting").
 */
export function slackDate(epochSeconds: number, fallbackUtc: string): string {
  const format = '{date_short_pretty} {time}';
  return `<!date^${Math.floor(epochSeconds)}^${format}|${escapeMrkdwn(fallbackUtc)}>`;
}
