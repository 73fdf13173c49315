import { buildRuntime } from '../app/runtime.ts';
import { createLogger } from '../app/logger.ts';
import { startJobwatch, type Jobwatch } from '../app/start-jobwatch.ts';
import { ConfigError } from '../config/config-error.ts';
import type { Logger } from 'pino';
import { loadConfig, type Config } from '../config/env.ts';

/** Time past the shutdown grace for closing connections before the process exits anyway, in ms. */
const STOP_MARGIN_MS = 4_000;
/** Time after a complete stop before the process exits even if a connection lingers, in ms. */
const EXIT_AFTER_STOP_MS = 1_000;

/**
 * Runs jobwatch against the cluster of the current kubeconfig context (or in-cluster)
 * until SIGTERM or SIGINT, then drains in-flight work and exits. Returns the exit code.
 */
export async function runMain(env: NodeJS.ProcessEnv): Promise<number> {
  const config = loadConfig(env);
  const logger = createLogger(config.logLevel);
  warnIgnoredSettings(config, logger);
  const runtime = await buildRuntime(config, logger);
  let jobwatch: Jobwatch;
  try {
    jobwatch = await startJobwatch(config, runtime.deps);
  } catch (err) {
    // The settings file watchers and the Slack connection would keep the process alive.
    await runtime.close();
    throw toStartError(err, config.httpPort);
  }
  await waitForStopSignal();
  // In-flight queue jobs get the configured grace; closing connections after them takes
  // a moment more, so the hard limit leaves room for it.
  await stopWithin(jobwatch, config.shutdownGraceSeconds * 1000 + STOP_MARGIN_MS);
  await runtime.close();
  // BullMQ's own connections can go on reconnecting to an unreachable Redis or Sentinel
  // after they were closed. Everything is stopped, so the process does not wait for them.
  setTimeout(() => process.exit(), EXIT_AFTER_STOP_MS).unref();
  return 0;
}

/** Resolves on the first SIGTERM or SIGINT. */
export function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

/** Stops jobwatch, giving in-flight work `graceMs` before the process exits anyway. */
export async function stopWithin(jobwatch: Jobwatch, graceMs: number): Promise<void> {
  const timer = setTimeout(() => {
    process.stderr.write(`jobwatch: shutdown took longer than ${graceMs / 1000} s; exiting\n`);
    process.exit(1);
  }, graceMs);
  timer.unref();
  await jobwatch.stop();
  clearTimeout(timer);
}

/**
 * Turns a failure to listen on `JOBWATCH_HTTP_PORT` into a ConfigError that names the
 * setting and its value; returns any other error unchanged.
 */
export function toStartError(err: unknown, httpPort: number): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if ((err as { syscall?: unknown } | undefined)?.syscall !== 'listen') return err;
  let reason: string;
  if (code === 'EADDRINUSE') reason = 'another process already listens on that port';
  else if (code === 'EACCES') reason = 'this user may not listen on that port';
  else return err;
  const problem = {
    setting: 'JOBWATCH_HTTP_PORT',
    message: `JOBWATCH_HTTP_PORT is ${httpPort}, but ${reason} (${code})`,
    fix: 'set JOBWATCH_HTTP_PORT to a free port above 1023, or to 0 to let the system choose one',
  };
  return new ConfigError('CONFIG_ENV_INVALID', [problem], { cause: err });
}

/** Logs one warning naming the lease settings that have no effect because the election is off. */
export function warnIgnoredSettings(config: Config, logger: Logger): void {
  const ignored = config.leaderElection.ignoredSettings;
  if (ignored === undefined) return;
  logger.warn(
    { settings: ignored, fix: 'unset them, or set JOBWATCH_LEADER_ELECTION=true' },
    'lease settings ignored because JOBWATCH_LEADER_ELECTION is false',
  );
}
