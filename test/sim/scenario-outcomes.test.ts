import type { V1JobSpec } from '@kubernetes/client-node';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadScenario, scenarioOutcomes, type OutcomeChooser, type Scenario } from '../../src/sim/index.ts';
import { quantityBytes } from '../../src/sim/scenario-outcomes.ts';
import type { KubeObject } from '../../src/sim/resources.ts';

const scenarioDir = join(import.meta.dirname, '../../fixtures/scenarios');
let scenarios: Scenario[];
let outcomes: OutcomeChooser;

beforeAll(async () => {
  scenarios = await Promise.all(
    ['oom-cronjob-pod-lister-128mi', 'deadline-backup-cronjob-sigkill-137', 'django-migrate-job-postgres-connection-refused', 'cronjob-private-registry-no-pull-secret', 'scanner-job-wrong-script-path-exit-2'].map(
      (id) => loadScenario(join(scenarioDir, `${id}.json`)),
    ),
  );
  outcomes = scenarioOutcomes(scenarios);
});

/** Returns a copy of a scenario's Job renamed, with `change` applied to its spec. */
function retryOf(id: string, name: (original: string) => string, change: (spec: V1JobSpec) => void = () => {}): KubeObject {
  const scenario = scenarios.find((s) => s.id === id);
  const job = structuredClone(scenario?.objects.find((o) => o.kind === 'Job'));
  if (job === undefined) throw new Error(`scenario ${id} has no Job`);
  job.metadata.name = name(job.metadata.name ?? '');
  change(job['spec'] as V1JobSpec);
  return job;
}

const first = { index: 0, number: 1 };

describe('scenarioOutcomes', () => {
  it('repeats an OOM kill with the same memory limit', () => {
    const outcome = outcomes(retryOf('oom-cronjob-pod-lister-128mi', (n) => `${n}-retry-1`), first);
    expect(outcome.exitCode).toBe(137);
    expect(outcome.reason).toBe('OOMKilled');
  });

  it('succeeds an OOM retry with a higher memory limit', () => {
    const job = retryOf('oom-cronjob-pod-lister-128mi', (n) => `${n}-retry-1`, (spec) => {
      const container = spec.template.spec?.containers[0];
      if (container === undefined) throw new Error('the OOM scenario Job has no container');
      container.resources = { ...container.resources, limits: { ...container.resources?.limits, memory: '256Mi' } };
    });
    expect(outcomes(job, first).exitCode).toBe(0);
  });

  it('runs a deadline retry past its old deadline', () => {
    const same = outcomes(retryOf('deadline-backup-cronjob-sigkill-137', (n) => `${n}-retry-1`), first);
    expect(same.durationMs).toBeGreaterThan(3600 * 1000);
    const longer = retryOf('deadline-backup-cronjob-sigkill-137', (n) => `${n}-retry-2`, (spec) => {
      spec.activeDeadlineSeconds = 7200;
    });
    const fixed = outcomes(longer, first);
    expect(fixed.exitCode).toBe(0);
    expect(fixed.durationMs).toBeGreaterThan(3600 * 1000);
    expect(fixed.durationMs).toBeLessThan(7200 * 1000);
  });

  it('lets a flaky failure through after more attempts than the original had', () => {
    const job = retryOf('django-migrate-job-postgres-connection-refused', (n) => `${n}-retry-1`);
    const limit = Number((job['spec'] as { backoffLimit?: number }).backoffLimit ?? 6);
    const attempts = Array.from({ length: limit + 2 }, (_, i) => outcomes(job, { index: 0, number: i + 1 }).exitCode);
    expect(attempts.slice(0, limit + 1).every((code) => code !== 0)).toBe(true);
    expect(attempts.at(-1)).toBe(0);
  });

  it('keeps an image pull waiting', () => {
    const outcome = outcomes(retryOf('cronjob-private-registry-no-pull-secret', (n) => `${n}-retry-1`), first);
    expect(outcome.waiting?.reason).toBe('ImagePullBackOff');
  });

  it('matches a retry by the retry-of annotation and carries the last log lines', () => {
    const job = retryOf('scanner-job-wrong-script-path-exit-2', () => 'manual-rerun');
    const original = scenarios.find((s) => s.id === 'scanner-job-wrong-script-path-exit-2')?.objects.find((o) => o.kind === 'Job');
    job.metadata.annotations = { 'jobwatch.dev/retry-of': original?.metadata.name ?? '' };
    const outcome = outcomes(job, first);
    expect(outcome.exitCode).toBe(2);
    expect(outcome.log?.length ?? 0).toBeGreaterThan(0);
  });

  it('succeeds any other Job after 1 s', () => {
    const job = retryOf('scanner-job-wrong-script-path-exit-2', () => 'unrelated');
    expect(outcomes(job, first)).toEqual({ exitCode: 0, durationMs: 1000 });
  });
});

describe('quantityBytes', () => {
  it('reads binary, decimal and plain quantities', () => {
    expect(quantityBytes('128Mi')).toBe(128 * 2 ** 20);
    expect(quantityBytes('1G')).toBe(1e9);
    expect(quantityBytes('2e9')).toBe(2e9);
    expect(quantityBytes('lots')).toBeUndefined();
  });
});
