/** Command-line options of `npm run bench`, parsed into one plan. */
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import type { NotifyMode } from '../src/config/routing.ts';
import type { LatencyOptions, NotifyChoice } from './latency.ts';
import type { MemoryOptions } from './memory.ts';
import type { ThroughputOptions } from './throughput.ts';

export const BENCHMARKS = ['latency', 'throughput', 'memory'] as const;
export type BenchmarkName = (typeof BENCHMARKS)[number];

/** The benchmarks of one invocation, with the options of each. */
export interface BenchPlan {
  benchmarks: BenchmarkName[];
  latency: LatencyOptions;
  throughput: ThroughputOptions;
  memory: MemoryOptions;
  /** File the results are written to as JSON. */
  jsonFile?: string;
  /** Folder for CPU profiles of the jobwatch process, one subfolder per benchmark. */
  cpuProfileDir?: string;
}

function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError(`"${value}" is not a positive number.`);
  return parsed;
}

function wholeNumber(value: string): number {
  const parsed = positiveNumber(value);
  if (!Number.isInteger(parsed)) throw new InvalidArgumentError(`"${value}" is not a whole number.`);
  return parsed;
}

function percentage(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0 || parsed > 100) throw new InvalidArgumentError(`"${value}" is not a percentage from 0 to 100.`);
  return parsed;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

interface RawOptions {
  rate: number;
  duration: number;
  gapMs: number;
  warmup: number;
  notify?: NotifyChoice;
  jobs: number;
  channels: number;
  memoryJobs: number;
  failedPercent: number;
  listCache: boolean;
  idle: number;
  nodeOption: string[];
  cpuProf?: string;
  json?: string;
}

/** Builds the commander program that `parseBenchArgs` runs. */
export function benchProgram(): Command {
  return new Command('bench')
    .description('Measure jobwatch against the simulated cluster, the fake Slack and a private redis-server.')
    .addArgument(new Argument('[benchmark]', 'what to run').choices([...BENCHMARKS, 'all']).default('all'))
    .option('--rate <per-second>', 'latency: Failed conditions written per second', positiveNumber, 10)
    .option('--duration <seconds>', 'latency: length of the measured load', positiveNumber, 60)
    .option('--gap-ms <ms>', "latency: time from a pod's failure to its Job's Failed condition", wholeNumber, 1000)
    .option('--warmup <jobs>', 'Jobs run first and left out of the numbers', wholeNumber, 20)
    .addOption(new Option('--notify <mode>', 'notify mode of the Jobs (latency default mixed, throughput default first-failure)').choices(['mixed', 'final-only', 'first-failure']))
    .option('--jobs <count>', 'throughput: failed Jobs in the burst', wholeNumber, 2000)
    .option('--channels <count>', 'latency and throughput: Slack channels the Jobs are routed to', wholeNumber, 8)
    .option('--memory-jobs <count>', 'memory: Jobs in the cluster, each with one pod', wholeNumber, 50_000)
    .option('--failed-percent <percent>', 'memory: share of those Jobs that failed', percentage, 10)
    .option('--no-list-cache', 'memory: serve every list page from a fresh snapshot, as the simulated store does')
    .option('--idle <seconds>', 'memory: idle time before the last sample', positiveNumber, 10)
    .option('--node-option <flag>', 'Node option for the jobwatch process, such as --max-semi-space-size=16; repeatable', collect, [])
    .option('--cpu-prof <dir>', 'write a CPU profile of the jobwatch process per benchmark and print its hot spots')
    .option('--json <file>', 'write the results as JSON');
}

function throughputNotify(program: Command, choice: NotifyChoice | undefined): NotifyMode {
  if (choice === 'mixed') program.error('error: throughput runs one notify mode; use --notify final-only or first-failure');
  return choice ?? 'first-failure';
}

/**
 * Parses the arguments after `node bench/run.ts`. Throws a `CommanderError` after printing
 * the problem on invalid input, and after printing the help on `--help`.
 */
export function parseBenchArgs(argv: readonly string[], program: Command = benchProgram()): BenchPlan {
  program.exitOverride();
  program.parse([...argv], { from: 'user' });
  const raw = program.opts<RawOptions>();
  const name = program.processedArgs[0] as BenchmarkName | 'all';
  const benchmarks = name === 'all' ? [...BENCHMARKS] : [name];
  const nodeOptions = raw.nodeOption;
  return {
    benchmarks,
    latency: {
      ratePerSecond: raw.rate,
      durationSeconds: raw.duration,
      gapMs: raw.gapMs,
      channels: raw.channels,
      warmupJobs: raw.warmup,
      notify: raw.notify ?? 'mixed',
      settleSeconds: 30,
      nodeOptions,
    },
    throughput: {
      jobs: raw.jobs,
      channels: raw.channels,
      notify: benchmarks.includes('throughput') ? throughputNotify(program, raw.notify) : 'first-failure',
      warmupJobs: raw.warmup,
      timeoutSeconds: 150,
      nodeOptions,
    },
    memory: {
      jobs: raw.memoryJobs,
      failedPercent: raw.failedPercent,
      listCache: raw.listCache,
      timeoutSeconds: 150,
      idleSeconds: raw.idle,
      nodeOptions,
    },
    ...(raw.json ? { jsonFile: raw.json } : {}),
    ...(raw.cpuProf ? { cpuProfileDir: raw.cpuProf } : {}),
  };
}
