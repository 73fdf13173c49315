import { describe, expect, it } from 'vitest';
import type { AlertView } from '../../src/slack/alert-view.ts';
import type { SectionBlock } from '../../src/slack/block-kit.ts';
import { escapeMrkdwn } from '../../src/slack/escape.ts';
import { renderAlert } from '../../src/slack/render-alert.ts';
import { allTexts, expectWithinLimits, unescapedReferences } from './limits.ts';
import { alertView, attemptView, FORBIDDEN_CHARS, HOSTILE_TEXTS, INVISIBLE_TEXT } from './views.ts';

const failedParams = {
  ...alertView().params,
  attemptsUsed: 7,
  failed: 7,
  active: 0,
  durationMs: 840_000,
};

/** An Indexed Job with backoffLimitPerIndex 0 whose index 3 failed its one run. */
const perIndexParams = {
  ...failedParams,
  backoffLimit: 2147483647,
  backoffLimitPerIndex: 0,
  completionMode: 'Indexed',
  failed: 3,
  attemptsUsed: 1,
  attemptsAllowed: 1,
  failedIndexes: '3',
  failedIndexCount: 1,
};

function sectionTexts(view: AlertView): string[] {
  return renderAlert(view)
    .blocks.filter((block): block is SectionBlock => block.type === 'section')
    .flatMap((block) => [
      block.text?.text ?? '',
      ...(block.fields ?? []).map((field) => field.text),
    ]);
}

describe('renderAlert header', () => {
  it.each<[string, Partial<AlertView>, string]>([
    ['failing', {}, '🟡 reports/nightly-report-28911440 is failing: OOMKilled (attempt 2 of 7)'],
    [
      'stuck',
      {
        state: 'stuck',
        reason: 'ImagePullBackOff',
        attempts: [],
        params: { ...failedParams, durationMs: 600_000 },
      },
      '🟠 reports/nightly-report-28911440 is stuck: ImagePullBackOff for 10m',
    ],
    [
      'failed at the backoff limit',
      { state: 'failed', reason: 'BackoffLimitExceeded', params: failedParams },
      '🔴 reports/nightly-report-28911440 failed: backoff limit reached (7 of 7 attempts, 14m)',
    ],
    [
      'failed at the deadline',
      {
        state: 'failed',
        reason: 'DeadlineExceeded',
        params: { ...failedParams, activeDeadlineSeconds: 600 },
      },
      '🔴 reports/nightly-report-28911440 failed: deadline exceeded (activeDeadlineSeconds 10m)',
    ],
    [
      'failed by pod failure policy',
      {
        state: 'failed',
        reason: 'PodFailurePolicy',
        attempts: [attemptView({ exitCode: 42, reason: 'Error' })],
      },
      '🔴 reports/nightly-report-28911440 failed: pod failure policy (exit code 42)',
    ],
    [
      'failing with backoffLimitPerIndex',
      { params: perIndexParams, attempts: [attemptView({ number: 1, index: 3, reason: 'Error' })] },
      '🟡 reports/nightly-report-28911440 is failing: Error (index 3, attempt 1 of 1)',
    ],
    [
      'failing with backoffLimitPerIndex before any attempt',
      { params: perIndexParams, attempts: [] },
      '🟡 reports/nightly-report-28911440 is failing: oom-killed (1 failed index)',
    ],
    [
      'failed with failed indexes',
      { state: 'failed', reason: 'FailedIndexes', params: perIndexParams },
      '🔴 reports/nightly-report-28911440 failed: some indexes failed (index 3, 14m)',
    ],
    [
      'failed over maxFailedIndexes',
      {
        state: 'failed',
        reason: 'MaxFailedIndexesExceeded',
        params: { ...perIndexParams, maxFailedIndexes: 1, failedIndexes: '1,3', failedIndexCount: 2 },
      },
      '🔴 reports/nightly-report-28911440 failed: too many failed indexes (2 of 1 allowed: indexes 1,3, 14m)',
    ],
    [
      'failed with failed indexes not reported',
      {
        state: 'failed',
        reason: 'FailedIndexes',
        params: { ...failedParams, backoffLimitPerIndex: 0, failed: 3 },
      },
      '🔴 reports/nightly-report-28911440 failed: some indexes failed (3 failed pods, 14m)',
    ],
    [
      'failed at backoffLimit with backoffLimitPerIndex',
      { state: 'failed', reason: 'BackoffLimitExceeded', params: perIndexParams },
      '🔴 reports/nightly-report-28911440 failed: backoff limit reached (3 failed pods, 14m)',
    ],
    [
      'recovered',
      { state: 'recovered' },
      '🟢 reports/nightly-report-28911440 recovered after 2 failed attempts',
    ],
    [
      'recovered after one attempt',
      { state: 'recovered', attempts: [attemptView()], params: { ...failedParams, failed: 1 } },
      '🟢 reports/nightly-report-28911440 recovered after 1 failed attempt',
    ],
    [
      'deleted',
      { state: 'deleted' },
      '⚪ reports/nightly-report-28911440 was deleted while failing',
    ],
  ])('reads right when %s', (_state, overrides, expected) => {
    const message = renderAlert(alertView(overrides));
    expect(message.text).toBe(expected);
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: expected, emoji: true },
    });
  });

  it('omits the limit when attemptsAllowed is unknown', () => {
    const params = { ...alertView().params };
    delete params.attemptsAllowed;
    expect(renderAlert(alertView({ params })).text).toContain('(attempt 2)');
  });
});

