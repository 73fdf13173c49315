import { diagnose } from './diagnose.ts';
import type { DiagnosisOptions } from './diagnose.ts';
import { scenarioToSnapshot } from './scenario.ts';
import type { Scenario } from './scenario.ts';
import { CAUSE_IDS } from './types.ts';
import type { CauseId, Confidence, Diagnosis } from './types.ts';

/** Diagnosis of one scenario next to what the scenario expects. */
export interface CaseResult {
  id: string;
  expected: { cause: CauseId; reason: string | null };
  diagnosed: { cause: CauseId; reason: string | null; confidence: Confidence };
  /** Expected evidence strings found neither in the summary nor in any evidence quote. */
  missingEvidence: string[];
  /** True when cause and reason match and no expected evidence is missing. */
  right: boolean;
}

/** Results of the scenarios that expect one cause. */
export interface CauseTally {
  cause: CauseId;
  count: number;
  right: number;
  wrong: number;
}

/** Scenarios that expect one cause and were diagnosed as another. */
export interface Confusion {
  expected: CauseId;
  diagnosed: CauseId;
  /** Scenario ids, sorted. */
  scenarios: string[];
}

/** Results of the diagnoses given with one confidence. */
export interface ConfidenceTally {
  confidence: Confidence;
  count: number;
  right: number;
  wrong: number;
}

/** The outcome of running the diagnosis on a set of scenarios. */
export interface Report {
  total: number;
  right: number;
  wrong: number;
  /** Share of scenarios diagnosed right, from 0 to 1; 0 when there are none. */
  accuracy: number;
  /** Causes that at least one scenario expects, in the order of `CAUSE_IDS`. */
  perCause: CauseTally[];
  /** Most scenarios first, then by expected and diagnosed cause. */
  confusions: Confusion[];
  /** Every scenario not diagnosed right, by id. */
  failures: CaseResult[];
  /** One entry per confidence level, high to low, including levels never given. */
  confidence: ConfidenceTally[];
  /** Every scenario, by id. */
  cases: CaseResult[];
}

const CONFIDENCE_ORDER: readonly Confidence[] = ['high', 'medium', 'low'];

/**
 * Runs `diagnose` on each scenario and compares the result with its `expected` block: the
 * cause, the Job's failure reason, and the evidence strings, which must appear in the
 * summary or an evidence quote (case-insensitive). The report does not depend on the
 * order of `scenarios`. `options` is passed to every diagnosis, such as configured log
 * patterns.
 */
export function evaluate(scenarios: readonly Scenario[], options: DiagnosisOptions = {}): Report {
  const sorted = [...scenarios].sort((a, b) => compareText(a.id, b.id));
  const cases = sorted.map((scenario) => evaluateScenario(scenario, options));
  const right = cases.filter((c) => c.right).length;
  return {
    total: cases.length,
    right,
    wrong: cases.length - right,
    accuracy: cases.length === 0 ? 0 : right / cases.length,
    perCause: tallyCauses(cases),
    confusions: listConfusions(cases),
    failures: cases.filter((c) => !c.right),
    confidence: CONFIDENCE_ORDER.map((level) =>
      tally(cases.filter((c) => c.diagnosed.confidence === level), { confidence: level }),
    ),
    cases,
  };
}

/** Diagnoses one scenario and compares the result with what it expects. */
export function evaluateScenario(scenario: Scenario, options: DiagnosisOptions = {}): CaseResult {
  const diagnosis = diagnose(scenarioToSnapshot(scenario), options);
  const { cause, reason, evidence } = scenario.expected;
  const missing = missingEvidence(diagnosis, evidence);
  return {
    id: scenario.id,
    expected: { cause, reason },
    diagnosed: { cause: diagnosis.cause, reason: diagnosis.reason, confidence: diagnosis.confidence },
    missingEvidence: missing,
    right: diagnosis.cause === cause && diagnosis.reason === reason && missing.length === 0,
  };
}

/** Returns the expected strings that the summary and the evidence quotes do not contain. */
export function missingEvidence(diagnosis: Diagnosis, expected: readonly string[]): string[] {
  const text = [diagnosis.summary, ...diagnosis.evidence.map((e) => e.text)].join('\n').toLowerCase();
  return expected.filter((item) => !text.includes(item.toLowerCase()));
}

function tally<T extends object>(cases: CaseResult[], key: T): T & Omit<CauseTally, 'cause'> {
  const right = cases.filter((c) => c.right).length;
  return { ...key, count: cases.length, right, wrong: cases.length - right };
}

function tallyCauses(cases: CaseResult[]): CauseTally[] {
  const tallies = CAUSE_IDS.map((cause) => tally(cases.filter((c) => c.expected.cause === cause), { cause }));
  return tallies.filter((t) => t.count > 0);
}

function listConfusions(cases: CaseResult[]): Confusion[] {
  const byPair = new Map<string, Confusion>();
  for (const c of cases) {
    if (c.expected.cause === c.diagnosed.cause) continue;
    const key = `${c.expected.cause} ${c.diagnosed.cause}`;
    const confusion = byPair.get(key) ?? {
      expected: c.expected.cause,
      diagnosed: c.diagnosed.cause,
      scenarios: [],
    };
    confusion.scenarios.push(c.id);
    byPair.set(key, confusion);
  }
  return [...byPair.values()].sort(
    (a, b) =>
      b.scenarios.length - a.scenarios.length ||
      compareText(a.expected, b.expected) ||
      compareText(a.diagnosed, b.diagnosed),
  );
}

// A locale-independent order, so the report reads the same on every machine.
function compareText(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}
