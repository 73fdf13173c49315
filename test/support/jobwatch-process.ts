import { spawn, type ChildProcess } from 'node:child_process';
import { findFreePort } from '../../src/queue/redis-server.ts';

/** A jobwatch started as its own process with `node src/cli/main.ts run`. */
export interface JobwatchProcess {
  child: ChildProcess;
  port: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code, or the signal that ended the process. */
  exited: Promise<number | NodeJS.Signals>;
  ready(): Promise<boolean>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts jobwatch in a child process with the given environment on a free port. */
export async function spawnJobwatch(env: Record<string, string>): Promise<JobwatchProcess> {
  const port = await findFreePort();
  const child = spawn(process.execPath, ['src/cli/main.ts', 'run'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env, JOBWATCH_HTTP_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code ?? -1)));
  return {
    child,
    port,
    output: () => output,
    exited,
    async ready() {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        return res.status === 200;
      } catch {
        return false;
      }
    },
    kill: (signal) => void child.kill(signal),
  };
}
