import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { evaluate } from '../diagnose/evaluate.ts';
import type { CaseResult, Report } from '../diagnose/evaluate.ts';
import { parseScenario, ScenarioError } from '../diagnose/scenario.ts';
import type { Scenario } from '../diagnose/scenario.ts';
import { checkScenario, checkUniqueIds, formatProblem, readNoteSources } from '../diagnose/scenario-check.ts';
import type { ScenarioProblem } from '../diagnose/scenario-check.ts';
import { sanitizeText } from '../slack/escape.ts';
import { UsageError } from './diagnose-command.ts';

/** Options of `jobwatch eval`. */
export interface EvalOptions {
  /** Print the whole result as JSON instead of tables. Default: false. */
  json?: boolean;
  /** Exit with 1 when the accuracy in percent (0 to 100) is below this. Default: no threshold. */
  failUnder?: number;
}

/** A scenario file that failed validation, with every problem found in it. */
export interface InvalidFile {
  file: string;
  problems: ScenarioProblem[];
}

/** The scenario files of one folder, sorted by name, split into valid and invalid. */
export interface CheckedFolder {
  files: number;
  valid: Scenario[];
  invalid: InvalidFile[];
}

/**
 * Validates every `*.json` file in `dir`, evaluates the diagnosis on the valid ones and
 * prints the result. Returns the exit code: 0, or 1 when a file is invalid or the accuracy
 * is below `failUnder`. Throws `UsageError` when `dir` cannot be read or has no JSON files.
 */
export async function runEval(dir: string, options: EvalOptions, out: NodeJS.WritableStream): Promise<number> {
  const folder = await checkScenarioFolder(dir);
  const report = evaluate(folder.valid);
  const percent = report.accuracy * 100;
  const underThreshold = options.failUnder !== undefined && folder.valid.length > 0 && percent < options.failUnder;
  const text = options.json
    ? `${JSON.stringify({ files: folder.files, valid: folder.valid.length, invalid: folder.invalid, report }, null, 2)}\n`
    : formatEval(folder, report);
  // Scenario text may carry terminal escapes and bidi controls; a terminal must not run them.
  out.write(sanitizeText(text));
  if (underThreshold) out.write(`accuracy ${percent.toFixed(1)}% is under --fail-under ${options.failUnder}\n`);
  return folder.invalid.length > 0 || underThreshold ? 1 : 0;
}

/**
 * Validates every `*.json` file in `dir` without diagnosing and prints each problem.
 * Returns the exit code: 0, or 1 when a file is invalid. Throws `UsageError` like `runEval`.
 */
export async function runValidate(dir: string, options: { json?: boolean }, out: NodeJS.WritableStream): Promise<number> {
  const folder = await checkScenarioFolder(dir);
  const problems = folder.invalid.flatMap((f) => f.problems);
  const text = options.json
    ? `${JSON.stringify({ files: folder.files, valid: folder.valid.length, invalid: folder.invalid }, null, 2)}\n`
    : [...problems.map(formatProblem), `${folder.valid.length} of ${folder.files} scenario files valid`, ''].join('\n');
  out.write(sanitizeText(text));
  return folder.invalid.length > 0 ? 1 : 0;
}

/**
 * Reads and validates every `*.json` file in `dir`, using the source links of the folder's
 * `NOTES.md` when it has one. Throws `UsageError` when `dir` cannot be read or has no JSON files.
 */
export async function checkScenarioFolder(dir: string): Promise<CheckedFolder> {
  const names = await listScenarioFiles(dir);
  const notes = await readFile(join(dir, 'NOTES.md'), 'utf8').catch(() => '');
  const noteSources = readNoteSources(notes);
  const entries: { file: string; id: unknown; data: unknown; problems: ScenarioProblem[] }[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const text = await readFile(file, 'utf8');
    const parsed = parseJson(text, file);
    if ('problem' in parsed) {
      entries.push({ file, id: undefined, data: undefined, problems: [parsed.problem] });
      continue;
    }
    const id = typeof parsed.data === 'object' && parsed.data !== null ? (parsed.data as { id?: unknown }).id : undefined;
    entries.push({ file, id, data: parsed.data, problems: checkScenario(parsed.data, file, { noteSources }) });
  }
  for (const problem of checkUniqueIds(entries)) entries.find((e) => e.file === problem.file)?.problems.push(problem);
  return splitValid(entries);
}

