/**
 * The outcome types of `/job` parsing and the helpers that build error results, shared by
 * the parser and the argument checks of each subcommand.
 */
import { SUBCOMMANDS, usageOf, type ListFilter, type Subcommand } from './job-command-help.ts';
import { suggestNames } from './suggest-names.ts';

/**
 * A valid `/job` command. `namespace` is the one given, else the default, else absent.
 * `cluster` is the one given with `--cluster`; absent means the only registered cluster.
 */
export type ParsedCommand =
  | {
      ok: true;
      subcommand: 'status' | 'why' | 'retry' | 'unmute';
      name: string;
      namespace?: string;
      cluster?: string;
    }
  | { ok: true; subcommand: 'list'; filter: ListFilter; namespace?: string; cluster?: string }
  | {
      ok: true;
      subcommand: 'logs';
      name: string;
      namespace?: string;
      cluster?: string;
      /** Read the run before the last restart (`--previous`). */
      previous: boolean;
      container?: string;
    }
  | {
      ok: true;
      subcommand: 'mute';
      name: string;
      namespace?: string;
      cluster?: string;
      /** Mute length in milliseconds, at most `MAX_MUTE_MS`. */
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
  | 'invalid-cluster'
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

export interface Context {
  command: string;
  subcommand?: Subcommand;
}

export function fail(ctx: Context, code: CommandErrorCode, problem: string): CommandError {
  const help =
    ctx.subcommand === undefined
      ? `See \`${ctx.command} help\` for the subcommands.`
      : `Usage: ${usageOf(ctx.command, ctx.subcommand)}`;
  const error: CommandError = { ok: false, code, message: `${problem} ${help}` };
  if (ctx.subcommand !== undefined) error.subcommand = ctx.subcommand;
  return error;
}

export function didYouMean(input: string, candidates: readonly string[]): string {
  const [best] = suggestNames(input, candidates, 1);
  return best === undefined ? '' : ` Did you mean \`${best}\`?`;
}

export function isSubcommand(word: string): word is Subcommand {
  return (SUBCOMMANDS as readonly string[]).includes(word);
}
