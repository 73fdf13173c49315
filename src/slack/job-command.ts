/**
 * The grammar of the `/job` slash command. Parsing is pure: it returns what to do, or an
 * error message in Slack mrkdwn that names the wrong value and shows the right form.
 */
import { parseDuration } from './job-command-duration.ts';
import {
  LIST_FILTERS,
  MAX_MUTE_MS,
  SUBCOMMANDS,
  usageOf,
  type ListFilter,
  type Subcommand,
} from './job-command-help.ts';
import {
  optionSpellings,
  splitOptions,
  tokenize,
  type GivenOption,
} from './job-command-options.ts';
import { checkKubeName, shownValue } from './kube-name.ts';
import { suggestNames } from './suggest-names.ts';

export { helpText, SUBCOMMANDS, type ListFilter, type Subcommand } from './job-command-help.ts';
export { suggestNames } from './suggest-names.ts';

/** A valid `/job` command. `namespace` is the one given, else the default, else absent. */
export type ParsedCommand =
  | {
      ok: true;
      subcommand: 'status' | 'why' | 'retry' | 'unmute';
      name: string;
      namespace?: string;
    }
  | { ok: true; subcommand: 'list'; filter: ListFilter; namespace?: string }
  | {
      ok: true;
      subcommand: 'logs';
      name: string;
      namespace?: string;
      /** Read the run before the last restart (`--previous`). */
      previous: boolean;
      container?: string;
    }
  | {
      ok: true;
      subcommand: 'mute';
      name: string;
      namespace?: string;
      /** Mute length in milliseconds, at most {@link MAX_MUTE_MS}. */
      durationMs: number;
      /** The duration as written, lowercased, such as `1h30m`. */
      duration: string;
    }
  | { ok: true; subcommand: 'help'; topic?: Subcommand };

/** Stable codes of the ways a command can be wrong. */
export type CommandErrorCode =
  | 'unknown-subcommand'
  | 'unknown-option'
  | 'missing-option-value'
  | 'unexpected-option-value'
  | 'option-not-allowed'
  | 'conflicting-options'
  | 'missing-argument'
  | 'unexpected-argument'
  | 'invalid-name'
  | 'invalid-namespace'
  | 'invalid-container'
  | 'invalid-filter'
  | 'invalid-duration'
  | 'duration-too-long';

/** A command that cannot run, with a message for the user in Slack mrkdwn. */
export interface CommandError {
  ok: false;
  code: CommandErrorCode;
  /** Sentence naming the failure and the escaped value, followed by the subcommand's usage. */
  message: string;
  /** The subcommand the error is about, when one was recognised. */
  subcommand?: Subcommand;
}

/** Settings of {@link parseJobCommand}. */
export interface JobCommandOptions {
  /** The slash command as configured, such as `/job`; every message uses it. */
  command: string;
  /** Namespace used when the command gives none; without it, `namespace` stays absent. */
  defaultNamespace?: string;
}

interface Context {
  command: string;
  subcommand?: Subcommand;
}

function fail(ctx: Context, code: CommandErrorCode, problem: string): CommandError {
  const help =
    ctx.subcommand === undefined
      ? `See \`${ctx.command} help\` for the subcommands.`
      : `Usage: ${usageOf(ctx.command, ctx.subcommand)}`;
  const error: CommandError = { ok: false, code, message: `${problem} ${help}` };
  if (ctx.subcommand !== undefined) error.subcommand = ctx.subcommand;
  return error;
}

function didYouMean(input: string, candidates: readonly string[]): string {
  const [best] = suggestNames(input, candidates, 1);
  return best === undefined ? '' : ` Did you mean \`${best}\`?`;
}

function isSubcommand(word: string): word is Subcommand {
  return (SUBCOMMANDS as readonly string[]).includes(word);
}

/**
 * Parses the text after the slash command. Empty text parses as `help`.
 *
 * @example parseJobCommand('logs report-1 --previous -n batch', { command: '/job' })
 *   returns `{ ok: true, subcommand: 'logs', name: 'report-1', namespace: 'batch', previous: true }`.
 */
