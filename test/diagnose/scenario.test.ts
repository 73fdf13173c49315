import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, parseScenario, scenarioToSnapshot, ScenarioError } from '../../src/diagnose/scenario.ts';
import { scenarioFiles } from './fixtures.ts';

describe('loadScenario', () => {
  it('loads every fixture into a snapshot with one Job', async () => {
    for (const file of scenarioFiles()) {
      const snapshot = scenarioToSnapshot(await loadScenario(file));
      expect(snapshot.job.kind).toBe('Job');
      expect(snapshot.events.every((e) => e.kind === 'Event')).toBe(true);
    }
  });

  it('names the file and the field that is wrong', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scenario-'));
    const file = join(dir, 'bad.json');
    const data = { id: 'x', title: 't', objects: [{ apiVersion: 'v1', kind: 'Pod', metadata: { uid: 'u' } }], logs: [], expected: { reason: null, cause: 'app-error', evidence: [] } };
    await writeFile(file, JSON.stringify(data));
    await expect(loadScenario(file)).rejects.toThrow(/bad\.json: invalid field objects\[0\]\.metadata\.name/);
  });

  it('rejects an unknown cause id', () => {
    const data = { id: 'x', title: 't', objects: [{ apiVersion: 'v1', kind: 'Job', metadata: { name: 'j', uid: 'u' } }], logs: [], expected: { reason: null, cause: 'slow', evidence: [] } };
    expect(() => parseScenario(data, 'x.json')).toThrow(/expected\.cause/);
  });

  it('reports invalid JSON with the file name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scenario-'));
    const file = join(dir, 'broken.json');
    await writeFile(file, '{"id":');
    await expect(loadScenario(file)).rejects.toBeInstanceOf(ScenarioError);
    await expect(loadScenario(file)).rejects.toThrow(/broken\.json: invalid JSON/);
  });

  it('rejects a scenario without a Job', () => {
    const data = { id: 'x', title: 't', objects: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', uid: 'u' } }], logs: [], expected: { reason: null, cause: 'unknown', evidence: [] } };
    expect(() => scenarioToSnapshot(parseScenario(data, 'x.json'))).toThrow(/exactly one Job/);
  });
});
