/** One invalid setting, with what is wrong and what to do about it. */
export interface ConfigProblem {
  /**
   * The setting at fault: an environment variable name (`JOBWATCH_ROLES`), a path in the
   * routing file (`routes[2].match.labelSelector`) or a file position (`line 4, column 7`).
   */
  setting: string;
  /** The fault, as a sentence that starts with the setting. Secrets are never quoted in it. */
  message: string;
  /** The change the operator should make. */
  fix: string;
}

/** Stable codes of {@link ConfigError}, for callers that branch on the kind of failure. */
export type ConfigErrorCode =
  /** One or more environment variables are invalid or contradict each other. */
  | 'CONFIG_ENV_INVALID'
  /** The routing file could not be read. */
  | 'CONFIG_ROUTES_UNREADABLE'
  /** The routing file is not valid YAML or does not follow the routing schema. */
  | 'CONFIG_ROUTES_INVALID'
  /** The action policy file could not be read. */
  | 'CONFIG_POLICY_UNREADABLE'
  /** The action policy file is not valid YAML or does not follow the policy schema. */
  | 'CONFIG_POLICY_INVALID'
  /** The log patterns file could not be read. */
  | 'CONFIG_LOG_PATTERNS_UNREADABLE'
  /** The log patterns file is not valid YAML, does not follow its schema, or has a bad pattern. */
  | 'CONFIG_LOG_PATTERNS_INVALID';

/**
 * A configuration that jobwatch cannot start with. It is permanent: retrying with the same
 * settings fails the same way, so the process should print {@link formatConfigError} and exit.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code: ConfigErrorCode;
  /** Every problem found, so the operator can fix them all in one pass. */
  readonly problems: readonly ConfigProblem[];
  /** The routing, policy or log patterns file the problems are in, for the file codes. */
  readonly file: string | undefined;

  constructor(
    code: ConfigErrorCode,
    problems: readonly ConfigProblem[],
    options: { file?: string; cause?: unknown } = {},
  ) {
    super(summarize(code, problems, options.file), { cause: options.cause });
    this.code = code;
    this.problems = problems;
    this.file = options.file;
  }
}

function summarize(
  code: ConfigErrorCode,
  problems: readonly ConfigProblem[],
  file: string | undefined,
): string {
  const where = code === 'CONFIG_ENV_INVALID' ? 'the environment' : describeFile(code, file);
  const first = problems[0];
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return first === undefined
    ? `invalid configuration in ${where}`
    : `${count} in ${where}; first: ${first.message}`;
}

function describeFile(code: ConfigErrorCode, file: string | undefined): string {
  let kind = 'routing file';
  if (code.startsWith('CONFIG_POLICY_')) kind = 'policy file';
  if (code.startsWith('CONFIG_LOG_PATTERNS_')) kind = 'log patterns file';
  return `${kind} ${file ?? ''}`;
}

/**
 * Problems in several settings files, raised when jobwatch reads every file before it
 * starts, so the operator can fix them all in one pass. `errors` contains one per file.
 */
export class AggregateConfigError extends AggregateError {
  override readonly name = 'AggregateConfigError';
  declare errors: ConfigError[];

  constructor(errors: ConfigError[]) {
    const total = errors.reduce((sum, err) => sum + err.problems.length, 0);
    super(errors, `${total} problems in ${errors.length} settings files`);
  }
}

/**
 * Throws the errors collected while reading the settings files: nothing when there are
 * none, the ConfigError itself when there is one, else an {@link AggregateConfigError}.
 */
export function throwConfigErrors(errors: readonly ConfigError[]): void {
  const [first] = errors;
  if (first === undefined) return;
  throw errors.length === 1 ? first : new AggregateConfigError([...errors]);
}

/**
 * Renders a {@link ConfigError} or {@link AggregateConfigError} for the terminal: a heading,
 * then each problem with its fix. Any other error is rendered as its message. `heading`
 * starts the first line; default `jobwatch cannot start`, while a command that does not
 * start jobwatch, such as `jobwatch diagnose`, passes its own name.
 */
export function formatConfigError(err: unknown, heading = 'jobwatch cannot start'): string {
  if (err instanceof AggregateConfigError) {
    const total = err.errors.reduce((sum, fileError) => sum + fileError.problems.length, 0);
    const lines = [`${heading}: ${total} problems in ${err.errors.length} settings files:`];
    for (const fileError of err.errors) lines.push(`in the ${where(fileError)}:`, ...problemLines(fileError));
    return lines.join('\n');
  }
  if (!(err instanceof ConfigError)) {
    return err instanceof Error ? err.message : String(err);
  }
  const count = err.problems.length === 1 ? '1 problem' : `${err.problems.length} problems`;
  return [`${heading}: ${count} in the ${where(err)}:`, ...problemLines(err)].join('\n');
}

function where(err: ConfigError): string {
  return err.code === 'CONFIG_ENV_INVALID' ? 'environment' : describeFile(err.code, err.file);
}

function problemLines(err: ConfigError): string[] {
  return err.problems.flatMap((problem) => [`  - ${problem.message}`, `    Fix: ${problem.fix}`]);
}
