import type { Attempt, AttemptOutcome } from './job-pods.ts';
import type { OutcomeChooser } from './job-kubelet.ts';
import type { KubeObject } from './resources.ts';
import type { Scenario } from './scenario.ts';

/**
 * Outcomes for the demo. A retry of a scenario's Job fails the way the scenario failed
 * unless the retry carries the fix for its cause, and every other Job succeeds after 1 s.
 */

type Fields = Record<string, unknown>;

/** Annotation naming the Job that a retry re-runs. */
export const retryOfAnnotation = 'jobwatch.dev/retry-of';
/** Log lines of the scenario's last attempt that a failing retry prints. */
const tailLines = 20;
/** Run time of an attempt that ends on its own, in model ms. */
const attemptMs = 2000;
/** Causes whose failures come and go, so more attempts eventually get through. */
const flakyCauses = new Set(['dependency-unavailable', 'node-disruption', 'evicted', 'unknown']);

interface Failure {
  namespace: string;
  jobName: string;
  cause: string;
  reason: string | null;
  terminated?: { exitCode: number; reason?: string };
  waiting?: { reason: string; message: string };
  memoryLimitBytes?: number;
  deadlineSeconds?: number;
  backoffLimit: number;
  log: string;
}

const binarySuffixes: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const decimalSuffixes: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** Parses a memory quantity such as `128Mi`, `1G` or `2e9` into bytes; `undefined` if unreadable. */
export function quantityBytes(quantity: unknown): number | undefined {
  if (typeof quantity !== 'string' && typeof quantity !== 'number') return undefined;
  const match = /^([0-9.]+(?:e[0-9]+)?)([KMGT]i|[kMGT])?$/.exec(String(quantity).trim());
  if (match === null) return undefined;
  const suffix = match[2] ?? '';
  return Number(match[1]) * (binarySuffixes[suffix] ?? decimalSuffixes[suffix] ?? 1);
}

function podSpecOf(object: KubeObject): Fields {
  return ((((object['spec'] as Fields | undefined)?.['template'] as Fields | undefined)?.['spec']) ?? {}) as Fields;
}

function maxMemoryLimit(spec: Fields): number | undefined {
  const limits = ((spec['containers'] ?? []) as Fields[]).map((c) =>
    quantityBytes(((c['resources'] as Fields | undefined)?.['limits'] as Fields | undefined)?.['memory']),
  );
  const known = limits.filter((limit) => limit !== undefined);
  return known.length === 0 ? undefined : Math.max(...known);
}

function lastPodState(pods: KubeObject[]): Pick<Failure, 'terminated' | 'waiting'> {
  for (const pod of [...pods].reverse()) {
    for (const status of (((pod['status'] as Fields | undefined)?.['containerStatuses'] ?? []) as Fields[])) {
      const state = (status['state'] ?? {}) as Fields;
      const last = (status['lastState'] ?? {}) as Fields;
      const terminated = (state['terminated'] ?? last['terminated']) as Fields | undefined;
      if (terminated !== undefined && terminated['exitCode'] !== 0) {
        return { terminated: { exitCode: Number(terminated['exitCode']), ...(typeof terminated['reason'] === 'string' ? { reason: terminated['reason'] } : {}) } };
      }
      const waiting = state['waiting'] as { reason?: string; message?: string } | undefined;
      if (waiting?.reason !== undefined) return { waiting: { reason: waiting.reason, message: waiting.message ?? '' } };
    }
  }
  return {};
}

function failureOf(scenario: Scenario): Failure | undefined {
  const job = scenario.objects.find((o) => o.kind === 'Job');
  if (job === undefined) return undefined;
  const jobSpec = (job['spec'] ?? {}) as Fields;
  const pods = scenario.objects.filter((o) => o.kind === 'Pod');
  const lastPod = pods.at(-1)?.metadata.name;
  const log = scenario.logs.filter((l) => l.pod === lastPod).map((l) => l.text).join('');
  const memoryLimitBytes = maxMemoryLimit(podSpecOf(job));
  const deadline = jobSpec['activeDeadlineSeconds'];
  return {
    namespace: job.metadata.namespace ?? 'default',
    jobName: job.metadata.name ?? '',
    cause: scenario.expected.cause,
    reason: scenario.expected.reason,
    ...lastPodState(pods),
    ...(memoryLimitBytes === undefined ? {} : { memoryLimitBytes }),
    ...(typeof deadline === 'number' ? { deadlineSeconds: deadline } : {}),
    backoffLimit: Number(jobSpec['backoffLimit'] ?? 6),
    log: log.split('\n').slice(-tailLines - 1).join('\n'),
  };
}

