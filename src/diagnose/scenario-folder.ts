import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseScenario, ScenarioError } from './scenario.ts';
import type { Scenario } from './scenario.ts';
import { checkScenario } from './scenario-check.ts';
import type { ScenarioProblem } from './scenario-check.ts';

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

/** A scenario folder that cannot be read or has no `.json` file. */
export class ScenarioFolderError extends Error {
  override readonly name = 'ScenarioFolderError';
}

interface Entry {
  file: string;
  id: unknown;
  data: unknown;
  problems: ScenarioProblem[];
}

/**
 * Reads and validates every `*.json` file in `dir`, using the source links of the folder's
 * `NOTES.md` when it has one. Throws `ScenarioFolderError` when `dir` cannot be read or
 * has no `.json` file.
 */
export async function checkScenarioFolder(dir: string): Promise<CheckedFolder> {
  const names = await listScenarioFiles(dir);
  const noteSources = readNoteSources(await readNotes(dir));
  const entries: Entry[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const parsed = parseJson(await readFile(file, 'utf8'), file);
    if ('problem' in parsed) {
      entries.push({ file, id: undefined, data: undefined, problems: [parsed.problem] });
      continue;
    }
    const { data } = parsed;
    const id = typeof data === 'object' && data !== null ? (data as { id?: unknown }).id : undefined;
    entries.push({ file, id, data, problems: checkScenario(data, file, { noteSources }) });
  }
  for (const problem of checkUniqueIds(entries)) {
    entries.find((e) => e.file === problem.file)?.problems.push(problem);
  }
  return splitValid(entries);
}

async function listScenarioFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const fix = 'pass a readable folder of scenario .json files';
    throw new ScenarioFolderError(`cannot read scenario folder ${dir} (${code}); ${fix}`, { cause: err });
  }
  const json = names.filter((name) => name.endsWith('.json')).sort();
  if (json.length === 0) {
    const fix = 'write scenarios as described in docs/evaluation.md';
    throw new ScenarioFolderError(`scenario folder ${dir} has no .json files; ${fix}`);
  }
  return json;
}

// NOTES.md is optional: a folder without it keeps each source in the scenario's source.url.
async function readNotes(dir: string): Promise<string> {
  try {
    return await readFile(join(dir, 'NOTES.md'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

function parseJson(text: string, file: string): { data: unknown } | { problem: ScenarioProblem } {
  try {
    return { data: JSON.parse(text) as unknown };
  } catch (err) {
    const problem = `is not valid JSON: ${(err as Error).message}`;
    return { problem: { file, path: '(root)', value: undefined, problem, fix: 'fix the JSON syntax' } };
  }
}

function splitValid(entries: Entry[]): CheckedFolder {
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
      // The loader and the validator check the same format, but a mismatch must not stop the run.
      if (!(err instanceof ScenarioError)) throw err;
      const fix = 'see docs/scenario-format.md';
      const problem = { file, path: '(root)', value: undefined, problem: err.message, fix };
      invalid.push({ file, problems: [problem] });
    }
  }
  return { files: entries.length, valid, invalid };
}

/**
 * Finds scenario ids used by more than one file. `scenarios` pairs each file with the id it
 * declares. The file whose name matches the id keeps it; each other file with that id gets
 * one problem.
 */
export function checkUniqueIds(
  scenarios: readonly { file: string; id: unknown }[],
): ScenarioProblem[] {
  const named = (s: { file: string; id: unknown }) => basename(s.file) === `${String(s.id)}.json`;
  // Array.prototype.sort is stable, so files keep their order within each group.
  const ordered = [...scenarios].sort((a, b) => Number(named(b)) - Number(named(a)));
  const seen = new Map<string, string>();
  const problems: ScenarioProblem[] = [];
  for (const { file, id } of ordered) {
    if (typeof id !== 'string') continue;
    const first = seen.get(id);
    if (first === undefined) seen.set(id, file);
    else problems.push({ file, path: 'id', value: id, problem: `is also the id of ${first}`, fix: 'give it its own id' });
  }
  return problems;
}

/**
 * Reads the source URL of each scenario from a folder's `NOTES.md`, where a scenario's
 * section starts with `## <id>` and has a `- Source: <url>` line. Returns URLs by id.
 */
export function readNoteSources(markdown: string): Map<string, string> {
  const sources = new Map<string, string>();
  let id: string | undefined;
  for (const line of markdown.split('\n')) {
    const heading = /^## (\S+)/.exec(line);
    if (heading !== null) id = heading[1];
    const url = /^- Source: (\S+)/.exec(line)?.[1];
    if (url !== undefined && id !== undefined && !sources.has(id)) sources.set(id, url);
  }
  return sources;
}
