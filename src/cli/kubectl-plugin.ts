import { Command, CommanderError } from 'commander';
import { packageVersion } from '../app/package-version.ts';
import { formatConfigError } from '../config/config-error.ts';
import { runDiagnose, UsageError } from './diagnose-command.ts';
import { parsePluginArgs, PluginArgsError, type ConnectionFlags } from './kubectl-plugin-args.ts';

/** Log lines read per container, as for `jobwatch diagnose`. */
const TAIL_LINES = 200;
/** Maximum bytes read per container log. */
const LIMIT_BYTES = 262_144;

function program(connection: ConnectionFlags): Command {
  const root = new Command('kubectl jobwatch')
    .description('Explains why a Kubernetes Job failed, with the evidence, from kubectl.')
    .usage('[-n NAMESPACE] [--context NAME] [--kubeconfig FILE] COMMAND')
    .showHelpAfterError('(run kubectl jobwatch --help for usage)')
    .addHelpText(
      'after',
      [
        '',
        'Connection flags work as in kubectl, before or after the command:',
        '  -n, --namespace NAMESPACE   namespace of the Job (default: the context namespace, else "default")',
        '  --context NAME              kubeconfig context instead of the current one',
        '  --kubeconfig FILE           kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)',
        '',
        'Example: kubectl jobwatch diagnose nightly-report-29170000 -n batch',
      ].join('\n'),
    )
    .exitOverride();

  root
    .command('diagnose')
    .argument('<job>', 'name of the Job')
    .description('read the Job, its pods, events and logs now and name the cause of its failure')
    .option('--json', 'print JSON: cause, reason, summary, evidence [{source, text}], fix, secondary, confidence')
    .action(async (job: string, options: { json?: boolean }) => {
      process.exitCode = await runDiagnose(job, { ...connection, ...options, tailLines: TAIL_LINES, limitBytes: LIMIT_BYTES }, process.stdout);
    });

  root
    .command('version')
    .description('print the jobwatch version')
    .action(() => {
      process.stdout.write(`${packageVersion()}\n`);
    });
  return root;
}

/**
 * Runs `kubectl jobwatch` with the words kubectl handed over (without the
 * node and script paths). Sets `process.exitCode`: 0 on success, 2 on a usage
 * or configuration error, printed as one line on stderr.
 */
export async function runKubectlPlugin(argv: readonly string[]): Promise<void> {
  try {
    const { connection, rest } = parsePluginArgs(argv);
    await program(connection).parseAsync(rest, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    const text = err instanceof UsageError || err instanceof PluginArgsError ? err.message : formatConfigError(err);
    process.stderr.write(`kubectl jobwatch: ${text}\n`);
    process.exitCode = 2;
  }
}
