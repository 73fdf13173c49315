import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { buildBlockActionPayload, sendBlockAction, sendViewSubmission, signRequest, startFakeSlack } from '../fake-slack/index.ts';
import type { StoredMessage, StoredView } from '../fake-slack/types.ts';
import { ALERT_CHANNEL, eventually, startHarness, type Harness } from '../support/harness.ts';
import { JobStory } from '../support/job-story.ts';
import { resourceTypes, type KubeObject } from '../../src/sim/index.ts';
import { alertOf } from './slack-view.ts';

const JOBS = resourceTypes.find((t) => t.plural === 'jobs' && t.group === 'batch')!;
const NAMESPACE = 'reports';
const MAIN_MEMORY = 'container.main.limits.memory';

const POLICY = `
command: /job
everyone: [read]
ceilings:
  memory: 4Gi
  cpu: "4"
rules:
  - name: on-call
    users: [U0ALICE]
    namespaces: ["*"]
    verbs: [read, retry, raise-limits, mute]
    kubernetes:
      user: slack:alice
      groups: [jobwatch:oncall]
`;

interface Started {
  h: Harness;
  /** Moves the fake Slack clock forward, as time passing between Slack and the app would. */
  advanceSlackClock: (ms: number) => void;
}

let harness: Harness | undefined;
afterEach(async (ctx) => {
  // jobwatch's warnings and errors explain most failures here, such as a view Slack rejected.
  if (ctx.task.result?.state === 'fail') console.log(harness?.logLines().filter((line) => /"level":(40|50)/.test(line)).join('\n'));
  await harness?.stop();
  harness = undefined;
});

async function start(): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'jobwatch-policy-'));
  writeFileSync(join(dir, 'policy.yaml'), POLICY);
  let offsetMs = 0;
  const slack = await startFakeSlack({
    channels: [{ id: ALERT_CHANNEL, name: 'job-alerts' }, { id: 'C0TEAM', name: 'team-data' }],
    clock: () => Date.now() + offsetMs,
  });
  try {
    harness = await startHarness({ slack, env: { JOBWATCH_POLICY_FILE: join(dir, 'policy.yaml') } });
  } catch (err) {
    await slack.stop();
    throw err;
  }
  const h = harness;
  const stopHarness = h.stop.bind(h);
  h.stop = async () => {
    await stopHarness();
    await slack.stop();
  };
  await eventually(() => h.jobwatch.ready(), 'jobwatch ready');
  return { h, advanceSlackClock: (ms) => (offsetMs += ms) };
}

function appUrl(h: Harness): string {
  return `http://127.0.0.1:${h.jobwatch.httpPort}/slack/events`;
}

type Container = Record<string, unknown> & { name: string };

/** Adds containers to the Job a {@link JobStory} wrote, before its failure is watched. */
function addContainers(h: Harness, story: JobStory, containers: Container[]): void {
  const job = h.sim.store.get({ apiVersion: 'batch/v1', kind: 'Job', namespace: story.namespace, name: story.name }) as KubeObject;
  const copy = structuredClone(job) as KubeObject & { spec: { template: { spec: { containers: Container[] } } } };
  copy.spec.template.spec.containers.push(...containers);
  h.sim.store.update(copy);
}

/** Fails a Job with an OOM kill and returns its settled alert with buttons. */
async function failWithOom(h: Harness, story: JobStory): Promise<StoredMessage> {
  story.failPod(story.startPod(), { exitCode: 137, reason: 'OOMKilled', log: 'loading rows\n' });
  story.failJob();
  // A CronJob's run alert is a reply in the CronJob's incident thread, so it is found by key.
  return eventually(() => {
    const alert = alertOf(h.slack, story.uid);
    return alert && JSON.stringify(alert.blocks).includes('jobwatch.raise_limits') ? alert : undefined;
  }, 'the final alert with buttons');
}

/** Clicks Raise limits and returns the modal it opened. */
async function openForm(h: Harness, alert: StoredMessage, userId = 'U0ALICE'): Promise<StoredView> {
  const before = h.slack.views().length;
  const click = await sendBlockAction(appUrl(h), h.slack.signingSecret, h.slack, { channel: ALERT_CHANNEL, messageTs: alert.ts, actionId: 'jobwatch.raise_limits', userId });
  expect(click.status).toBe(200);
  return eventually(() => h.slack.views().slice(before).find((v) => v.view['callback_id'] === 'jobwatch.limits_form'), 'the raise-limits form');
}

