/**
 * The grammar of the `/job` slash command. Parsing is pure: it returns what to do, or an
 * error message in Slack mrkdwn that names the wrong value and shows the right form.
 */
import { parseArguments } from './job-command-arguments.ts';
import { SUBCOMMANDS } from './job-command-help.ts';
import {
  optionSpellings,
  singleValue,
  splitOptions,
  tokenize,
  type GivenOption,
} from './job-command-options.ts';
import {
  didYouMean,
  fail,
  isSubcommand,
  type CommandError,
  type Context,
  type ParsedCommand,
} from './job-command-result.ts';
import { checkKubeName, shownValue } from './kube-name.ts';
import { suggestNames } from './suggest-names.ts';
import { CLUSTER_NAME } from '../queue/cluster-names.ts';

export { helpText, SUBCOMMANDS, type ListFilter, type Subcommand } from './job-command-help.ts';
export type { CommandError, CommandErrorCode, ParsedCommand } from './job-command-result.ts';
export { suggestNames } from './suggest-names.ts';

/** Settings of {@link parseJobCommand}. */
export interface JobCommandOptions {
  /** The slash command as configured, such as `/job`; every message uses it. */
  command: string;
  /** Namespace used when the command gives none; without it, `namespace` stays absent. */
  defaultNamespace?: string;
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

  const split = splitOptions(tokens, known);
  if (!split.ok) return optionError(ctx, split.problem, split.written);
  const [first, ...args] = split.positionals;
  if (first === undefined) return { ok: true, subcommand: 'help' };
  const word = first.toLowerCase();
  if (!isSubcommand(word)) return unknownSubcommand({ command: options.command }, first);
  ctx.subcommand = word;

  const misplaced = split.options.find((o) => o.name !== 'namespace' && o.name !== 'cluster' && word !== 'logs');
  if (misplaced !== undefined) {
    return fail(
      ctx,
      'option-not-allowed',
      `Option \`${misplaced.written}\` applies only to \`logs\`.`,
    );
  }
  const namespace = resolveNamespace(ctx, split.options, options.defaultNamespace);
  if (typeof namespace === 'object') return namespace;
  const cluster = resolveCluster(ctx, split.options);
  if (typeof cluster === 'object') return cluster;
  const scope = { ...(namespace === undefined ? {} : { namespace }), ...(cluster === undefined ? {} : { cluster }) };
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
  const quotedWord = shownValue(word);
  if (best !== undefined && isSubcommand(best)) {
    const withUsage: Context = { ...ctx, subcommand: best };
    const error = fail(
      withUsage,
      'unknown-subcommand',
      `Unknown subcommand ${quotedWord}. Did you mean \`${best}\`?`,
    );
    delete error.subcommand;
    return error;
  }
  const looksLikeJob = checkKubeName('job', word) === undefined;
  const hint = looksLikeJob ? ` To see that Job, use \`${ctx.command} status ${word}\`.` : '';
  return fail(ctx, 'unknown-subcommand', `Unknown subcommand ${quotedWord}.${hint}`);
}

/** Reads `--cluster`; whether the cluster is registered is checked when the command runs. */
function resolveCluster(ctx: Context, options: readonly GivenOption[]): string | undefined | CommandError {
  const given = singleValue(options, 'cluster', 'cluster');
  if ('conflict' in given) return fail(ctx, 'conflicting-options', given.conflict);
  const cluster = given.value;
  if (cluster === undefined || CLUSTER_NAME.test(cluster)) return cluster;
  const problem = `Invalid cluster ${shownValue(cluster)}: a cluster name has up to 63 letters, digits, \`.\`, \`_\` or \`-\` and starts with a letter or digit.`;
  return fail(ctx, 'invalid-cluster', problem);
}

function resolveNamespace(
  ctx: Context,
  options: readonly GivenOption[],
  fallback: string | undefined,
): string | undefined | CommandError {
  const given = singleValue(options, 'namespace', 'namespace');
  if ('conflict' in given) return fail(ctx, 'conflicting-options', given.conflict);
  const namespace = given.value;
  if (namespace === undefined) return fallback;
  const problem = checkKubeName('namespace', namespace);
  return problem === undefined ? namespace : fail(ctx, 'invalid-namespace', problem);
}
