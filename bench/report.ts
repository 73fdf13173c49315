/** Text summaries of the results and how they compare with jobwatch's targets. */
import type { LatencyResult } from './latency.ts';
import type { MemoryResult, MemorySample } from './memory.ts';
import { STAGES, type StageName } from './stage-breakdown.ts';
import type { Summary } from './stats.ts';
import type { ThroughputResult } from './throughput.ts';

/** Targets the results are compared with. A miss is reported, never asserted. */
export const TARGETS = {
  /** p99 latency of the first alert showing the failed state, at 10 failures/s. */
  latencyP99Ms: 200,
  /** Failures per second through the whole pipeline, Slack's limits set aside. */
  failuresPerSecond: 200,
  /** Resident memory of the watcher with 50,000 Jobs. */
  watcherRssBytes: 250 * 1024 * 1024,
} as const;

function verdict(met: boolean): string {
  return met ? 'met' : 'missed';
}

function ms(value: number): string {
  return `${value.toFixed(0)} ms`;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

function summaryLine(summary: Summary | undefined): string {
  if (!summary) return 'no samples';
  return `p50 ${ms(summary.p50)}, p90 ${ms(summary.p90)}, p99 ${ms(summary.p99)}, max ${ms(summary.max)} (n=${summary.count})`;
}

function stageLines(stages: Partial<Record<StageName, Summary>>, indent: string): string[] {
  return STAGES.flatMap((stage) => {
    const summary = stages[stage];
    return summary ? [`${indent}${stage.padEnd(22)} p50 ${ms(summary.p50).padStart(8)}, p99 ${ms(summary.p99).padStart(8)}`] : [];
  });
}

function requestsLine(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([kind, count]) => `${kind} ${count.toFixed(2)}`)
    .join(', ');
}

function loopLine(delay: { p50: number; p99: number; max: number }): string {
  return `jobwatch event loop delay: p50 ${ms(delay.p50)}, p99 ${ms(delay.p99)}, max ${ms(delay.max)}`;
}

function cpuLine(cpu: { jobwatch: number; bench: number }): string {
  return `CPU per Job: jobwatch ${cpu.jobwatch.toFixed(1)} ms, bench process ${cpu.bench.toFixed(1)} ms`;
}

/** Formats the latency result, judging the target on the `final-only` first post. */
export function formatLatency(result: LatencyResult): string {
  const lines = [`latency at ${result.achievedRatePerSecond.toFixed(1)} Failed conditions/s`];
  for (const mode of result.modes) {
    const counted = mode.notify === 'final-only' ? 'first post' : 'update to the first post';
    lines.push(`  ${mode.notify} (${counted}): ${summaryLine(mode.latencyMs)}; missing ${mode.missing} of ${mode.jobs}`);
    lines.push(`    final state shown by ${mode.finalBy.post} posts and ${mode.finalBy.update} updates`);
    if (mode.stagesMs) lines.push(...stageLines(mode.stagesMs, '    '));
  }
  const finalOnly = result.modes.find((m) => m.notify === 'final-only')?.latencyMs;
  if (finalOnly) lines.push(`  target p99 < ${TARGETS.latencyP99Ms} ms on the final-only post: ${verdict(finalOnly.p99 < TARGETS.latencyP99Ms)}`);
  if (result.scheduleLagMs) lines.push(`  load generator lag behind schedule: p99 ${ms(result.scheduleLagMs.p99)}`);
  lines.push(`  ${cpuLine(result.cpuMsPerJob)}`, `  ${loopLine(result.loopDelayMs)}`);
  return lines.join('\n');
}

/** Formats the throughput result. */
export function formatThroughput(result: ThroughputResult): string {
  return [
    `throughput: ${result.jobs} failed Jobs over ${result.channels} channels, written in ${ms(result.writeMs)}`,
    `  drained in ${(result.drainMs / 1000).toFixed(1)} s: ${result.overallPerSecond.toFixed(0)} failures/s overall, ${result.sustainedPerSecond.toFixed(0)} failures/s sustained (10th to 90th percentile)`,
    `  per-Job latency: ${summaryLine(result.latencyMs)}`,
    `  missing ${result.missing}; ${result.alertCallsPerJob.toFixed(2)} alert calls per Job`,
    ...(result.cpuMsPerJob ? [`  ${cpuLine(result.cpuMsPerJob)}`] : []),
    ...(result.loopDelayMs ? [`  ${loopLine(result.loopDelayMs)}`] : []),
    ...(result.apiRequestsPerJob ? [`  API server requests per Job: ${requestsLine(result.apiRequestsPerJob)}`] : []),
    ...(result.stagesMs ? stageLines(result.stagesMs, '  ') : []),
    `  target ≥ ${TARGETS.failuresPerSecond} failures/s sustained: ${verdict(result.sustainedPerSecond >= TARGETS.failuresPerSecond)}`,
  ].join('\n');
}

function sampleLine(name: string, sample: MemorySample): string {
  return `  ${name.padEnd(9)} RSS ${mib(sample.rssBytes).padStart(8)}, heap used ${mib(sample.heapUsedBytes).padStart(8)} of ${mib(sample.heapTotalBytes)}`;
}

/** Formats the memory result, judging the target on RSS after idling and on peak RSS. */
export function formatMemory(result: MemoryResult): string {
  const limit = TARGETS.watcherRssBytes;
  return [
    `watcher memory: ${result.jobs} Jobs (${result.failedJobs} failed) and their pods; cached ${result.cachedJobs} Jobs, ${result.cachedPods} pods`,
    `  synced in ${(result.syncMs / 1000).toFixed(1)} s, evidence and signals done ${(result.settleMs / 1000).toFixed(1)} s later`,
    sampleLine('baseline', result.baseline),
    sampleLine('at sync', result.atSync),
    sampleLine('settled', result.settled),
    sampleLine('idle', result.idle),
    `  peak RSS ${mib(result.peakRssBytes)} (baseline peak ${mib(result.baseline.peakRssBytes)})`,
    `  target RSS < ${mib(limit)}: idle ${verdict(result.idle.rssBytes < limit)}, peak ${verdict(result.peakRssBytes < limit)}`,
  ].join('\n');
}
