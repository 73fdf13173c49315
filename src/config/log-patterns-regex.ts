import { setFlagsFromString } from 'node:v8';

// With this V8 flag, a RegExp built with the `l` flag runs on V8's linear-time engine, an
// automaton that never backtracks, so `(a+)+$` on a long line costs time in proportion to
// the line. The `l` flag is a SyntaxError until the flag is on, so this runs at import,
// before any pattern is compiled. Checked on Node 24.21 (V8 13.6).
setFlagsFromString('--enable-experimental-regexp-engine');

/**
 * Maximum count in a `{n}`, `{n,}` or `{n,m}` repeat: V8 13.6's linear-time engine unrolls
 * counted repeats and rejects counts above 16.
 */
export const MAX_LINEAR_REPEAT = 16;

/** The features the linear-time engine cannot run, as a clause for error messages. */
export const LINEAR_LIMITS =
  'backreferences (\\1, \\k<name>), lookahead ((?= and (?!), inline modifiers such as ' +
  `(?i:) and counted repeats above {${MAX_LINEAR_REPEAT}} are not allowed`;

/** A pattern compiled for the linear-time engine. */
export interface LinearRegex {
  /** Built with the `l` flag; from the lowercased source when `ignoreCase` is set. */
  regex: RegExp;
  /** True when the pattern asked for `i`: the line must be lowercased before `regex` runs. */
  ignoreCase: boolean;
}

/**
 * Compiles `source` for V8's linear-time engine. The engine has no `i` flag, so a pattern
 * with `i` is lowercased (all but escaped characters) and runs on the lowercased line.
 *
 * @throws SyntaxError from V8 when the source is invalid or uses a feature in
 *   {@link LINEAR_LIMITS}; {@link isLinearTimeError} detects the second case.
 */
export function compileLinear(source: string, flagText = ''): LinearRegex {
  const ignoreCase = flagText.includes('i');
  const flags = flagText.replace('i', '');
  const text = ignoreCase ? lowercaseSource(source) : source;
  return { regex: new RegExp(text, `${flags}l`), ignoreCase };
}

/** True when V8 rejected a valid pattern because it cannot run it in linear time. */
export function isLinearTimeError(err: unknown): boolean {
  return err instanceof SyntaxError && err.message.endsWith('Cannot be executed in linear time');
}

/**
 * Lowercases every character of a pattern source except the one after a backslash, so
 * escapes such as `\W`, `\D` and `\B` keep their meaning. Hex digits after `\x` and `\u`
 * mean the same in either case.
 */
export function lowercaseSource(source: string): string {
  let result = '';
  for (let i = 0; i < source.length; i++) {
    const char = source.charAt(i);
    if (char === '\\' && i + 1 < source.length) {
      result += char + source.charAt(i + 1);
      i += 1;
    } else {
      result += char.toLowerCase();
    }
  }
  return result;
}
