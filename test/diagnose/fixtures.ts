import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Folder of the real-failure scenario files. */
export const SCENARIO_DIR = fileURLToPath(new URL('../../fixtures/scenarios/', import.meta.url));

/** Paths of every scenario file, sorted. */
export function scenarioFiles(): string[] {
  return readdirSync(SCENARIO_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => join(SCENARIO_DIR, name));
}

/**
 * Scenario ids (file names without `.json`) the diagnosis still gets wrong, each with
 * why. A scenario is added here in the commit that adds it, and taken out by the commit
 * whose rule change makes it pass. Tests check that every listed one is still wrong, so
 * the list cannot go stale.
 */
export function knownWrong(): Record<string, string> {
  const path = fileURLToPath(new URL('../../fixtures/known-wrong.json', import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
}

/** Returns the scenario id of a scenario file: its name without `.json`. */
export function scenarioId(file: string): string {
  return (file.split('/').at(-1) ?? file).replace(/\.json$/, '');
}
