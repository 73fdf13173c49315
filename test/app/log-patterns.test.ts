import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildRuntime } from '../../src/app/runtime.ts';
import { ConfigError } from '../../src/config/config-error.ts';
import { loadConfig } from '../../src/config/env.ts';
import { alertOf, contentOf, waitReady } from '../integration/slack-view.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { JobStory } from '../support/job-story.ts';

const PATTERNS = [
  'patterns:',
  '  - name: license-expired',
  '    pattern: "ERR_LICENSE_EXPIRED"',
  '    cause: config-missing',
  '    fix: Renew the licence key in Secret vendor-licence.',
].join('\n');

const LOG = 'loading catalogue\nFATAL ERR_LICENSE_EXPIRED: licence 7731 ended\n';

async function writePatterns(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'jobwatch-app-patterns-'));
  const file = join(dir, 'patterns.yaml');
  await writeFile(file, text);
  return file;
}

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe('JOBWATCH_LOG_PATTERNS_FILE', () => {
  it('gives the worker the patterns for its alerts', async () => {
    const file = await writePatterns(PATTERNS);
    harness = await startHarness({ env: { JOBWATCH_LOG_PATTERNS_FILE: file } });
    const h = harness;
    await waitReady(h);
    const story = new JobStory(h.sim, { namespace: 'vendor', name: 'catalogue-export', backoffLimit: 0 });
    story.failPod(story.startPod(), { exitCode: 1, reason: 'Error', log: LOG });
    story.failJob();
    const alert = await eventually(() => {
      const found = alertOf(h.slack, story.uid);
      return found && contentOf(found).includes('config-missing') ? found : undefined;
    }, 'an alert with the cause of the configured pattern');
    expect(contentOf(alert)).toContain('license-expired');
    expect(contentOf(alert)).toContain('Renew the licence key in Secret vendor-licence.');
  });

  it('stops the start on an invalid file', async () => {
    const file = await writePatterns('patterns:\n  - name: broken\n    pattern: "ERR_("\n    cause: app-error\n');
    const config = loadConfig({ JOBWATCH_LOG_PATTERNS_FILE: file, JOBWATCH_ROLES: 'notifier' });
    const build = buildRuntime(config, pino({ level: 'silent' }));
    await expect(build).rejects.toBeInstanceOf(ConfigError);
    await expect(build).rejects.toThrow('patterns[0] (broken).pattern is "ERR_("');
  });
});
