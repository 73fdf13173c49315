import { fork, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { sleep } from './bench-clock.ts';
import type { BenchRequest, ProcessMessage, ProcessReport } from './jobwatch-messages.ts';

const ENTRY = fileURLToPath(new URL('./jobwatch-process.ts', import.meta.url));
/** How long jobwatch may take to start, and to stop after `stop`, in milliseconds. */
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

export interface JobwatchProcessOptions {
  /** The whole environment of the process: jobwatch's variables plus PATH and HOME. */
  env: Record<string, string>;
  /** File that receives the process's stdout and stderr (jobwatch logs JSON lines to stderr). */
  logFile: string;
  /** Folder for a V8 CPU profile written at exit (`--cpu-prof`). No profile when unset. */
  cpuProfileDir?: string;
  /** More Node options for the process, such as `--max-semi-space-size=16`. */
  nodeOptions?: readonly string[];
}

/** Memory of a process as the kernel counts it, from `/proc/<pid>/status`, in bytes. */
export interface KernelMemory {
  /** `VmRSS`: resident now. */
  rssBytes: number;
  /** `VmHWM`: the highest resident size so far. */
  peakRssBytes: number;
}

/** A jobwatch process started by the bench, driven over IPC. */
export interface JobwatchProcess {
  pid: number;
  /**
   * Requests a report. With `gc`, a full garbage collection runs first, and with
   * `resetLoopDelay` the event loop delay is measured afresh from then on.
   */
  measure(gc?: boolean, resetLoopDelay?: boolean): Promise<ProcessReport>;
  /** Polls reports every 200 ms until `done` holds, and throws after `timeoutMs`. */
  waitFor(done: (report: ProcessReport) => boolean, description: string, timeoutMs: number): Promise<ProcessReport>;
  kernelMemory(): Promise<KernelMemory>;
  /** Stops jobwatch cleanly (so a CPU profile is written), or kills it after 30 s. */
  stop(): Promise<void>;
}

function nextMessage(child: ChildProcess, accept: (message: ProcessMessage) => boolean, timeoutMs: number, description: string): Promise<ProcessMessage> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: ProcessMessage): void => {
      if (!accept(message)) return;
      cleanup();
      resolve(message);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      cleanup();
      const how = signal === null ? `with code ${String(code)}` : `on ${signal}`;
      reject(new Error(`jobwatch process exited ${how} while waiting for ${description}; its log names the cause`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`jobwatch process sent no ${description} within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

function statusField(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  if (!match?.[1]) throw new Error(`/proc status has no ${field} line; the memory bench needs Linux`);
  return Number(match[1]) * 1024;
}

/** Reads `VmRSS` and `VmHWM` of a process from `/proc/<pid>/status`. */
export async function readKernelMemory(pid: number): Promise<KernelMemory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return { rssBytes: statusField(status, 'VmRSS'), peakRssBytes: statusField(status, 'VmHWM') };
}

/**
 * Starts `bench/jobwatch-process.ts` with `--expose-gc` and resolves once jobwatch has
 * started (not necessarily ready). Throws with the process's own error when it fails to start.
 */
export async function startJobwatchProcess(options: JobwatchProcessOptions): Promise<JobwatchProcess> {
  const log = openSync(options.logFile, 'a');
  const execArgv = ['--expose-gc', ...(options.nodeOptions ?? [])];
  if (options.cpuProfileDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`);
  const child = fork(ENTRY, [], { execArgv, env: options.env, stdio: ['ignore', log, log, 'ipc'] });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const first = await nextMessage(child, (m) => m.type === 'started' || m.type === 'failed', START_TIMEOUT_MS, 'start message');
  if (first.type === 'failed') throw new Error(`jobwatch failed to start (log: ${options.logFile}):\n${first.error}`);
  const pid = child.pid as number;

  const measure = async (gc = false, resetLoopDelay = false): Promise<ProcessReport> => {
    const reply = nextMessage(child, (m) => m.type === 'report', 30_000, 'report');
    child.send({ type: 'measure', gc, resetLoopDelay } satisfies BenchRequest);
    return (await reply) as ProcessReport;
  };

  return {
    pid,
    measure,
    async waitFor(done, description, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const report = await measure(false);
        if (done(report)) return report;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description} (log: ${options.logFile})`);
        await sleep(200);
      }
    },
    kernelMemory: () => readKernelMemory(pid),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send({ type: 'stop' } satisfies BenchRequest);
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
