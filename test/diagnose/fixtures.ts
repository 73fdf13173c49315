import { readdirSync } from 'node:fs';
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