type Values = Record<string, Record<string, string | Record<string, unknown>>>;

/** Submits the form with values keyed by block id; each input's action_id is its block_id. */
async function submit(h: Harness, view: StoredView, values: Record<string, string>, extra: Values = {}) {
  const byBlock: Values = { ...extra };
  for (const [blockId, value] of Object.entries(values)) byBlock[blockId] = { [blockId]: value };
  const delivery = await sendViewSubmission(appUrl(h), h.slack.signingSecret, h.slack, { viewId: view.id, userId: 'U0ALICE', values: byBlock });
  expect(delivery.status).toBe(200);
  expect(delivery.ackProblems).toEqual([]);
  return JSON.parse(delivery.body || '{}') as { response_action?: string; errors?: Record<string, string>; view?: Record<string, unknown> };
}

/** Reads an input's initial value from a stored form. */
function initialValue(view: StoredView, blockId: string): string | undefined {
  const blocks = view.view['blocks'] as Array<{ block_id?: string; element?: { initial_value?: string } }>;
  return blocks.find((b) => b.block_id === blockId)?.element?.initial_value;
}

/** Plays Slack's part of `response_action: update`: the open modal becomes the acked view. */
async function showAckedView(h: Harness, view: StoredView, acked: Record<string, unknown>): Promise<StoredView> {
  const client = new WebClient(h.slack.botToken, { slackApiUrl: h.slack.apiUrl, retryConfig: { retries: 0 } });
  await client.views.update({ view_id: view.id, view: acked as never });
  return h.slack.views().find((v) => v.id === view.id)!;
}

function jobNamed(h: Harness, name: string): KubeObject | undefined {
  return h.sim.store.list(JOBS, NAMESPACE).find((job) => job.metadata.name === name);
}

function containersOf(object: KubeObject | undefined): Container[] {
  const spec = object?.['spec'] as { template?: { spec?: { containers?: Container[] } } } | undefined;
  return spec?.template?.spec?.containers ?? [];
}