describe('renderAlert body', () => {
  it('shows cause, evidence with sources, fix, timeline and parameters', () => {
    const texts = sectionTexts(
      alertView({ params: { ...failedParams, activeDeadlineSeconds: 3600 } }),
    );
    const joined = texts.join('\n');
    expect(joined).toContain(
      '*Cause* `oom-killed`\nContainer report went over its 512Mi memory limit',
    );
    expect(joined).toContain(
      '>_status_ `pod/nightly-report-28911440-x7k2p` `lastState.terminated.reason: OOMKilled, exitCode 137`',
    );
    expect(joined).toContain(
      '>_log_ `container report` `MemoryError while building the monthly rollup`',
    );
    expect(joined).toContain("*Fix* Raise report's memory limit above 512Mi");
    expect(joined).toContain(
      '#2 · `OOMKilled`, exit code 137 · ran 2m 10s · `nightly-report-28911440-x7k2p`',
    );
    expect(texts).toContain('*Attempts*\n7 of 7');
    expect(texts).toContain('*Duration*\n14m');
    expect(texts).toContain('*backoffLimit*\n6');
    expect(texts).toContain('*activeDeadlineSeconds*\n3600 (1h)');
    expect(texts).toContain('*parallelism*\n1');
  });

  it('names the CronJob, the cluster and the opening time in the context', () => {
    const contextBlock = renderAlert(alertView()).blocks.at(-1);
    expect(contextBlock?.type).toBe('context');
    const texts =
      contextBlock?.type === 'context' ? contextBlock.elements.map((element) => element.text) : [];
    expect(texts).toEqual([
      'CronJob `nightly-report`',
      'cluster `prod-eu`',
      'opened <!date^1796349701^{date_short_pretty} {time}|2026-12-04 02:01 UTC>',
    ]);
  });

  it('marks confidence below high and secondary causes', () => {
    const joined = sectionTexts(
      alertView({ confidence: 'low', secondary: ['dependency-unavailable'] }),
    ).join('\n');
    expect(joined).toContain(
      '*Cause* `oom-killed` (low confidence) · also `dependency-unavailable`',
    );
  });

  it('shrinks a recovered alert to one line', () => {
    const message = renderAlert(alertView({ state: 'recovered' }));
    expect(message.blocks.map((block) => block.type)).toEqual(['header', 'section', 'context']);
    expect(sectionTexts(alertView({ state: 'recovered' }))[0]).toMatch(
      /^Earlier attempts failed with `oom-killed`: Container report/,
    );
  });

  it('keeps the evidence of a deleted Job', () => {
    expect(sectionTexts(alertView({ state: 'deleted' })).join('\n')).toContain('*Evidence*');
  });

  it('leaves out empty evidence and timeline sections', () => {
    const joined = sectionTexts(alertView({ evidence: [], attempts: [] })).join('\n');
    expect(joined).not.toContain('*Evidence*');
    expect(joined).not.toContain('#1');
  });
});

