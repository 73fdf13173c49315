import { spawn } from 'node:child_process';

/** The exit code and output of a finished command. */
export interface CommandResult {
  /** The exit code, or null when a signal ended the command. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link runCommand}. */
export interface RunOptions {
  /** Text written to the command's stdin, which is then closed. Default: none. */
  input?: string;
  /** The whole environment of the command. Default: this process's environment. */
  env?: Record<string, string>;
  /** The working folder. Default: this process's. */
  cwd?: string;
}

/**
 * Runs a command to its end and collects its output. A non-zero exit resolves with its
 * code, so tests can assert on failures; only a command that cannot start rejects.
 */
export function runCommand(command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Runs `node src/cli/main.ts ARGS` with the test process's PATH and the variables in `env`. */
export function runJobwatchCli(args: readonly string[], env: Record<string, string> = {}): Promise<CommandResult> {
  const path = process.env.PATH ?? '';
  return runCommand(process.execPath, ['src/cli/main.ts', ...args], { env: { PATH: path, ...env } });
}
