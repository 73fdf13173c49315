import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../fake-slack/index.ts';
import type { AlertView, IncidentView } from '../../src/slack/alert-view.ts';
import { renderAlert } from '../../src/slack/render-alert.ts';
import { renderAttemptReply } from '../../src/slack/render-attempt.ts';
import { renderIncident } from '../../src/slack/render-incident.ts';
import {
  createSlackClient,
  createWebClient,
  type SlackClient,
} from '../../src/slack/slack-client.ts';
import { captureLogger } from './capture-logger.ts';
import { loadScenarios, scenarioView } from './scenario-views.ts';
import { alertView, attemptView, HOSTILE_TEXTS, incidentView, INVISIBLE_TEXT } from './views.ts';

const STATES = ['failing', 'stuck', 'failed', 'recovered', 'deleted'] as const;

let fake: FakeSlack;
let slack: SlackClient;

beforeAll(async () => {
  fake = await startFakeSlack();
  const { logger } = captureLogger();
  // One retry, as in production, covers a reused keep-alive socket the server just closed.
  const client = createWebClient({
    token: fake.botToken,
    slackApiUrl: fake.apiUrl,
    logger,
    retries: 1,
    retryMinDelayMs: 10,
  });
  slack = createSlackClient({ client, logger });
});

afterAll(async () => {
  await fake.stop();
});

/** Posts the alert as root, each attempt as a reply, then updates the root through every state. */
async function deliverAlert(view: AlertView): Promise<void> {
  const first = renderAlert(view);
  const root = await slack.postMessage({
    channel: 'C0ALERTS',
    ...first,
    metadata: { event_type: 'jobwatch_alert', event_payload: { key: view.key } },
  });
  for (const attempt of view.attempts.slice(-10)) {
    await slack.postMessage({
      channel: 'C0ALERTS',
      threadTs: root.ts,
      ...renderAttemptReply(view, attempt),
    });
  }
  for (const state of STATES) {
    await slack.updateMessage({ ...root, ...renderAlert({ ...view, state }) });
  }
}

function hugeView(): AlertView {
  const log = `${'```\n'.repeat(1000)}<!channel> ${INVISIBLE_TEXT} ${'&<>'.repeat(17_000_000)}`;
  const long = `<!channel> ${INVISIBLE_TEXT} ${'&<>'.repeat(10_000)}`;
  return alertView({
    jobName: 'j'.repeat(3000),
    cluster: long,
    summary: log,
    fix: log,
    secondary: ['app-error', 'evicted'],
    evidence: Array.from({ length: 200 }, (_, i) => ({
      source: 'log' as const,
      object: long,
      text: `${i} ${long}`,
    })),
    attempts: Array.from({ length: 60 }, (_, i) =>
      attemptView({
        number: i + 1,
        index: i,
        pod: long,
        node: long,
        reason: long,
        message: long,
        logExcerpt: log,
      }),
    ),
  });
}

describe('Slack accepts every rendered message', () => {
  it.each(loadScenarios().map((scenario) => [scenario.id, scenario] as const))(
    'for scenario %s',
    async (_id, scenario) => {
      await deliverAlert(scenarioView(scenario, 'failing'));
    },
  );

  it.each(HOSTILE_TEXTS)('for names like %s', async (hostile) => {
    await deliverAlert(
      alertView({
        jobName: hostile,
        namespace: hostile,
        cluster: hostile,
        summary: hostile,
        fix: hostile,
        evidence: [{ source: 'event', object: hostile, text: hostile }],
        attempts: [
          attemptView({
            pod: hostile,
            node: hostile,
            reason: hostile,
            logExcerpt: hostile,
            message: hostile,
          }),
        ],
      }),
    );
  });

  it('for a view with a 50 MB log and 200 quotes', async () => {
    await deliverAlert(hugeView());
  });

  it('for views with nothing optional', async () => {
    const bare = alertView({ evidence: [], attempts: [], secondary: [] });
    delete bare.cluster;
    delete bare.cronJob;
    await deliverAlert(bare);
    await deliverAlert(alertView({ attempts: [{ number: 1, pod: 'p' }], summary: '', fix: '' }));
  });

  it('for incidents open, resolved, empty and huge', async () => {
    const views: IncidentView[] = [
      incidentView(),
      incidentView({ resolved: true }),
      incidentView({ runs: [], failedRuns: 0 }),
      incidentView({
        cronJobName: 'c'.repeat(10_000),
        lastSummary: '<!here>'.repeat(100_000),
        runs: Array.from({ length: 1000 }, (_, i) => ({
          jobName: `${'r'.repeat(500)}-${i}`,
          outcome: 'failed' as const,
        })),
      }),
    ];
    for (const view of views) {
      const root = await slack.postMessage({ channel: 'C0ALERTS', ...renderIncident(view) });
      await slack.updateMessage({
        ...root,
        ...renderIncident({ ...view, resolved: !view.resolved }),
      });
    }
  });

  it('with no call rejected', () => {
    const rejected = fake.calls().filter((call) => call.response['ok'] !== true);
    expect(
      rejected.map((call) => [
        call.method,
        call.response['error'],
        call.response['response_metadata'],
      ]),
    ).toEqual([]);
    expect(fake.calls('chat.postMessage').length).toBeGreaterThan(100);
  });
});
