/** The arguments of each `/job` subcommand after the options are taken out. */
import { parseDuration } from './job-command-duration.ts';
import { LIST_FILTERS, MAX_MUTE_MS, SUBCOMMANDS, type Subcommand } from './job-command-help.ts';
import { singleValue, type GivenOption } from './job-command-options.ts';
import {
  didYouMean,
  fail,
  isSubcommand,
  type CommandError,
  type Context,
  type ParsedCommand,
} from './job-command-result.ts';
import { checkKubeName, shownValue } from './kube-name.ts';

/** Checks the positional arguments of one subcommand and builds the parsed command. */
export function parseArguments(
  ctx: Context,
  subcommand: Subcommand,
  args: string[],
  given: readonly GivenOption[],
  scope: { namespace?: string; cluster?: string },
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
  scope: { namespace?: string; cluster?: string },
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
  scope: { namespace?: string; cluster?: string },
): ParsedCommand | CommandError {
  const containerOption = singleValue(given, 'container', 'container');
  if ('conflict' in containerOption) return fail(ctx, 'conflicting-options', containerOption.conflict);
  const container = containerOption.value;
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
  scope: { namespace?: string; cluster?: string },
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