export function parseJobCommand(
  text: string,
  options: JobCommandOptions,
): ParsedCommand | CommandError {
  const tokens = tokenize(text);
  const ctx: Context = { command: options.command };
  const known = tokens.map((t) => t.toLowerCase()).find(isSubcommand);
  if (known !== undefined) ctx.subcommand = known;

  const split = splitOptions(tokens);
  if (!split.ok) return optionError(ctx, split.problem, split.written);
  const [first, ...args] = split.positionals;
  if (first === undefined) return { ok: true, subcommand: 'help' };
  const word = first.toLowerCase();
  if (!isSubcommand(word)) return unknownSubcommand({ command: options.command }, first);
  ctx.subcommand = word;

  const misplaced = split.options.find((o) => o.name !== 'namespace' && word !== 'logs');
  if (misplaced !== undefined) {
    return fail(
      ctx,
      'option-not-allowed',
      `Option \`${misplaced.written}\` applies only to \`logs\`.`,
    );
  }
  const namespace = resolveNamespace(ctx, split.options, options.defaultNamespace);
  if (typeof namespace === 'object') return namespace;
  const scope = namespace === undefined ? {} : { namespace };
  return parseArguments(ctx, word, args, split.options, scope);
}

function optionError(ctx: Context, problem: string, written: string): CommandError {
  if (problem === 'missing-value')
    return fail(ctx, 'missing-option-value', `Option \`${written}\` needs a value.`);
  if (problem === 'unexpected-value') {
    return fail(ctx, 'unexpected-option-value', `Option \`${written}\` takes no value.`);
  }
  const hint = didYouMean(written, optionSpellings());
  return fail(ctx, 'unknown-option', `Unknown option ${shownValue(written)}.${hint}`);
}

function unknownSubcommand(ctx: Context, word: string): CommandError {
  const [best] = suggestNames(word, SUBCOMMANDS, 1);
  const shown = shownValue(word);
  if (best !== undefined && isSubcommand(best)) {
    const withUsage: Context = { ...ctx, subcommand: best };
    const error = fail(
      withUsage,
      'unknown-subcommand',
      `Unknown subcommand ${shown}. Did you mean \`${best}\`?`,
    );
    delete error.subcommand;
    return error;
  }
  const looksLikeJob = checkKubeName('job', word) === undefined;
  const hint = looksLikeJob ? ` To see that Job, use \`${ctx.command} status ${word}\`.` : '';
  return fail(ctx, 'unknown-subcommand', `Unknown subcommand ${shown}.${hint}`);
}

function resolveNamespace(
  ctx: Context,
  given: readonly GivenOption[],
  fallback: string | undefined,
): string | undefined | CommandError {
  const values = [
    ...new Set(given.filter((o) => o.name === 'namespace').map((o) => o.value ?? '')),
  ];
  if (values.length > 1) {
    const shown = values.map(shownValue).join(' and ');
    return fail(ctx, 'conflicting-options', `The namespace is given twice, as ${shown}; give one.`);
  }
  const [namespace] = values;
  if (namespace === undefined) return fallback;
  const problem = checkKubeName('namespace', namespace);
  return problem === undefined ? namespace : fail(ctx, 'invalid-namespace', problem);
}

function parseArguments(
  ctx: Context,
  subcommand: Subcommand,
  args: string[],
  given: readonly GivenOption[],
  scope: { namespace?: string },
): ParsedCommand | CommandError {
  switch (subcommand) {
    case 'help':
      return parseHelp(ctx, args);
    case 'list':
      return parseList(ctx, args, scope);
    case 'mute':
      return parseMute(ctx, args, scope);
    case 'logs':
      return parseLogs(ctx, args, given, scope);
    default:
      return withName(ctx, args, 1, (name) => ({ ok: true, subcommand, name, ...scope }));
  }
}

