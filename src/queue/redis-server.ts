import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private `redis-server` process on loopback, for the demo and for tests. */
export interface RedisServer {
  url: string;
  port: number;
  dir: string;
  /** Stops with SIGTERM and waits for the exit. */
  stop(): Promise<void>;
  /** Kills with SIGKILL, as a crash would, and waits for the exit. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and data folder. */
  restart(): Promise<void>;
}

export interface RedisServerOptions {
  /** TCP port; a free one is picked when unset. */
  port?: number;
  /** Data folder; a fresh temporary one when unset, removed by `stop()`. */
  dir?: string;
  /** Keep an append-only file so queued jobs survive a restart. Default true. */
  appendOnly?: boolean;
  /** Path of the `redis-server` binary. Default `redis-server` on PATH. */
  binary?: string;
}

/** Returns a TCP port that was free on 127.0.0.1 a moment ago. */
export async function findFreePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the address of a probe socket'));
      });
    });
  });
}

/** Starts `redis-server` and resolves once it accepts connections. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = options.port ?? (await findFreePort());
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'jobwatch-redis-')));
  const binary = options.binary ?? 'redis-server';
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--save', '',
    '--appendonly', options.appendOnly === false ? 'no' : 'yes',
    '--appendfsync', 'everysec',
    '--maxmemory-policy', 'noeviction',
  ];
  let child = await launch(binary, args, port);

  const waitExit = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  };

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    async stop() {
      await waitExit('SIGTERM');
      if (ownsDir) await rm(dir, { recursive: true, force: true });
    },
    async kill() {
      await waitExit('SIGKILL');
    },
    async restart() {
      await waitExit('SIGTERM');
      child = await launch(binary, args, port);
    },
  };
}

async function launch(binary: string, args: string[], port: number): Promise<ChildProcess> {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with code ${code} before it was ready:\n${output}`));
    };
    const onError = (err: Error): void => {
      clearTimeout(timer);
      reject(new Error(`could not start ${binary}: ${err.message}; install redis-server or set REDIS_URL`));
    };
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      reject(new Error(`redis-server did not accept connections on port ${port} within 10 s:\n${output}`));
    }, 10_000);
    child.once('exit', onExit);
    child.once('error', onError);
    const poll = setInterval(() => {
      if (output.includes('Ready to accept connections')) {
        clearInterval(poll);
        clearTimeout(timer);
        child.off('exit', onExit);
        child.off('error', onError);
        resolve();
      }
    }, 20);
    child.once('exit', () => clearInterval(poll));
  });
  return child;
}
