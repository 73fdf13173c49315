import type { z } from 'zod';
import type { ConfigProblem } from './config-error.ts';
import {
  knownLogPatternKeysAt,
  MAX_FIX_CHARS,
  MAX_PATTERN_CHARS,
  PATTERN_CAUSES,
} from './log-patterns-schema.ts';
import { MAX_LINEAR_REPEAT } from './log-patterns-regex.ts';
import { formatPath, issueProblem, type IssueWording } from './schema-issues.ts';

/** Fixes by the last key of a path. */
const FIXES: Record<string, string> = {
  patterns: 'give a list of patterns, each with name, pattern and cause',
  name: 'give each pattern a short name of its own, such as license-expired',
  pattern:
    'write a JavaScript regular expression source of at most ' +
    `${MAX_PATTERN_CHARS} characters without the enclosing slashes, such as ` +
    '"ERR_LICENSE_EXPIRED|license .* expired"; escape ( ) [ ] { } . * + ? | ^ $ \\ with a ' +
    'backslash to match them as text; leave out backreferences and lookahead, and write ' +
    `repeats above {${MAX_LINEAR_REPEAT}} as + or *`,
  flags:
    'use any of i (ignore case), m (^ and $ match at line breaks) and s (. matches line ' +
    'breaks), each at most once, or leave flags out',
  cause: `use one of ${PATTERN_CAUSES.join(', ')} (see docs/causes.md)`,
  fix: `write the next step as one sentence of at most ${MAX_FIX_CHARS} characters, or leave fix out`,
};

const FORMAT_FIX =
  'start the file with "patterns:" and list the entries under it; see docs/configuration.md';

/**
 * Converts schema issues about the log patterns file into problems. Each names the path of
 * the value with the entry's name, such as `patterns[2] (license-expired).pattern`, because
 * operators know their patterns by name. `data` is the file as parsed, to look names up.
 */
export function logPatternProblems(
  issues: readonly z.core.$ZodIssue[],
  data: unknown,
): ConfigProblem[] {
  const wording: IssueWording = {
    fixes: FIXES,
    formatFix: FORMAT_FIX,
    knownKeysAt: knownLogPatternKeysAt,
    formatSetting: (path) => namedPath(path, data),
  };
  return issues.map((issue) => issueProblem(issue, wording));
}

/** Formats a path, with the entry's name after `patterns[i]` when the entry has one. */
function namedPath(path: readonly PropertyKey[], data: unknown): string {
  const [first, index, ...rest] = path;
  const text = formatPath(path);
  if (first !== 'patterns' || typeof index !== 'number') return text;
  const name = entryName(data, index);
  if (name === undefined) return text;
  const tail = rest.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`));
  return `patterns[${index}] (${name})${tail.join('')}`;
}

function entryName(data: unknown, index: number): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const list = (data as { patterns?: unknown }).patterns;
  if (!Array.isArray(list)) return undefined;
  const entry: unknown = list[index];
  if (typeof entry !== 'object' || entry === null) return undefined;
  const name = (entry as { name?: unknown }).name;
  return typeof name === 'string' && name.trim() !== '' ? name.slice(0, 60) : undefined;
}
