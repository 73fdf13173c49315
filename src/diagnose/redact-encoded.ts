/**
 * Secrets hidden by an encoding: percent-encoding (`password%3Dhunter2`) and base64
 * (`dXNlcjpodW50ZXIy`, a Kubernetes Secret's data, a Docker config), and the
 * encoded forms of secret values already recognized in clear.
 */
import { MASK } from './redact-patterns.ts';

/** Masks secrets in decoded text: every step of `redactText` except the decoding. */
export type PlainMasker = (text: string) => string;

/** Runs of at least 12 base64 or base64url characters (9 bytes, as in `ops:hunter2`). */
const BASE64_RUN = /[A-Za-z0-9+/_-]{12,}={0,2}/g;
/**
 * Maximum length of a base64 run that is decoded, in characters (64 KiB). Longer runs
 * are left as they are, so one huge blob costs no more than its scan.
 */
const MAX_DECODED_RUN = 65_536;
/** A word without quotes or angle brackets, checked for percent-escapes. */
const URL_WORD = /[^\s"'<>]+/g;
const PERCENT_ESCAPES = /(?:%[0-9A-Fa-f]{2})+/g;
const PERCENT_ESCAPE = /%[0-9A-Fa-f]{2}/;
/** `user:password` as Basic auth and Docker config `auth` fields encode it. */
const USER_PASSWORD = /^[A-Za-z0-9._@+\\-]{1,128}:(?!\/\/)[\x21-\x7e]{1,256}$/;
// eslint-disable-next-line no-control-regex -- binary data shows up as control characters
const BINARY = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]/;
/** Learned values shorter than this are too likely to be ordinary words to mask everywhere. */
const MIN_LEARNED_LENGTH = 8;
/** Learned values masked everywhere, at most, so the work stays linear in the text. */
const MAX_LEARNED_VALUES = 64;

/**
 * Decodes each word with percent-escapes and, when the decoded word contains a secret,
 * replaces it with the decoded word with that secret masked. Words are decoded
 * twice at most, which covers a value that was encoded twice (`%253D`).
 */
export function maskPercentEncoded(text: string, maskPlain: PlainMasker): string {
  if (!text.includes('%')) return text;
  return text.replace(URL_WORD, (word) => {
    if (!PERCENT_ESCAPE.test(word)) return word;
    const decoded = percentDecode(percentDecode(word));
    const masked = maskPlain(decoded);
    return masked === decoded ? word : masked;
  });
}

function percentDecode(text: string): string {
  return text.replace(PERCENT_ESCAPES, (escapes) => {
    try {
      return decodeURIComponent(escapes);
    } catch {
      // Escapes that are not UTF-8 stay encoded, because no pattern matches such bytes.
      return escapes;
    }
  });
}

/**
 * Replaces a base64 run with `****` when it decodes to text that contains a secret:
 * a credential any plain pattern masks, a PEM private key, or `user:password`.
 * Runs that decode to binary data (commit hashes, digests) or to ordinary text stay.
 */
export function maskBase64(text: string, maskPlain: PlainMasker): string {
  return text.replace(BASE64_RUN, (run) => (decodesToSecret(run, maskPlain, 0) ? MASK : run));
}

/** Base64 inside base64, as in a Docker config's `auth`, is looked into this deep. */
const MAX_NESTING = 2;

function decodesToSecret(run: string, maskPlain: PlainMasker, depth: number): boolean {
  if (run.length > MAX_DECODED_RUN) return false;
  const decoded = decodeBase64(run);
  if (decoded === undefined || decoded.length < 6 || BINARY.test(decoded)) return false;
  if (USER_PASSWORD.test(decoded) || maskPlain(decoded) !== decoded) return true;
  if (depth + 1 >= MAX_NESTING) return false;
  for (const inner of decoded.match(BASE64_RUN) ?? []) {
    if (decodesToSecret(inner, maskPlain, depth + 1)) return true;
  }
  return false;
}

/** Decodes standard or URL-safe base64, or returns undefined when the run mixes both alphabets. */
function decodeBase64(run: string): string | undefined {
  const standard = /[+/]/.test(run);
  const urlSafe = /[-_]/.test(run);
  if (standard && urlSafe) return undefined;
  const body = run.replace(/=+$/, '');
  if (body.length % 4 === 1) return undefined;
  return Buffer.from(body, urlSafe ? 'base64url' : 'base64').toString('utf8');
}

/**
 * Masks every other appearance of secret values that key-based rules found, in
 * clear, base64, base64url and percent-encoded form. Values shorter than 8
 * characters or made of letters only are skipped, because masking every `true`
 * or `changeme` in a log would hide more than it protects.
 */
export function maskLearnedValues(text: string, learned: readonly string[]): string {
  const values = [...new Set(learned)]
    .filter((value) => value.length >= MIN_LEARNED_LENGTH && !/^[A-Za-z]+$/.test(value))
    .sort((a, b) => b.length - a.length || (a < b ? -1 : 1))
    .slice(0, MAX_LEARNED_VALUES);
  let out = text;
  for (const value of values) {
    for (const form of encodedForms(value)) out = out.split(form).join(MASK);
  }
  return out;
}

function encodedForms(value: string): string[] {
  const bytes = Buffer.from(value);
  const forms = [
    value,
    bytes.toString('base64'),
    bytes.toString('base64').replace(/=+$/, ''),
    bytes.toString('base64url'),
    encodeURIComponent(value),
  ];
  return [...new Set(forms)].filter((form) => form.length >= MIN_LEARNED_LENGTH);
}
