import { describe, expect, it } from 'vitest';
import type { IncidentView } from '../../src/slack/alert-view.ts';
import { renderIncident } from '../../src/slack/render-incident.ts';
import { allTexts, expectWithinLimits, unescapedReferences } from './limits.ts';
import { FORBIDDEN_CHARS, HOSTILE_TEXTS, incidentView, INVISIBLE_TEXT } from './views.ts';

type Outcome = IncidentView['runs'][number]['outcome'];

function runs(outcomes: Outcome[]): IncidentView['runs'] {
  return outcomes.map((outcome, i) => ({ jobName: `nightly-report-${28911000 + i}`, outcome }));
}

describe('renderIncident', () => {
  it('counts the failed runs within the latest runs', () => {
    const view = incidentView({
      runs: runs([
        'succeeded',
        'succeeded',
        'failed',
        'succeeded',
        'failed',
        'succeeded',
        'failed',
        'failed',
      ]),
    });
    const message = renderIncident(view);
    expect(message.text).toBe('🔴 reports/nightly-report failed 3 of its last 4 runs');
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: message.text, emoji: true },
    });
  });

  it('shows the run history oldest first', () => {
    const texts = allTexts(renderIncident(incidentView()));
    expect(texts).toContain('*Runs*, oldest first\n✅ ✅ ❌ ✅ ❌ ❌ ❌');
  });

  it('marks a running run and leaves it out of the count', () => {
    const message = renderIncident(
      incidentView({ failedRuns: 2, runs: runs(['failed', 'succeeded', 'failed', 'running']) }),
    );
    expect(message.text).toBe('🔴 reports/nightly-report failed 2 of its last 3 runs');
    expect(allTexts(message)).toContain('*Runs*, oldest first\n❌ ✅ ❌ ⏳');
  });

  it('says failing while the first troubled run still retries', () => {
    const view = incidentView({ failedRuns: 0, runs: [{ jobName: 'nightly-report-28911440', outcome: 'running' }] });
    expect(renderIncident(view).text).toBe('🟡 reports/nightly-report is failing: run nightly-report-28911440 is retrying');
  });

  it('says every recent run failed when no success sits among them', () => {
    const view = incidentView({ failedRuns: 3, runs: runs(['succeeded', 'failed', 'failed', 'failed']) });
    expect(renderIncident(view).text).toBe('🔴 reports/nightly-report failed its last 3 runs');
  });

  it('gives a plain count when history is short', () => {
    const message = renderIncident(
      incidentView({ failedRuns: 9, runs: runs(['failed', 'failed']) }),
    );
    expect(message.text).toBe('🔴 reports/nightly-report failed 9 runs');
  });

  it('announces the run that resolved it', () => {
    const view = incidentView({
      resolved: true,
      runs: [...incidentView().runs, { jobName: 'nightly-report-28911460', outcome: 'succeeded' }],
    });
    expect(renderIncident(view).text).toBe(
      '🟢 reports/nightly-report resolved: run nightly-report-28911460 succeeded after 3 failed runs',
    );
  });

  it('shows the last cause and the latest runs by name', () => {
    const joined = allTexts(renderIncident(incidentView())).join('\n');
    expect(joined).toContain(
      '*Last cause* `oom-killed`\nContainer report went over its 512Mi memory limit',
    );
    expect(joined).toContain('*Latest runs*\n❌ `nightly-report-28911320`');
    expect(joined).toContain('❌ `nightly-report-28911440`');
    expect(joined).not.toContain('`nightly-report-28911260`');
    expect(joined).toContain('cluster `prod-eu`');
  });

  it('shows only the newest 20 runs and counts the rest', () => {
    const outcomes = Array.from({ length: 500 }, (_, i): Outcome =>
      i % 3 === 0 ? 'failed' : 'succeeded',
    );
    const message = renderIncident(incidentView({ runs: runs(outcomes) }));
    const history = allTexts(message).find((text) => text.startsWith('*Runs*')) ?? '';
    expect(history).toContain('(480 earlier not shown)');
    expect(history.split('\n')[1]?.split(' ')).toHaveLength(20);
    expectWithinLimits(message);
  });

  it.each(HOSTILE_TEXTS)('escapes %s in names and summary', (hostile) => {
    const view = incidentView({
      namespace: hostile,
      cronJobName: hostile,
      cluster: hostile,
      lastSummary: hostile,
      runs: [{ jobName: hostile, outcome: 'failed' }],
    });
    for (const text of allTexts(renderIncident(view))) {
      expect(unescapedReferences(text)).toEqual([]);
    }
  });

  it('drops invisible characters and stays within limits with huge text', () => {
    const big = `${INVISIBLE_TEXT}${'x'.repeat(100_000)}`;
    const message = renderIncident(
      incidentView({
        cronJobName: big,
        cluster: big,
        lastSummary: big,
        runs: runs(['failed']).map((run) => ({ ...run, jobName: big })),
      }),
    );
    expectWithinLimits(message);
    for (const text of allTexts(message)) {
      expect(text).not.toMatch(FORBIDDEN_CHARS);
    }
  });
});
