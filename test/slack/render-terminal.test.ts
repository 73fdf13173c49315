import { describe, expect, it } from 'vitest';
import { renderAlert } from '../../src/slack/render-alert.ts';
import { renderIncident } from '../../src/slack/render-incident.ts';
import { renderTerminal } from '../../src/slack/render-terminal.ts';
import { alertView, attemptView, FORBIDDEN_CHARS, incidentView, INVISIBLE_TEXT } from './views.ts';

describe('renderTerminal', () => {
  it('starts an alert with the same header line as Slack', () => {
    for (const state of ['failing', 'stuck', 'failed', 'recovered', 'deleted'] as const) {
      const view = alertView({ state, reason: state === 'failed' ? 'BackoffLimitExceeded' : null });
      expect(renderTerminal(view, 'alert').split('\n')[0]).toBe(renderAlert(view).text);
    }
  });

  it('prints the cause, evidence, fix, attempts and parameters of an alert', () => {
    const lines = renderTerminal(alertView(), 'alert').split('\n');
    expect(lines.slice(1, 7)).toEqual([
      'Cause: oom-killed',
      'Container report went over its 512Mi memory limit and was killed (exit code 137).',
      'Evidence:',
      '  > status pod/nightly-report-28911440-x7k2p  lastState.terminated.reason: OOMKilled, exitCode 137',
      '  > log    container report  MemoryError while building the monthly rollup',
      "Fix: Raise report's memory limit above 512Mi, or lower the batch size.",
    ]);
    expect(lines).toContain(
      '  #2 · OOMKilled, exit code 137 · ran 2m 10s · nightly-report-28911440-x7k2p',
    );
    expect(
      lines.some((line) =>
        line.startsWith('Job: Attempts 2 of 7 · Duration 3m 20s · backoffLimit 6'),
      ),
    ).toBe(true);
    expect(lines).toContain(
      'CronJob nightly-report · cluster prod-eu · opened 2026-12-04 02:01 UTC',
    );
  });

  it('prints each attempt as a thread reply with its log lines', () => {
    const text = renderTerminal(alertView(), 'alert');
    expect(text).toContain(
      'Thread:\n  Attempt 1 of 7 · OOMKilled, exit code 137\n  Pod nightly-report-28911440-9qv4d',
    );
    expect(text).toContain('  | MemoryError while building the monthly rollup');
    expect(text.endsWith('\n')).toBe(false);
  });

  it('shrinks a recovered alert to one line of what went wrong', () => {
    const lines = renderTerminal(alertView({ state: 'recovered' }), 'alert').split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^Earlier attempts failed with oom-killed: Container report/);
  });

  it('keeps cluster text raw but free of terminal controls', () => {
    const view = alertView({
      jobName: `<!channel>${INVISIBLE_TEXT}`,
      summary: INVISIBLE_TEXT,
      evidence: [{ source: 'log', text: INVISIBLE_TEXT }],
      attempts: [attemptView({ logExcerpt: `\u001b]0;title\u0007${INVISIBLE_TEXT}` })],
    });
    const text = renderTerminal(view, 'alert');
    expect(text).toContain('reports/<!channel>abc');
    expect(text).not.toMatch(FORBIDDEN_CHARS);
    expect(text).not.toContain('\u001b');
  });

  it('cuts a 50 MB log and 200 quotes', () => {
    const view = alertView({
      evidence: Array.from({ length: 200 }, (_, i) => ({
        source: 'event' as const,
        text: `quote ${i}`,
      })),
      attempts: [attemptView({ logExcerpt: 'line\n'.repeat(10 * 1024 * 1024) })],
    });
    const text = renderTerminal(view, 'alert');
    expect(text).toContain('  (190 more quotes not shown)');
    expect(text).toMatch(/\| … \(\d+ more lines\)/);
    expect(text.length).toBeLessThan(20_000);
  });

  it('starts an incident with the same header line as Slack', () => {
    const view = incidentView();
    const lines = renderTerminal(view, 'incident').split('\n');
    expect(lines[0]).toBe(renderIncident(view).text);
    expect(lines[1]).toBe('Runs, oldest first: ✅ ✅ ❌ ✅ ❌ ❌ ❌');
    expect(lines[2]).toBe('Last cause: oom-killed');
    expect(lines).toContain('  ❌ nightly-report-28911440');
    expect(lines.at(-1)).toBe('cluster prod-eu');
  });

  it('counts attempts per index and failed indexes with backoffLimitPerIndex', () => {
    const base = alertView();
    const view = alertView({
      params: {
        ...base.params,
        backoffLimitPerIndex: 0,
        maxFailedIndexes: 2,
        completionMode: 'Indexed',
        failedIndexes: '1,3',
        failedIndexCount: 2,
      },
      attempts: [
        attemptView({ number: 1, index: 3, pod: 'run-3-abcde' }),
        attemptView({ number: 1, index: 1, pod: 'run-1-fghij' }),
      ],
    });
    const text = renderTerminal(view, 'alert');
    const jobLine = text.split('\n').find((line) => line.startsWith('Job: '));
    expect(jobLine).toContain('Job: Failed indexes 2 of 2 allowed (indexes 1,3) · ');
    expect(jobLine).not.toContain('Attempts');
    expect(text).toContain('  #1 index 3 · OOMKilled, exit code 137');
    expect(text).toContain('  #1 index 1 · OOMKilled, exit code 137');
    expect(text).toContain('  Index 3, attempt 1 of 1 · OOMKilled, exit code 137\n  Pod run-3-abcde');
    expect(text).toContain('  Index 1, attempt 1 of 1 · OOMKilled, exit code 137\n  Pod run-1-fghij');
  });
});
