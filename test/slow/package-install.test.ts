import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand, type CommandResult } from '../support/run-command.ts';

const repo = resolve('.');
const scenarioFile = join(repo, 'fixtures/scenarios/oom-cronjob-pod-lister-128mi.json');
const { version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
// The installed bins start with `#!/usr/bin/env node`, so this Node comes first on PATH.
const PATH = [dirname(process.execPath), process.env.PATH ?? ''].join(':');

interface PackEntry {
  filename: string;
  files: { path: string }[];
}

function assertSucceeded(step: string, result: CommandResult): void {
  if (result.code !== 0) {
    throw new Error(`${step} failed with exit code ${String(result.code)}:\n${result.stderr}`);
  }
}

/** Runs `npm pack` in the repository and returns the tarball's entry from its JSON output. */
async function packInto(dir: string): Promise<PackEntry> {
  const result = await runCommand('npm', ['pack', '--json', '--pack-destination', dir], { cwd: repo });
  assertSucceeded('npm pack', result);
  const [entry] = JSON.parse(result.stdout) as PackEntry[];
  if (!entry) throw new Error(`npm pack printed no tarball: ${result.stdout}`);
  return entry;
}

/**
 * Installs the tarball into `dir` from the local npm cache. A machine whose cache lacks a
 * dependency installs from the registry instead.
 */
async function installInto(dir: string, tarball: string): Promise<void> {
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'install-probe', private: true }));
  const flags = ['--no-audit', '--no-fund', '--no-update-notifier'];
  const offline = await runCommand('npm', ['install', '--offline', ...flags, tarball], { cwd: dir });
  if (offline.code === 0) return;
  assertSucceeded('npm install', await runCommand('npm', ['install', '--prefer-offline', ...flags, tarball], { cwd: dir }));
}

describe('the npm package installed from its tarball', () => {
  let work: string;
  let packed: PackEntry;
  let app: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'jobwatch-package-'));
    packed = await packInto(work);
    app = join(work, 'app');
    await mkdir(app);
    await installInto(app, join(work, packed.filename));
  }, 300_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  function runBin(name: string, args: string[]): Promise<CommandResult> {
    return runCommand(join(app, 'node_modules/.bin', name), args, { cwd: app, env: { PATH, HOME: app } });
  }

  it('ships the built JavaScript and no TypeScript sources', () => {
    const paths = packed.files.map((file) => file.path);
    expect(paths).toContain('dist/cli/main.js');
    expect(paths).toContain('dist/cli/kubectl-plugin.js');
    expect(paths).toContain('bin/jobwatch.js');
    expect(paths).toContain('examples/policy.demo.yaml');
    expect(paths.filter((path) => path.endsWith('.ts'))).toEqual([]);
    expect(existsSync(join(app, 'node_modules/jobwatch/src'))).toBe(false);
  });

  it('prints its version from jobwatch --version', async () => {
    const result = await runBin('jobwatch', ['--version']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('diagnoses a scenario file with the expected cause', async () => {
    const scenario = JSON.parse(readFileSync(scenarioFile, 'utf8')) as { expected: { cause: string } };
    const result = await runBin('jobwatch', ['diagnose', '--scenario', scenarioFile, '--json']);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { cause: string }).cause).toBe(scenario.expected.cause);
  });

  it('prints its version from kubectl-jobwatch version', async () => {
    const result = await runBin('kubectl-jobwatch', ['version']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('runs as a kubectl plugin from node_modules/.bin', async () => {
    const env = { PATH: [join(app, 'node_modules/.bin'), PATH].join(':'), HOME: app };
    const result = await runCommand('kubectl', ['jobwatch', 'version'], { cwd: app, env });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });
});
