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
  /** Never global or sticky, so `test` and `exec` keep no state between lines. */
  regex: RegExp;
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
 * these lines, never over the whole log, bounds the text every pattern sees whatever the
 * log's size. The last line that any pattern matches wins, because later lines report what
 * ended the program, and on one line the pattern listed first in the file wins.
 *
 * NOTE: a pattern with nested repetition, such as `(a+)+`, can still backtrack for seconds
 * on one clipped line; the loader does not detect such patterns.
 */
export function matchUserPatterns(
  patterns: readonly UserLogPattern[],
  decisiveLines: readonly string[],
): UserPatternMatch | undefined {
  if (patterns.length === 0) return undefined;
  for (let i = decisiveLines.length - 1; i >= 0; i--) {
    const line = decisiveLines[i] ?? '';
    for (const pattern of patterns) {
      const found = pattern.regex.exec(line);
      if (found !== null) return { pattern, line, matched: found[0] };
    }
  }
  return undefined;
}
