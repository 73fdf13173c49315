import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCommand } from '../support/run-command.ts';

// Each bin script is copied next to stand-in entry points that print which one ran.
const MAIN_TS = "process.stdout.write('src main\\n');\n";
const MAIN_JS = "process.stdout.write('dist main\\n');\n";
const pluginModule = (label: string): string =>
  `export async function runKubectlPlugin(argv) { process.stdout.write('${label} ' + argv.join(' ') + '\\n'); }\n`;

async function writeEntry(root: string, path: string, text: string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), text);
}

describe('bin scripts', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'jobwatch-bin-'));
    await writeEntry(root, 'package.json', JSON.stringify({ type: 'module' }));
    await mkdir(join(root, 'bin'));
    await copyFile('bin/jobwatch.js', join(root, 'bin/jobwatch.js'));
    await copyFile('bin/kubectl-jobwatch', join(root, 'bin/kubectl-jobwatch'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const run = (script: string, args: string[] = []) =>
    runCommand(process.execPath, [join(root, 'bin', script), ...args]);

  it('jobwatch prefers src over dist', async () => {
    await writeEntry(root, 'src/cli/main.ts', MAIN_TS);
    await writeEntry(root, 'dist/cli/main.js', MAIN_JS);
    const result = await run('jobwatch.js');
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('src main\n');
  });

  it('jobwatch runs dist without src', async () => {
    await writeEntry(root, 'dist/cli/main.js', MAIN_JS);
    const result = await run('jobwatch.js');
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('dist main\n');
  });

  it('kubectl-jobwatch prefers src over dist', async () => {
    await writeEntry(root, 'src/cli/kubectl-plugin.ts', pluginModule('src'));
    await writeEntry(root, 'dist/cli/kubectl-plugin.js', pluginModule('dist'));
    const result = await run('kubectl-jobwatch', ['version']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('src version\n');
  });

  it('kubectl-jobwatch passes arguments to dist', async () => {
    await writeEntry(root, 'dist/cli/kubectl-plugin.js', pluginModule('dist'));
    const result = await run('kubectl-jobwatch', ['diagnose', 'ingest', '-n', 'batch']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('dist diagnose ingest -n batch\n');
  });

  it('jobwatch without entry points names dist', async () => {
    const result = await run('jobwatch.js');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('dist/cli/main.js');
  });
});
