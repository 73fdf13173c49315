import type { AlertView, AttemptView, IncidentView } from '../../src/slack/alert-view.ts';

/** Builds an attempt of the nightly-report Job, with overrides. */
export function attemptView(overrides: Partial<AttemptView> = {}): AttemptView {
  return {
    number: 2,
    pod: 'nightly-report-28911440-x7k2p',
    container: 'report',
    node: 'ip-10-0-3-17.eu-west-1.compute.internal',
    startedAt: '2026-12-04T02:00:05Z',
    finishedAt: '2026-12-04T02:02:15Z',
    exitCode: 137,
    reason: 'OOMKilled',
    logExcerpt: 'loading 1200000 rows\nMemoryError while building the monthly rollup\n',
    ...overrides,
  };
}

/** Builds a failing alert for an OOM-killed report Job, with overrides. */
export function alertView(overrides: Partial<AlertView> = {}): AlertView {
  return {
    key: '5f1c9a7e-0d7e-4a57-9a43-7f0c2f6b1e11',
    version: 3,
    cluster: 'prod-eu',
    namespace: 'reports',
    jobName: 'nightly-report-28911440',
    cronJob: { name: 'nightly-report', uid: 'c1b5f0aa-3f6e-4c1b-8d8e-2b8f7c1d9e02' },
    state: 'failing',
    reason: null,
    cause: 'oom-killed',
    confidence: 'high',
    summary: 'Container report went over its 512Mi memory limit and was killed (exit code 137).',
    evidence: [
      {
        source: 'status',
        object: 'pod/nightly-report-28911440-x7k2p',
        text: 'lastState.terminated.reason: OOMKilled, exitCode 137',
      },
      {
        source: 'log',
        object: 'container report',
        text: 'MemoryError while building the monthly rollup',
      },
    ],
    fix: "Raise report's memory limit above 512Mi, or lower the batch size.",
    secondary: [],
    params: {
      backoffLimit: 6,
      completions: 1,
      parallelism: 1,
      restartPolicy: 'Never',
      failed: 2,
      succeeded: 0,
      active: 1,
      attemptsUsed: 2,
      attemptsAllowed: 7,
      startTime: '2026-12-04T02:00:00Z',
      durationMs: 200_000,
    },
    attempts: [
      attemptView({
        number: 1,
        pod: 'nightly-report-28911440-9qv4d',
        startedAt: '2026-12-04T02:00:01Z',
        finishedAt: '2026-12-04T02:01:40Z',
      }),
      attemptView(),
    ],
    openedAt: '2026-12-04T02:01:41Z',
    ...overrides,
  };
}

/** Builds an open CronJob incident with three failed runs out of the last four. */
export function incidentView(overrides: Partial<IncidentView> = {}): IncidentView {
  return {
    key: 'c1b5f0aa-3f6e-4c1b-8d8e-2b8f7c1d9e02',
    version: 5,
    cluster: 'prod-eu',
    namespace: 'reports',
    cronJobName: 'nightly-report',
    runs: [
      { jobName: 'nightly-report-28911200', outcome: 'succeeded' },
      { jobName: 'nightly-report-28911260', outcome: 'succeeded' },
      { jobName: 'nightly-report-28911320', outcome: 'failed' },
      { jobName: 'nightly-report-28911380', outcome: 'succeeded' },
      { jobName: 'nightly-report-28911400', outcome: 'failed' },
      { jobName: 'nightly-report-28911420', outcome: 'failed' },
      { jobName: 'nightly-report-28911440', outcome: 'failed' },
    ],
    failedRuns: 3,
    resolved: false,
    lastCause: 'oom-killed',
    lastSummary:
      'Container report went over its 512Mi memory limit and was killed (exit code 137).',
    ...overrides,
  };
}

/** Job names, messages and log lines that try to notify, link or format. */
export const HOSTILE_TEXTS = [
  '<!channel>',
  '<@U123>',
  '<https://evil|ok>',
  '&lt;',
  '*bold*',
] as const;

/** Characters that must never reach a message: controls, bidi controls, zero-width. */
export const INVISIBLE_TEXT =
  'a\u0000b\u0007c\u001b[31mred\u001b[0m\u202ertl\u202c\u2066iso\u2069\u200bzw\u200c\u200d\ufeff\u0085\r\nend';

export const FORBIDDEN_CHARS =
  // eslint-disable-next-line no-control-regex -- the test looks for control characters.
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200b-\u200d\ufeff]/;
