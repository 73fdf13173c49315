import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CauseId, EvidenceQuote } from '../../src/diagnose/types.ts';
import type { AlertView, AttemptView, EpisodeState } from '../../src/slack/alert-view.ts';

const SCENARIO_DIR = join(import.meta.dirname, '../../fixtures/scenarios');

interface KubeObject {
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid: string;
    ownerReferences?: { kind: string; name: string; uid: string }[];
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  involvedObject?: { kind: string; name: string };
  reason?: string;
  message?: string;
}

interface Scenario {
  id: string;
  objects: KubeObject[];
  logs?: { pod: string; container: string; text: string }[];
  expected: { reason: string | null; cause: CauseId; evidence: string[] };
}

interface ContainerStatus {
  name: string;
  state?: { terminated?: Terminated; waiting?: { reason?: string; message?: string } };
  lastState?: { terminated?: Terminated };
}

interface Terminated {
  exitCode?: number;
  reason?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
}

/** Loads every scenario file of the project. */
export function loadScenarios(): Scenario[] {
  return readdirSync(SCENARIO_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(SCENARIO_DIR, name), 'utf8')) as Scenario);
}

/**
 * Builds the alert view a diagnosis of the scenario would give: the Job's own names and
 * counters, its pods as attempts with their logs, and its events and expected evidence as
 * quotes. The summary and fix are stand-ins built from the same facts.
 */
export function scenarioView(scenario: Scenario, state: EpisodeState): AlertView {
  const job = scenario.objects.find((object) => object.kind === 'Job');
  if (job === undefined) {
    throw new Error(`scenario ${scenario.id} has no Job object`);
  }
  const spec = job.spec ?? {};
  const status = job.status ?? {};
  const owner = job.metadata.ownerReferences?.find((reference) => reference.kind === 'CronJob');
  const attempts = scenario.objects
    .filter((object) => object.kind === 'Pod')
    .map((pod, i) => podAttempt(pod, i + 1, scenario.logs ?? []));
  const backoffLimit = typeof spec['backoffLimit'] === 'number' ? spec['backoffLimit'] : 6;
  return {
    key: job.metadata.uid,
    version: 1,
    cluster: 'scenario',
    namespace: job.metadata.namespace ?? 'default',
    jobName: job.metadata.name,
    ...(owner === undefined ? {} : { cronJob: { name: owner.name, uid: owner.uid } }),
    state,
    reason: scenario.expected.reason,
    cause: scenario.expected.cause,
    confidence: 'high',
    summary: `${scenario.expected.cause}: ${scenario.expected.evidence.join('; ')}`,
    evidence: quotes(scenario),
    fix: `Check ${scenario.expected.evidence[0] ?? 'the evidence'} on ${job.metadata.name}.`,
    secondary: [],
    params: {
      backoffLimit,
      ...(typeof spec['activeDeadlineSeconds'] === 'number'
        ? { activeDeadlineSeconds: spec['activeDeadlineSeconds'] }
        : {}),
      failed: numberOr(status['failed']),
      succeeded: numberOr(status['succeeded']),
      active: numberOr(status['active']),
      attemptsUsed: Math.max(attempts.length, numberOr(status['failed'])),
      attemptsAllowed: backoffLimit + 1,
      durationMs: 600_000,
    },
    attempts,
    openedAt:
      typeof status['startTime'] === 'string' ? status['startTime'] : '2026-01-01T00:00:00Z',
  };
}

function podAttempt(
  pod: KubeObject,
  number: number,
  logs: NonNullable<Scenario['logs']>,
): AttemptView {
  const statuses = (pod.status?.['containerStatuses'] ?? []) as ContainerStatus[];
  const first = statuses[0];
  const terminated = first?.state?.terminated ?? first?.lastState?.terminated;
  const reason =
    terminated?.reason ??
    first?.state?.waiting?.reason ??
    (pod.status?.['reason'] as string | undefined);
  const message =
    terminated?.message ??
    first?.state?.waiting?.message ??
    (pod.status?.['message'] as string | undefined);
  const log = logs
    .filter((entry) => entry.pod === pod.metadata.name)
    .map((entry) => entry.text)
    .join('\n');
  const node = pod.spec?.['nodeName'];
  return {
    number,
    pod: pod.metadata.name,
    ...(first === undefined ? {} : { container: first.name }),
    ...(typeof node === 'string' ? { node } : {}),
    ...(terminated?.startedAt === undefined ? {} : { startedAt: terminated.startedAt }),
    ...(terminated?.finishedAt === undefined ? {} : { finishedAt: terminated.finishedAt }),
    ...(terminated?.exitCode === undefined ? {} : { exitCode: terminated.exitCode }),
    ...(reason === undefined ? {} : { reason }),
    ...(message === undefined ? {} : { message }),
    ...(log === '' ? {} : { logExcerpt: log }),
  };
}

function quotes(scenario: Scenario): EvidenceQuote[] {
  const events = scenario.objects
    .filter((object) => object.kind === 'Event' && object.message !== undefined)
    .map((event): EvidenceQuote => ({
      source: 'event',
      object: `${event.involvedObject?.kind ?? 'Object'}/${event.involvedObject?.name ?? '?'}`,
      text: `${event.reason ?? ''}: ${event.message ?? ''}`,
    }));
  const expected = scenario.expected.evidence.map((text): EvidenceQuote => ({
    source: 'status',
    text,
  }));
  return [...expected, ...events];
}

function numberOr(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}
