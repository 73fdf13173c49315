/**
 * Usage lines and help text of the `/job` slash command. Every string takes the command
 * name as configured (`/job`, `/jobs`, `/kjob`), so messages match what the user typed.
 */
import { escapeMrkdwn } from './escape.ts';
import { bold } from './mrkdwn.ts';

/** The subcommands of the `/job` command, in the order help lists them. */
export const SUBCOMMANDS = [
  'status',
  'list',
  'logs',
  'why',
  'retry',
  'mute',
  'unmute',
  'help',
] as const;

export type Subcommand = (typeof SUBCOMMANDS)[number];

/** The filters of `list`; the first is the default. */
export const LIST_FILTERS = ['failing', 'running', 'all'] as const;

export type ListFilter = (typeof LIST_FILTERS)[number];

/** Maximum mute length that `mute` accepts, in milliseconds (7 days). */
export const MAX_MUTE_MS = 7 * 24 * 60 * 60 * 1000;

interface SubcommandHelp {
  /** Arguments after the subcommand, in usage notation. */
  args: string;
  /** One sentence on what the subcommand does. */
  summary: string;
}

const NAMESPACE_ARG = '[-n NAMESPACE]';

const HELP: Record<Subcommand, SubcommandHelp> = {
  status: {
    args: `NAME ${NAMESPACE_ARG}`,
    summary: "Shows the Job's state, its failed attempts and the diagnosed cause.",
  },
  list: {
    args: `[failing|running|all] ${NAMESPACE_ARG}`,
    summary: 'Lists failing Jobs (the default), running Jobs or all Jobs.',
  },
  logs: {
    args: `NAME [--previous] [--container C] ${NAMESPACE_ARG}`,
    summary:
      'Uploads the logs of the failed attempts. `--previous` picks the run before the last ' +
      'restart and `--container` (`-c`) one container.',
  },
  why: {
    args: `NAME ${NAMESPACE_ARG}`,
    summary: 'Explains the cause of the failure with the evidence behind it.',
  },
  retry: {
    args: `NAME ${NAMESPACE_ARG}`,
    summary: "Creates a new Job `NAME-retry-N` from the failed Job's spec, after you confirm.",
  },
  mute: {
    args: `NAME DURATION ${NAMESPACE_ARG}`,
    summary:
      'Stops alerts for the Job for DURATION: `30m`, `2h`, `1d` or a sum such as `1h30m`, ' +
      'at most `7d`.',
  },
  unmute: { args: `NAME ${NAMESPACE_ARG}`, summary: 'Ends a mute early.' },
  help: { args: '[SUBCOMMAND]', summary: 'Shows this help, or the help of one subcommand.' },
};

/** Writes the usage of one subcommand as inline code, such as `` `/job status NAME` ``. */
export function usageOf(command: string, subcommand: Subcommand): string {
  return `\`${escapeMrkdwn(`${command} ${subcommand} ${HELP[subcommand].args}`)}\``;
}

/** Writes the help of one subcommand: its usage and what it does. */
export function subcommandHelp(command: string, subcommand: Subcommand): string {
  return `${usageOf(command, subcommand)}\n${HELP[subcommand].summary}`;
}

/**
 * Renders the help of the command as Slack mrkdwn: one usage line and one sentence per
 * subcommand, then the rules for namespaces and names.
 *
 * @param command - The slash command as configured, such as `/job`.
 * @param options.defaultNamespace - The namespace used when the command names none; the
 *   help mentions it when given.
 */
export function helpText(command: string, options: { defaultNamespace?: string } = {}): string {
  const name = escapeMrkdwn(command);
  const fallback =
    options.defaultNamespace === undefined
      ? ' Every subcommand but `list` and `help` needs it.'
      : ` Without it, the namespace is \`${escapeMrkdwn(options.defaultNamespace)}\`.`;
  const lines = [
    bold(`${name}: look at and act on Kubernetes Jobs`),
    ...SUBCOMMANDS.map((s) => `• ${usageOf(command, s)}: ${HELP[s].summary}`),
    '',
    '`-n NAMESPACE`, `--namespace NAMESPACE` or `--namespace=NAMESPACE` may stand anywhere ' +
      `in the command.${fallback}`,
    '`--cluster NAME` (or `-c NAME`) picks the cluster when jobwatch watches several; ' +
      'with one it may be left out. In `logs`, `-c` is the container, so give `--cluster` in full.',
    'NAME is the Job name as `kubectl get jobs` prints it: ' +
      'lowercase letters, digits, `-` and `.`, ' +
      'at most 63 characters.',
    `Example: \`${name} logs nightly-report-28911440 --previous -n reports\``,
  ];
  return lines.join('\n');
}