describe('raise limits from an alert', () => {
  it('validates the form and retries with the edited limit', async () => {
    const { h } = await start();
    const story = new JobStory(h.sim, { namespace: NAMESPACE, name: 'ledger-load', backoffLimit: 1, memoryLimit: '512Mi' });
    const sidecar: Container = { name: 'proxy', image: 'registry.example.com/proxy:2', resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } } };
    addContainers(h, story, [sidecar]);
    const alert = await failWithOom(h, story);

    const form = await openForm(h, alert);
    expect(initialValue(form, 'backoffLimit')).toBe('1');
    expect(initialValue(form, MAIN_MEMORY)).toBe('768Mi');
    expect(initialValue(form, 'container.proxy.limits.memory')).toBe('128Mi');
    expect(initialValue(form, 'container.proxy.requests.cpu')).toBe('100m');
    expect(JSON.stringify(form.view['blocks'])).toContain('memory limit 512Mi → 768Mi');

    for (const bad of ['2GB', '-1', 'abc']) {
      const ack = await submit(h, form, { [MAIN_MEMORY]: bad });
      expect(ack.response_action).toBe('errors');
      expect(Object.keys(ack.errors ?? {})).toEqual([MAIN_MEMORY]);
      expect(ack.errors?.[MAIN_MEMORY]).toContain(bad);
    }
    const badCount = await submit(h, form, { backoffLimit: 'two' });
    expect(badCount.errors?.['backoffLimit']).toContain('"two"');

    const requestAbove = await submit(h, form, { 'container.main.requests.memory': '1Gi', [MAIN_MEMORY]: '768Mi' });
    expect(requestAbove.response_action).toBe('errors');
    expect(Object.keys(requestAbove.errors ?? {})).toEqual(['container.main.requests.memory']);
    expect(requestAbove.errors?.['container.main.requests.memory']).toContain('1Gi');

    const aboveCeiling = await submit(h, form, { [MAIN_MEMORY]: '8Gi' });
    expect(aboveCeiling.response_action).toBe('errors');
    expect(Object.keys(aboveCeiling.errors ?? {})).toEqual([MAIN_MEMORY]);
    expect(aboveCeiling.errors?.[MAIN_MEMORY]).toContain('8Gi');
    expect(aboveCeiling.errors?.[MAIN_MEMORY]).toContain('4Gi');
    expect(h.sim.store.list(JOBS, NAMESPACE).filter((j) => j.metadata.name?.includes('retry'))).toHaveLength(0);

    const reviewed = await submit(h, form, { backoffLimit: '1', [MAIN_MEMORY]: '1Gi', 'container.proxy.limits.memory': '128Mi', 'container.proxy.limits.cpu': '200m', 'container.proxy.requests.cpu': '100m', 'container.proxy.requests.memory': '64Mi' });
    expect(reviewed.response_action).toBe('update');
    expect(reviewed.view?.['callback_id']).toBe('jobwatch.limits_confirm');
    const diffText = JSON.stringify(reviewed.view?.['blocks']);
    expect(diffText).toContain('container main: limits.memory 512Mi → 1Gi');
    expect(diffText).not.toContain('proxy');
    expect(diffText).not.toContain('backoffLimit');

    const confirmView = await showAckedView(h, form, reviewed.view!);
    const confirmed = await sendViewSubmission(appUrl(h), h.slack.signingSecret, h.slack, { viewId: confirmView.id, userId: 'U0ALICE', values: {} });
    expect(confirmed.ackProblems).toEqual([]);
    expect(JSON.parse(confirmed.body)).toEqual({ response_action: 'clear' });

    const retry = await eventually(() => jobNamed(h, 'ledger-load-retry-1'), 'the retry Job with the new limit');
    const [main, proxy] = containersOf(retry);
    expect(main?.['resources']).toEqual({ limits: { memory: '1Gi' } });
    expect(proxy).toMatchObject(sidecar);
    expect(proxy?.['resources']).toEqual(sidecar['resources']);
    expect((retry['spec'] as { backoffLimit?: number }).backoffLimit).toBe(1);
    expect(retry.metadata.annotations?.['jobwatch.dev/requested-by']).toBe('U0ALICE');
    expect(containersOf(jobNamed(h, 'ledger-load'))[0]?.['resources']).toEqual({ limits: { memory: '512Mi' } });

    const note = await eventually(() => h.slack.thread(ALERT_CHANNEL, alert.thread_ts ?? alert.ts).find((m) => m.text.includes('ledger-load-retry-1')), 'the thread record');
    expect(note.text).toContain('<@U0ALICE>');
    expect(note.text).toContain('slack:alice');
    expect(JSON.stringify(note.blocks)).toContain('limits.memory 512Mi → 1Gi');
    const answer = await eventually(() => h.slack.ephemeralMessages().find((m) => m.user === 'U0ALICE' && m.text.includes('ledger-load-retry-1')), 'the answer to the user');
    expect(answer.text).toContain(':white_check_mark:');
  });

  it('patches only edited CronJob fields and runs now', async () => {
    const { h } = await start();
    const cronJob = await createCronJob(h, 'nightly-ledger');
    const story = new JobStory(h.sim, { namespace: NAMESPACE, name: 'nightly-ledger-29170000', backoffLimit: 0, memoryLimit: '512Mi', cronJob: { name: 'nightly-ledger', uid: cronJob.metadata.uid ?? '' } });
    const alert = await failWithOom(h, story);
    // The template changed after this run: its cpu limit was raised. The patch must keep it.
    const edited = structuredClone(h.sim.store.get({ apiVersion: 'batch/v1', kind: 'CronJob', namespace: NAMESPACE, name: 'nightly-ledger' }) as KubeObject);
    templateContainers(edited)[0]!['resources'] = { limits: { memory: '512Mi', cpu: '2' } };
    h.sim.store.update(edited);
    const before = structuredClone(h.sim.store.get({ apiVersion: 'batch/v1', kind: 'CronJob', namespace: NAMESPACE, name: 'nightly-ledger' }) as KubeObject);

    const form = await openForm(h, alert);
    expect(JSON.stringify(form.view['blocks'])).toContain('nightly-ledger');
    const reviewed = await submit(h, form, { backoffLimit: '0', [MAIN_MEMORY]: '768Mi' }, { runNow: { runNow: { selected_options: [{ text: { type: 'plain_text', text: 'Also start a Job from the changed CronJob now' }, value: 'yes' }] } } });
    expect(reviewed.response_action).toBe('update');
    expect(JSON.stringify(reviewed.view?.['blocks'])).toContain('a Job starts from the CronJob now');
    const confirmView = await showAckedView(h, form, reviewed.view!);
    await sendViewSubmission(appUrl(h), h.slack.signingSecret, h.slack, { viewId: confirmView.id, userId: 'U0ALICE', values: {} });

    const run = await eventually(() => jobNamed(h, 'nightly-ledger-29170000-retry-1'), 'the Job started from the CronJob');
    const after = h.sim.store.get({ apiVersion: 'batch/v1', kind: 'CronJob', namespace: NAMESPACE, name: 'nightly-ledger' }) as KubeObject;
    expect(templateContainers(after)[0]?.['resources']).toEqual({ limits: { memory: '768Mi', cpu: '2' } });
    expect(withoutResources(after)).toEqual(withoutResources(before));
    expect(containersOf(run)[0]?.['resources']).toEqual({ limits: { memory: '768Mi', cpu: '2' } });
    expect((run.metadata['ownerReferences'] as Array<{ name: string }>)[0]?.name).toBe('nightly-ledger');
    expect(run.metadata.annotations?.['cronjob.kubernetes.io/instantiate']).toBe('manual');
    const note = await eventually(() => h.slack.thread(ALERT_CHANNEL, alert.thread_ts ?? alert.ts).find((m) => m.text.includes('Patched CronJob')), 'the thread record');
    expect(note.text).toContain('nightly-ledger-29170000-retry-1');
  });

  it('explains an expired trigger instead of a form', async () => {
    const { h, advanceSlackClock } = await start();
    const story = new JobStory(h.sim, { namespace: NAMESPACE, name: 'slow-open', backoffLimit: 0, memoryLimit: '256Mi' });
    const alert = await failWithOom(h, story);
    const payload = buildBlockActionPayload(h.slack, { channel: ALERT_CHANNEL, messageTs: alert.ts, actionId: 'jobwatch.raise_limits', userId: 'U0ALICE' });
    advanceSlackClock(3_500);
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const res = await fetch(appUrl(h), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...signRequest(h.slack.signingSecret, body) }, body });
    expect(res.status).toBe(200);
    await res.body?.cancel();
    const answer = await eventually(() => h.slack.responses().find((r) => JSON.stringify(r.body).includes('Raise limits')), 'the message about the expired trigger');
    expect(JSON.stringify(answer.body)).toMatch(/expired/);
    expect(h.slack.views()).toHaveLength(0);
  });

  it('denies a user without raise-limits', async () => {
    const { h } = await start();
    const story = new JobStory(h.sim, { namespace: NAMESPACE, name: 'not-yours', backoffLimit: 0, memoryLimit: '256Mi' });
    const alert = await failWithOom(h, story);
    await sendBlockAction(appUrl(h), h.slack.signingSecret, h.slack, { channel: ALERT_CHANNEL, messageTs: alert.ts, actionId: 'jobwatch.raise_limits', userId: 'U0BOB' });
    const answer = await eventually(() => h.slack.responses().find((r) => JSON.stringify(r.body).includes('no_entry')), 'the denial');
    expect(JSON.stringify(answer.body)).toContain('raise-limits');
    expect(h.slack.views()).toHaveLength(0);
  });
});

