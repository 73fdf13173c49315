import type { z } from 'zod';
import type { ConfigProblem } from './config-error.ts';

/** The per-file parts of the messages for one settings file's schema issues. */
export interface IssueWording {
  /** Fixes by the last string key of an issue's path. */
  fixes: Readonly<Record<string, string>>;
  /** The fix for a path whose last key has no entry in `fixes`. */
  formatFix: string;
  /** The keys the schema allows at a path, listed in the fix for an unknown key. */
  knownKeysAt: (path: readonly PropertyKey[]) => readonly string[];
  /** Formats a non-empty path as the setting's name. Defaults to {@link formatPath}. */
  formatSetting?: (path: readonly PropertyKey[]) => string;
}

/** Formats a zod path as it would be written in code: `routes[2].match.labelSelector`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    const key = String(part);
    if (typeof part === 'number') text += `[${part}]`;
    else if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) text += `[${JSON.stringify(key)}]`;
    else text += text === '' ? key : `.${key}`;
  }
  return text;
}

/**
 * Converts one schema issue into a problem whose message starts with the path of the
 * offending value and whose fix comes from `wording`.
 */
export function issueProblem(issue: z.core.$ZodIssue, wording: IssueWording): ConfigProblem {
  const formatSetting = wording.formatSetting ?? formatPath;
  const setting = issue.path.length === 0 ? 'top level' : formatSetting(issue.path);
  const subject = issue.path.length === 0 ? 'The top level' : setting;
  if (issue.code === 'unrecognized_keys') return unknownKeys(issue, setting, subject, wording);
  const lastKey = [...issue.path].reverse().find((part) => typeof part === 'string');
  const fix = (lastKey === undefined ? undefined : wording.fixes[lastKey]) ?? wording.formatFix;
  return { setting, message: `${subject} ${predicate(issue)}`, fix };
}

function unknownKeys(
  issue: z.core.$ZodIssueUnrecognizedKeys,
  setting: string,
  subject: string,
  wording: IssueWording,
): ConfigProblem {
  const keys = issue.keys.map((key) => JSON.stringify(key)).join(', ');
  const noun = issue.keys.length === 1 ? 'key' : 'keys';
  const known = wording.knownKeysAt(issue.path);
  return {
    setting,
    message: `${subject} has the unknown ${noun} ${keys}`,
    fix: `remove it or correct the spelling; the keys allowed here are ${known.join(', ')}`,
  };
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  array: 'a list',
  object: 'a mapping of keys to values',
  record: 'a mapping of keys to values',
  string: 'a string',
  number: 'a number',
};

/** Describes the issue in the words that follow the path in a message. */
function predicate(issue: z.core.$ZodIssue): string {
  // Messages written by the schemas are predicates already, but zod's own start with "Invalid".
  if (issue.code !== 'invalid_type' || /^(is|must) /.test(issue.message)) return issue.message;
  if (issue.input === undefined) return 'is missing';
  return `must be ${TYPE_NAMES[issue.expected] ?? `a ${issue.expected}`}`;
}
