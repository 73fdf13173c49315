import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose/diagnose.ts';
import { loadScenario, parseScenario, scenarioToSnapshot } from '../../src/diagnose/scenario.ts';
import { rewriteScenario } from '../fixtures-rewrite/rewrite-scenario.ts';
import { knownWrong, scenarioFiles, scenarioId } from './fixtures.ts';

const SEEDS = [7, 1234, 99_001];
// Scenarios the diagnosis still misreads are checked as such in scenarios.test.ts.
const wrong = knownWrong();

describe('diagnose on rewritten scenarios', () => {
  for (const file of scenarioFiles().filter((f) => wrong[scenarioId(f)] === undefined)) {
    const name = file.split('/').at(-1) ?? file;

    it(`keeps the cause of ${name} under other names, numbers and order`, async () => {
      const scenario = await loadScenario(file);
      for (const seed of SEEDS) {
        const rewritten = parseScenario(rewriteScenario(scenario, seed), `${name} seed ${seed}`);
        const diagnosis = diagnose(scenarioToSnapshot(rewritten));
        expect(diagnosis.cause, `seed ${seed}`).toBe(scenario.expected.cause);
        expect(diagnosis.reason, `seed ${seed}`).toBe(scenario.expected.reason);
        const text = [diagnosis.summary, ...diagnosis.evidence.map((e) => e.text)].join('\n').toLowerCase();
        for (const evidence of rewritten.expected.evidence) {
          expect(text, `seed ${seed}, evidence "${evidence}"`).toContain(evidence.toLowerCase());
        }
      }
    });
  }

  it('renames the Job, namespace, containers and hosts', async () => {
    const file = scenarioFiles().find((f) => f.includes('django-migrate'));
    const scenario = await loadScenario(file ?? '');
    const before = scenarioToSnapshot(scenario);
    const after = scenarioToSnapshot(rewriteScenario(scenario, 7));
    expect(after.job.metadata?.name).not.toBe(before.job.metadata?.name);
    expect(after.job.metadata?.namespace).not.toBe(before.job.metadata?.namespace);
    expect(after.pods[0]?.spec?.containers[0]?.name).not.toBe(before.pods[0]?.spec?.containers[0]?.name);
    expect(after.logs.map((l) => l.text).join('')).not.toContain('tower-postgresql');
  });

  it('gives the same rewrite for the same seed', async () => {
    const [file] = scenarioFiles();
    const scenario = await loadScenario(file ?? '');
    expect(rewriteScenario(scenario, 42)).toEqual(rewriteScenario(scenario, 42));
    expect(rewriteScenario(scenario, 42)).not.toEqual(rewriteScenario(scenario, 43));
  });
});
