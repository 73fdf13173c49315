import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

const SCENARIO = 'oom-cronjob-pod-lister-128mi';

/** A demo process with its output so far. */
interface Demo {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  exited: Promise<number | null>;
}

function startDemo(): Demo {
  // No REDIS_URL, so the demo starts a redis-server of its own as a child process.
  const child = spawn(process.execPath, ['src/cli/main.ts', 'demo', '--only', SCENARIO], {
    env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent' },
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.resume();
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stdout: () => stdout, exited };
}

async function waitForOutput(demo: Demo, pattern: RegExp): Promise<RegExpMatchArray> {
  for (;;) {
    const found = demo.stdout().match(pattern);
    if (found !== null) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Lists the process ids of `pid`'s children that run `command`. */
function childrenNamed(pid: number, command: string): number[] {
  let output: string;
  try {
    output = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(pid)], { encoding: 'utf8' });
  } catch {
    return []; // ps exits with 1 when there are no children
  }
  return output
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, name]) => name === command)
    .map(([id]) => Number(id));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('jobwatch demo stop requests', () => {
  it('SIGINT while watching stops redis-server', async () => {
    const demo = startDemo();
    const pid = demo.child.pid ?? 0;
    await waitForOutput(demo, /started a private redis-server/);
    const redisPids = childrenNamed(pid, 'redis-server');
    expect(redisPids).toHaveLength(1);
    const [, kubeconfig] = await waitForOutput(demo, /--kubeconfig (\S+)/);
    await waitForOutput(demo, /jobwatch keeps watching/);
    demo.child.kill('SIGINT');
    expect(await demo.exited).toBe(130);
    expect(isRunning(redisPids[0] ?? 0)).toBe(false);
    expect(existsSync(dirname(kubeconfig ?? '/'))).toBe(false);
  });

  it('SIGTERM during startup stops redis-server', async () => {
    const demo = startDemo();
    const pid = demo.child.pid ?? 0;
    await waitForOutput(demo, /started a private redis-server/);
    const redisPids = childrenNamed(pid, 'redis-server');
    expect(redisPids).toHaveLength(1);
    demo.child.kill('SIGTERM');
    expect(await demo.exited).toBe(143);
    expect(isRunning(redisPids[0] ?? 0)).toBe(false);
  });

  it('closed stdout stops redis-server', async () => {
    const demo = startDemo();
    const pid = demo.child.pid ?? 0;
    await waitForOutput(demo, /started a private redis-server/);
    const redisPids = childrenNamed(pid, 'redis-server');
    expect(redisPids).toHaveLength(1);
    // Like `| head` exiting: the next write of the demo fails with EPIPE.
    demo.child.stdout.destroy();
    expect(await demo.exited).toBe(141);
    expect(isRunning(redisPids[0] ?? 0)).toBe(false);
  });
});
