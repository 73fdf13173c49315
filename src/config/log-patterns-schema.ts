import { z } from 'zod';
import { CAUSE_IDS } from '../diagnose/types.ts';
import { compileLinear, isLinearTimeError, LINEAR_LIMITS, type LinearRegex } from './log-patterns-regex.ts';

/*
 * The zod schema of the log patterns file. Custom messages are predicates ("is …, which …")
 * because the caller puts the path of the value, with the entry's name, in front of them.
 */

/** Maximum length of a `pattern` source, in characters. */
export const MAX_PATTERN_CHARS = 500;
/** Maximum length of a `name`, in characters. */
export const MAX_NAME_CHARS = 100;
/** Maximum length of a `fix`, in characters. */
export const MAX_FIX_CHARS = 500;
/** Maximum number of entries in one file, because every entry runs on every decisive line. */
export const MAX_PATTERNS = 200;
/**
 * Flags a pattern may set. `g` and `y` are left out because they make a RegExp keep
 * `lastIndex` between calls, so one line's match would change the next line's, and `u`
 * and `v` because V8's linear-time engine cannot run them.
 */
export const PATTERN_FLAGS = ['i', 'm', 's'] as const;

const cause = z.enum(CAUSE_IDS).exclude(['unknown'], {
  error: (issue) => {
    const detail = issue.input === 'unknown' ? 'which is not allowed' : 'which is not a cause id';
    return `is ${JSON.stringify(issue.input)}, ${detail}`;
  },
});

/** The causes a pattern may name: every cause id but `unknown`. */
export const PATTERN_CAUSES = cause.options;

/** Lines a pattern is tried on at load time: it must not match empty text on any of them. */
const EMPTY_MATCH_PROBES = ['', ' ', 'x', 'ERROR: job 1 failed'];

function reject(ctx: z.core.ParsePayload, message: string, path?: PropertyKey[]): void {
  ctx.issues.push({ code: 'custom', input: ctx.value, message, ...(path ? { path } : {}) });
}

function shown(value: string): string {
  return JSON.stringify(value);
}

const name = z.string().check((ctx) => {
  const value = ctx.value;
  if (value.trim() === '') reject(ctx, 'is empty: give the pattern a name');
  else if (value.length > MAX_NAME_CHARS) {
    reject(ctx, `is ${value.length} characters long, more than the ${MAX_NAME_CHARS} allowed`);
  } else if (/[\r\n]/.test(value)) reject(ctx, `is ${shown(value)}, which spans several lines`);
});

const pattern = z.string().check((ctx) => {
  const value = ctx.value;
  if (value === '') reject(ctx, 'is empty, so it would match every line');
  else if (value.length > MAX_PATTERN_CHARS) {
    reject(ctx, `is ${value.length} characters long, more than the ${MAX_PATTERN_CHARS} allowed`);
  }
});

const flags = z.string().check((ctx) => {
  const value = ctx.value;
  const unknown = [...value].filter((flag) => !(PATTERN_FLAGS as readonly string[]).includes(flag));
  if (unknown.length > 0) {
    const list = [...new Set(unknown)].join(', ');
    reject(ctx, `is ${shown(value)}, which contains ${list}: only ${PATTERN_FLAGS.join(', ')} are allowed`);
  } else if (new Set(value).size !== value.length) {
    reject(ctx, `is ${shown(value)}, which repeats a flag`);
  }
});

const fix = z.string().check((ctx) => {
  const value = ctx.value;
  if (value.trim() === '') reject(ctx, 'is empty: leave it out or write the next step');
  else if (value.length > MAX_FIX_CHARS) {
    reject(ctx, `is ${value.length} characters long, more than the ${MAX_FIX_CHARS} allowed`);
  }
});

/**
 * Compiles a pattern for V8's linear-time engine, or returns why it cannot be used. It is
 * rejected when its syntax is invalid or it uses a feature that engine cannot run (see
 * `LINEAR_LIMITS`). It is also rejected when it can match empty text, because it would then
 * match lines that do not contain what it names.
 */