async function listScenarioFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(`cannot read scenario folder ${dir} (${code}); pass a readable folder of scenario .json files`, { cause: err });
  }
  const json = names.filter((name) => name.endsWith('.json')).sort();
  if (json.length === 0) throw new UsageError(`scenario folder ${dir} has no .json files; write scenarios as described in docs/evaluation.md`);
  return json;
}

function parseJson(text: string, file: string): { data: unknown } | { problem: ScenarioProblem } {
  try {
    return { data: JSON.parse(text) as unknown };
  } catch (err) {
    const problem = `is not valid JSON: ${(err as Error).message}`;
    return { problem: { file, path: '(root)', value: undefined, problem, fix: 'fix the JSON syntax' } };
  }
}

function splitValid(entries: { file: string; data: unknown; problems: ScenarioProblem[] }[]): CheckedFolder {
  const valid: Scenario[] = [];
  const invalid: InvalidFile[] = [];
  for (const { file, data, problems } of entries) {
    if (problems.length > 0) {
      invalid.push({ file, problems });
      continue;
    }
    try {
      valid.push(parseScenario(data, file));
    } catch (err) {
      // The loader and the validator check the same format; a mismatch still must not crash the run.
      if (!(err instanceof ScenarioError)) throw err;
      invalid.push({ file, problems: [{ file, path: '(root)', value: undefined, problem: err.message, fix: 'see docs/scenario-format.md' }] });
    }
  }
  return { files: entries.length, valid, invalid };
}

/** Formats the validation result and the report as text tables for a terminal. */
export function formatEval(folder: CheckedFolder, report: Report): string {
  const lines = [`scenario files: ${folder.files}, valid: ${folder.valid.length}, invalid: ${folder.invalid.length}`];
  if (folder.invalid.length > 0) {
    lines.push('', 'invalid files (not evaluated):');
    for (const { problems } of folder.invalid) for (const p of problems) lines.push(`  ${formatProblem(p)}`);
  }
  lines.push('', `accuracy: ${report.right}/${report.total} (${(report.accuracy * 100).toFixed(1)}%)`, '');
  lines.push(row('expected cause', 'count', 'right', 'wrong'));
  for (const t of report.perCause) lines.push(row(t.cause, t.count, t.right, t.wrong));
  lines.push('', row('confidence', 'count', 'right', 'wrong'));
  for (const t of report.confidence) lines.push(row(t.confidence, t.count, t.right, t.wrong));
  lines.push('', report.confusions.length === 0 ? 'confusions: none' : 'confusions (expected -> diagnosed):');
  for (const c of report.confusions) lines.push(`  ${c.expected} -> ${c.diagnosed} (${c.scenarios.length}): ${c.scenarios.join(', ')}`);
  lines.push('', report.failures.length === 0 ? 'failed cases: none' : 'failed cases:');
  for (const f of report.failures) lines.push(...formatFailure(f));
  return `${lines.join('\n')}\n`;
}

function row(name: string, ...counts: (number | string)[]): string {
  return `  ${name.padEnd(24)}${counts.map((c) => String(c).padStart(7)).join('')}`;
}

function formatFailure(f: CaseResult): string[] {
  const lines = [
    `  ${f.id}`,
    `    expected:  ${f.expected.cause}, reason ${f.expected.reason ?? 'null'}`,
    `    diagnosed: ${f.diagnosed.cause}, reason ${f.diagnosed.reason ?? 'null'} (${f.diagnosed.confidence} confidence)`,
  ];
  if (f.missingEvidence.length > 0) lines.push(`    missing evidence: ${f.missingEvidence.map((e) => JSON.stringify(e)).join(', ')}`);
  return lines;
}
