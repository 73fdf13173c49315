import { describe, expect, it } from 'vitest';
import type { SlackMessage } from '../../src/slack/block-kit.ts';
import { renderAttemptReply } from '../../src/slack/render-attempt.ts';
import { allTexts, expectWithinLimits, unescapedReferences } from './limits.ts';
import { alertView, attemptView, FORBIDDEN_CHARS, HOSTILE_TEXTS, INVISIBLE_TEXT } from './views.ts';

function sectionText(message: SlackMessage, i: number): string {
  const block = message.blocks[i];
  return block?.type === 'section' ? (block.text?.text ?? '') : '';
}

describe('renderAttemptReply', () => {
  it('names pod, container, node, run time and exit', () => {
    const message = renderAttemptReply(alertView(), attemptView());
    expect(message.text).toBe(
      'Attempt 2 of 7 of reports/nightly-report-28911440: OOMKilled, exit code 137',
    );
    const details = sectionText(message, 0);
    expect(details).toContain('*Attempt 2 of 7* · `OOMKilled`, exit code 137');
    expect(details).toContain(
      'Pod `nightly-report-28911440-x7k2p`, container `report` on node `ip-10-0-3-17.eu-west-1.compute.internal`',
    );
    expect(details).toContain(
      'Ran 2m 10s, started <!date^1796349605^{date_short_pretty} {time}|2026-12-04 02:00 UTC>',
    );
  });

  it('shows the log excerpt in a code block', () => {
    const log = sectionText(renderAttemptReply(alertView(), attemptView()), 1);
    expect(log).toBe(
      '*Log*\n```\nloading 1200000 rows\nMemoryError while building the monthly rollup\n```',
    );
  });

  it('keeps a ``` inside the log from closing the block early', () => {
    const log = sectionText(
      renderAttemptReply(alertView(), attemptView({ logExcerpt: 'before\n```\n*after* `x`' })),
      1,
    );
    expect(log.match(/```/g)).toHaveLength(2);
    expect(log.endsWith('```')).toBe(true);
    expect(log).toContain('*after*');
  });

  it('quotes the termination message and the index of an Indexed Job', () => {
    const message = renderAttemptReply(
      alertView(),
      attemptView({
        index: 3,
        message: 'Pod ephemeral local storage usage exceeds the total limit',
      }),
    );
    expect(message.text).toContain('Attempt 2 of 7 (index 3)');
    expect(sectionText(message, 0)).toContain(
      '>`Pod ephemeral local storage usage exceeds the total limit`',
    );
  });

  it('counts within the index with backoffLimitPerIndex', () => {
    const params = { ...alertView().params, backoffLimitPerIndex: 1, completionMode: 'Indexed' };
    const message = renderAttemptReply(alertView({ params }), attemptView({ number: 2, index: 3 }));
    expect(message.text).toBe(
      'Index 3, attempt 2 of 2 of reports/nightly-report-28911440: OOMKilled, exit code 137',
    );
    expect(sectionText(message, 0)).toContain('*Index 3, attempt 2 of 2* · `OOMKilled`, exit code 137');
  });

  it('says so when no log was captured', () => {
    const message = renderAttemptReply(alertView(), attemptView({ logExcerpt: '' }));
    expect(message.blocks[1]).toEqual({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: 'No log lines were captured for this attempt.', verbatim: true },
      ],
    });
  });

  it('reads without node, times or exit', () => {
    const message = renderAttemptReply(alertView(), { number: 1, pod: 'p-1' });
    expect(sectionText(message, 0)).toBe(
      '*Attempt 1 of 7* · no exit recorded\nPod `p-1`, node unknown',
    );
  });

  it.each(HOSTILE_TEXTS)('escapes %s in every field', (hostile) => {
    const attempt = attemptView({
      pod: hostile,
      node: hostile,
      container: hostile,
      reason: hostile,
      message: hostile,
      logExcerpt: hostile,
    });
    const message = renderAttemptReply(alertView({ jobName: hostile }), attempt);
    for (const text of allTexts(message)) {
      expect(unescapedReferences(text)).toEqual([]);
    }
  });

  it('drops control, bidi and zero-width characters', () => {
    const attempt = attemptView({
      pod: INVISIBLE_TEXT,
      node: INVISIBLE_TEXT,
      message: INVISIBLE_TEXT,
      logExcerpt: INVISIBLE_TEXT,
    });
    for (const text of allTexts(renderAttemptReply(alertView(), attempt))) {
      expect(text).not.toMatch(FORBIDDEN_CHARS);
    }
  });

  it('cuts a 50 MB single-line log within every limit and says so', () => {
    const message = renderAttemptReply(
      alertView(),
      attemptView({ logExcerpt: '<'.repeat(50 * 1024 * 1024) }),
    );
    expectWithinLimits(message);
    const log = sectionText(message, 1);
    expect(log).toContain('(truncated)');
    expect(log.endsWith('\n```')).toBe(true);
    expect(log).toMatch(/^\*Log\*\n```\n(?:&lt;)+\n… \(truncated\)\n```$/);
  });

  it('keeps at most 40 lines of a 50 MB multi-line log', () => {
    const log = 'panic: runtime error\n'.repeat(2_500_000);
    const message = renderAttemptReply(alertView(), attemptView({ logExcerpt: log }));
    expectWithinLimits(message);
    const text = sectionText(message, 1);
    expect(text.split('\n').filter((line) => line === 'panic: runtime error')).toHaveLength(40);
    expect(text).toMatch(/… \(\d+ more lines\)/);
  });

  it('stays within every limit with huge names', () => {
    const big = 'n'.repeat(100_000);
    const message = renderAttemptReply(
      alertView({ jobName: big, namespace: big }),
      attemptView({ pod: big, node: big, container: big, reason: big, message: big }),
    );
    expectWithinLimits(message);
  });
});
