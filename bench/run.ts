/**
 * `npm run bench [-- latency|throughput|memory|all] [options]`: runs jobwatch's benchmarks,
 * prints a summary and optionally writes JSON. `--help` lists the options. Each benchmark
 * starts its own redis-server, simulated API server, fake Slack and jobwatch process.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { CommanderError } from 'commander';
import { runLatency } from './latency.ts';
import { formatMachine, readMachineInfo } from './machine.ts';
import { runMemory } from './memory.ts';
import { parseBenchArgs, type BenchmarkName, type BenchPlan } from './options.ts';
import { formatProfileSummary, readNewestProfile, summarizeProfile } from './profile-summary.ts';
import { formatLatency, formatMemory, formatThroughput, TARGETS } from './report.ts';
import { runThroughput } from './throughput.ts';

async function profileDir(plan: BenchPlan, name: BenchmarkName): Promise<string | undefined> {
  if (!plan.cpuProfileDir) return undefined;
  const dir = resolve(plan.cpuProfileDir, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Runs one benchmark and returns its result and its text summary. */
async function runOne(plan: BenchPlan, name: BenchmarkName): Promise<{ result: unknown; text: string }> {
  const dir = await profileDir(plan, name);
  const profiled = dir ? { cpuProfileDir: dir } : {};
  switch (name) {
    case 'latency': {
      const result = await runLatency({ ...plan.latency, ...profiled });
      return { result, text: formatLatency(result) };
    }
    case 'throughput': {
      const result = await runThroughput({ ...plan.throughput, ...profiled });
      return { result, text: formatThroughput(result) };
    }
    case 'memory': {
      const result = await runMemory({ ...plan.memory, ...profiled });
      return { result, text: formatMemory(result) };
    }
  }
}

async function printProfile(plan: BenchPlan, name: BenchmarkName): Promise<void> {
  if (!plan.cpuProfileDir) return;
  const found = await readNewestProfile(join(resolve(plan.cpuProfileDir), name));
  if (!found) {
    process.stdout.write(`no CPU profile was written for ${name}\n`);
    return;
  }
  process.stdout.write(`CPU profile of the jobwatch process: ${found.file}\n${formatProfileSummary(summarizeProfile(found.profile))}\n`);
}

async function main(argv: readonly string[]): Promise<number> {
  let plan: BenchPlan;
  try {
    plan = parseBenchArgs(argv);
  } catch (err) {
    // Commander has printed the problem or the help text already.
    if (err instanceof CommanderError) return err.exitCode;
    throw err;
  }
  const machine = await readMachineInfo();
  const date = new Date().toISOString();
  process.stdout.write(`${date}\n${formatMachine(machine)}\n\n`);
  const results: Record<string, unknown> = {};
  for (const name of plan.benchmarks) {
    const started = Date.now();
    process.stdout.write(`running ${name} (load average ${loadavg()[0]?.toFixed(2) ?? '?'})…\n`);
    const { result, text } = await runOne(plan, name);
    results[name] = result;
    process.stdout.write(`${text}\n  (run took ${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
    await printProfile(plan, name);
    process.stdout.write('\n');
  }
  if (plan.jsonFile) {
    const options = Object.fromEntries(plan.benchmarks.map((name) => [name, plan[name]]));
    const report = { date, machine, argv, options, targets: TARGETS, results };
    await writeFile(plan.jsonFile, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`results written to ${plan.jsonFile}\n`);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
