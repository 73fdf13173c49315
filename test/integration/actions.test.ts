import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildBlockActionPayload, sendBlockAction, sendSlashCommand, signRequest } from '../fake-slack/index.ts';
import type { StoredMessage } from '../fake-slack/types.ts';
import { ALERT_CHANNEL, eventually, startHarness, type Harness } from '../support/harness.ts';
import { JobStory } from '../support/job-story.ts';
import { resourceTypes, startSimCluster, type SimCluster } from '../../src/sim/index.ts';
import { contentOf, rootMessages } from './slack-view.ts';

const JOBS = resourceTypes.find((t) => t.plural === 'jobs' && t.group === 'batch')!;

const POLICY = `
command: /job
everyone: [read]
rules:
  - name: on-call
    users: [U0ALICE]
    namespaces: ["*"]
    verbs: [read, retry, raise-limits, mute]
    kubernetes:
      user: slack:alice
      groups: [jobwatch:oncall]
`;

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function start(policy = POLICY, options: { sim?: SimCluster } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'jobwatch-policy-'));
  writeFileSync(join(dir, 'policy.yaml'), policy);
  harness = await startHarness({ env: { JOBWATCH_POLICY_FILE: join(dir, 'policy.yaml') }, ...options });
  const h = harness;
  await eventually(() => h.jobwatch.ready(), 'jobwatch ready');
  return h;
}

function appUrl(h: Harness): string {
  return `http://127.0.0.1:${h.jobwatch.httpPort}/slack/events`;
}

/** Fails a Job for good and returns its settled alert. */
async function failedAlert(h: Harness, name: string): Promise<{ story: JobStory; alert: StoredMessage }> {
  const story = new JobStory(h.sim, { namespace: 'reports', name, backoffLimit: 0, memoryLimit: '512Mi' });
  story.failPod(story.startPod(), { exitCode: 137, reason: 'OOMKilled', log: 'loading rows\n' });
  story.failJob();
  const alert = await eventually(() => {
    const root = rootMessages(h.slack, ALERT_CHANNEL).find((m) => m.text.includes(name));
    return root && JSON.stringify(root.blocks).includes('jobwatch.retry') ? root : undefined;
  }, 'the final alert with buttons');
  return { story, alert };
}

function click(h: Harness, alert: StoredMessage, actionId: string, userId: string, selectedValue?: string) {
  return sendBlockAction(appUrl(h), h.slack.signingSecret, h.slack, { channel: ALERT_CHANNEL, messageTs: alert.ts, actionId, userId, ...(selectedValue ? { selectedValue } : {}) });
}

/** Sends a signed click with a value of the caller's choosing, as a forged or replayed payload would. */
async function clickWithValue(h: Harness, alert: StoredMessage, actionId: string, userId: string, value: string, retryNum?: number) {
  const payload = buildBlockActionPayload(h.slack, { channel: ALERT_CHANNEL, messageTs: alert.ts, actionId: 'jobwatch.retry', userId });
  const actions = payload['actions'] as Array<Record<string, unknown>>;
  payload['actions'] = [{ ...actions[0], action_id: actionId, value }];
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', ...signRequest(h.slack.signingSecret, body) };
  if (retryNum !== undefined) headers['x-slack-retry-num'] = String(retryNum);
  const res = await fetch(appUrl(h), { method: 'POST', headers, body });
  await res.body?.cancel();
  return res.status;
}

/** Reads the action id from the confirm button of an ephemeral confirmation. */
function confirmValue(body: unknown): string {
  const blocks = (body as { blocks?: Array<{ elements?: Array<{ action_id?: string; value?: string }> }> }).blocks ?? [];
  for (const block of blocks) {
    for (const element of block.elements ?? []) if (element.action_id === 'jobwatch.confirm') return element.value ?? '';
  }
  return '';
}

function responsesText(h: Harness): string {
  return JSON.stringify(h.slack.responses());
}

