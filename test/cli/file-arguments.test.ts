import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runJobwatchCli } from '../support/run-command.ts';

const SCENARIO = 'fixtures/scenarios/oom-cronjob-pod-lister-128mi.json';
const BROKEN_PATTERNS = 'patterns:\n  - name: broken\n    pattern: "Timed out ("\n    cause: app-error\n';

describe('CLI file arguments', () => {
  let dir: string;
  let broken: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jobwatch-cli-files-'));
    broken = join(dir, 'broken.yaml');
    await writeFile(broken, BROKEN_PATTERNS);
  });

  it('diagnose --scenario rejects a folder', async () => {
    const result = await runJobwatchCli(['diagnose', '--scenario', 'fixtures/scenarios']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--scenario fixtures/scenarios is a folder');
    expect(result.stderr).toContain('run jobwatch eval fixtures/scenarios');
    expect(result.stderr).not.toContain('EISDIR');
  });

  it('--log-patterns rejects a folder', async () => {
    const result = await runJobwatchCli(['diagnose', '--scenario', SCENARIO, '--log-patterns', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`The log patterns file ${JSON.stringify(dir)} is a folder, not a file`);
    expect(result.stderr).toContain('set --log-patterns to the path of a YAML file');
    expect(result.stderr).not.toContain('EISDIR');
  });

  it('eval and validate reject a file', async () => {
    for (const command of ['eval', 'validate']) {
      const result = await runJobwatchCli([command, SCENARIO]);
      expect(result.code, command).toBe(2);
      expect(result.stderr, command).toContain(`${SCENARIO} is a file, not a folder`);
      expect(result.stderr, command).toContain(`run jobwatch diagnose --scenario ${SCENARIO}`);
    }
  });

  it('diagnose names itself on a bad patterns file', async () => {
    const result = await runJobwatchCli(['diagnose', '--scenario', SCENARIO, '--log-patterns', broken]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`jobwatch diagnose: 1 problem in the log patterns file ${broken}:`);
    expect(result.stderr).not.toContain('cannot start');
  });

  it('eval names itself on a bad patterns file', async () => {
    const result = await runJobwatchCli(['eval', 'fixtures/scenarios', '--log-patterns', broken]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`jobwatch eval: 1 problem in the log patterns file ${broken}:`);
    expect(result.stderr).not.toContain('cannot start');
  });

  it('run reports every bad settings file', async () => {
    const missing = join(dir, 'missing-policy.yaml');
    const result = await runJobwatchCli(['run'], {
      JOBWATCH_POLICY_FILE: missing,
      JOBWATCH_LOG_PATTERNS_FILE: broken,
      JOBWATCH_HTTP_PORT: '0',
      REDIS_URL: 'redis://127.0.0.1:1',
      KUBECONFIG: join(dir, 'no-kubeconfig'),
    });
    expect(result.code).toBe(2);
    const lines = result.stderr.split('\n');
    expect(lines[0]).toBe('jobwatch cannot start: 2 problems in 2 settings files:');
    expect(result.stderr).toContain(`in the policy file ${missing}:`);
    expect(result.stderr).toContain(`The policy file ${JSON.stringify(missing)} cannot be read`);
    expect(result.stderr).toContain(`in the log patterns file ${broken}:`);
    expect(result.stderr).toContain('patterns[0] (broken).pattern is "Timed out ("');
  });
});
