import { statSync } from 'node:fs';
import type { Diagnosis } from '../diagnose/types.ts';
import { diagnose } from '../diagnose/diagnose.ts';
import type { DiagnosisOptions } from '../diagnose/diagnose.ts';
import { loadScenario, scenarioToSnapshot } from '../diagnose/scenario.ts';
import { enrichEpisode } from '../episode/enrich.ts';
import { createClusterReader } from '../app/cluster-reader.ts';
import { loadLogPatterns } from '../config/log-patterns.ts';
import { loadKubeConfig } from '../kube/kubeconfig.ts';
import { createLogger } from '../app/logger.ts';
import { sanitizeText } from '../slack/escape.ts';

export interface DiagnoseOptions {
  namespace?: string;
  kubeconfig?: string;
  context?: string;
  scenario?: string;
  json?: boolean;
  /** Path of a log patterns file, as for `JOBWATCH_LOG_PATTERNS_FILE`. Default none. */
  logPatterns?: string;
  tailLines: number;
  limitBytes: number;
}

/**
 * Diagnoses one Job, live from the current kubeconfig context or offline from a
 * scenario file, and prints the result as text or JSON. Returns the exit code.
 */
export async function runDiagnose(job: string | undefined, options: DiagnoseOptions, out: NodeJS.WritableStream): Promise<number> {
  const settings = diagnosisOptions(options.logPatterns);
  let diagnosis: Diagnosis;
  if (options.scenario) {
    checkScenarioFile(options.scenario);
    diagnosis = diagnose(scenarioToSnapshot(await loadScenario(options.scenario)), settings);
  } else {
    if (!job) throw new UsageError('name the Job to diagnose: jobwatch diagnose JOB -n NAMESPACE, or use --scenario FILE');
    diagnosis = await diagnoseLive(job, options, settings);
  }
  // Cluster text may carry terminal escapes and bidi controls; a terminal must not run them.
  out.write(options.json ? `${sanitizeText(JSON.stringify(diagnosis, null, 2))}\n` : sanitizeText(formatDiagnosis(diagnosis)));
  return 0;
}

/** Throws a UsageError naming `file` when it is missing or a folder, before it is read. */
function checkScenarioFile(file: string): void {
  const stats = statSync(file, { throwIfNoEntry: false });
  if (stats === undefined) {
    throw new UsageError(`scenario file ${file} not found; pass the path of a scenario JSON file`);
  }
  if (stats.isDirectory()) {
    throw new UsageError(
      `--scenario ${file} is a folder; pass the path of one scenario JSON file, ` +
        `or run jobwatch eval ${file} to diagnose every scenario in the folder`,
    );
  }
}

/**
 * Loads the log patterns file given with `--log-patterns`, if any.
 *
 * @throws ConfigError when the file cannot be read or is invalid; the CLI prints each problem.
 */
export function diagnosisOptions(logPatternsFile: string | undefined): DiagnosisOptions {
  const loaded = loadLogPatterns(logPatternsFile, { setting: '--log-patterns' });
  return { logPatterns: loaded.patterns };
}

async function diagnoseLive(name: string, options: DiagnoseOptions, settings: DiagnosisOptions): Promise<Diagnosis> {
  const kc = loadKubeConfig({
    ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
    ...(options.context ? { context: options.context } : {}),
  });
  const namespace = options.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  const reader = createClusterReader(kc);
  const job = await reader.getJob(namespace, name);
  const uid = job?.metadata?.uid;
  if (!job || !uid) throw new UsageError(`job "${name}" not found in namespace "${namespace}"; check the name and -n NAMESPACE`);
  const logger = createLogger('silent');
  const enriched = await enrichEpisode(
    { reader, logger, tailLines: options.tailLines, limitBytes: options.limitBytes },
    { namespace, name, uid },
    job,
    {},
  );
  if (!enriched) throw new UsageError(`job "${name}" in namespace "${namespace}" disappeared while it was read`);
  return diagnose(enriched.snapshot, settings);
}

/** Formats the diagnosis as a few lines for a terminal. */
export function formatDiagnosis(d: Diagnosis): string {
  const lines = [
    `cause:      ${d.cause} (${d.confidence} confidence)`,
    `reason:     ${d.reason ?? '(the Job has not failed)'}`,
    `summary:    ${d.summary}`,
  ];
  if (d.secondary.length > 0) lines.push(`also:       ${d.secondary.join(', ')}`);
  lines.push('evidence:');
  for (const e of d.evidence) lines.push(`  [${e.source}]${e.object ? ` ${e.object}` : ''} ${e.text.replace(/\s*\n\s*/g, ' ⏎ ')}`);
  lines.push(`fix:        ${d.fix}`);
  return `${lines.join('\n')}\n`;
}

/** A mistake in how the command was called; printed without a stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
