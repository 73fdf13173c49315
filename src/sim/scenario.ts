import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import type { KubeObject } from './resources.ts';

/**
 * Scenario files (`fixtures/scenarios/*.json`): one failed Job frozen at its end, with the
 * logs `kubectl logs` would print. `docs/scenario-format.md` describes the format.
 */

const timestamp = z.iso.datetime({ offset: true });

const objectSchema = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z.looseObject({
    name: z.string().min(1),
    namespace: z.string().min(1).optional(),
    uid: z.string().min(1),
    resourceVersion: z.string().min(1),
    creationTimestamp: timestamp,
  }),
});

const logSchema = z.object({
  namespace: z.string().min(1),
  pod: z.string().min(1),
  container: z.string().min(1),
  previous: z.boolean(),
  text: z.string(),
});

const scenarioSchema = z.looseObject({
  id: z.string().min(1),
  title: z.string().min(1),
  objects: z.array(objectSchema).min(1),
  logs: z.array(logSchema),
  expected: z.looseObject({
    reason: z.string().nullable(),
    cause: z.string().min(1),
    evidence: z.array(z.string()),
  }),
  replay: z.object({ anchor: z.enum(['start', 'end']) }).optional(),
});

/** One container log of a scenario; `previous` marks the run before the last restart. */
export type ScenarioLog = z.infer<typeof logSchema>;

/** A parsed scenario file. */
export interface Scenario {
  id: string;
  title: string;
  objects: KubeObject[];
  logs: ScenarioLog[];
  expected: { reason: string | null; cause: string; evidence: string[] };
  /**
   * Anchor that ties the played story to the present. `start` (the default) moves the
   * first Job's creation to now. `end` moves the story's last time to now, so that a story
   * about time that passed (a CronJob that missed its schedule) is already over when it is
   * played.
   */
  replay?: { anchor: 'start' | 'end' } | undefined;
}

/** An invalid scenario file; the message names the file and the field. */
export class ScenarioError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'ScenarioError';
  }
}

function describeIssues(file: string, error: z.ZodError): string {
  const lines = error.issues.slice(0, 5).map((issue) => {
    const field = issue.path.length === 0 ? '(root)' : issue.path.join('.');
    return `${file}: ${field}: ${issue.message}`;
  });
  const more = error.issues.length > 5 ? `\n… and ${error.issues.length - 5} more` : '';
  return `invalid scenario file:\n${lines.join('\n')}${more}`;
}

/**
 * Parses and checks scenario JSON text. Throws a ScenarioError naming `file` and each
 * invalid field (e.g. `objects.2.metadata.uid`).
 */
export function parseScenario(text: string, file: string): Scenario {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ScenarioError(`${file}: not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const result = scenarioSchema.safeParse(data);
  if (!result.success) throw new ScenarioError(describeIssues(file, result.error));
  const expectedId = basename(file, '.json');
  if (file.endsWith('.json') && result.data.id !== expectedId) {
    throw new ScenarioError(`${file}: id: "${result.data.id}" does not match the file name "${expectedId}"`);
  }
  return result.data;
}

/** Reads and checks one scenario file. */
export async function loadScenario(file: string): Promise<Scenario> {
  const text = await readFile(file, 'utf8');
  return parseScenario(text, file);
}

/** Reads every `*.json` scenario in `dir`, sorted by file name. */
export async function loadScenarios(dir: string): Promise<Scenario[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  return await Promise.all(names.map((name) => loadScenario(join(dir, name))));
}
