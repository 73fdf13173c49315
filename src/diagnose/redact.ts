import type { V1Container, V1Pod, V1PodSpec } from '@kubernetes/client-node';

/** Facts about the text that its content does not show. */
export interface RedactContext {
  /** Names of environment variables filled from Secrets; their values are masked wherever they appear as `NAME=value` or `"NAME": "value"`. */
  secretEnvNames?: string[];
}

const MASK = '****';

/** CSI sequences (colours, cursor moves), OSC sequences (titles, links) and two-byte escapes. */
// eslint-disable-next-line no-control-regex -- matching terminal escapes is the point
const TERMINAL_ESCAPE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]/g;
// Every C0 control character except \t (0x09) and \n (0x0a), plus DEL.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\x00-\x08\x0b-\x1f\x7f]/g;

const PEM_PRIVATE_KEY =
  /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g;

/** Token shapes whose prefix is kept so that a reader still sees what kind of credential leaked. */
const PREFIXED_TOKENS: RegExp[] = [
  /\b(xox[abposr]-)[A-Za-z0-9-]{8,}/g,
  /\b(xapp-)[A-Za-z0-9-]{8,}/g,
  /\b(gh[pousr]_)[A-Za-z0-9]{20,}/g,
  /\b(github_pat_)[A-Za-z0-9_]{20,}/g,
  /\b(AKIA|ASIA)[A-Z0-9]{16}\b/g,
  /\b(AIza)[0-9A-Za-z_-]{35}/g,
  /\b(eyJ)[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
];

// Either a scheme follows ("Authorization: Bearer x"), or the header starts its own line, so that
// prose such as "may require authorization: authorization failed" stays as it is.
const AUTH_HEADER = /\b((?:proxy-)?authorization\s*[:=]\s*"?)(bearer|basic|token|digest|negotiate|aws4-hmac-sha256)(\s+)[^\s"',;]+/gi;
const AUTH_HEADER_LINE = /^(\s*(?:proxy-)?authorization\s*:\s*)((?:bearer|basic|token|digest|negotiate)\s+)?\S.*$/gim;
const BEARER = /\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
const SECRET_HEADER = /\b((?:x-api-key|api-key|x-auth-token|x-amz-security-token|cookie|set-cookie)\s*:\s*)[^\r\n]+/gi;
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]+):([^@\s/]+)@/gi;

/** Key names that end in a secret word: `DB_PASSWORD`, `aws_secret_access_key`, `apiKey`, `session_token`. */
const SECRET_KEY =
  '[A-Za-z0-9_.-]*(?:password|passwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?)';
const KEY_ASSIGNMENT = new RegExp(`\\b(${SECRET_KEY})(\\s*=\\s*)([^\\s&"',;]+)`, 'gi');
const JSON_ASSIGNMENT = new RegExp(`("${SECRET_KEY}"\\s*:\\s*")((?:[^"\\\\]|\\\\.)+)(")`, 'gi');

/**
 * Removes terminal escapes and control characters and masks credentials in
 * text that is about to leave the cluster (logs, event messages, summaries).
 *
 * It masks Slack, GitHub, AWS access key id, Google API key and JWT tokens,
 * and `Authorization:` header values. It masks `password=`, `token=`,
 * `secret=` and `api_key=` style assignments in env dumps, query strings and
 * JSON. URL passwords are masked but user and host stay
 * (`postgres://app:****@db:5432/app`). PEM private key blocks are masked
 * across lines, and so are the values of `secretEnvNames`.
 * Masked text keeps its shape (`token=****`), and masking twice changes nothing.
 */
export function redactText(text: string, context: RedactContext = {}): string {
  let out = text.replace(TERMINAL_ESCAPE, '').replace(CONTROL_CHARS, '');
  out = out.replace(PEM_PRIVATE_KEY, (_m, kind: string) =>
    `-----BEGIN ${kind}PRIVATE KEY-----\n${MASK}\n-----END ${kind}PRIVATE KEY-----`,
  );
  for (const pattern of PREFIXED_TOKENS) {
    out = out.replace(pattern, (_m, prefix: string) => `${prefix}${MASK}`);
  }
  out = out
    .replace(AUTH_HEADER, (_m, head: string, scheme: string, space: string) => `${head}${scheme}${space}${MASK}`)
    .replace(AUTH_HEADER_LINE, (_m, head: string, scheme: string | undefined) => `${head}${scheme ?? ''}${MASK}`)
    .replace(BEARER, (_m, scheme: string) => `${scheme} ${MASK}`)
    .replace(SECRET_HEADER, (_m, head: string) => `${head}${MASK}`)
    .replace(URL_PASSWORD, (_m, scheme: string, user: string) => `${scheme}${user}:${MASK}@`)
    .replace(KEY_ASSIGNMENT, (_m, key: string, eq: string) => `${key}${eq}${MASK}`)
    .replace(JSON_ASSIGNMENT, (_m, head: string, _v: string, tail: string) => `${head}${MASK}${tail}`);
  for (const name of context.secretEnvNames ?? []) {
    out = maskNamedValue(out, name);
  }
  return out;
}

function maskNamedValue(text: string, name: string): string {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const assignment = new RegExp(`(?<![A-Za-z0-9_])(${escaped}\\s*[=:]\\s*"?)([^\\s"&,;]+)`, 'g');
  const json = new RegExp(`("${escaped}"\\s*:\\s*")((?:[^"\\\\]|\\\\.)+)(")`, 'g');
  return text
    .replace(json, (_m, head: string, _v: string, tail: string) => `${head}${MASK}${tail}`)
    .replace(assignment, (_m, head: string) => `${head}${MASK}`);
}

/**
 * Lists the environment variable names that a pod fills from Secrets through
 * `env[].valueFrom.secretKeyRef`, in containers, init containers and
 * ephemeral containers, sorted and without duplicates.
 *
 * Variables brought in whole through `envFrom[].secretRef` are not listed:
 * their names live in the Secret, which jobwatch never reads, so their values
 * are masked only when they match one of the generic patterns of `redactText`.
 */
export function secretEnvNames(pod: V1Pod | V1PodSpec): string[] {
  const spec: V1PodSpec | undefined = 'containers' in pod ? pod : pod.spec;
  if (spec === undefined) return [];
  const containers: V1Container[] = [
    ...(spec.initContainers ?? []),
    ...spec.containers,
    ...((spec.ephemeralContainers ?? []) as V1Container[]),
  ];
  const names = new Set<string>();
  for (const container of containers) {
    for (const env of container.env ?? []) {
      if (env.valueFrom?.secretKeyRef !== undefined) names.add(env.name);
    }
  }
  return [...names].sort();
}
