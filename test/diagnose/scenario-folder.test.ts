import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkScenarioFolder,
  checkUniqueIds,
  readNoteSources,
  ScenarioFolderError,
} from '../../src/diagnose/scenario-folder.ts';
import { SCENARIO_DIR, scenarioFiles } from './fixtures.ts';

const OOM = 'oom-cronjob-pod-lister-128mi';

/** Writes the bundled OOM scenario into `dir` as `<file>.json` with the given id and source. */
async function writeCopy(dir: string, file: string, id: string, source?: unknown): Promise<void> {
  const data = JSON.parse(await readFile(join(SCENARIO_DIR, `${OOM}.json`), 'utf8')) as Record<string, unknown>;
  await writeFile(join(dir, `${file}.json`), JSON.stringify({ ...data, id, ...(source === undefined ? {} : { source }) }));
}

describe('checkScenarioFolder', () => {
  it('accepts the bundled folder', async () => {
    const folder = await checkScenarioFolder(SCENARIO_DIR);
    expect(folder.invalid).toEqual([]);
    expect(folder.files).toBe(scenarioFiles().length);
    expect(folder.valid.map((s) => s.id)).toEqual([...folder.valid.map((s) => s.id)].sort());
  });

  it('reports a repeated id and broken JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scenario-folder-'));
    const source = { url: 'https://github.com/example/project/issues/3' };
    await writeCopy(dir, 'a', 'b', source);
    await writeCopy(dir, 'b', 'b', source);
    await writeFile(join(dir, 'c.json'), '[1,');
    const folder = await checkScenarioFolder(dir);
    expect(folder.valid.map((s) => s.id)).toEqual(['b']);
    expect(folder.invalid.map((f) => f.file)).toEqual([join(dir, 'a.json'), join(dir, 'c.json')]);
    expect(folder.invalid[0]?.problems.map((p) => p.problem)).toEqual([
      'differs from the file name "a.json"',
      `is also the id of ${join(dir, 'b.json')}`,
    ]);
    expect(folder.invalid[1]?.problems[0]?.problem).toMatch(/^is not valid JSON/);
  });

  it('reads sources from NOTES.md', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scenario-folder-'));
    await writeCopy(dir, 'noted', 'noted');
    await writeCopy(dir, 'unnoted', 'unnoted');
    await writeFile(join(dir, 'NOTES.md'), '## noted\n- Source: https://github.com/example/project/issues/4\n');
    const folder = await checkScenarioFolder(dir);
    expect(folder.valid.map((s) => s.id)).toEqual(['noted']);
    expect(folder.invalid[0]?.problems.map((p) => p.path)).toEqual(['source.url']);
  });

  it('rejects a missing or empty folder', async () => {
    await expect(checkScenarioFolder('/nonexistent/x')).rejects.toThrow(ScenarioFolderError);
    await expect(checkScenarioFolder(await mkdtemp(join(tmpdir(), 'scenario-folder-')))).rejects.toThrow(/has no \.json files/);
  });
});

describe('checkUniqueIds', () => {
  it('reports each later file with a used id', () => {
    const problems = checkUniqueIds([
      { file: 'a/x.json', id: 'x' },
      { file: 'b/x.json', id: 'x' },
      { file: 'c/y.json', id: 'y' },
      { file: 'd/z.json', id: 42 },
    ]);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.file).toBe('b/x.json');
    expect(problems[0]?.problem).toContain('a/x.json');
  });

  it('lets the file named after the id keep it', () => {
    const problems = checkUniqueIds([
      { file: 'a.json', id: 'b' },
      { file: 'b.json', id: 'b' },
    ]);
    expect(problems.map((p) => [p.file, p.problem])).toEqual([['a.json', 'is also the id of b.json']]);
  });
});

describe('readNoteSources', () => {
  it('reads the first source of each section', () => {
    const sources = readNoteSources('## a (hard)\n- Source: https://x/1 (also https://x/3)\n- Source: https://x/9\n## b\ntext\n- Source: https://x/2\n');
    expect([...sources]).toEqual([['a', 'https://x/1'], ['b', 'https://x/2']]);
  });
});

