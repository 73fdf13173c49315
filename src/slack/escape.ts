/**
 * Text hygiene for anything that came from the cluster: pod logs, event messages, object
 * names. Invisible and terminal-control characters are removed. Slack mrkdwn treats only
 * `&`, `<` and `>` as control characters, so those are the only ones escaped
 * (https://api.slack.com/reference/surfaces/formatting, "Escaping text").
 */

/** The default note that {@link truncate} appends where it cut. */
export const TRUNCATION_NOTE = ' … (truncated)';

// ESC-introduced terminal sequences: CSI (`ESC [ … final`), OSC (`ESC ] … BEL` or
// `ESC ] … ESC \`), and the two-character escapes (ESC then 0x30–0x7E, such as `ESC c`).
// eslint-disable-next-line no-control-regex -- matching control characters is the purpose.
const TERMINAL_ESCAPE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[0-~]/g;

// C0 controls except tab (09) and newline (0A), DEL, and the C1 range. The 8-bit CSI
// (U+009B) is in the C1 range, so single-byte terminal sequences lose their introducer.
// eslint-disable-next-line no-control-regex -- matching control characters is the purpose.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

// Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), the bidi marks
// (U+200E, U+200F, U+061C), zero-width space, non-joiner and joiner (U+200B–U+200D), word
// joiner (U+2060) and the byte-order mark (U+FEFF). Each can reorder or hide text.
const INVISIBLE = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b-\u200d\u2060\ufeff]/g;

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
// (String.prototype.toWellFormed does the same but is outside the ES2023 library.)
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Removes terminal escape sequences, control characters other than newline and tab, bidi
 * controls and zero-width characters, and replaces lone UTF-16 surrogates with U+FFFD.
 * A carriage return is removed as well, so `\r\n` line ends become `\n`.
 */
export function sanitizeText(text: string): string {
  return text
    .replace(LONE_SURROGATE, '\ufffd')
    .replace(TERMINAL_ESCAPE, '')
    .replace(CONTROL, '')
    .replace(INVISIBLE, '');
}

/**
 * Escapes the three characters that Slack mrkdwn interprets, so that `<!channel>`,
 * `<@U123>` or `<https://example.com|label>` in the input notify no one and link nothing.
 * Existing entities are escaped again: `&lt;` becomes `&amp;lt;` and shows as written.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Maximum length kept of any one cluster string by {@link cleanText}, in UTF-16 code units.
 * It bounds the work of sanitizing and escaping a 50 MB log line. It is above every
 * renderer's own limit, so the renderers still cut precisely.
 */
export const MAX_SOURCE_CHARS = 20_000;

/**
 * Sanitizes one string from the cluster and caps it at {@link MAX_SOURCE_CHARS}. A capped
 * string ends with {@link TRUNCATION_NOTE}, so the cut stays visible whatever cuts follow.
 */
export function cleanText(text: string): string {
  if (text.length <= MAX_SOURCE_CHARS) {
    return sanitizeText(text);
  }
  return sanitizeText(cutAt(text, MAX_SOURCE_CHARS)) + TRUNCATION_NOTE;
}

/**
 * Cuts `text` to at most `maxChars` UTF-16 code units, `note` included, and appends `note`
 * where it cut. The cut never splits a surrogate pair or one of the entities that
 * {@link escapeMrkdwn} writes (`&amp;`, `&lt;`, `&gt;`), so escaped text stays valid.
 *
 * @param maxChars - Maximum length of the result in UTF-16 code units; Slack's limits
 *   count characters, and a code unit count is never smaller than a character count.
 * @param note - Text appended after the cut; defaults to {@link TRUNCATION_NOTE}.
 * @returns `text` unchanged when it fits.
 */
export function truncate(text: string, maxChars: number, note: string = TRUNCATION_NOTE): string {
  if (text.length <= maxChars) {
    return text;
  }
  const room = maxChars - note.length;
  if (room <= 0) {
    return cutAt(note, maxChars);
  }
  return cutAt(text, room) + note;
}

/** Returns the longest prefix of `text` of at most `length` units that ends on a boundary. */
function cutAt(text: string, length: number): string {
  let end = Math.min(length, text.length);
  if (end > 0 && end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) {
    end -= 1;
  }
  end = entityStartBefore(text, end);
  return text.slice(0, end);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

const ENTITY = /^&(?:amp|lt|gt);/;
const LONGEST_ENTITY = '&amp;'.length;

/** Moves `end` back to the `&` of an escape entity that the cut at `end` would split. */
function entityStartBefore(text: string, end: number): number {
  const ampersand = text.lastIndexOf('&', end - 1);
  if (ampersand < 0 || end - ampersand >= LONGEST_ENTITY) {
    return end;
  }
  return ENTITY.test(text.slice(ampersand, ampersand + LONGEST_ENTITY)) &&
    ampersand + entityLength(text, ampersand) > end
    ? ampersand
    : end;
}

function entityLength(text: string, start: number): number {
  return text.indexOf(';', start) - start + 1;
}