describe('renderAlert with hostile cluster text', () => {
  function namedView(hostile: string): AlertView {
    return alertView({
      jobName: `job-${hostile}`,
      namespace: hostile,
      cluster: hostile,
      cronJob: { name: hostile, uid: 'u' },
      evidence: [{ source: 'log', object: hostile, text: `line ${hostile}` }],
      attempts: [attemptView({ pod: hostile, reason: hostile })],
    });
  }

  it.each(HOSTILE_TEXTS)('escapes %s in names, quotes and sentences', (hostile) => {
    const message = renderAlert({
      ...namedView(hostile),
      summary: `summary ${hostile}`,
      fix: `fix ${hostile}`,
    });
    for (const text of allTexts(message)) {
      expect(unescapedReferences(text)).toEqual([]);
    }
    const json = JSON.stringify(message);
    if (hostile.startsWith('<')) {
      expect(json).toContain(`&lt;${hostile.slice(1, -1)}&gt;`);
    }
    if (hostile === '&lt;') {
      expect(json).toContain('&amp;lt;');
      expect(json.replaceAll('&amp;lt;', '')).not.toContain('&lt;');
    }
  });

  it.each(HOSTILE_TEXTS)(
    'shows names like %s as code, where Slack applies no formatting',
    (hostile) => {
      // The first section contains the diagnosis sentence, the only prose not built from names.
      for (const text of sectionTexts(namedView(hostile)).slice(1)) {
        expect(text.replace(/`[^`]*`/g, '')).not.toContain(escapeMrkdwn(hostile));
      }
    },
  );

  it('drops control, bidi and zero-width characters from every field', () => {
    const view = alertView({
      jobName: INVISIBLE_TEXT,
      namespace: INVISIBLE_TEXT,
      cluster: INVISIBLE_TEXT,
      reason: INVISIBLE_TEXT,
      summary: INVISIBLE_TEXT,
      fix: INVISIBLE_TEXT,
      evidence: [{ source: 'event', object: INVISIBLE_TEXT, text: INVISIBLE_TEXT }],
      attempts: [
        attemptView({ pod: INVISIBLE_TEXT, reason: INVISIBLE_TEXT, node: INVISIBLE_TEXT }),
      ],
    });
    for (const state of ['failing', 'stuck', 'failed', 'recovered', 'deleted'] as const) {
      for (const text of allTexts(renderAlert({ ...view, state }))) {
        expect(text).not.toMatch(FORBIDDEN_CHARS);
      }
    }
  });
});

describe('renderAlert size limits', () => {
  const huge = 'E'.repeat(50 * 1024 * 1024);

  function hugeView(): AlertView {
    return alertView({
      jobName: 'j'.repeat(5000),
      namespace: 'n'.repeat(5000),
      cluster: 'c'.repeat(5000),
      cronJob: { name: 'k'.repeat(5000), uid: 'u' },
      reason: 'R'.repeat(5000),
      summary: huge,
      fix: huge,
      secondary: ['app-error', 'dependency-unavailable', 'node-disruption', 'evicted'],
      evidence: Array.from({ length: 200 }, (_, i) => ({
        source: 'log' as const,
        object: `pod/${'p'.repeat(3000)}`,
        text: `${i} <!channel> ${'&'.repeat(5000)}`,
      })),
      attempts: Array.from({ length: 300 }, (_, i) =>
        attemptView({
          number: i + 1,
          pod: 'p'.repeat(3000),
          reason: 'X'.repeat(3000),
          logExcerpt: huge,
        }),
      ),
      params: {
        ...failedParams,
        completionMode: 'Indexed'.repeat(1000),
        restartPolicy: 'Never'.repeat(1000),
        backoffLimitPerIndex: 3,
        activeDeadlineSeconds: 600,
      },
    });
  }

  it.each(['failing', 'stuck', 'failed', 'recovered', 'deleted'] as const)(
    'stays within every limit when %s',
    (state) => {
      expectWithinLimits(renderAlert({ ...hugeView(), state }));
    },
  );

  it('says what it cut', () => {
    const joined = sectionTexts(hugeView()).join('\n');
    expect(joined).toContain('(truncated)');
    expect(joined).toMatch(/_\d+ more quotes not shown_/);
    expect(joined).toContain('_290 earlier attempts not shown_');
  });

  it('shows at most ten quotes and counts the rest', () => {
    const evidence = Array.from({ length: 200 }, (_, i) => ({
      source: 'event' as const,
      text: `quote ${i}`,
    }));
    const joined = sectionTexts(alertView({ evidence })).join('\n');
    expect(joined).toContain('`quote 9`');
    expect(joined).not.toContain('`quote 10`');
    expect(joined).toContain('_190 more quotes not shown_');
  });
});
