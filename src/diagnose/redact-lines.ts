/**
 * Secrets that span lines: a YAML secret key whose value sits on the next lines,
 * the values of a Kubernetes Secret's `data` and `stringData`, and a long token
 * that a logger or terminal wrapped over several lines.
 */
import { MASK, maskPatterns } from './redact-patterns.ts';

const SECRET_WORD = /(?:password|passwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?)["']?$/i;
/** `password:` or `password: |` with its value on the following, more indented lines. */
const KEY_LINE = /^([ \t]*)(?:-[ \t]+)?["']?([A-Za-z0-9_.-]{1,128})["']?[ \t]*:[ \t]*(?:[|>][-+0-9]*)?[ \t]*$/;
const YAML_CHILD = /^([ \t]*["']?[^\s:"']{1,253}["']?[ \t]*:[ \t]+)(\S.*)$/;
const SECRET_KIND = /^[ \t]*kind:[ \t]*Secret[ \t]*$|"kind"\s*:\s*"Secret"/m;
const DATA_KEY = /^[ \t]*(?:data|stringData):[ \t]*$/;
const JSON_DATA_OBJECT = /("(?:data|stringData)"\s*:\s*\{)([^{}]{0,1048576})(\})/g;
const JSON_STRING_VALUE = /("\s*:\s*")((?:[^"\\]|\\.)*)(")/g;
/** A line that can only be a piece of a wrapped token: no spaces, token characters, 16 or more. */
const TOKEN_PIECE = /^([ \t]*)([A-Za-z0-9+/._~-]{16,}={0,2})[ \t]*$/;
const PEM_END = /^[ \t]*-----END [A-Z0-9 ]{0,32}PRIVATE KEY-----[ \t]*$/;
const PEM_BODY = /^[ \t]*[A-Za-z0-9+/]{16,}={0,2}[ \t]*$/;
const TRAILING_TOKEN = /(?<![A-Za-z0-9+/=._~-])[A-Za-z0-9+/=._~-]{8,}$/;

/** Masks values that start on the line after their key, and the data of Secret manifests. */
export function maskMultilineValues(text: string): string {
  if (!text.includes('\n')) return text;
  const lines = text.split('\n');
  maskValuesBelowKeys(lines, SECRET_KIND.test(text));
  maskWrappedTokens(lines);
  const out = maskHeadlessKeyBodies(lines).join('\n');
  return SECRET_KIND.test(out) ? out.replace(JSON_DATA_OBJECT, maskJsonData) : out;
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** Masks the more indented lines below a secret key, and the children of a Secret's data keys. */
function maskValuesBelowKeys(lines: string[], secretManifest: boolean): void {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const key = KEY_LINE.exec(line);
    const isData = secretManifest && DATA_KEY.test(line);
    if (!isData && !(key && SECRET_WORD.test(key[2] ?? ''))) continue;
    const indent = indentOf(line);
    let j = i + 1;
    for (; j < lines.length; j++) {
      const next = lines[j] ?? '';
      if (next.trim() === '') continue;
      if (indentOf(next) <= indent) break;
      lines[j] = isData ? maskChildValue(next) : `${next.slice(0, indentOf(next))}${MASK}`;
    }
    i = j - 1;
  }
}

function maskChildValue(line: string): string {
  const child = YAML_CHILD.exec(line);
  return child ? `${child[1] ?? ''}${MASK}` : line;
}

/**
 * Masks lines that continue a token across a line break: the lines below a masked
 * value, and the lines that complete a token which only the joined text shows.
 */
function maskWrappedTokens(lines: string[]): void {
  for (let i = 0; i < lines.length - 1; i++) {
    if (!TOKEN_PIECE.test(lines[i + 1] ?? '') || !looksRandom(lines[i + 1] ?? '')) continue;
    let end = i + 1;
    while (end + 1 < lines.length && TOKEN_PIECE.test(lines[end + 1] ?? '')) end++;
    const lead = lines[i] ?? '';
    const pieces = lines.slice(i + 1, end + 1).map((piece) => piece.trim());
    // A masked value that a quote closes was whole, so only a bare one can go on below.
    if (lead.trimEnd().endsWith(MASK)) {
      maskPieces(lines, i + 1, end);
    } else {
      const tail = TRAILING_TOKEN.exec(lead)?.[0];
      if (tail !== undefined) {
        const joined = maskPatterns(tail + pieces.join('')).text;
        if (joined !== tail + pieces.join('')) {
          lines[i] = lead.slice(0, lead.length - tail.length) + joined.slice(0, joined.indexOf(MASK) + MASK.length);
          maskPieces(lines, i + 1, end);
        }
      }
    }
    i = end;
  }
}

/**
 * Replaces the key lines above a private key's END line with one `****` line when
 * its BEGIN line is missing, as in the end of a log that was read without its middle.
 */
function maskHeadlessKeyBodies(lines: string[]): string[] {
  if (!lines.some((line) => PEM_END.test(line))) return lines;
  const out: string[] = [];
  for (const line of lines) {
    if (PEM_END.test(line)) {
      let start = out.length;
      while (start > 0 && PEM_BODY.test(out[start - 1] ?? '')) start--;
      if (start < out.length) out.splice(start, out.length - start, MASK);
    }
    out.push(line);
  }
  return out;
}

function maskPieces(lines: string[], from: number, to: number): void {
  for (let k = from; k <= to; k++) {
    const line = lines[k] ?? '';
    lines[k] = `${line.slice(0, indentOf(line))}${MASK}`;
  }
}

/** True for text with a digit and a letter, as tokens have and wrapped prose rarely does. */
function looksRandom(line: string): boolean {
  return /[0-9]/.test(line) && /[A-Za-z]/.test(line);
}

function maskJsonData(_m: string, open: string, body: string, close: string): string {
  return `${open}${body.replace(JSON_STRING_VALUE, (_v, head: string, _value: string, tail: string) => `${head}${MASK}${tail}`)}${close}`;
}
