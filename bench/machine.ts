import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { promisify } from 'node:util';

/** The machine a run happened on, printed with every result. */
export interface MachineInfo {
  /** CPUs available to the process, as `nproc` counts them. */
  cpus: number;
  /** `model name` from /proc/cpuinfo. */
  cpuModel: string;
  memoryBytes: number;
  node: string;
  /** `redis-server --version`, first line. */
  redis: string;
  /** 1-minute load average at the start. Above the CPU count, other processes were busy too. */
  loadAverage: number;
}

/** Reads the machine facts. A missing source becomes `unknown` rather than an error. */
export async function readMachineInfo(): Promise<MachineInfo> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  const redis = await promisify(execFile)('redis-server', ['--version'])
    .then(({ stdout }) => stdout.trim())
    .catch((err: unknown) => `unknown (${err instanceof Error ? err.message : String(err)})`);
  return { cpus: availableParallelism(), cpuModel: model, memoryBytes: totalmem(), node: process.version, redis, loadAverage: loadavg()[0] ?? 0 };
}

/** Formats the machine facts on one line. */
export function formatMachine(machine: MachineInfo): string {
  const gib = (machine.memoryBytes / 1024 ** 3).toFixed(1);
  const load = machine.loadAverage.toFixed(2);
  return `${machine.cpus} CPUs (${machine.cpuModel}), ${gib} GiB, Node ${machine.node}, ${machine.redis}, load ${load}`;
}
