import { readFile } from 'node:fs/promises';
import type {
  CoreV1Event,
  KubernetesObject,
  V1CronJob,
  V1Job,
} from '@kubernetes/client-node';
import { z } from 'zod';
import { CAUSE_IDS } from './types.ts';
import type { CauseId, ContainerLog, Snapshot } from './types.ts';

const metadataSchema = z.looseObject({
  name: z.string().min(1),
  namespace: z.string().optional(),
  uid: z.string().min(1),
});

const objectSchema = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: metadataSchema,
});

const logSchema = z.object({
  namespace: z.string().min(1),
  pod: z.string().min(1),
  container: z.string().min(1),
  previous: z.boolean(),
  text: z.string(),
  truncated: z.boolean().optional(),
});

const scenarioSchema = z.object({
  id: z.string().min(1),
  title: z.string().min(1),
  objects: z.array(objectSchema).min(1),
  logs: z.array(logSchema),
  expected: z.object({
    reason: z.string().nullable(),
    cause: z.enum(CAUSE_IDS),
    evidence: z.array(z.string().min(1)),
  }),
});

/** One failed Job as a scenario file holds it; see docs/scenario-format.md. */
export interface Scenario {
  id: string;
  title: string;
  objects: KubernetesObject[];
  logs: ContainerLog[];
  expected: { reason: string | null; cause: CauseId; evidence: string[] };
}

/** A scenario file that is not valid JSON or does not have the scenario shape. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  readonly file: string;

  constructor(file: string, message: string, options?: { cause: unknown }) {
    super(`${file}: ${message}`, options);
    this.file = file;
  }
}

/** Reads and checks one scenario file; throws `ScenarioError` naming the file and the bad field. */
export async function loadScenario(file: string): Promise<Scenario> {
  const text = await readFile(file, 'utf8');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ScenarioError(file, `invalid JSON: ${(err as Error).message}`, { cause: err });
  }
  return parseScenario(data, file);
}

/** Checks already-parsed scenario data; `source` names it in errors. */
export function parseScenario(data: unknown, source: string): Scenario {
  const result = scenarioSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue === undefined ? '' : formatPath(issue.path);
    const message = issue?.message ?? 'invalid scenario';
    throw new ScenarioError(source, `invalid field ${path || '(root)'}: ${message}; see docs/scenario-format.md`);
  }
  return result.data as Scenario;
}

function formatPath(path: PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

/**
 * Turns a scenario into the `Snapshot` the diagnosis reads: the one Job, its
 * CronJob if present, Pods, Events and Nodes by kind, and every other object
 * under `others`. Throws `ScenarioError` when the scenario has no Job or
 * more than one.
 */
export function scenarioToSnapshot(scenario: Scenario): Snapshot {
  const byKind = (kind: string) => scenario.objects.filter((o) => o.kind === kind);
  const jobs = byKind('Job') as V1Job[];
  const job = jobs[0];
  if (job === undefined || jobs.length > 1) {
    throw new ScenarioError(scenario.id, `expected exactly one Job in objects, found ${jobs.length}`);
  }
  const known = new Set(['Job', 'CronJob', 'Pod', 'Event', 'Node']);
  const snapshot: Snapshot = {
    job,
    pods: byKind('Pod'),
    events: byKind('Event') as CoreV1Event[],
    nodes: byKind('Node'),
    logs: scenario.logs,
    others: scenario.objects.filter((o) => !known.has(o.kind ?? '')),
  };
  const cronJob = byKind('CronJob')[0] as V1CronJob | undefined;
  if (cronJob !== undefined) snapshot.cronJob = cronJob;
  return snapshot;
}
