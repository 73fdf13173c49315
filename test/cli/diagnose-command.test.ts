import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimCluster, type SimCluster } from '../../src/sim/index.ts';
import { JobStory } from '../support/job-story.ts';
import { runJobwatchCli, type CommandResult } from '../support/run-command.ts';

function jobwatch(args: string[]): Promise<CommandResult> {
  return runJobwatchCli(['diagnose', ...args], { HOME: '/nonexistent' });
}

describe('jobwatch diagnose', () => {
  let sim: SimCluster;
  beforeAll(async () => {
    sim = await startSimCluster();
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('prints JSON for a scenario file offline', async () => {
    const result = await jobwatch(['--scenario', 'fixtures/scenarios/oom-cronjob-pod-lister-128mi.json', '--json']);
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as { cause: string; reason: string; summary: string; evidence: { source: string; text: string }[] };
    expect(output.cause).toBe('oom-killed');
    expect(output.reason).toBe('BackoffLimitExceeded');
    expect(output.summary).toContain('128Mi');
    expect(output.evidence.length).toBeGreaterThan(0);
    expect(output.evidence.every((e) => typeof e.source === 'string' && typeof e.text === 'string')).toBe(true);
  });

  it('diagnoses a live Job through a kubeconfig', async () => {
    const story = new JobStory(sim, { namespace: 'batch', name: 'ingest', backoffLimit: 0 });
    story.failPod(story.startPod(), { exitCode: 127, reason: 'Error', log: 'sh: /app/run.sh: not found\n' });
    story.failJob();
    const result = await jobwatch(['ingest', '-n', 'batch', '--kubeconfig', sim.kubeconfigPath]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/cause:\s+command-invalid/);
    expect(result.stdout).toContain('exit code 127');
  });

  it('names a missing Job and the namespace it looked in', async () => {
    const result = await jobwatch(['nope', '-n', 'batch', '--kubeconfig', sim.kubeconfigPath]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('job "nope" not found in namespace "batch"');
  });

  it('explains the usage when no Job is named', async () => {
    const result = await jobwatch(['--kubeconfig', sim.kubeconfigPath]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('jobwatch diagnose JOB -n NAMESPACE');
  });

  it('strips bidi and control characters from cluster text', async () => {
    const source = JSON.parse(await readFile('fixtures/scenarios/render-job-secret-not-found.json', 'utf8')) as { objects: { kind: string; message?: string }[] };
    for (const object of source.objects) if (object.kind === 'Event') object.message = `evil\u202e\u009b31m ${object.message ?? ''}`;
    const file = join(await mkdtemp(join(tmpdir(), 'jw-diag-')), 'hostile.json');
    await writeFile(file, JSON.stringify(source));
    const result = await jobwatch(['--scenario', file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('evil');
    expect(result.stdout).not.toMatch(/[\u202e\u009b]/);
  });

  it('names a scenario file that does not exist', async () => {
    const result = await jobwatch(['--scenario', 'missing.json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('scenario file missing.json not found');
  });

  it('suggests the command for a misspelt one', async () => {
    const { stderr } = await runJobwatchCli(['diagnoze', 'x']);
    expect(stderr).toContain('Did you mean diagnose?');
  });

  it('names the field of a malformed scenario file', async () => {
    const result = await jobwatch(['--scenario', 'package.json', '--json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/package\.json: invalid field/);
  });
});