/** Checks the Job name and the argument count, then builds the command. */
function withName(
  ctx: Context,
  args: string[],
  count: number,
  build: (name: string, rest: string[]) => ParsedCommand | CommandError,
): ParsedCommand | CommandError {
  const [name, ...rest] = args;
  if (name === undefined) return fail(ctx, 'missing-argument', 'The Job name is missing.');
  const extra = args[count];
  if (extra !== undefined)
    return fail(ctx, 'unexpected-argument', `Unexpected argument ${shownValue(extra)}.`);
  const problem = checkKubeName('job', name);
  return problem === undefined ? build(name, rest) : fail(ctx, 'invalid-name', problem);
}

function parseHelp(ctx: Context, args: string[]): ParsedCommand | CommandError {
  const [topic, extra] = args;
  if (extra !== undefined)
    return fail(ctx, 'unexpected-argument', `Unexpected argument ${shownValue(extra)}.`);
  if (topic === undefined) return { ok: true, subcommand: 'help' };
  const word = topic.toLowerCase();
  if (isSubcommand(word)) return { ok: true, subcommand: 'help', topic: word };
  const hint = didYouMean(topic, SUBCOMMANDS);
  return fail(ctx, 'unknown-subcommand', `Unknown subcommand ${shownValue(topic)}.${hint}`);
}

function parseList(
  ctx: Context,
  args: string[],
  scope: { namespace?: string },
): ParsedCommand | CommandError {
  const [filter, extra] = args;
  if (extra !== undefined)
    return fail(ctx, 'unexpected-argument', `Unexpected argument ${shownValue(extra)}.`);
  if (filter === undefined)
    return { ok: true, subcommand: 'list', filter: LIST_FILTERS[0], ...scope };
  const word = filter.toLowerCase();
  const match = LIST_FILTERS.find((f) => f === word);
  if (match !== undefined) return { ok: true, subcommand: 'list', filter: match, ...scope };
  const hint = didYouMean(filter, LIST_FILTERS);
  return fail(ctx, 'invalid-filter', `Unknown filter ${shownValue(filter)}.${hint}`);
}

function parseLogs(
  ctx: Context,
  args: string[],
  given: readonly GivenOption[],
  scope: { namespace?: string },
): ParsedCommand | CommandError {
  const containers = [
    ...new Set(given.filter((o) => o.name === 'container').map((o) => o.value ?? '')),
  ];
  if (containers.length > 1) {
    const shown = containers.map(shownValue).join(' and ');
    return fail(ctx, 'conflicting-options', `The container is given twice, as ${shown}; give one.`);
  }
  const [container] = containers;
  const problem = container === undefined ? undefined : checkKubeName('container', container);
  if (problem !== undefined) return fail(ctx, 'invalid-container', problem);
  const previous = given.some((o) => o.name === 'previous');
  return withName(ctx, args, 1, (name) => ({
    ok: true,
    subcommand: 'logs',
    name,
    ...scope,
    previous,
    ...(container === undefined ? {} : { container }),
  }));
}

function parseMute(
  ctx: Context,
  args: string[],
  scope: { namespace?: string },
): ParsedCommand | CommandError {
  const [first, second] = args;
  // `mute 2h NAME` is a common slip, so the error shows the expected order instead of
  // calling `2h` an invalid name.
  const swapped =
    first !== undefined &&
    second !== undefined &&
    parseDuration(first).ok &&
    !parseDuration(second).ok &&
    checkKubeName('job', second) === undefined;
  if (swapped) {
    return fail(
      ctx,
      'invalid-name',
      `The Job name comes before the duration: \`${ctx.command} mute ${second} ${first}\`.`,
    );
  }
  return withName(ctx, args, 2, (name, [written]) => {
    if (written === undefined) return fail(ctx, 'missing-argument', 'The duration is missing.');
    const duration = parseDuration(written);
    if (!duration.ok)
      return fail(
        ctx,
        'invalid-duration',
        `Invalid duration ${shownValue(written)}: ${duration.problem}`,
      );
    if (duration.ms > MAX_MUTE_MS) {
      return fail(
        ctx,
        'duration-too-long',
        `Duration ${shownValue(written)} is over the maximum of \`7d\`.`,
      );
    }
    return {
      ok: true,
      subcommand: 'mute',
      name,
      ...scope,
      durationMs: duration.ms,
      duration: written.toLowerCase(),
    };
  });
}
