import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runJobwatchCli } from '../support/run-command.ts';
import type { Report } from '../../src/diagnose/evaluate.ts';

const KAFKA = 'fixtures/scenarios/kafka-topics-job-broker-unreachable-node-assignment-timeout.json';

const PATTERNS = [
  'patterns:',
  '  - name: kafka-node-assignment',
  '    pattern: "Timed out waiting for a node assignment"',
  '    cause: dependency-unavailable',
  '    fix: Start the Kafka brokers before the topic Job runs.',
].join('\n');

describe('--log-patterns', () => {
  let dir: string;
  let scenarios: string;
  let patterns: string;
  let invalid: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jobwatch-patterns-cli-'));
    scenarios = join(dir, 'scenarios');
    await mkdir(scenarios);
    // A copy under another id, so the test owns its fixture.
    const data = JSON.parse(await readFile(KAFKA, 'utf8')) as { id: string };
    data.id = 'topic-job-no-broker';
    await writeFile(join(scenarios, 'topic-job-no-broker.json'), JSON.stringify(data));
    patterns = join(dir, 'patterns.yaml');
    await writeFile(patterns, PATTERNS);
    invalid = join(dir, 'invalid.yaml');
    await writeFile(invalid, 'patterns:\n  - name: broken\n    pattern: "Timed out ("\n    cause: dependency-unavailable\n');
  });

  it('turns a wrong eval case right', async () => {
    const without = await runJobwatchCli(['eval', scenarios, '--json']);
    expect(without.code).toBe(0);
    const before = (JSON.parse(without.stdout) as { report: Report }).report;
    expect(before.right).toBe(0);
    expect(before.cases[0]?.diagnosed.cause).toBe('app-error');

    const withPatterns = await runJobwatchCli(['eval', scenarios, '--json', '--log-patterns', patterns]);
    expect(withPatterns.stderr).toBe('');
    expect(withPatterns.code).toBe(0);
    const after = (JSON.parse(withPatterns.stdout) as { report: Report }).report;
    expect(after.right).toBe(1);
    expect(after.cases[0]?.diagnosed).toEqual({ cause: 'dependency-unavailable', reason: 'BackoffLimitExceeded', confidence: 'medium' });
  });

  it('changes the fail-under outcome of eval', async () => {
    const without = await runJobwatchCli(['eval', scenarios, '--fail-under', '100']);
    expect(without.code).toBe(1);
    const withPatterns = await runJobwatchCli(['eval', scenarios, '--fail-under', '100', '--log-patterns', patterns]);
    expect(withPatterns.code).toBe(0);
    expect(withPatterns.stdout).toContain('accuracy: 1/1 (100.0%)');
  });

  it('names the pattern in jobwatch diagnose output', async () => {
    const result = await runJobwatchCli(['diagnose', '--scenario', join(scenarios, 'topic-job-no-broker.json'), '--log-patterns', patterns]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/cause:\s+dependency-unavailable \(medium confidence\)/);
    expect(result.stdout).toContain('configured log pattern "kafka-node-assignment"');
    expect(result.stdout).toContain('Start the Kafka brokers before the topic Job runs.');
  });

  it('rejects an invalid patterns file with exit code 2', async () => {
    for (const command of [['eval', scenarios], ['diagnose', '--scenario', KAFKA]]) {
      const result = await runJobwatchCli([...command, '--log-patterns', invalid]);
      expect(result.code, command[0]).toBe(2);
      expect(result.stdout, command[0]).toBe('');
      expect(result.stderr).toContain('patterns[0] (broken).pattern is "Timed out (", which is not a valid regular expression');
    }
  });

  it('names the flag when the file is missing', async () => {
    const result = await runJobwatchCli(['eval', scenarios, '--log-patterns', join(dir, 'absent.yaml')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('check the path in --log-patterns');
  });
});
