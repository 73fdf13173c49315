import { describe, expect, it } from 'vitest';
import { evaluate, evaluateScenario, missingEvidence } from '../../src/diagnose/evaluate.ts';
import { loadScenario } from '../../src/diagnose/scenario.ts';
import type { Scenario } from '../../src/diagnose/scenario.ts';
import type { Diagnosis } from '../../src/diagnose/types.ts';
import { knownWrong, SCENARIO_DIR, scenarioFiles, scenarioId } from './fixtures.ts';

async function load(id: string): Promise<Scenario> {
  return await loadScenario(`${SCENARIO_DIR}${id}.json`);
}

/** Copies a bundled scenario under a new id, with `expected` changed. */
async function variant(id: string, newId: string, expected: Partial<Scenario['expected']>): Promise<Scenario> {
  const scenario = structuredClone(await load(id));
  return { ...scenario, id: newId, expected: { ...scenario.expected, ...expected } };
}

const OOM = 'oom-cronjob-pod-lister-128mi';
const SECRET = 'render-job-secret-not-found';

describe('evaluate', () => {
  it('matches the known-wrong list on the bundled scenarios', async () => {
    const scenarios = await Promise.all(scenarioFiles().map((file) => loadScenario(file)));
    const report = evaluate(scenarios);
    const wrong = Object.keys(knownWrong()).sort();
    expect(report.total).toBe(scenarios.length);
    expect(report.failures.map((f) => f.id)).toEqual(wrong);
    expect(report.right).toBe(scenarios.length - wrong.length);
    expect(report.accuracy).toBeCloseTo(report.right / report.total);
    expect(report.cases.map((c) => c.id)).toEqual(scenarioFiles().map(scenarioId));
  });

  it('counts a wrong cause per cause and as a confusion', async () => {
    const scenarios = [
      await load(OOM),
      await variant(OOM, 'oom-as-app-error', { cause: 'app-error' }),
      await variant(OOM, 'oom-as-app-error-2', { cause: 'app-error' }),
      await variant(SECRET, 'secret-as-image-pull', { cause: 'image-pull' }),
    ];
    const report = evaluate(scenarios);
    expect(report.total).toBe(4);
    expect(report.right).toBe(1);
    expect(report.wrong).toBe(3);
    expect(report.accuracy).toBe(0.25);
    expect(report.perCause).toEqual([
      { cause: 'app-error', count: 2, right: 0, wrong: 2 },
      { cause: 'oom-killed', count: 1, right: 1, wrong: 0 },
      { cause: 'image-pull', count: 1, right: 0, wrong: 1 },
    ]);
    expect(report.confusions).toEqual([
      { expected: 'app-error', diagnosed: 'oom-killed', scenarios: ['oom-as-app-error', 'oom-as-app-error-2'] },
      { expected: 'image-pull', diagnosed: 'config-missing', scenarios: ['secret-as-image-pull'] },
    ]);
  });

  it('lists failed cases with reason and missing evidence', async () => {
    const wrongReason = await variant(OOM, 'a-wrong-reason', { reason: 'DeadlineExceeded' });
    const wrongEvidence = await variant(OOM, 'b-wrong-evidence', { evidence: ['OOMKilled', 'no such text'] });
    const report = evaluate([wrongEvidence, wrongReason]);
    expect(report.failures.map((f) => f.id)).toEqual(['a-wrong-reason', 'b-wrong-evidence']);
    const [reason, evidence] = report.failures;
    expect(reason?.expected).toEqual({ cause: 'oom-killed', reason: 'DeadlineExceeded' });
    expect(reason?.diagnosed.reason).toBe('BackoffLimitExceeded');
    expect(reason?.missingEvidence).toEqual([]);
    expect(evidence?.diagnosed.cause).toBe('oom-killed');
    expect(evidence?.missingEvidence).toEqual(['no such text']);
    expect(report.confusions).toEqual([]);
  });

  it('tallies every confidence level', async () => {
    const report = evaluate([await load(OOM), await variant(OOM, 'x', { cause: 'unknown' })]);
    expect(report.confidence.map((c) => c.confidence)).toEqual(['high', 'medium', 'low']);
    expect(report.confidence.reduce((sum, c) => sum + c.count, 0)).toBe(2);
    const level = report.cases[0]?.diagnosed.confidence;
    expect(report.confidence.find((c) => c.confidence === level)).toEqual({ confidence: level, count: 2, right: 1, wrong: 1 });
  });

  it('gives the same report for any input order', async () => {
    const scenarios = [await load(OOM), await load(SECRET), await variant(SECRET, 'a-first', { cause: 'unknown' })];
    const forward = evaluate(scenarios);
    const backward = evaluate([...scenarios].reverse());
    expect(backward).toEqual(forward);
    expect(JSON.stringify(backward)).toBe(JSON.stringify(forward));
    expect(forward.cases.map((c) => c.id)).toEqual(['a-first', OOM, SECRET]);
  });

  it('reports zero accuracy for no scenarios', () => {
    const report = evaluate([]);
    expect(report.total).toBe(0);
    expect(report.accuracy).toBe(0);
    expect(report.perCause).toEqual([]);
    expect(report.confidence.every((c) => c.count === 0)).toBe(true);
  });
});

describe('evaluateScenario', () => {
  it('marks a bundled scenario right', async () => {
    const result = evaluateScenario(await load(OOM));
    expect(result.right).toBe(true);
    expect(result.diagnosed.cause).toBe('oom-killed');
  });
});

describe('missingEvidence', () => {
  const diagnosis: Diagnosis = {
    cause: 'oom-killed',
    reason: null,
    summary: 'Container report was OOMKilled',
    evidence: [{ source: 'status', text: 'limits.memory: 512Mi' }],
    fix: 'kubectl edit',
    secondary: [],
    confidence: 'high',
  };

  it('searches summary and quotes ignoring case', () => {
    expect(missingEvidence(diagnosis, ['oomkilled', '512MI'])).toEqual([]);
  });

  it('returns the strings not shown, in order', () => {
    expect(missingEvidence(diagnosis, ['exit code 137', 'OOMKilled', 'kubectl'])).toEqual(['exit code 137', 'kubectl']);
  });
});