export function compilePattern(source: string, flagText = ''): LinearRegex | string {
  const invalid = syntaxProblem(source, flagText);
  if (invalid !== undefined) return invalid;
  let compiled: LinearRegex;
  try {
    compiled = compileLinear(source, flagText);
  } catch (err) {
    if (!isLinearTimeError(err)) throw err;
    return `is ${shown(source)}, which cannot run in linear time: ${LINEAR_LIMITS}`;
  }
  for (const probe of EMPTY_MATCH_PROBES) {
    const found = compiled.regex.exec(probe);
    if (found !== null && found[0] === '') {
      return `is ${shown(source)}, which matches an empty string, so it would match lines without the text it names`;
    }
  }
  return compiled;
}

/** Checks the syntax with the usual engine first, because its messages name the mistake. */
function syntaxProblem(source: string, flagText: string): string | undefined {
  try {
    new RegExp(source, flagText);
    return undefined;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    // V8 repeats the pattern in its message ("Invalid regular expression: /(/: …").
    const short = reason.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    return `is ${shown(source)}, which is not a valid regular expression: ${short}`;
  }
}

/** True when the entry's pattern and flags passed their own checks, so they can be compiled. */
function compilable(value: unknown): value is { pattern: string; flags?: string } {
  if (typeof value !== 'object' || value === null) return false;
  const { pattern: source, flags: flagText } = value as { pattern?: unknown; flags?: unknown };
  if (typeof source !== 'string' || !pattern.safeParse(source).success) return false;
  return flagText === undefined || flags.safeParse(flagText).success;
}

function nameOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const found = (value as { name?: unknown }).name;
  return typeof found === 'string' ? found : undefined;
}

// Both refinements run even when other keys of the entry or other entries are invalid
// (`when`), so that one load reports every problem of the file.
const entry = z
  .strictObject({
    name,
    pattern,
    cause,
    flags: flags.optional(),
    fix: fix.optional(),
  })
  .superRefine(
    (value: unknown, ctx) => {
      if (!compilable(value)) return;
      const compiled = compilePattern(value.pattern, value.flags);
      if (typeof compiled === 'string') ctx.addIssue({ code: 'custom', message: compiled, path: ['pattern'] });
    },
    { when: (payload) => compilable(payload.value) },
  );

const patternList = z
  .array(entry)
  .max(MAX_PATTERNS, {
    error: (issue) =>
      `has ${Array.isArray(issue.input) ? issue.input.length : 'too many'} entries, ` +
      `more than the ${MAX_PATTERNS} allowed`,
  })
  .superRefine(
    (list: unknown, ctx) => {
      if (!Array.isArray(list)) return;
      const firstIndex = new Map<string, number>();
      list.forEach((item: unknown, index) => {
        const itemName = nameOf(item);
        if (itemName === undefined) return;
        const earlier = firstIndex.get(itemName);
        if (earlier === undefined) firstIndex.set(itemName, index);
        else {
          const message = `is ${shown(itemName)}, which patterns[${earlier}] also uses`;
          ctx.addIssue({ code: 'custom', message, path: [index, 'name'] });
        }
      });
    },
    { when: (payload) => Array.isArray(payload.value) },
  );

/** The log patterns file as written; the top level may be empty. */
export const logPatternsFileSchema = z
  .strictObject({
    patterns: patternList.optional(),
  })
  .nullable();

export type LogPatternsFile = z.output<typeof logPatternsFileSchema>;

/** Lists the keys allowed at a path of the file, for messages about unknown keys. */
export function knownLogPatternKeysAt(path: readonly PropertyKey[]): readonly string[] {
  if (path.length === 0) return ['patterns'];
  if (path[0] === 'patterns' && path.length === 2) return ['name', 'pattern', 'cause', 'flags', 'fix'];
  return [];
}
