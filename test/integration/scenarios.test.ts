import { knownWrong } from '../diagnose/fixtures.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarios, playScenario, type PlayedScenario, type Scenario } from '../../src/sim/index.ts';
import type { StoredMessage } from '../fake-slack/types.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { alertOf, contentOf, isRoot, messagesWithKey, rootMessages, sleep, waitReady, waitSlackQuiet } from './slack-view.ts';

interface Run {
  scenario: Scenario;
  played: PlayedScenario;
}

let harness: Harness;
let runs: Run[];

/** Reads the primary cause id of an alert from its `Cause` line, or from the recovered form. */
function shownCause(message: StoredMessage): string | undefined {
  const text = contentOf(message);
  return /\*Cause\* `([a-z0-9-]+)`/.exec(text)?.[1] ?? /failed with `([a-z0-9-]+)`/.exec(text)?.[1];
}

/** Lists each run whose alert is missing or shows another cause, as `id: expected X, shown Y`. */
function mismatches(h: Harness, all: Run[]): string[] {
  return all.flatMap(({ scenario, played }) => {
    const alert = alertOf(h.slack, played.jobUid);
    const shown = alert ? shownCause(alert) : 'no alert';
    return shown === scenario.expected.cause ? [] : [`${scenario.id}: expected ${scenario.expected.cause}, shown ${shown}`];
  });
}

/** Polls until every run shows its expected cause or `timeoutMs` passes, and returns the mismatches left. */
async function settle(h: Harness, all: Run[], timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let wrong = mismatches(h, all);
  while (wrong.length > 0 && Date.now() < deadline) {
    await sleep(250);
    wrong = mismatches(h, all);
  }
  return wrong;
}

beforeAll(async () => {
  harness = await startHarness({ env: { JOBWATCH_STUCK_AFTER_SECONDS: '1' } });
  await waitReady(harness);
  // Scenarios the diagnosis still gets wrong are checked in test/diagnose/scenarios.test.ts.
  const wrong = knownWrong();
  const scenarios = (await loadScenarios('fixtures/scenarios')).filter((s) => wrong[s.id] === undefined);
  // All scenarios play at once on the same cluster, so the pipeline receives them interleaved.
  const played = await Promise.all(scenarios.map((s) => playScenario(harness.sim, s, { speed: 100_000, maxGapMs: 20 })));
  runs = scenarios.map((scenario, i) => ({ scenario, played: played[i] as PlayedScenario }));
}, 30_000);

afterAll(async () => {
  await harness?.stop();
});

describe('scenario replay on one cluster', () => {
  it('shows the expected cause in the alert of every scenario', async () => {
    expect(runs.length).toBeGreaterThan(0);
    expect(await settle(harness, runs, 20_000)).toEqual([]);
    // Later updates must not take the cause away again.
    await waitSlackQuiet(harness.slack);
    expect(mismatches(harness, runs)).toEqual([]);
  }, 40_000);

  it('opens an episode for every scenario Job', async () => {
    const missing: string[] = [];
    for (const { scenario, played } of runs) {
      if (!(await harness.jobwatch.store.getEpisode(played.jobUid))) missing.push(scenario.id);
    }
    expect(missing).toEqual([]);
  });

  it('posts each alert once, at root or in its incident thread', () => {
    const wrong: string[] = [];
    for (const { scenario, played } of runs) {
      const alerts = messagesWithKey(harness.slack, 'jobwatch_alert', played.jobUid);
      if (alerts.length !== 1) {
        wrong.push(`${scenario.id}: ${alerts.length} alerts`);
        continue;
      }
      const alert = alerts[0] as StoredMessage;
      if (isRoot(alert)) continue;
      const root = harness.slack.messages(alert.channel).find((m) => m.ts === alert.thread_ts);
      if (root?.metadata?.event_type !== 'jobwatch_incident') wrong.push(`${scenario.id}: reply under a message that is no incident`);
    }
    expect(wrong).toEqual([]);
  });

  it('gives no scenario Job two root messages', () => {
    const roots = rootMessages(harness.slack);
    const keys = roots.map((m) => String(m.metadata?.event_payload['key']));
    expect(new Set(keys).size).toBe(keys.length);
    const owned = runs.filter(({ played }) => roots.some((m) => m.metadata?.event_payload['key'] === played.jobUid));
    expect(roots.filter((m) => m.metadata?.event_type === 'jobwatch_alert')).toHaveLength(owned.length);
  });
});