function jobsNamed(h: Harness, name: string) {
  return h.sim.store.list(JOBS, 'reports').filter((job) => job.metadata.name === name);
}

describe('acting from an alert', () => {
  it('retries a failed Job once after a confirmation, even when the confirmation is clicked twice and redelivered', async () => {
    const h = await start();
    const { alert } = await failedAlert(h, 'ledger-export');
    expect(JSON.stringify(alert.blocks)).toContain('jobwatch.raise_limits');

    expect((await click(h, alert, 'jobwatch.retry', 'U0ALICE')).status).toBe(200);
    const confirmation = await eventually(() => h.slack.responses().find((r) => JSON.stringify(r.body).includes('jobwatch.confirm')), 'the confirmation');
    const actionId = confirmValue(confirmation.body);
    expect(actionId).toMatch(/^retry\./);
    expect(JSON.stringify(confirmation.body)).toContain('ledger-export-retry-1');

    const statuses = await Promise.all([
      clickWithValue(h, alert, 'jobwatch.confirm', 'U0ALICE', actionId),
      clickWithValue(h, alert, 'jobwatch.confirm', 'U0ALICE', actionId),
      clickWithValue(h, alert, 'jobwatch.confirm', 'U0ALICE', actionId, 1),
    ]);
    expect(statuses).toEqual([200, 200, 200]);
    const created = await eventually(() => jobsNamed(h, 'ledger-export-retry-1')[0], 'the retry Job in the cluster');
    expect(created.metadata.annotations?.['jobwatch.dev/retry-of']).toBe('ledger-export');
    expect(created.metadata.annotations?.['jobwatch.dev/requested-by']).toBe('U0ALICE');
    const note = await eventually(
      () => h.slack.thread(ALERT_CHANNEL, alert.ts).find((m) => m.text.includes('ledger-export-retry-1')),
      'the thread record of the retry',
    );
    expect(note.text).toContain('<@U0ALICE>');
    expect(note.text).toContain('slack:alice');
    await eventually(
      () => h.slack.thread(ALERT_CHANNEL, alert.ts).find((m) => /ledger-export-retry-1.*succeeded in \d/.test(m.text)),
      'the retry outcome in the thread',
    );
    expect(h.sim.store.list(JOBS, 'reports').filter((job) => job.metadata.name?.startsWith('ledger-export-retry'))).toHaveLength(1);
  });

  it('posts the alert of a retry that fails again in the original alert\'s thread', async () => {
    const sim = await startSimCluster({ outcomes: () => ({ exitCode: 3, reason: 'Error', log: 'fatal: input bucket is empty\n', durationMs: 200 }) });
    try {
      const h = await start(POLICY, { sim });
      const { alert } = await failedAlert(h, 'bucket-load');
      await click(h, alert, 'jobwatch.retry', 'U0ALICE');
      const confirmation = await eventually(() => h.slack.responses().find((r) => confirmValue(r.body) !== ''), 'the confirmation');
      await clickWithValue(h, alert, 'jobwatch.confirm', 'U0ALICE', confirmValue(confirmation.body));
      const retryAlert = await eventually(
        () => h.slack.thread(ALERT_CHANNEL, alert.ts).find((m) => m.metadata?.event_type === 'jobwatch_alert' && m.text.includes('bucket-load-retry-1')),
        'the retry\'s own alert in the original thread',
        30_000,
      );
      expect(retryAlert.thread_ts).toBe(alert.ts);
      expect(rootMessages(h.slack, ALERT_CHANNEL).filter((m) => m.text.includes('bucket-load-retry-1'))).toHaveLength(0);
      await eventually(() => h.slack.thread(ALERT_CHANNEL, alert.ts).find((m) => /bucket-load-retry-1.* failed/.test(m.text)), 'the failed outcome note');
    } finally {
      await harness?.stop();
      harness = undefined;
      await sim.stop();
    }
  });

  it('creates one Job when the confirmation reaches two app processes sharing Redis', async () => {
    const first = await start();
    const dir = mkdtempSync(join(tmpdir(), 'jobwatch-policy-'));
    writeFileSync(join(dir, 'policy.yaml'), POLICY);
    const second = await startHarness({ sim: first.sim, slack: first.slack, prefix: first.prefix, env: { JOBWATCH_POLICY_FILE: join(dir, 'policy.yaml') } });
    try {
      await eventually(() => second.jobwatch.ready(), 'the second process ready');
      const { alert } = await failedAlert(first, 'twin-click');
      await click(first, alert, 'jobwatch.retry', 'U0ALICE');
      const confirmation = await eventually(() => first.slack.responses().find((r) => confirmValue(r.body) !== ''), 'the confirmation');
      const id = confirmValue(confirmation.body);
      await Promise.all([
        clickWithValue(first, alert, 'jobwatch.confirm', 'U0ALICE', id),
        clickWithValue(second, alert, 'jobwatch.confirm', 'U0ALICE', id),
        clickWithValue(second, alert, 'jobwatch.confirm', 'U0ALICE', id, 1),
      ]);
      await eventually(() => jobsNamed(first, 'twin-click-retry-1')[0], 'the retry Job');
      await eventually(() => first.slack.thread(ALERT_CHANNEL, alert.ts).find((m) => m.text.includes('twin-click-retry-1')), 'the thread record');
      expect(first.sim.store.list(JOBS, 'reports').filter((job) => job.metadata.name?.startsWith('twin-click-retry'))).toHaveLength(1);
      expect(first.slack.thread(ALERT_CHANNEL, alert.ts).filter((m) => m.text.includes('asked to retry'))).toHaveLength(1);
    } finally {
      await second.jobwatch.stop();
      await second.stop();
    }
  });

  it('shows the API server\'s refusal when the mapped identity lacks RBAC, and creates nothing', async () => {
    const sim = await startSimCluster({ authorize: (a) => !(a.user === 'slack:alice' && a.verb === 'create' && a.resource === 'jobs') });
    try {
      const h = await start(POLICY, { sim });
      const { alert } = await failedAlert(h, 'rbac-denied');
      await click(h, alert, 'jobwatch.retry', 'U0ALICE');
      const confirmation = await eventually(() => h.slack.responses().find((r) => confirmValue(r.body) !== ''), 'the confirmation');
      await clickWithValue(h, alert, 'jobwatch.confirm', 'U0ALICE', confirmValue(confirmation.body));
      await eventually(() => responsesText(h).includes('jobs.batch is forbidden: User \\"slack:alice\\" cannot create resource'), 'the API server\'s refusal for the user');
      const note = await eventually(() => h.slack.thread(ALERT_CHANNEL, alert.ts).find((m) => m.text.includes('asked to retry')), 'the failed record in the thread');
      expect(note.text).toContain('forbidden');
      expect(jobsNamed(h, 'rbac-denied-retry-1')).toHaveLength(0);
    } finally {
      await harness?.stop();
      harness = undefined;
      await sim.stop();
    }
  });

  it('refuses a user outside the policy with the reason and changes nothing', async () => {
    const h = await start();
    const { alert } = await failedAlert(h, 'nightly-rollup');
    await click(h, alert, 'jobwatch.retry', 'U0BOB');
    const answer = await eventually(() => h.slack.responses().find((r) => JSON.stringify(r.body).includes('no_entry')), 'the denial');
    expect(JSON.stringify(answer.body)).toMatch(/may not retry/);
    await new Promise((r) => setTimeout(r, 500));
    expect(jobsNamed(h, 'nightly-rollup-retry-1')).toHaveLength(0);
  });

  it('grants a retry through a Slack user group rule and not to others', async () => {
    const h = await start(POLICY.replace('users: [U0ALICE]', 'groups: [S0ONCALL]'));
    const { alert } = await failedAlert(h, 'group-granted');
    await click(h, alert, 'jobwatch.retry', 'U0BOB');
    await eventually(() => responsesText(h).includes('may not retry'), 'the denial for a user outside the group');
    await click(h, alert, 'jobwatch.retry', 'U0ALICE');
    await eventually(() => h.slack.responses().some((r) => confirmValue(r.body) !== ''), 'the confirmation for the group member');
    expect(h.slack.calls('usergroups.users.list').length).toBeGreaterThan(0);
  });

  it('answers a forged button value with a clear message and creates nothing', async () => {
    const h = await start();
    const { alert } = await failedAlert(h, 'forged-target');
    await clickWithValue(h, alert, 'jobwatch.retry', 'U0ALICE', '<!channel> ../../etc');
    await clickWithValue(h, alert, 'jobwatch.retry', 'U0ALICE', '00000000-0000-0000-0000-000000000000');
    await clickWithValue(h, alert, 'jobwatch.confirm', 'U0ALICE', 'retry.not-an-action.1');
    await eventually(() => h.slack.responses().length >= 3, 'three answers');
    const text = responsesText(h);
    expect(text).toContain('does not belong to a jobwatch alert');
    expect(text).toContain('no longer has this alert');
    expect(text).toContain('confirmation has expired');
    expect(h.sim.store.list(JOBS, 'reports').filter((job) => job.metadata.name?.includes('retry'))).toHaveLength(0);
  });

  it('shows who acknowledged the alert and a mute on the message', async () => {
    const h = await start();
    const { alert } = await failedAlert(h, 'cache-warm');
    await click(h, alert, 'jobwatch.ack', 'U0BOB');
    await eventually(() => {
      const current = h.slack.messages(ALERT_CHANNEL).find((m) => m.ts === alert.ts);
      return current && contentOf(current).includes('<@U0BOB> is on it');
    }, 'the acknowledgement on the alert');
    await click(h, alert, 'jobwatch.mute', 'U0ALICE', `mute:4h|default/${String(alert.metadata?.event_payload['key'])}`);
    await eventually(() => {
      const current = h.slack.messages(ALERT_CHANNEL).find((m) => m.ts === alert.ts);
      return current && contentOf(current).includes('muted by <@U0ALICE>');
    }, 'the mute on the alert');
    const thread = h.slack.thread(ALERT_CHANNEL, alert.ts).map((m) => m.text).join('\n');
    expect(thread).toContain('acknowledged');
    expect(thread).toContain('muted alerts');
  });

  it('uploads the full logs into the thread', async () => {
    const h = await start();
    const { alert } = await failedAlert(h, 'log-heavy');
    await click(h, alert, 'jobwatch.logs', 'U0BOB');
    const file = await eventually(() => h.slack.files().find((f) => f.filename.includes('log-heavy') && f.completed), 'the uploaded log file');
    expect(file.bytes?.toString()).toContain('loading rows');
    expect(file.threadTs).toBe(alert.ts);
  });
});

describe('the /job command', () => {
  it('answers status through the response URL and a typo with the right form', async () => {
    const h = await start();
    await failedAlert(h, 'ledger-sync');
    const status = await sendSlashCommand(appUrl(h), h.slack.signingSecret, { command: '/job', text: 'status ledger-sync -n reports', user_id: 'U0BOB' }, { fake: h.slack });
    expect(status.status).toBe(200);
    await eventually(() => responsesText(h).includes('failed (BackoffLimitExceeded)'), 'the status answer');

    await sendSlashCommand(appUrl(h), h.slack.signingSecret, { command: '/job', text: 'stauts ledger-sync', user_id: 'U0BOB' }, { fake: h.slack });
    await eventually(() => responsesText(h).includes('Did you mean'), 'the usage error');

    await sendSlashCommand(appUrl(h), h.slack.signingSecret, { command: '/job', text: 'status ledger-snyc -n reports', user_id: 'U0BOB' }, { fake: h.slack });
    await eventually(() => responsesText(h).includes('ledger-sync') && responsesText(h).includes('No Job'), 'the near-miss suggestion');
  });
});
