import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The exit code and output of a finished command. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `file` to its end with only the environment in `env`. A non-zero exit returns its
 * code and output instead of throwing, so tests can assert on failures.
 */
export async function runCommand(
  file: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await execFileAsync(file, args, { env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as CommandResult;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Runs `node src/cli/main.ts ARGS` with the test process's PATH and the variables in `env`. */
export function runJobwatchCli(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CommandResult> {
  const path = process.env.PATH ?? '';
  return runCommand(process.execPath, ['src/cli/main.ts', ...args], { PATH: path, ...env });
}
