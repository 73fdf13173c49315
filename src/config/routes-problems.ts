import type { z } from 'zod';
import type { Document } from 'yaml';
import type { ConfigProblem } from './config-error.ts';
import { knownKeysAt } from './routes-schema.ts';
import { SLACK_CHANNEL_FIX } from './slack-channel.ts';
import { issueProblem, type IssueWording } from './schema-issues.ts';

/*
 * Turns YAML errors and zod issues about the routing file into problems that name the
 * path of the value and give the fix.
 */

const SELECTOR_FIX =
  'write a selector as for kubectl -l, such as "team=data,tier in (batch,etl)", ' +
  'or a map of labels such as { team: data }';

/** Fixes by the last key of a path. */
const FIXES: Record<string, string> = {
  defaultChannel: SLACK_CHANNEL_FIX,
  channel: SLACK_CHANNEL_FIX,
  notify:
    'use first-failure (post at the first failed attempt) or final-only ' +
    '(post once the Job has finished)',
  namespaces: 'list namespace names, such as [payments, billing]',
  labelSelector: SELECTOR_FIX,
  labels: SELECTOR_FIX,
  match: 'give namespaces, labelSelector or both',
  routes: 'give a list of routes, each with match and channel',
  exclude: 'give namespaces, labels or both',
  name: 'give the route a short name as a string',
};

const FORMAT_FIX = 'see docs/configuration.md for the format of the routing file';

/** Converts YAML syntax errors, each located by line and column. */
export function yamlProblems(document: Document): ConfigProblem[] {
  return document.errors.map((error) => {
    const position = error.linePos?.[0];
    const setting =
      position === undefined ? 'YAML' : `line ${position.line}, column ${position.col}`;
    // The yaml package appends " at line …" and a code excerpt; the position is kept apart.
    const reason = error.message.split(/ at line \d+/)[0] ?? error.message;
    return {
      setting,
      message: `The YAML at ${setting} is invalid: ${reason}`,
      fix: 'correct the YAML there: indent with spaces, not tabs, and quote values with ":" or "#"',
    };
  });
}

const WORDING: IssueWording = { fixes: FIXES, formatFix: FORMAT_FIX, knownKeysAt };

/** Converts schema issues, with the path of the offending value in front of each message. */
export function schemaProblems(issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  return issues.flatMap(flattenUnion).map((issue) => issueProblem(issue, WORDING));
}

/**
 * Replaces a union issue by the issues of the one branch that matched the value's type, so
 * that a selector string with a syntax error is reported as such and not as a type mismatch.
 */
function flattenUnion(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const informative = issue.errors.filter((branch) => !branch.every(isTypeMismatch));
  const [branch] = informative;
  if (branch === undefined || informative.length > 1) return [issue];
  return branch
    .map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }))
    .flatMap(flattenUnion);
}

function isTypeMismatch(issue: z.core.$ZodIssue): boolean {
  if (issue.path.length > 0) return false;
  if (issue.code === 'invalid_type') return true;
  if (issue.code !== 'invalid_union') return false;
  return issue.errors.every((branch) => branch.every(isTypeMismatch));
}

/**
 * Converts a parsed YAML document to plain data. The yaml package reports some mistakes
 * only here, such as an unquoted `*name` read as an alias to an anchor that does not
 * exist; those become a problem that names the file and says to quote the value.
 */
export function documentData(document: Document, settingName: string): { data: unknown } | { problems: ConfigProblem[] } {
  try {
    return { data: document.toJS() };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const alias = /alias/i.test(reason);
    return {
      problems: [
        {
          setting: settingName,
          message: `The YAML of ${settingName} cannot be read: ${reason}`,
          fix: alias
            ? 'a value that starts with * is read as a YAML alias: quote it, as in namespaces: ["*-reports"]'
            : 'correct the YAML: indent with spaces, not tabs, and quote values with ":", "#" or a leading "*"',
        },
      ],
    };
  }
}
