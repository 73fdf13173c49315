import { pino, type Logger } from 'pino';
import type { SimCluster } from './cluster.ts';
import { typeOfObject, type KubeObject } from './resources.ts';
import type { Scenario, ScenarioLog } from './scenario.ts';
import { makeStory, storyEnd, storyStart } from './story.ts';
import { buildTimeline, playbackDelays, type Step } from './timeline.ts';

/** Options of {@link playScenario}. */
export interface PlayOptions {
  /** Story seconds per played second. Default 60. */
  speed?: number;
  /** Maximum wait between two steps, in ms. Default 1500. */
  maxGapMs?: number;
  /** Waits `ms`; tests pass one that resolves at once. Default: a timer. */
  delay?: (ms: number) => Promise<void>;
  /** The time the story starts at. Default `() => new Date()`. */
  now?: () => Date;
  logger?: Logger;
}

/** The result of one run of a scenario: the objects it created and their new uids. */
export interface PlayedScenario {
  scenarioId: string;
  /** uid of the scenario's (first) Job in this run. */
  jobUid: string;
  jobName: string;
  namespace: string;
  /** Old uid to this run's uid for every object. */
  uids: Record<string, string>;
  /** `Kind namespace/name` of every object played. */
  objects: string[];
  /** `apiVersion kind` of objects skipped because the simulated server does not serve them. */
  skipped: string[];
}

const defaultDelay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function describeObject(object: KubeObject): string {
  const ns = object.metadata.namespace;
  return `${object.kind} ${ns === undefined ? '' : `${ns}/`}${object.metadata.name ?? ''}`;
}

function refOf(object: KubeObject) {
  return { ...object, namespace: object.metadata.namespace, name: object.metadata.name ?? '' };
}

/** Deletes objects of an earlier run with the same names, as a person re-creating the Job would. */
function removeEarlierRun(cluster: Pick<SimCluster, 'store'>, objects: readonly KubeObject[]): void {
  for (const object of objects) {
    if (object.kind === 'Namespace') continue;
    if (cluster.store.get(refOf(object)) !== undefined) cluster.store.delete(refOf(object));
  }
}

function ensureNamespaces(cluster: Pick<SimCluster, 'store'>, objects: readonly KubeObject[]): void {
  const names = new Set(objects.map((o) => o.metadata.namespace).filter((n) => n !== undefined));
  for (const name of names) {
    const namespace: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
      status: { phase: 'Active' },
    };
    if (cluster.store.get(refOf(namespace)) === undefined) cluster.store.create(namespace);
  }
}

type PlayTarget = Pick<SimCluster, 'store' | 'setLogs'>;

function applyStep(cluster: PlayTarget, step: Step, logs: Map<string, ScenarioLog[]>): void {
  if (step.kind === 'apply') {
    cluster.store.apply(step.object);
    return;
  }
  const { namespace, pod, container } = step.log;
  const key = `${namespace}/${pod}/${container}`;
  const known = [...(logs.get(key) ?? []), step.log];
  logs.set(key, known);
  const current = known.find((l) => !l.previous)?.text;
  const previous = known.find((l) => l.previous)?.text;
  cluster.setLogs(namespace, pod, container, {
    ...(current === undefined ? {} : { current }),
    ...(previous === undefined ? {} : { previous }),
  });
}

/**
 * Plays a scenario on the cluster as a story: fresh uids, times moved to start now, objects
 * appearing and changing in order with compressed waits. Resolves when the last step is done.
 */
export async function playScenario(
  cluster: Pick<SimCluster, 'store' | 'setLogs'>,
  scenario: Scenario,
  options: PlayOptions = {},
): Promise<PlayedScenario> {
  const log = (options.logger ?? pino({ level: 'silent' })).child({ scenario: scenario.id });
  const now = (options.now ?? (() => new Date()))();
  const lengthMs = scenario.replay?.anchor === 'end' ? storyEnd(scenario.objects) - storyStart(scenario.objects) : 0;
  const story = makeStory(scenario, new Date(now.getTime() - lengthMs));
  const served = story.objects.filter((o) => typeOfObject(o) !== undefined);
  const skipped = story.objects
    .filter((o) => typeOfObject(o) === undefined)
    .map((o) => `${o.apiVersion} ${o.kind}`);
  if (skipped.length > 0) log.debug({ skipped }, 'skipped scenario objects of unserved kinds');

  const job = served.find((o) => o.kind === 'Job');
  if (job === undefined) {
    throw new Error(`scenario ${scenario.id} has no Job object; add the failed Job to its objects`);
  }

  removeEarlierRun(cluster, served);
  ensureNamespaces(cluster, served);

  const steps = buildTimeline(served, scenario.logs, story.start.getTime());
  const pace = { speed: options.speed ?? 60, maxGapMs: options.maxGapMs ?? 1500 };
  const delays = playbackDelays(steps, pace);
  const delay = options.delay ?? defaultDelay;
  const logs = new Map<string, ScenarioLog[]>();

  log.info({ steps: steps.length }, 'scenario playback started');
  for (const [i, step] of steps.entries()) {
    const wait = delays[i] ?? 0;
    if (wait > 0) await delay(wait);
    applyStep(cluster, step, logs);
  }

  log.info({ jobUid: job.metadata.uid }, 'scenario playback finished');
  return {
    scenarioId: scenario.id,
    jobUid: job.metadata.uid ?? '',
    jobName: job.metadata.name ?? '',
    namespace: job.metadata.namespace ?? 'default',
    uids: story.uids,
    objects: served.map(describeObject),
    skipped,
  };
}