/** Returns the scenario failure a Job retries: `<name>-retry-N` or the retry-of annotation. */
function retriedFailure(job: KubeObject, failures: readonly Failure[]): Failure | undefined {
  const name = job.metadata.name ?? '';
  const retryOf = job.metadata.annotations?.[retryOfAnnotation];
  const matches = failures.filter((f) => f.jobName === retryOf || new RegExp(`^${f.jobName.replace(/[.]/g, "\\.")}-retry-\\d+$`).test(name));
  return matches.find((f) => f.namespace === job.metadata.namespace) ?? matches[0];
}

function failingOutcome(failure: Failure): AttemptOutcome {
  if (failure.deadlineSeconds !== undefined && failure.reason === 'DeadlineExceeded') {
    // Runs well past the old deadline, so the deadline ends it as it did before.
    return { exitCode: 0, durationMs: failure.deadlineSeconds * 10_000, log: failure.log };
  }
  if (failure.waiting !== undefined) return { exitCode: 0, durationMs: attemptMs, waiting: failure.waiting };
  const exitCode = failure.terminated?.exitCode ?? 1;
  const reason = failure.terminated?.reason;
  return { exitCode, durationMs: attemptMs, log: failure.log, ...(reason === undefined ? {} : { reason }) };
}

/** Returns the outcome of one attempt of a retry: success when the retry carries the fix. */
function retryOutcome(job: KubeObject, attempt: Attempt, failure: Failure): AttemptOutcome {
  const spec = (job['spec'] ?? {}) as Fields;
  const success = { exitCode: 0, durationMs: attemptMs, log: 'done\n' };
  if (failure.cause === 'oom-killed') {
    const limit = maxMemoryLimit(podSpecOf(job));
    const fixed = limit !== undefined && failure.memoryLimitBytes !== undefined && limit > failure.memoryLimitBytes;
    return fixed ? success : failingOutcome(failure);
  }
  if (failure.reason === 'DeadlineExceeded' && failure.deadlineSeconds !== undefined) {
    const deadline = spec['activeDeadlineSeconds'];
    if (typeof deadline !== 'number' || deadline <= failure.deadlineSeconds) return failingOutcome(failure);
    // The work takes longer than the old deadline allowed but fits in the new one.
    return { ...success, durationMs: ((failure.deadlineSeconds + deadline) / 2) * 1000 };
  }
  if (failure.reason === 'BackoffLimitExceeded' && flakyCauses.has(failure.cause)) {
    // The original used backoffLimit + 1 attempts; the next one after those gets through.
    return attempt.number > failure.backoffLimit + 1 ? success : failingOutcome(failure);
  }
  return failingOutcome(failure);
}

/**
 * Returns outcomes for the simulated job controller in which a retry of a scenario's Job
 * (named `<job>-retry-N` or annotated `jobwatch.dev/retry-of: <job>`) fails with the
 * scenario's exit code, reason and last log lines unless it carries the fix for the
 * cause: a higher memory limit for `oom-killed`, a longer `activeDeadlineSeconds` for a
 * deadline, more attempts for a flaky backoff-limited failure. Any other Job succeeds after 1 s.
 */
export function scenarioOutcomes(scenarios: readonly Scenario[]): OutcomeChooser {
  const failures = scenarios.map(failureOf).filter((f) => f !== undefined);
  return (job, attempt) => {
    const failure = retriedFailure(job, failures);
    if (failure === undefined) return { exitCode: 0, durationMs: 1000 };
    return retryOutcome(job, attempt, failure);
  };
}
