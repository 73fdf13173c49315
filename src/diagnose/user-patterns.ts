import type { CauseId } from './types.ts';

/** A cause that a configured log pattern may name: any cause id but `unknown`. */
export type PatternCause = Exclude<CauseId, 'unknown'>;

/**
 * A log pattern from the operator's configuration (`JOBWATCH_LOG_PATTERNS_FILE`), compiled.
 * The loader in `src/config/log-patterns.ts` checks it before it gets here.
 */
export interface UserLogPattern {
  /** The entry's name, unique within the file; alerts name the pattern by it. */
  name: string;
  /**
   * Never global or sticky, so `test` and `exec` keep no state between lines. The loader
   * builds it with the `l` flag, so it runs in time linear in the line's length.
   */
  regex: RegExp;
  /**
   * True when `regex` was built from the lowercased source of a case-insensitive pattern,
   * because the linear-time engine has no `i` flag: it then runs on the lowercased line.
   * Default false.
   */
  ignoreCase?: boolean;
  /** The pattern as the file wrote it, such as `/license expired/i`, for evidence text. */
  written?: string;
  cause: PatternCause;
  /** The next step shown in the alert; a generic step applies when unset. */
  fix?: string;
}

/** A decisive log line that a configured pattern matched. */
export interface UserPatternMatch {
  pattern: UserLogPattern;
  /** The whole decisive line, as `readLog` clipped it. */
  line: string;
  /** The text the pattern matched on that line. */
  matched: string;
}

/**
 * Finds the configured pattern that explains a log, searching only `decisiveLines`: the few
 * lines `readLog` chose, each already clipped to its maximum length. Running patterns over
 * these lines, never over the whole log, bounds the text each pattern runs on whatever the
 * log's size. The last line that any pattern matches wins, because later lines report what
 * ended the program, and on one line the pattern listed first in the file wins.
 */
export function matchUserPatterns(
  patterns: readonly UserLogPattern[],
  decisiveLines: readonly string[],
): UserPatternMatch | undefined {
  if (patterns.length === 0) return undefined;
  for (let i = decisiveLines.length - 1; i >= 0; i--) {
    const line = decisiveLines[i] ?? '';
    for (const pattern of patterns) {
      const matched = execPattern(pattern, line);
      if (matched !== null) return { pattern, line, matched };
    }
  }
  return undefined;
}

/**
 * Runs one pattern on one line and returns the matched text, or null. For an `ignoreCase`
 * pattern the text is cut from the original line when lowercasing kept the line's length,
 * which it does for ASCII, so the evidence keeps the line's own case.
 */
function execPattern(pattern: UserLogPattern, line: string): string | null {
  if (pattern.ignoreCase !== true) return pattern.regex.exec(line)?.[0] ?? null;
  const lowered = line.toLowerCase();
  const found = pattern.regex.exec(lowered);
  if (found === null) return null;
  if (lowered.length !== line.length) return found[0];
  return line.slice(found.index, found.index + found[0].length);
}
