import { dirname, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimCluster, type SimCluster } from '../../src/sim/index.ts';
import { JobStory } from '../support/job-story.ts';
import { runCommand, type CommandResult } from '../support/run-command.ts';

// kubectl finds plugins on PATH; the plugin's `#!/usr/bin/env node` needs this Node first.
const PATH = [resolve('bin'), dirname(process.execPath), process.env.PATH ?? ''].join(':');

function kubectl(args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
  return runCommand('kubectl', args, { env: { PATH, HOME: '/nonexistent', ...env } });
}

describe('kubectl jobwatch', () => {
  let sim: SimCluster;
  beforeAll(async () => {
    sim = await startSimCluster();
    const story = new JobStory(sim, { namespace: 'batch', name: 'ingest', backoffLimit: 0 });
    story.failPod(story.startPod(), { exitCode: 127, reason: 'Error', log: 'sh: /app/run.sh: not found\n' });
    story.failJob();
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('is listed by kubectl plugin list', async () => {
    const result = await kubectl(['plugin', 'list']);
    expect(result.stdout).toContain(resolve('bin/kubectl-jobwatch'));
  });

  it('diagnoses a Job with the namespace after the Job name', async () => {
    const result = await kubectl(['jobwatch', 'diagnose', 'ingest', '-n', 'batch', '--kubeconfig', sim.kubeconfigPath]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/cause:\s+command-invalid/);
  });

  it('diagnoses a Job with the connection flags before the command, as JSON', async () => {
    const result = await kubectl(['jobwatch', `--kubeconfig=${sim.kubeconfigPath}`, '-nbatch', 'diagnose', 'ingest', '--json']);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { cause: string }).cause).toBe('command-invalid');
  });

  it('reads the cluster from KUBECONFIG like kubectl', async () => {
    const result = await kubectl(['jobwatch', 'diagnose', 'ingest', '--namespace', 'batch'], { KUBECONFIG: sim.kubeconfigPath });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/cause:\s+command-invalid/);
  });

  it('names a Job that is not there and the namespace it looked in', async () => {
    const result = await kubectl(['jobwatch', 'diagnose', 'ingset', '-n', 'batch', '--kubeconfig', sim.kubeconfigPath]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('job "ingset" not found in namespace "batch"');
  });

  it('names a context the kubeconfig does not have', async () => {
    const result = await kubectl(['jobwatch', 'diagnose', 'ingest', '-n', 'batch', '--context', 'nope', '--kubeconfig', sim.kubeconfigPath]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('nope');
  });

  it('explains a flag without its value', async () => {
    const result = await kubectl(['jobwatch', 'diagnose', 'ingest', '-n']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('-n needs a value, as in -n NAMESPACE');
  });

  it('prints the package version', async () => {
    const { version } = (await import('../../package.json', { with: { type: 'json' } })).default;
    const result = await kubectl(['jobwatch', 'version']);
    expect(result.stdout.trim()).toBe(version);
  });
});
