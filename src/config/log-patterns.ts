import { statSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { UserLogPattern } from '../diagnose/user-patterns.ts';
import { ConfigError } from './config-error.ts';
import { readConfigFile } from './config-file.ts';
import { logPatternProblems } from './log-patterns-problems.ts';
import { compilePattern, logPatternsFileSchema, type LogPatternsFile } from './log-patterns-schema.ts';
import { documentData, yamlProblems } from './routes-problems.ts';

/** The configured log patterns, loaded by {@link loadLogPatterns}. */
export interface LogPatterns {
  /** The file they came from, or undefined when none is configured. */
  file?: string;
  /** In file order, which decides between patterns that match the same line. */
  patterns: readonly UserLogPattern[];
}

/** Options of {@link loadLogPatterns}. */
export interface LoadLogPatternsOptions {
  /**
   * The setting that named the file, shown when it cannot be read. Default
   * `JOBWATCH_LOG_PATTERNS_FILE`; the command line passes its flag.
   */
  setting?: string;
}

/**
 * Loads the log patterns file, or returns no patterns when `file` is undefined.
 *
 * @throws ConfigError `CONFIG_LOG_PATTERNS_UNREADABLE` when the file is a folder or cannot be
 *   read, and `CONFIG_LOG_PATTERNS_INVALID` listing every YAML or schema problem.
 */
export function loadLogPatterns(
  file: string | undefined,
  options: LoadLogPatternsOptions = {},
): LogPatterns {
  if (file === undefined) return { patterns: [] };
  const setting = options.setting ?? 'JOBWATCH_LOG_PATTERNS_FILE';
  if (statSync(file, { throwIfNoEntry: false })?.isDirectory() === true) {
    const problem = {
      setting,
      message: `The log patterns file ${JSON.stringify(file)} is a folder, not a file`,
      fix: `set ${setting} to the path of a YAML file inside it, such as ${join(file, 'log-patterns.yaml')}`,
    };
    throw new ConfigError('CONFIG_LOG_PATTERNS_UNREADABLE', [problem], { file });
  }
  const text = readConfigFile(file, {
    setting,
    noun: 'log patterns file',
    code: 'CONFIG_LOG_PATTERNS_UNREADABLE',
  });
  return parseLogPatterns(text, file);
}

/**
 * Parses the text of a log patterns file; `source` names it in errors and in
 * {@link LogPatterns.file}.
 *
 * @throws ConfigError `CONFIG_LOG_PATTERNS_INVALID` listing every YAML or schema problem.
 */
export function parseLogPatterns(text: string, source: string): LogPatterns {
  const invalid = (problems: ConstructorParameters<typeof ConfigError>[1]) =>
    new ConfigError('CONFIG_LOG_PATTERNS_INVALID', problems, { file: source });
  const document = parseDocument(text);
  if (document.errors.length > 0) throw invalid(yamlProblems(document));
  const read = documentData(document, 'the log patterns file');
  if ('problems' in read) throw invalid(read.problems);
  const result = logPatternsFileSchema.safeParse(read.data, { reportInput: true });
  if (!result.success) throw invalid(logPatternProblems(result.error.issues, read.data));
  return { file: source, patterns: toPatterns(result.data) };
}

function toPatterns(parsed: LogPatternsFile): UserLogPattern[] {
  return (parsed?.patterns ?? []).map((entry) => {
    const compiled = compilePattern(entry.pattern, entry.flags);
    // The schema compiled every pattern already, so this throws only if the schema changes.
    if (typeof compiled === 'string') throw new Error(`patterns entry ${entry.name} ${compiled}`);
    return {
      name: entry.name,
      regex: compiled.regex,
      ...(compiled.ignoreCase ? { ignoreCase: true } : {}),
      written: `/${entry.pattern}/${entry.flags ?? ''}`,
      cause: entry.cause,
      ...(entry.fix === undefined ? {} : { fix: entry.fix }),
    };
  });
}
