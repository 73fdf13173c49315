import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runJobwatchCli } from '../support/run-command.ts';
import type { InvalidFile } from '../../src/diagnose/scenario-folder.ts';
import type { Report } from '../../src/diagnose/evaluate.ts';
import { knownWrong, scenarioFiles, scenarioId } from '../diagnose/fixtures.ts';

interface EvalJson {
  files: number;
  valid: number;
  invalid: InvalidFile[];
  report: Report;
}

/** A scenario file as parsed JSON; tests change it before writing it back. */
interface ScenarioJson {
  id: string;
  objects: { metadata: Record<string, unknown> }[];
  expected: { cause: string; evidence: string[] };
}

/** Writes a copy of a bundled scenario into `dir` under `id`, changed by `change`. */
async function writeVariant(dir: string, id: string, change: (data: ScenarioJson) => void = () => {}): Promise<void> {
  const text = await readFile('fixtures/scenarios/oom-cronjob-pod-lister-128mi.json', 'utf8');
  const data = { ...(JSON.parse(text) as ScenarioJson), id, source: { url: 'https://github.com/example/project/issues/7' } };
  change(data);
  await writeFile(join(dir, `${id}.json`), JSON.stringify(data));
}

describe('jobwatch eval on the bundled scenarios', () => {
  it('reports exactly the known-wrong scenarios wrong', async () => {
    const result = await runJobwatchCli(['eval', 'fixtures/scenarios', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as EvalJson;
    expect(output.invalid).toEqual([]);
    expect(output.files).toBe(scenarioFiles().length);
    const wrong = knownWrong();
    const cases = new Map(output.report.cases.map((c) => [c.id, c.right]));
    for (const id of scenarioFiles().map(scenarioId)) {
      expect(cases.get(id), id).toBe(wrong[id] === undefined);
    }
  });

  it('prints tables of causes and confidence', async () => {
    const result = await runJobwatchCli(['eval', 'fixtures/scenarios']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`scenario files: ${scenarioFiles().length}`);
    expect(result.stdout).toMatch(/accuracy: \d+\/\d+ \(\d+\.\d%\)/);
    expect(result.stdout).toMatch(/expected cause\s+count\s+right\s+wrong/);
    expect(result.stdout).toMatch(/\n {2}oom-killed\s+\d+\s+\d+\s+\d+\n/);
    expect(result.stdout).toMatch(/confidence\s+count\s+right\s+wrong/);
  });
});

describe('jobwatch eval on a folder with mistakes', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jobwatch-eval-'));
    await writeVariant(dir, 'oom-right');
    await writeVariant(dir, 'oom-expected-as-app-error', (d) => {
      d.expected.cause = 'app-error';
      d.expected.evidence.push('no such text');
    });
    await writeVariant(dir, 'oom-invalid', (d) => {
      delete d.objects[1]?.metadata.uid;
      d.expected.cause = 'slow';
    });
    await writeFile(join(dir, 'broken.json'), '{ "id": ');
  });

  it('lists invalid files and the failed case', async () => {
    const result = await runJobwatchCli(['eval', dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('scenario files: 4, valid: 2, invalid: 2');
    expect(result.stdout).toContain(`${join(dir, 'oom-invalid.json')}: objects[1].metadata.uid is missing`);
    expect(result.stdout).toContain(`${join(dir, 'oom-invalid.json')}: expected.cause is not a cause id`);
    expect(result.stdout).toContain(`${join(dir, 'broken.json')}: (root) is not valid JSON`);
    expect(result.stdout).toContain('accuracy: 1/2 (50.0%)');
    expect(result.stdout).toContain('app-error -> oom-killed (1): oom-expected-as-app-error');
    expect(result.stdout).toContain('missing evidence: "no such text"');
  });

  it('prints the same result as JSON', async () => {
    const result = await runJobwatchCli(['eval', dir, '--json']);
    expect(result.code).toBe(1);
    const output = JSON.parse(result.stdout) as EvalJson;
    expect(output.invalid.map((f) => f.file)).toEqual([join(dir, 'broken.json'), join(dir, 'oom-invalid.json')]);
    expect(output.invalid[1]?.problems.map((p) => p.path)).toEqual(['expected.cause', 'objects[1].metadata.uid']);
    expect(output.report.failures.map((f) => f.id)).toEqual(['oom-expected-as-app-error']);
    expect(output.report.failures[0]?.missingEvidence).toEqual(['no such text']);
  });

  it('exits by --fail-under when all files are valid', async () => {
    const valid = await mkdtemp(join(tmpdir(), 'jobwatch-eval-'));
    await writeVariant(valid, 'oom-right');
    await writeVariant(valid, 'oom-wrong', (d) => void (d.expected.cause = 'app-error'));
    expect((await runJobwatchCli(['eval', valid])).code).toBe(0);
    expect((await runJobwatchCli(['eval', valid, '--fail-under', '50'])).code).toBe(0);
    const under = await runJobwatchCli(['eval', valid, '--fail-under', '50.5']);
    expect(under.code).toBe(1);
    expect(under.stdout).toContain('accuracy 50.0% is under --fail-under 50.5');
  });
});

describe('jobwatch validate', () => {
  it('accepts the bundled scenarios', async () => {
    const result = await runJobwatchCli(['validate', 'fixtures/scenarios']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${scenarioFiles().length} of ${scenarioFiles().length} scenario files valid\n`);
  });

  it('lists each problem and exits with 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jobwatch-validate-'));
    await writeVariant(dir, 'oom-right');
    await writeVariant(dir, 'oom-invalid', (d) => void (d.expected.cause = 'slow'));
    const result = await runJobwatchCli(['validate', dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${join(dir, 'oom-invalid.json')}: expected.cause is not a cause id`);
    expect(result.stdout).toContain('1 of 2 scenario files valid');
    const json = await runJobwatchCli(['validate', dir, '--json']);
    expect(json.code).toBe(1);
    const output = JSON.parse(json.stdout) as Omit<EvalJson, 'report'>;
    expect(output.invalid.map((f) => f.file)).toEqual([join(dir, 'oom-invalid.json')]);
  });

  it('names a missing folder and exits with 2', async () => {
    const result = await runJobwatchCli(['validate', '/nonexistent/scenarios']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot read scenario folder /nonexistent/scenarios');
  });
});

describe('jobwatch eval usage errors', () => {
  it('names a missing folder and exits with 2', async () => {
    const result = await runJobwatchCli(['eval', '/nonexistent/scenarios']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot read scenario folder /nonexistent/scenarios (ENOENT)');
    expect(result.stderr).toContain('pass a readable folder');
  });

  it('rejects a file in place of a folder', async () => {
    const result = await runJobwatchCli(['eval', 'fixtures/known-wrong.json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('fixtures/known-wrong.json is a file, not a folder');
  });

  it('rejects a folder without scenario files', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'jobwatch-eval-'));
    await mkdir(join(empty, 'sub'));
    const result = await runJobwatchCli(['eval', empty]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('has no .json files');
  });

  it('rejects a threshold above 100 and a missing DIR', async () => {
    const threshold = await runJobwatchCli(['eval', 'fixtures/scenarios', '--fail-under', '101']);
    expect(threshold.code).toBe(2);
    expect(threshold.stderr).toContain('--fail-under must be a percentage from 0 to 100, got "101"');
    const missing = await runJobwatchCli(['eval']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'dir'");
  });

  it('documents options and exit status in --help', async () => {
    const result = await runJobwatchCli(['eval', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: jobwatch eval [options] <dir>');
    expect(result.stdout).toContain('--fail-under <percent>');
    expect(result.stdout).toContain('--json');
    expect(result.stdout).toMatch(/Exit status: 0 .* 1 .*\n.* 2 a usage error/);
  });
});
