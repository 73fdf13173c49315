import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose/diagnose.ts';
import { loadScenario, scenarioToSnapshot } from '../../src/diagnose/scenario.ts';
import type { Diagnosis } from '../../src/diagnose/types.ts';
import { knownWrong, scenarioFiles, scenarioId } from './fixtures.ts';

const wrong = knownWrong();

function searchableText(diagnosis: Diagnosis): string {
  return [diagnosis.summary, ...diagnosis.evidence.map((e) => e.text)].join('\n').toLowerCase();
}

describe('diagnose on the real-failure scenarios', () => {
  for (const file of scenarioFiles()) {
    const name = file.split('/').at(-1) ?? file;

    if (wrong[scenarioId(file)] !== undefined) {
      it(`still misreads ${name}, as fixtures/known-wrong.json says`, async () => {
        const scenario = await loadScenario(file);
        const diagnosis = diagnose(scenarioToSnapshot(scenario));
        const right = diagnosis.cause === scenario.expected.cause && diagnosis.reason === scenario.expected.reason;
        expect(right, 'the diagnosis is right now: remove the scenario from fixtures/known-wrong.json').toBe(false);
      });
      continue;
    }

    it(`names the expected cause and reason for ${name}`, async () => {
      const scenario = await loadScenario(file);
      const diagnosis = diagnose(scenarioToSnapshot(scenario));
      expect(diagnosis.cause).toBe(scenario.expected.cause);
      expect(diagnosis.reason).toBe(scenario.expected.reason);
    });

    it(`shows the expected evidence for ${name}`, async () => {
      const scenario = await loadScenario(file);
      const text = searchableText(diagnose(scenarioToSnapshot(scenario)));
      for (const expected of scenario.expected.evidence) {
        expect(text, `evidence "${expected}"`).toContain(expected.toLowerCase());
      }
    });

    it(`gives the same text twice for ${name}`, async () => {
      const scenario = await loadScenario(file);
      const first = diagnose(scenarioToSnapshot(scenario));
      const second = diagnose(scenarioToSnapshot(structuredClone(scenario)));
      expect(second).toEqual(first);
    });
  }

  it('quotes every evidence item with its source', async () => {
    for (const file of scenarioFiles()) {
      const diagnosis = diagnose(scenarioToSnapshot(await loadScenario(file)));
      expect(diagnosis.evidence.length).toBeGreaterThan(0);
      for (const quote of diagnosis.evidence) {
        expect(['status', 'event', 'log', 'spec']).toContain(quote.source);
        expect(quote.text.trim()).not.toBe('');
      }
      expect(diagnosis.fix).toMatch(/kubectl /);
      expect(diagnosis.summary).not.toContain('\n');
    }
  });
});
