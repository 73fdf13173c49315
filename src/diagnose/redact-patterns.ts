/**
 * Credential shapes that can be recognized within one stretch of text: token
 * formats, authorization headers, URL passwords and assignments to keys whose
 * name says password, secret, token or key.
 *
 * Every pattern starts its matches at a literal, at the start of a line, or after
 * a lookbehind that rules out starting inside a run of the same characters. Open
 * prefixes are bounded. So the work stays linear in the length of the text, also
 * for a single line of several megabytes.
 */

/** The text that replaces a secret value. */
export const MASK = '****';

/** Key names that end in a secret word: `DB_PASSWORD`, `aws_secret_access_key`, `apiKey`. */
const SECRET_KEY =
  '[A-Za-z0-9_.-]{0,64}?(?:password|passwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?)';
/** Starts a key at the beginning of a name, never inside one, which keeps the scan linear. */
const KEY_START = '(?<![A-Za-z0-9_.-])';

/** Token shapes whose prefix is kept so that a reader still sees what kind of credential leaked. */
const PREFIXED_TOKENS: RegExp[] = [
  /(?<![A-Za-z0-9-])(xox[abposr]-)[A-Za-z0-9-]{8,}/g,
  /(?<![A-Za-z0-9-])(xapp-)[A-Za-z0-9-]{8,}/g,
  /(?<![A-Za-z0-9_])(gh[pousr]_)[A-Za-z0-9]{20,}/g,
  /(?<![A-Za-z0-9_])(github_pat_)[A-Za-z0-9_]{20,}/g,
  /\b(AKIA|ASIA)[A-Z0-9]{16}\b/g,
  /(?<![A-Za-z0-9_-])(AIza)[0-9A-Za-z_-]{35}/g,
  /(?<![A-Za-z0-9_-])(eyJ)[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
];

// Either a scheme follows ("Authorization: Bearer x"), or the header starts its own line, so that
// prose such as "may require authorization: authorization failed" stays as it is.
const AUTH_HEADER =
  /\b((?:proxy-)?authorization\s*[:=]\s*"?)(bearer|basic|token|digest|negotiate|aws4-hmac-sha256)(\s+)[^\s"',;]+/gi;
const AUTH_HEADER_LINE =
  /^([ \t]*(?:proxy-)?authorization[ \t]*:[ \t]*)((?:bearer|basic|token|digest|negotiate)[ \t]+)?\S.*$/gim;
const BEARER = /\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
const SECRET_HEADER =
  /\b((?:x-api-key|api-key|x-auth-token|x-amz-security-token|cookie|set-cookie)\s*:\s*)[^\r\n]+/gi;
/** A header quoted as a JSON or Python dict entry: `"Authorization": "Basic dXNlcjpwYXNz"`. */
const QUOTED_HEADER =
  /(\\*["'])((?:proxy-)?authorization|x-api-key|api-key|x-auth-token|x-amz-security-token|cookie|set-cookie)(\\*["']\s*:\s*\\*["'])((?:bearer|basic|token|digest|negotiate)\s+)?[^"'\\]+/gi;
// The user part may be empty, as in `redis://:password@host`.
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]{0,30}:\/\/)([^/\s:@]*):([^@\s/]+)@/gi;

const KEY_ASSIGNMENT = new RegExp(`${KEY_START}(${SECRET_KEY})(\\s*=\\s*)([^\\s&"',;]+)`, 'gi');
/** `"password": "…"` and `'password': '…'`, as JSON and Python reprs write them. */
const QUOTED_ASSIGNMENTS: RegExp[] = [
  new RegExp(`("${SECRET_KEY}"\\s*:\\s*")((?:[^"\\\\]|\\\\.)+)(")`, 'gi'),
  new RegExp(`('${SECRET_KEY}'\\s*:\\s*')((?:[^'\\\\]|\\\\.)+)(')`, 'gi'),
  // JSON inside a JSON string: `"{\"password\":\"hunter2\"}"`, at any depth.
  new RegExp(`(\\\\+"${SECRET_KEY}\\\\+"\\s*:\\s*\\\\+")([^"\\\\]+)(\\\\+")`, 'gi'),
];
/**
 * A YAML key at the start of a line with a one-word or quoted value: `  password: hunter2`,
 * `- api_key: "x y"`. A value of several unquoted words is prose, as in
 * `password: must be at least 12 characters`, and stays.
 */
const LINE_KEY_VALUE = new RegExp(
  `^([ \\t]*(?:-[ \\t]+)?["']?${SECRET_KEY}["']?[ \\t]*:[ \\t]+)(?![|>][-+0-9]*[ \\t]*$)("[^"\\r\\n]*"|'[^'\\r\\n]*'|[^\\s"']+)(?=[ \\t]*$)`,
  'gim',
);
/** Pod spec env entries: `{"name":"DB_PASSWORD","value":"…"}` in JSON and `name:`/`value:` in YAML. */
const ENV_ENTRY_JSON = new RegExp(
  `("name"\\s*:\\s*"${SECRET_KEY}[A-Za-z0-9_]{0,64}"\\s*,\\s*"value"\\s*:\\s*")((?:[^"\\\\]|\\\\.)+)(")`,
  'gi',
);
const ENV_ENTRY_YAML = new RegExp(
  `^([ \\t]*(?:-[ \\t]*)?name:[ \\t]*["']?${SECRET_KEY}[A-Za-z0-9_]{0,64}["']?[ \\t]*\\r?\\n[ \\t]*value:[ \\t]*["']?)([^\\s"']+)`,
  'gim',
);
/**
 * An env dump line (`printenv`, `env`, `export -p`) whose variable name says secret,
 * token, password, passphrase, credential, private or key. Upper-case names only,
 * because that is how environment variables are written and prose is not. `PWD` is
 * left out on purpose: every shell exports it as the working directory.
 */
const ENV_DUMP_LINE =
  /^([ \t]*(?:export[ \t]+|declare -x[ \t]+)?[A-Z_][A-Z0-9_]{0,64}?(?:KEY|SECRET|TOKEN|PASSWORD|PASSWD|PASSPHRASE|CREDENTIALS?|PRIVATE|DSN)[A-Z0-9_]{0,64}=["']?)([^\r\n"']+)/gm;

/** A text with its secrets masked, and the secret values that were recognized. */
export interface MaskResult {
  text: string;
  /** Values masked by key-based rules, so that their other appearances can be masked too. */
  learned: string[];
}

/**
 * Masks the credentials that one pass of patterns recognizes. Token prefixes,
 * header names, URL users and hosts and key names stay, so `token=****` still
 * shows what leaked. Values of secret keys are returned in `learned`.
 */
export function maskPatterns(text: string): MaskResult {
  const learned: string[] = [];
  const learn = (value: string): void => {
    if (value !== MASK && !value.startsWith(MASK)) learned.push(value);
  };
  let out = text;
  for (const pattern of PREFIXED_TOKENS) {
    out = out.replace(pattern, (_m, prefix: string) => `${prefix}${MASK}`);
  }
  out = out
    .replace(AUTH_HEADER, (_m, head: string, scheme: string, space: string) => `${head}${scheme}${space}${MASK}`)
    .replace(AUTH_HEADER_LINE, (_m, head: string, scheme: string | undefined) => `${head}${scheme ?? ''}${MASK}`)
    .replace(QUOTED_HEADER, (_m, open: string, name: string, middle: string, scheme: string | undefined) =>
      `${open}${name}${middle}${scheme ?? ''}${MASK}`,
    )
    .replace(BEARER, (_m, scheme: string) => `${scheme} ${MASK}`)
    .replace(SECRET_HEADER, (_m, head: string) => `${head}${MASK}`)
    .replace(URL_PASSWORD, (_m, scheme: string, user: string, password: string) => {
      learn(password);
      return `${scheme}${user}:${MASK}@`;
    });
  // `replace` passes the match offset after the groups, so a pattern without a third group
  // hands a number where the tail would be.
  const maskValue = (_m: string, head: string, value: string, tail: unknown): string => {
    learn(value.replace(/^["']|["']$/g, ''));
    return `${head}${MASK}${typeof tail === 'string' ? tail : ''}`;
  };
  out = out
    .replace(ENV_DUMP_LINE, maskValue)
    .replace(ENV_ENTRY_JSON, maskValue)
    .replace(ENV_ENTRY_YAML, maskValue)
    .replace(LINE_KEY_VALUE, maskValue)
    .replace(KEY_ASSIGNMENT, (_m, key: string, eq: string, value: string) => maskValue('', `${key}${eq}`, value, undefined));
  for (const pattern of QUOTED_ASSIGNMENTS) out = out.replace(pattern, maskValue);
  return { text: out, learned };
}

/**
 * Masks the value of each `NAME=value`, `NAME: value` and `"NAME": "value"` for the
 * given variable names, and returns the values found.
 */
export function maskNamedValues(text: string, names: readonly string[]): MaskResult {
  const learned: string[] = [];
  let out = text;
  for (const name of names) {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const json = new RegExp(`("${escaped}"\\s*:\\s*")((?:[^"\\\\]|\\\\.)+)(")`, 'g');
    const assignment = new RegExp(`(?<![A-Za-z0-9_])(${escaped}\\s*[=:]\\s*"?)([^\\s"&,;]+)`, 'g');
    const mask = (_m: string, head: string, value: string, tail: unknown): string => {
      if (value !== MASK) learned.push(value);
      return `${head}${MASK}${typeof tail === 'string' ? tail : ''}`;
    };
    out = out.replace(json, mask).replace(assignment, mask);
  }
  return { text: out, learned };
}
