import { statSync } from 'node:fs';
import { evaluate } from '../diagnose/evaluate.ts';
import type { CaseResult, Report } from '../diagnose/evaluate.ts';
import { formatProblem } from '../diagnose/scenario-check.ts';
import { checkScenarioFolder as checkFolder, ScenarioFolderError } from '../diagnose/scenario-folder.ts';
import type { CheckedFolder } from '../diagnose/scenario-folder.ts';
import { sanitizeText } from '../slack/escape.ts';
import { diagnosisOptions, UsageError } from './diagnose-command.ts';

/** Options of `jobwatch eval`. */
export interface EvalOptions {
  /** Print the whole result as JSON instead of tables. Default: false. */
  json?: boolean;
  /** Exit with 1 when the accuracy in percent (0 to 100) is below this. Default: no threshold. */
  failUnder?: number;
  /** Path of a log patterns file applied to every diagnosis. Default: none. */
  logPatterns?: string;
}

/**
 * Validates every `*.json` file in `dir`, evaluates the diagnosis on the valid ones and
 * prints the result. Returns the exit code: 0, or 1 when a file is invalid or the accuracy
 * is below `failUnder`. Throws `UsageError` when `dir` cannot be read or has no JSON files,
 * and `ConfigError` when the `logPatterns` file cannot be read or is invalid.
 */
export async function runEval(
  dir: string,
  options: EvalOptions,
  out: NodeJS.WritableStream,
): Promise<number> {
  // The patterns file is checked first, so a mistake in it is reported before any work.
  const settings = diagnosisOptions(options.logPatterns);
  const folder = await checkScenarioFolder(dir);
  const report = evaluate(folder.valid, settings);
  const percent = report.accuracy * 100;
  const { failUnder } = options;
  const underThreshold = failUnder !== undefined && folder.valid.length > 0 && percent < failUnder;
  const text = options.json
    ? toJson({ files: folder.files, valid: folder.valid.length, invalid: folder.invalid, report })
    : formatEval(folder, report);
  // Scenario text may carry terminal escapes and bidi controls; a terminal must not run them.
  out.write(sanitizeText(text));
  if (underThreshold) out.write(`accuracy ${percent.toFixed(1)}% is under --fail-under ${failUnder}\n`);
  return folder.invalid.length > 0 || underThreshold ? 1 : 0;
}

/**
 * Validates every `*.json` file in `dir` without diagnosing and prints each problem.
 * Returns the exit code: 0, or 1 when a file is invalid. Throws `UsageError` like `runEval`.
 */
export async function runValidate(
  dir: string,
  options: { json?: boolean },
  out: NodeJS.WritableStream,
): Promise<number> {
  const folder = await checkScenarioFolder(dir);
  const problems = folder.invalid.flatMap((f) => f.problems);
  const summary = `${folder.valid.length} of ${folder.files} scenario files valid`;
  const text = options.json
    ? toJson({ files: folder.files, valid: folder.valid.length, invalid: folder.invalid })
    : [...problems.map(formatProblem), summary, ''].join('\n');
  out.write(sanitizeText(text));
  return folder.invalid.length > 0 ? 1 : 0;
}

function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

// A folder that cannot be read is a mistake in the command line, so it exits with 2.
async function checkScenarioFolder(dir: string): Promise<CheckedFolder> {
  if (statSync(dir, { throwIfNoEntry: false })?.isFile() === true) {
    throw new UsageError(
      `${dir} is a file, not a folder; pass a folder of scenario .json files, ` +
        `or run jobwatch diagnose --scenario ${dir} to diagnose this one file`,
    );
  }
  try {
    return await checkFolder(dir);
  } catch (err) {
    if (err instanceof ScenarioFolderError) throw new UsageError(err.message, { cause: err });
    throw err;
  }
}

/** Formats the validation result and the report as text tables for a terminal. */
export function formatEval(folder: CheckedFolder, report: Report): string {
  const { files, valid, invalid } = folder;
  const lines = [`scenario files: ${files}, valid: ${valid.length}, invalid: ${invalid.length}`];
  if (invalid.length > 0) {
    lines.push('', 'invalid files (not evaluated):');
    const problems = invalid.flatMap((f) => f.problems);
    lines.push(...problems.map((p) => `  ${formatProblem(p)}`));
  }
  const percent = (report.accuracy * 100).toFixed(1);
  lines.push('', `accuracy: ${report.right}/${report.total} (${percent}%)`, '');
  lines.push(row('expected cause', 'count', 'right', 'wrong'));
  for (const t of report.perCause) lines.push(row(t.cause, t.count, t.right, t.wrong));
  lines.push('', row('confidence', 'count', 'right', 'wrong'));
  for (const t of report.confidence) lines.push(row(t.confidence, t.count, t.right, t.wrong));
  const { confusions } = report;
  lines.push('', confusions.length === 0 ? 'confusions: none' : 'confusions (expected -> diagnosed):');
  for (const c of confusions) {
    lines.push(`  ${c.expected} -> ${c.diagnosed} (${c.scenarios.length}): ${c.scenarios.join(', ')}`);
  }
  lines.push('', report.failures.length === 0 ? 'failed cases: none' : 'failed cases:');
  for (const f of report.failures) lines.push(...formatFailure(f));
  return `${lines.join('\n')}\n`;
}

function row(name: string, ...counts: (number | string)[]): string {
  return `  ${name.padEnd(24)}${counts.map((c) => String(c).padStart(7)).join('')}`;
}

function formatFailure(f: CaseResult): string[] {
  const { expected, diagnosed } = f;
  const lines = [
    `  ${f.id}`,
    `    expected:  ${expected.cause}, reason ${expected.reason ?? 'null'}`,
    `    diagnosed: ${diagnosed.cause}, reason ${diagnosed.reason ?? 'null'} (${diagnosed.confidence} confidence)`,
  ];
  if (f.missingEvidence.length > 0) {
    lines.push(`    missing evidence: ${f.missingEvidence.map((e) => JSON.stringify(e)).join(', ')}`);
  }
  return lines;
}
