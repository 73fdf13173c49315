import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarios, playScenario, type PlayedScenario } from '../../src/sim/index.ts';
import type { Block, SectionBlock } from '../../src/slack/block-kit.ts';
import type { StoredMessage } from '../fake-slack/types.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { alertOf, waitReady } from './slack-view.ts';

// An Indexed Job with backoffLimitPerIndex 0: indexes 0 and 1 were preempted once and
// ran again, and index 3 failed its only run.
const SCENARIO = 'indexed-ignore-preemption-index-3-keyerror';

let harness: Harness;
let played: PlayedScenario;
let replies: StoredMessage[];

beforeAll(async () => {
  harness = await startHarness();
  await waitReady(harness);
  const [scenario] = (await loadScenarios('fixtures/scenarios')).filter((s) => s.id === SCENARIO);
  if (!scenario) throw new Error(`scenario ${SCENARIO} not found in fixtures/scenarios`);
  played = await playScenario(harness.sim, scenario, { speed: 100_000, maxGapMs: 20 });
  const alert = await eventually(() => alertOf(harness.slack, played.jobUid), 'the alert');
  replies = await eventually(() => {
    const thread = harness.slack.thread(alert.channel, alert.ts).filter((m) => m.ts !== alert.ts);
    return thread.length === 3 ? thread : undefined;
  }, 'one reply per failed pod');
}, 60_000);

afterAll(async () => {
  await harness?.stop();
});

describe('Indexed Job with backoffLimitPerIndex through the pipeline', () => {
  it('numbers each reply within its index against one run', () => {
    const titles = replies.map((reply) => /^Index \d+, attempt \d+ of \d+/.exec(reply.text)?.[0]).sort();
    expect(titles).toEqual(['Index 0, attempt 1 of 1', 'Index 1, attempt 1 of 1', 'Index 3, attempt 1 of 1']);
  });

  it('shows failed indexes in place of a Job-wide attempt count', async () => {
    const alert = await eventually(() => {
      const message = alertOf(harness.slack, played.jobUid);
      return message?.text.includes('some indexes failed') ? message : undefined;
    }, 'the final alert');
    expect(alert.text).toContain('failed: some indexes failed (index 3, ');
    // The fake Slack stores blocks as it received them: the Block Kit that jobwatch built.
    const texts = ((alert.blocks ?? []) as Block[])
      .filter((block): block is SectionBlock => block.type === 'section')
      .flatMap((block) => (block.fields ?? []).map((field) => field.text));
    expect(texts).toContain('*Failed indexes*\n1 (index 3)');
    expect(texts.filter((text) => text.startsWith('*Attempts*'))).toEqual([]);
  });
});