/** Creates a CronJob through the simulated API server, so it is defaulted as kube-apiserver would. */
async function createCronJob(h: Harness, name: string): Promise<KubeObject> {
  const body = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: NAMESPACE, labels: { team: 'ledger' }, annotations: { owner: 'data' } },
    spec: {
      schedule: '0 2 * * *',
      concurrencyPolicy: 'Forbid',
      suspend: false,
      jobTemplate: {
        metadata: { labels: { team: 'ledger' } },
        spec: {
          backoffLimit: 0,
          template: {
            metadata: { labels: { team: 'ledger' } },
            spec: {
              restartPolicy: 'Never',
              containers: [{ name: 'main', image: 'registry.example.com/app:1.0', args: ['--all'], resources: { limits: { memory: '512Mi' } } }],
            },
          },
        },
      },
    },
  };
  const res = await fetch(`${h.sim.url}/apis/batch/v1/namespaces/${NAMESPACE}/cronjobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${h.sim.token}` },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as KubeObject;
}

function templateContainers(cronJob: KubeObject): Container[] {
  const spec = cronJob['spec'] as { jobTemplate: { spec: { template: { spec: { containers: Container[] } } } } };
  return spec.jobTemplate.spec.template.spec.containers;
}

/** The CronJob without server bookkeeping and the main container's resources, for comparing. */
function withoutResources(cronJob: KubeObject): unknown {
  const copy = structuredClone(cronJob);
  delete copy.metadata.resourceVersion;
  delete copy.metadata.generation;
  delete copy.metadata.managedFields;
  delete templateContainers(copy)[0]!['resources'];
  return copy;
}
