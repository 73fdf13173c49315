import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkScenario, type ScenarioProblem } from '../../src/diagnose/scenario-check.ts';
import { suggestName } from '../../src/diagnose/scenario-names.ts';
import { SCENARIO_DIR } from './fixtures.ts';

// A CronJob run: CronJob stale-runner-cleanup, Job stale-runner-cleanup-29631660 and three
// Pods, all in namespace ci-infra, with Events.
const ID = 'oom-cronjob-pod-lister-128mi';
const TEXT = readFileSync(join(SCENARIO_DIR, `${ID}.json`), 'utf8');
const CRONJOB = 'stale-runner-cleanup';
const JOB = 'stale-runner-cleanup-29631660';
const HOSTILE = '<!channel> *x* <https://evil.example|click>';

interface Data {
  objects: { kind: string; metadata: Record<string, unknown> }[];
  [field: string]: unknown;
}

/** Parses the scenario with every occurrence of `from` in its JSON text replaced by `to`. */
function renamed(from: string, to: string): Data {
  const text = TEXT.split(JSON.stringify(from).slice(1, -1)).join(JSON.stringify(to).slice(1, -1));
  return { ...(JSON.parse(text) as Data), source: { url: 'https://github.com/example/project/issues/1' } };
}

function problemsOf(data: Data): ScenarioProblem[] {
  return checkScenario(data, `scenarios/${ID}.json`);
}

function problemAt(data: Data, path: string): ScenarioProblem | undefined {
  return problemsOf(data).find((problem) => problem.path === path);
}

function indexOf(data: Data, kind: string): number {
  return data.objects.findIndex((object) => object.kind === kind);
}

describe('checkScenario names', () => {
  it('accepts the scenario as written', () => {
    expect(problemsOf(renamed(JOB, JOB))).toEqual([]);
  });

  it('rejects a Job name with Slack markup', () => {
    const data = renamed(JOB, HOSTILE);
    const problem = problemAt(data, `objects[${indexOf(data, 'Job')}].metadata.name`);
    expect(problem?.value).toBe(HOSTILE);
    expect(problem?.problem).toMatch(/^is not a valid Job name: a lowercase RFC 1123 subdomain must consist of/);
    expect(problem?.fix).toContain('such as "channel-x-https-evil.example-click"');
  });

  it('rejects the Pods named after that Job', () => {
    const data = renamed(JOB, HOSTILE);
    const paths = problemsOf(data)
      .filter((problem) => problem.problem.startsWith('is not a valid Pod name'))
      .map((problem) => problem.path);
    expect(paths).toEqual(['objects[2].metadata.name', 'objects[3].metadata.name', 'objects[4].metadata.name']);
  });

  it('rejects a Job name over 63 characters', () => {
    const long = `${JOB}-${'a'.repeat(63 - JOB.length)}`;
    const data = renamed(JOB, long);
    const problem = problemAt(data, `objects[${indexOf(data, 'Job')}].metadata.name`);
    expect(long).toHaveLength(64);
    expect(problem?.problem).toBe('is not a valid Job name: must be no more than 63 characters');
    expect(problem?.fix).toContain(`such as "${long.slice(0, 63)}"`);
  });

  it('accepts a Job name of 63 characters with dots', () => {
    const name = `${JOB}.${'b'.repeat(62 - JOB.length)}`;
    expect(name).toHaveLength(63);
    expect(problemsOf(renamed(JOB, name))).toEqual([]);
  });

  it('rejects a CronJob name over 52 characters', () => {
    const long = `${CRONJOB}-${'c'.repeat(52 - CRONJOB.length)}`;
    const data = renamed(CRONJOB, long);
    const problem = problemAt(data, `objects[${indexOf(data, 'CronJob')}].metadata.name`);
    expect(long).toHaveLength(53);
    expect(problem?.problem).toBe('is not a valid CronJob name: must be no more than 52 characters');
  });

  it('rejects an upper-case Pod name', () => {
    const data = renamed(`${JOB}-88j24`, `${JOB}-88J24`);
    const problem = problemAt(data, 'objects[2].metadata.name');
    expect(problem?.problem).toMatch(/^is not a valid Pod name: a lowercase RFC 1123 subdomain/);
    expect(problem?.fix).toContain(`such as "${JOB}-88j24"`);
  });

  it('rejects a namespace with a dot on every object', () => {
    const data = renamed('ci-infra', 'ci.infra');
    const problems = problemsOf(data).filter((problem) => problem.path.endsWith('.metadata.namespace'));
    expect(problems).toHaveLength(data.objects.length);
    expect(problems[0]?.value).toBe('ci.infra');
    expect(problems[0]?.problem).toMatch(/^is not a valid namespace name: a lowercase RFC 1123 label/);
    expect(problems[0]?.fix).toBe(
      "use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit, such as \"ci-infra\"",
    );
  });

  it('rejects a Namespace object named over 63 characters', () => {
    const data = renamed(JOB, JOB);
    const name = 'n'.repeat(64);
    data.objects.push({
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: { name, uid: 'a6f0e2b4-0c1d-4e5f-8a9b-0c1d2e3f4a5b', resourceVersion: '1', creationTimestamp: '2026-01-01T00:00:00Z' },
    } as Data['objects'][number]);
    const problem = problemAt(data, `objects[${data.objects.length - 1}].metadata.name`);
    expect(problem?.problem).toBe('is not a valid Namespace name: must be no more than 63 characters');
  });

  it('lists both broken rules of one name', () => {
    const data = renamed(`${JOB}-88j24`, 'P'.repeat(254));
    const problem = problemAt(data, 'objects[2].metadata.name');
    expect(problem?.problem).toMatch(/^is not a valid Pod name: must be no more than 253 characters; a lowercase RFC 1123/);
  });
});

describe('suggestName', () => {
  it.each<[string, number, boolean, string | undefined]>([
    [HOSTILE, 63, true, 'channel-x-https-evil.example-click'],
    [HOSTILE, 63, false, 'channel-x-https-evil-example-click'],
    ['Nightly_Report', 63, true, 'nightly-report'],
    ['a..b.-c', 63, true, 'a.b.c'],
    ['report-2026-', 7, true, 'report'],
    ['***', 63, true, undefined],
  ])('turns %j (max %i, dots %s) into %j', (name, maxLength, dots, expected) => {
    expect(suggestName(name, maxLength, dots)).toBe(expected);
  });
});
