import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createLiveSettings, watchSettingFiles } from '../../src/app/config-reload.ts';
import { loadConfig } from '../../src/config/env.ts';
import { loadLogPatterns } from '../../src/config/log-patterns.ts';
import { loadPolicy } from '../../src/config/policy.ts';
import { loadRoutes } from '../../src/config/routing.ts';
import type { ConfigWatch } from '../../src/config/reload.ts';
import { eventually } from '../support/harness.ts';

const target = { namespace: 'payments', labels: {}, annotations: {} };

function routesYaml(channel: string): string {
  return `routes:\n  - match: { namespaces: [payments] }\n    channel: "${channel}"\n`;
}

let dir: string | undefined;
let watch: ConfigWatch | undefined;
afterEach(async () => {
  watch?.close();
  watch = undefined;
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Loads and watches a routing file the way buildRuntime does; log lines go to `lines`. */
function start(routesFile: string, lines: string[]) {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const config = loadConfig({ JOBWATCH_ROUTES_FILE: routesFile });
  const live = createLiveSettings(loadRoutes(routesFile, {}), loadPolicy(undefined), loadLogPatterns(undefined).patterns);
  watch = watchSettingFiles(config, {}, live, logger);
  return live;
}

function channelOf(live: ReturnType<typeof start>): string | undefined {
  const decision = live.route(target);
  return decision.action === 'post' ? decision.channel : undefined;
}

describe('routing file reload', () => {
  it('applies a valid change', async () => {
    dir = await mkdtemp(join(tmpdir(), 'jobwatch-reload-'));
    const file = join(dir, 'routes.yaml');
    await writeFile(file, routesYaml('#payments-old'));
    const lines: string[] = [];
    const live = start(file, lines);
    expect(channelOf(live)).toBe('#payments-old');

    await writeFile(file, routesYaml('#payments-new'));
    await eventually(() => channelOf(live) === '#payments-new', 'the new channel');
    expect(lines.filter((line) => line.includes('configuration file reloaded'))).toHaveLength(1);
  });

  it('keeps the old routes and logs the problems of an invalid change', async () => {
    dir = await mkdtemp(join(tmpdir(), 'jobwatch-reload-'));
    const file = join(dir, 'routes.yaml');
    await writeFile(file, routesYaml('#payments-old'));
    const lines: string[] = [];
    const live = start(file, lines);

    const invalid = 'routes:\n  - match: { namespaces: [payments] }\n    chanel: "#typo"\n';
    await writeFile(file, invalid);
    const errorLine = await eventually(() => lines.find((line) => line.includes('configuration file rejected')), 'the rejection');
    const entry = JSON.parse(errorLine) as { level: number; setting: string; problems: string[] };
    expect(entry.level).toBe(50);
    expect(entry.setting).toBe('JOBWATCH_ROUTES_FILE');
    // The same problems that stop jobwatch at start with this file.
    let startProblems: string[] = [];
    try {
      loadRoutes(file, {});
    } catch (err) {
      startProblems = (err as { problems: { message: string; fix: string }[] }).problems.map((p) => `${p.message} Fix: ${p.fix}`);
    }
    expect(startProblems.length).toBeGreaterThan(0);
    expect(entry.problems).toEqual(startProblems);
    expect(channelOf(live)).toBe('#payments-old');

    await writeFile(file, routesYaml('#payments-fixed'));
    await eventually(() => channelOf(live) === '#payments-fixed', 'the fixed file applied');
  });

  it('sees a ConfigMap volume swap its ..data symlink', async () => {
    dir = await mkdtemp(join(tmpdir(), 'jobwatch-reload-'));
    // The kubelet's layout: the file links through ..data to a timestamped folder.
    await mkdir(join(dir, '..2026_01_01_00_00_00.1'));
    await writeFile(join(dir, '..2026_01_01_00_00_00.1', 'routes.yaml'), routesYaml('#payments-old'));
    await symlink('..2026_01_01_00_00_00.1', join(dir, '..data'));
    await symlink(join('..data', 'routes.yaml'), join(dir, 'routes.yaml'));
    const lines: string[] = [];
    const live = start(join(dir, 'routes.yaml'), lines);
    expect(channelOf(live)).toBe('#payments-old');

    await mkdir(join(dir, '..2026_01_01_00_01_00.2'));
    await writeFile(join(dir, '..2026_01_01_00_01_00.2', 'routes.yaml'), routesYaml('#payments-swapped'));
    await symlink('..2026_01_01_00_01_00.2', join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
    await rm(join(dir, '..2026_01_01_00_00_00.1'), { recursive: true });
    await eventually(() => channelOf(live) === '#payments-swapped', 'the swapped file applied');
    expect(lines.filter((line) => line.includes('configuration file rejected'))).toEqual([]);
  });
});

describe('policy and log patterns reload', () => {
  it('applies new rules and patterns behind the objects the roles hold', async () => {
    dir = await mkdtemp(join(tmpdir(), 'jobwatch-reload-'));
    const policyFile = join(dir, 'policy.yaml');
    const patternsFile = join(dir, 'log-patterns.yaml');
    await writeFile(policyFile, 'rules: []\n');
    await writeFile(patternsFile, 'patterns: []\n');
    const logger = pino({ level: 'silent' });
    const config = loadConfig({ JOBWATCH_POLICY_FILE: policyFile, JOBWATCH_LOG_PATTERNS_FILE: patternsFile });
    const live = createLiveSettings(loadRoutes(undefined, {}), loadPolicy(policyFile), loadLogPatterns(patternsFile).patterns);
    const { action } = live.policy;
    const patterns = live.logPatterns;
    watch = watchSettingFiles(config, {}, live, logger);
    const actor = { id: 'U0ALICE', groups: [] };
    expect(action.decide(actor, 'retry', 'payments').allowed).toBe(false);

    await writeFile(policyFile, 'rules:\n  - name: payments\n    users: [U0ALICE]\n    namespaces: [payments]\n    verbs: [retry]\n    kubernetes: { user: "slack:alice" }\n');
    await writeFile(patternsFile, 'patterns:\n  - name: quota\n    pattern: "QuotaExceeded"\n    cause: dependency-unavailable\n');
    await eventually(() => action.decide(actor, 'retry', 'payments').allowed, 'the new rule applied');
    await eventually(() => patterns.length === 1, 'the new pattern applied');
    expect(patterns[0]?.name).toBe('quota');
  });
});
