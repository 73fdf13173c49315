import type { CauseId } from './types.ts';

/** A decisive log line that names a failure family. */
export interface LogMatch {
  cause: CauseId;
  /** Which kind of trouble within the family, such as `dns`, `refused`, `rbac`, `missing-env`. */
  kind: string;
  line: string;
  /** The matched words on that line, used to clip long lines around them. */
  matched: string[];
}

interface LogPattern {
  cause: CauseId;
  kind: string;
  pattern: RegExp;
}

// Listed from most to least specific: on one line, the first family that matches wins.
// The texts are the documented error forms of the runtimes and clients named beside them.
const PATTERNS: LogPattern[] = [
  // CPython when the script or module given on the command line does not exist.
  { cause: 'command-invalid', kind: 'script-missing', pattern: /can't open file '[^']*': \[Errno 2\] No such file or directory/ },
  { cause: 'command-invalid', kind: 'script-missing', pattern: /^[\w/.-]*python[\d.]*: No module named [\w.]+/ },
  // The java launcher.
  { cause: 'command-invalid', kind: 'script-missing', pattern: /Could not find or load main class|Unable to access jarfile/ },
  { cause: 'command-invalid', kind: 'script-missing', pattern: /^ruby: No such file or directory -- / },
  // POSIX shells: dash prints "sh: 1: x: not found", bash "x: command not found".
  { cause: 'command-invalid', kind: 'command-not-found', pattern: /: command not found$|^(\/[\w.-]+)*\/?(ba|da|z|a)?sh: (line \d+: |\d+: )?[^:]+: not found$/ },
  { cause: 'command-invalid', kind: 'command-not-found', pattern: /executable file not found in \$PATH|^exec [^:]+: no such file or directory/ },
  // The kernel refuses a binary built for another CPU architecture.
  { cause: 'image-invalid', kind: 'exec-format', pattern: /exec format error/ },
  { cause: 'config-missing', kind: 'missing-env', pattern: /\b(environment variable|env var(iable)?)s?\b[^.]{0,80}?\b(is not set|not set|is missing|missing|is required|required|must be set|undefined|is empty)\b/i },
  { cause: 'config-missing', kind: 'missing-env', pattern: /\b(missing|required) (environment variable|env var(iable)?|configuration (value|key)|config (value|key))/i },
  // Python's os.environ["NAME"] on an unset variable; upper-case names are the environment convention.
  { cause: 'config-missing', kind: 'missing-env', pattern: /KeyError: ['"][A-Z][A-Z0-9_]{2,}['"]$/ },
  { cause: 'config-missing', kind: 'missing-file', pattern: /\b(config(uration)?|settings)\b[^\n]{0,120}\b(no such file or directory|not found|does not exist)/i },
  { cause: 'config-missing', kind: 'missing-file', pattern: /(no such file or directory|not found|does not exist|FileNotFoundError)[^\n]{0,120}\.(ya?ml|json|toml|ini|conf|properties|env)\b/i },
  { cause: 'config-missing', kind: 'missing-object', pattern: /\b(configmaps?|secrets?) "[^"]+" not found/ },
  // Kubernetes RBAC denials as kubectl and client libraries print them.
  { cause: 'permission-denied', kind: 'rbac', pattern: /is forbidden: User "[^"]+" cannot [\w-]+ resource/ },
  { cause: 'permission-denied', kind: 'cloud-iam', pattern: /AccessDenied(Exception)?|Access Denied|InvalidAccessKeyId|SignatureDoesNotMatch|ExpiredToken|InvalidClientTokenId|AuthorizationFailed|AuthFailure/ },
  { cause: 'permission-denied', kind: 'http-403', pattern: /\b403 \(?Forbidden\)?|\bForbidden\b|\b(HTTP|status|code)[^\n]{0,12}\b403\b/ },
  { cause: 'permission-denied', kind: 'http-401', pattern: /\b401 \(?Unauthorized\)?|\bUnauthorized\b|\bUNAUTHENTICATED\b/ },
  { cause: 'permission-denied', kind: 'credentials', pattern: /password authentication failed for user|Access denied for user|authentication failed|invalid credentials|Login failed for user|NOAUTH|WRONGPASS|wrong password/i },
  { cause: 'permission-denied', kind: 'filesystem', pattern: /permission denied|EACCES|PermissionError|Operation not permitted|\bEPERM\b|Read-only file system|\bEROFS\b/i },
  { cause: 'dependency-unavailable', kind: 'refused', pattern: /connection refused|ECONNREFUSED|Connection to \S+ refused/i },
  { cause: 'dependency-unavailable', kind: 'dns', pattern: /no such host|Name or service not known|nodename nor servname|Temporary failure in name resolution|host or service not provided, or not known|could not translate host name|ENOTFOUND|EAI_AGAIN|UnknownHostException|server misbehaving/i },
  { cause: 'dependency-unavailable', kind: 'unreachable', pattern: /Can't reach database server|could not connect to server|Could not connect to|Unable to connect to|Can't connect to (local )?(MySQL|Redis)|Communications link failure|Lost connection to MySQL|Failed to establish a new connection|Max retries exceeded with url|ServerSelectionTimeoutError|server selection time(out|d out)|the database system is (starting up|shutting down)|too many connections|remaining connection slots/i },
  { cause: 'dependency-unavailable', kind: 'network', pattern: /no route to host|network is unreachable|EHOSTUNREACH|ENETUNREACH|connection reset by peer|ECONNRESET/i },
  { cause: 'dependency-unavailable', kind: 'timeout', pattern: /i\/o timeout|ETIMEDOUT|connection timed out|context deadline exceeded|SocketTimeoutException|ConnectTimeoutException|timeout expired/i },
  { cause: 'dependency-unavailable', kind: 'http-5xx', pattern: /\b502 Bad Gateway|\b503 Service Unavailable|\b504 Gateway Time-?out|Service Unavailable|\bUNAVAILABLE\b|\b(status|code)[ :=]+50[234]\b/i },
];

// Node.js prints `requireStack: []` when the missing module is the entry script itself.
const NODE_MAIN_MISSING = /Cannot find module '[^']+'/;
const NODE_EMPTY_REQUIRE_STACK = /requireStack: \[\s*\]/;

/**
 * Names the failure family of the decisive lines of a log, or undefined when
 * they show an ordinary application error. The last line that matches wins,
 * because later lines report what ended the program. `fullText` is read only
 * for facts that sit outside the decisive lines, such as Node.js's
 * `requireStack`.
 */
export function classifyLog(lines: string[], fullText = ''): LogMatch | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] ?? '';
    const match = classifyLine(line);
    if (match !== undefined) return match;
    if (NODE_MAIN_MISSING.test(line) && NODE_EMPTY_REQUIRE_STACK.test(fullText)) {
      return { cause: 'command-invalid', kind: 'script-missing', line, matched: matchedWords(line) };
    }
  }
  return undefined;
}

/** Classifies one line, or returns undefined when no family matches it. */
export function classifyLine(line: string): LogMatch | undefined {
  const hit = PATTERNS.find((p) => p.pattern.test(line));
  if (hit === undefined) return undefined;
  return { cause: hit.cause, kind: hit.kind, line, matched: matchedWords(line) };
}

function matchedWords(line: string): string[] {
  const words: string[] = [];
  for (const { pattern } of PATTERNS) {
    const found = pattern.exec(line);
    if (found !== null) words.push(found[0]);
  }
  return words;
}
