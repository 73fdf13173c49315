import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENV_DEFAULTS } from '../../src/config/env-schema.ts';
import { createJobwatchMetrics } from '../../src/metrics/registry.ts';

interface Rule {
  alert?: string;
  expr?: string;
  for?: string;
  annotations?: Record<string, string>;
}

const RULES_FILE = new URL('../../deploy/prometheus/jobwatch-rules.yaml', import.meta.url);

function loadRules(): Rule[] {
  const document = parse(readFileSync(RULES_FILE, 'utf8')) as { kind?: string; spec?: { groups?: { rules?: Rule[] }[] } };
  expect(document.kind).toBe('PrometheusRule');
  return (document.spec?.groups ?? []).flatMap((group) => group.rules ?? []);
}

/** Names of every metric a process registers, with a queue and a watch so each has a sample. */
async function registeredNames(): Promise<Set<string>> {
  const m = createJobwatchMetrics();
  m.addQueues([{ name: 'notify', getJobCounts: () => Promise.resolve({}), getWaiting: () => Promise.resolve([]) }]);
  m.addWatches([{ resource: 'jobs', stats: () => ({ restartsByReason: { expired: 0, error: 0, stall: 0, closed: 0 }, oldestLastEventAt: 0 }) }]);
  const { body } = await m.scrape();
  return new Set([...body.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1] ?? ''));
}

/** Lists the metric names an expression selects, naming histogram series after their histogram. */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b(jobwatch_[a-z0-9_]+)/g)].map((match) => (match[1] ?? '').replace(/_(bucket|count|sum)$/, ''));
}

describe('deploy/prometheus/jobwatch-rules.yaml', () => {
  const rules = loadRules();

  it('has the watch, queue, Slack and latency alerts', () => {
    expect(rules.map((rule) => rule.alert)).toEqual([
      'JobwatchWatchStalled',
      'JobwatchQueueBackingUp',
      'JobwatchSlackFailing',
      'JobwatchFailuresPostedLate',
    ]);
  });

  it('annotates every rule', () => {
    for (const rule of rules) {
      expect(rule.annotations?.['summary'], rule.alert).toBeTruthy();
      expect(rule.annotations?.['description'], rule.alert).toBeTruthy();
      expect(rule.annotations?.['runbook'], rule.alert).toBeTruthy();
      expect(rule.for, rule.alert).toMatch(/^\d+m$/);
    }
  });

  it('uses only metrics the code registers', async () => {
    const registered = await registeredNames();
    for (const rule of rules) {
      const names = metricNames(rule.expr ?? '');
      expect(names.length, rule.alert).toBeGreaterThan(0);
      for (const name of names) expect(registered.has(name), `${rule.alert}: ${name}`).toBe(true);
    }
  });

  it('reads only jobwatch metrics in expressions', () => {
    // Any other metric, such as `up`, would make the rules depend on the scrape setup.
    for (const rule of rules) {
      const selectors = [...(rule.expr ?? '').matchAll(/\b([a-z_:][a-z0-9_:]*)\s*(\{|\[)/g)].map((m) => m[1]);
      for (const selector of selectors) expect(selector, rule.alert).toMatch(/^jobwatch_/);
    }
  });

  it('sets the stall threshold above two watchdog periods', () => {
    const stalled = rules.find((rule) => rule.alert === 'JobwatchWatchStalled');
    const threshold = Number(/>\s*(\d+)/.exec(stalled?.expr ?? '')?.[1]);
    // Bookmarks arrive about every 60 s, and the watchdog reopens a silent watch after this.
    const stallSeconds = Number(ENV_DEFAULTS.JOBWATCH_WATCH_STALL_SECONDS);
    expect(stallSeconds).toBeGreaterThan(60);
    expect(threshold).toBeGreaterThan(2 * stallSeconds);
  });
});
