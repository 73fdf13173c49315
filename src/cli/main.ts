import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { packageVersion } from '../app/package-version.ts';
import { formatConfigError } from '../config/config-error.ts';
import { runDiagnose, UsageError } from './diagnose-command.ts';
import { runDemo } from './demo-command.ts';
import { runEval, runValidate } from './eval-command.ts';
import { runMain } from './run-command.ts';

function integer(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number of at least ${min}, got "${value}"`);
    return n;
  };
}

const program = new Command('jobwatch')
  .description('Explains failed Kubernetes Jobs in Slack, with the evidence.')
  .version(packageVersion(), '-V, --version', 'print the jobwatch version')
  .showHelpAfterError('(run jobwatch --help for usage)')
  // Usage errors exit with 2, like jobwatch's own; --help and --version exit with 0.
  .exitOverride();

/** The subcommand being run, for the heading of configuration errors. */
let commandName = '';
program.hook('preAction', (_program, action) => {
  commandName = action.name();
});

program
  .command('run')
  .description('watch the cluster of the current kubeconfig context and alert (settings from the environment)')
  .action(async () => {
    process.exitCode = await runMain(process.env);
  });

program
  .command('demo')
  .description('run every role against a simulated cluster replaying the bundled failure scenarios')
  .option('--until-idle', 'exit once every scenario has played and its alert is settled')
  .option('--scenarios <dir>', 'folder of scenario files to replay', 'fixtures/scenarios')
  .option('--only <ids>', 'comma-separated scenario ids to replay (default: all)')
  .option('--time-scale <factor>', 'how many times faster than real time the stories play', integer('--time-scale', 1), 120)
  .option('--timeout <seconds>', 'with --until-idle, give up after this many seconds', integer('--timeout', 1), 300)
  .option('--slack-user <ids>', 'comma-separated Slack user ids (U…) allowed to retry, raise limits and mute in the demo')
  .action(async (options: { untilIdle?: boolean; scenarios: string; only?: string; timeScale: number; timeout: number; slackUser?: string }) => {
    process.exitCode = await runDemo(process.env, options);
    // After a stop request, the scenario players and waits it cut short still have timers
    // pending. Everything the demo started is closed by now, so the process ends here.
    process.exit();
  });

program
  .command('diagnose')
  .argument('[job]', 'name of the Job')
  .description('diagnose one Job now, from the cluster or from a scenario file')
  .option('-n, --namespace <namespace>', 'namespace of the Job (default: the context namespace, else "default")')
  .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
  .option('--context <name>', 'kubeconfig context to use instead of the current one')
  .option('--scenario <file>', 'diagnose a scenario file offline instead of a live Job')
  .option('--json', 'print JSON: cause, reason, summary, evidence [{source, text}], fix, secondary, confidence')
  .option('--log-patterns <file>', 'log patterns YAML file, as for JOBWATCH_LOG_PATTERNS_FILE (default: none)')
  .action(async (job: string | undefined, options: { namespace?: string; kubeconfig?: string; context?: string; scenario?: string; json?: boolean; logPatterns?: string }) => {
    process.exitCode = await runDiagnose(job, { ...options, tailLines: 200, limitBytes: 262_144 }, process.stdout);
  });

function percent(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) throw new InvalidArgumentError(`${name} must be a percentage from 0 to 100, got "${value}"`);
    return n;
  };
}

program
  .command('eval')
  .argument('<dir>', 'folder of scenario .json files (see docs/evaluation.md)')
  .description('validate a folder of scenario files and measure how often the diagnosis names the expected cause')
  .option('--json', 'print JSON: files, valid, invalid [{file, problems}], report')
  .option('--fail-under <percent>', 'exit with 1 when the accuracy in percent is below this (default: no threshold)', percent('--fail-under'))
  .option('--log-patterns <file>', 'log patterns YAML file applied to every diagnosis, as for JOBWATCH_LOG_PATTERNS_FILE (default: none)')
  .addHelpText(
    'after',
    [
      '',
      'Every file is validated first; invalid files are listed with their problems and not evaluated.',
      'A scenario is right when the cause, the Job failure reason and every expected evidence string match.',
      'Exit status: 0 all valid and accuracy at or above --fail-under, 1 an invalid file or accuracy',
      'under --fail-under, 2 a usage error such as a missing or unreadable DIR or an invalid --log-patterns file.',
    ].join('\n'),
  )
  .action(async (dir: string, options: { json?: boolean; failUnder?: number; logPatterns?: string }) => {
    process.exitCode = await runEval(dir, options, process.stdout);
  });

program
  .command('validate')
  .argument('<dir>', 'folder of scenario .json files (see docs/evaluation.md)')
  .description('check a folder of scenario files against docs/scenario-format.md without diagnosing them')
  .option('--json', 'print JSON: files, valid, invalid [{file, problems}]')
  .addHelpText('after', '\nExit status: 0 every file valid, 1 a file invalid, 2 a usage error such as a missing or unreadable DIR.')
  .action(async (dir: string, options: { json?: boolean }) => {
    process.exitCode = await runValidate(dir, options, process.stdout);
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else {
    report(err);
  }
}

function report(err: unknown): void {
  const text = err instanceof UsageError ? err.message : formatConfigError(err, errorHeading(commandName));
  process.stderr.write(text.startsWith('jobwatch') ? `${text}\n` : `jobwatch: ${text}\n`);
  process.exitCode = 2;
}

/**
 * Returns the heading of configuration errors: `run` and `demo` start jobwatch, while the
 * offline commands only read a file, so their errors name the command instead.
 */
function errorHeading(command: string): string {
  return startsJobwatch(command) || command === '' ? 'jobwatch cannot start' : `jobwatch ${command}`;
}

function startsJobwatch(command: string): boolean {
  return command === 'run' || command === 'demo';
}
