import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { buildBlockActionPayload, sendBlockAction, sendViewSubmission, signRequest } from '../fake-slack/index.ts';
import type { StoredMessage } from '../fake-slack/types.ts';
import { ALERT_CHANNEL, eventually } from '../support/harness.ts';
import { ANNOTATION, controlPlane, createJob, createNamespace, jobManifest, startJobwatchOn, waitForJobFailed, type E2eJobwatch } from './support/e2e.ts';
import { KubeRequestError } from './support/kube-client.ts';

/**
 * Actions from Slack against the real control plane. jobwatch runs under its own
 * ServiceAccount, which may only read and impersonate (deploy/rbac/cluster.yaml and
 * impersonate.yaml), so every write it makes is the mapped identity's own request:
 * slack:payments-oncall has the Role of deploy/rbac/oncall-example.yaml in the test's
 * namespace, and slack:data-engineers has no Role there.
 */

const plane = controlPlane();
const { kube } = plane;
const RBAC_DIR = resolve(import.meta.dirname, '../../deploy/rbac');
const ONCALL = 'U0ALICE';
const DATA_ENGINEER = 'U0BOB';
const ONCALL_IDENTITY = 'slack:payments-oncall';
const DATA_IDENTITY = 'slack:data-engineers';

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  roleRef?: { kind: string; name: string };
  subjects?: Array<{ kind: string; name: string; namespace?: string }>;
}

interface StoredObject {
  metadata: { name: string; uid: string; resourceVersion?: string; generation?: number; managedFields?: unknown[]; ownerReferences?: Array<{ name: string }>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

let namespace = '';
let accountNamespace = '';
let jobwatch: E2eJobwatch | undefined;
const clusterObjects: string[] = [];
const tempDirs: string[] = [];

beforeAll(async () => {
  namespace = await createNamespace(kube, 'actions');
  accountNamespace = await createNamespace(kube, 'jobwatch-actions');
  await installServiceAccount();
  await applyManifests(await readManifests('oncall-example.yaml'), namespace);
  const dir = await mkdtemp(join(tmpdir(), 'jobwatch-actions-'));
  tempDirs.push(dir);
  await writeFile(join(dir, 'policy.yaml'), policyYaml(namespace));
  jobwatch = await startJobwatchOn(await serviceAccountKubeconfig(dir), {
    JOBWATCH_NAMESPACES: namespace,
    JOBWATCH_POLICY_FILE: join(dir, 'policy.yaml'),
  });
});

afterEach((ctx) => {
  // jobwatch's warnings and errors explain most failures here, such as a write the API server rejected.
  if (ctx.task.result?.state === 'fail') console.log(jobwatch?.lines.filter((line) => /"level":(40|50)/.test(line)).join('\n'));
});

afterAll(async () => {
  await jobwatch?.stop();
  for (const path of clusterObjects) await kube.request('DELETE', path);
  for (const name of [namespace, accountNamespace]) if (name) await kube.request('DELETE', `/api/v1/namespaces/${name}`);
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
  await plane.dispatcher.close();
});

function policyYaml(ns: string): string {
  return stringify({
    command: '/job',
    everyone: ['read'],
    rules: [
      { name: 'payments on-call', users: [ONCALL], namespaces: [ns], verbs: ['read', 'retry', 'raise-limits', 'mute'], kubernetes: { user: ONCALL_IDENTITY, groups: ['jobwatch:oncall'] } },
      { name: 'data engineers', users: [DATA_ENGINEER], namespaces: [ns], verbs: ['read', 'retry'], kubernetes: { user: DATA_IDENTITY, groups: ['jobwatch:data'] } },
    ],
  });
}

async function readManifests(file: string): Promise<Manifest[]> {
  const text = await readFile(join(RBAC_DIR, file), 'utf8');
  return parseAllDocuments(text).map((doc) => doc.toJS() as Manifest);
}

/** Builds the API path that creates a manifest's kind, in `ns` for namespaced kinds. */
function collectionPath(manifest: Manifest, ns: string | undefined): string {
  const plural = `${manifest.kind.toLowerCase()}s`;
  const base = manifest.apiVersion === 'v1' ? '/api/v1' : `/apis/${manifest.apiVersion}`;
  const clusterScoped = manifest.kind === 'Namespace' || manifest.kind.startsWith('Cluster');
  return clusterScoped ? `${base}/${plural}` : `${base}/namespaces/${ns ?? manifest.metadata.namespace ?? 'default'}/${plural}`;
}

async function applyManifests(manifests: Manifest[], ns?: string): Promise<void> {
  for (const manifest of manifests) {
    const path = collectionPath(manifest, ns);
    await kube.call('POST', path, manifest);
    if (manifest.kind.startsWith('Cluster')) clusterObjects.push(`${path}/${manifest.metadata.name}`);
  }
}

/**
 * Applies cluster.yaml and impersonate.yaml with the ServiceAccount in a namespace of
 * this file's own and the cluster-scoped names prefixed with it, so no other suite
 * shares them. Their own Namespace object is left out: that namespace already exists.
 */
async function installServiceAccount(): Promise<void> {
  const manifests = [...(await readManifests('cluster.yaml')), ...(await readManifests('impersonate.yaml'))];
  const rename = (name: string): string => name.replace(/^jobwatch/, accountNamespace);
  const moved = manifests
    .filter((m) => m.kind !== 'Namespace')
    .map((manifest) => {
      const copy = structuredClone(manifest);
      if (copy.kind.startsWith('Cluster')) copy.metadata.name = rename(copy.metadata.name);
      if (copy.metadata.namespace !== undefined) copy.metadata.namespace = accountNamespace;
      if (copy.roleRef?.kind === 'ClusterRole') copy.roleRef.name = rename(copy.roleRef.name);
      for (const subject of copy.subjects ?? []) if (subject.namespace !== undefined) subject.namespace = accountNamespace;
      return copy;
    });
  await applyManifests(moved);
}

/** Writes a kubeconfig with a TokenRequest token of jobwatch's ServiceAccount. */
async function serviceAccountKubeconfig(dir: string): Promise<string> {
  const review = await kube.call<{ status: { token: string } }>('POST', `/api/v1/namespaces/${accountNamespace}/serviceaccounts/jobwatch/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: 3600 },
  });
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'e2e', cluster: { server: plane.server, 'certificate-authority': join(plane.pki, 'ca.crt') } }],
    users: [{ name: 'jobwatch', user: { token: review.status.token } }],
    contexts: [{ name: 'jobwatch', context: { cluster: 'e2e', user: 'jobwatch' } }],
    'current-context': 'jobwatch',
  };
  const path = join(dir, 'kubeconfig');
  await writeFile(path, stringify(config), { mode: 0o600 });
  return path;
}

/** Asks the API server whether `user` may do `verb` on `resource` in the test's namespace. */
async function mayUser(user: string, verb: string, resource: string): Promise<boolean> {
  const review = await kube.call<{ status: { allowed: boolean } }>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: { user, resourceAttributes: { namespace, verb, group: 'batch', resource } },
  });
  return review.status.allowed;
}

function j(): E2eJobwatch {
  if (!jobwatch) throw new Error('jobwatch did not start in beforeAll');
  return jobwatch;
}

function appUrl(): string {
  return `http://127.0.0.1:${j().current.jobwatch.httpPort}/slack/events`;
}

function jobPath(name: string): string {
  return `/apis/batch/v1/namespaces/${namespace}/jobs/${name}`;
}

function cronJobPath(name: string): string {
  return `/apis/batch/v1/namespaces/${namespace}/cronjobs/${name}`;
}

/** Finds the alert of a Job by its uid, as a root or as a reply in a CronJob's incident thread. */
async function alertWithButtons(jobUid: string): Promise<StoredMessage> {
  return eventually(() => {
    const alert = j().slack.messages(ALERT_CHANNEL).find((m) => m.metadata?.event_type === 'jobwatch_alert' && m.metadata.event_payload['key'] === jobUid);
    return alert && JSON.stringify(alert.blocks).includes('jobwatch.retry') ? alert : undefined;
  }, `the final alert of Job ${jobUid} with buttons`, 90_000);
}

function threadOf(alert: StoredMessage): StoredMessage[] {
  return j().slack.thread(ALERT_CHANNEL, alert.thread_ts ?? alert.ts);
}

async function click(alert: StoredMessage, actionId: string, userId: string): Promise<void> {
  const delivery = await sendBlockAction(appUrl(), j().slack.signingSecret, j().slack, { channel: ALERT_CHANNEL, messageTs: alert.ts, actionId, userId });
  expect(delivery.status).toBe(200);
}

/** Reads the action id from the confirm button of the newest ephemeral confirmation. */
async function confirmationId(jobName: string): Promise<string> {
  return eventually(() => {
    for (const response of j().slack.responses().reverse()) {
      const text = JSON.stringify(response.body);
      if (!text.includes('jobwatch.confirm') || !text.includes(`${jobName}-retry-1`)) continue;
      const blocks = (response.body as { blocks?: Array<{ elements?: Array<{ action_id?: string; value?: string }> }> }).blocks ?? [];
      return blocks.flatMap((block) => block.elements ?? []).find((element) => element.action_id === 'jobwatch.confirm')?.value;
    }
    return undefined;
  }, `the confirmation of the retry of ${jobName}`, 60_000);
}

/** Clicks Retry, then the confirm button of the confirmation jobwatch sends back. */
async function retryFromSlack(alert: StoredMessage, userId: string, jobName: string): Promise<void> {
  await click(alert, 'jobwatch.retry', userId);
  const id = await confirmationId(jobName);
  // The confirmation is ephemeral, so the fake stores no message to click: the click on its
  // button is built from the alert's, with the confirm button's action_id and value.
  const payload = buildBlockActionPayload(j().slack, { channel: ALERT_CHANNEL, messageTs: alert.ts, actionId: 'jobwatch.retry', userId });
  const [retryButton] = payload['actions'] as Array<Record<string, unknown>>;
  payload['actions'] = [{ ...retryButton, action_id: 'jobwatch.confirm', value: id }];
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const headers = { 'content-type': 'application/x-www-form-urlencoded', ...signRequest(j().slack.signingSecret, body) };
  const res = await fetch(appUrl(), { method: 'POST', headers, body });
  await res.body?.cancel();
  expect(res.status).toBe(200);
}

/** Creates a suspended CronJob whose pods behave as `behaviour` describes, and one Job from it. */
async function createCronJobRun(name: string, options: { behaviour: Record<string, string>; memoryLimit?: string }): Promise<{ cronJob: StoredObject; run: StoredObject }> {
  const template = jobManifest({ namespace, name, backoffLimit: 0, behaviour: options.behaviour, ...(options.memoryLimit ? { memoryLimit: options.memoryLimit } : {}) }) as { spec: Record<string, unknown> };
  // Suspended, so the cronjob controller starts no scheduled run while the test works.
  const cronJob = await kube.call<StoredObject>('POST', `/apis/batch/v1/namespaces/${namespace}/cronjobs`, {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace, labels: { team: 'payments' } },
    spec: { schedule: '0 3 * * *', suspend: true, concurrencyPolicy: 'Forbid', jobTemplate: { spec: template.spec } },
  });
  // A manual run, as `kubectl create job --from=cronjob/NAME` makes it.
  const runName = `${name}-manual-1`;
  const run = await kube.call<StoredObject>('POST', `/apis/batch/v1/namespaces/${namespace}/jobs`, {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: runName,
      namespace,
      annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name, uid: cronJob.metadata.uid, controller: true }],
    },
    spec: structuredClone(template.spec),
  });
  return { cronJob, run };
}

async function getOrUndefined(path: string): Promise<StoredObject | undefined> {
  try {
    return await kube.call<StoredObject>('GET', path);
  } catch (err) {
    if (err instanceof KubeRequestError && err.status === 404) return undefined;
    throw err;
  }
}

describe('actions from Slack on the real API server', () => {
  it('grants writes to mapped identities, not jobwatch', async () => {
    const account = `system:serviceaccount:${accountNamespace}:jobwatch`;
    expect(await mayUser(account, 'create', 'jobs')).toBe(false);
    expect(await mayUser(account, 'patch', 'cronjobs')).toBe(false);
    expect(await mayUser(ONCALL_IDENTITY, 'create', 'jobs')).toBe(true);
    expect(await mayUser(DATA_IDENTITY, 'create', 'jobs')).toBe(false);
  });

  it('retries as the on-call identity and reports success', async () => {
    const { run } = await createCronJobRun('settle-payouts', { behaviour: { 'exit-code': '1', log: 'settling payouts\nledger locked\n' } });
    await waitForJobFailed(kube, namespace, run.metadata.name);
    const alert = await alertWithButtons(run.metadata.uid);
    // The fix ships in the CronJob's template; the retry is built from its current template.
    await kube.call('PATCH', cronJobPath('settle-payouts'), { spec: { jobTemplate: { spec: { template: { metadata: { annotations: { [`${ANNOTATION}/exit-code`]: null } } } } } } }, 'application/merge-patch+json');

    await retryFromSlack(alert, ONCALL, run.metadata.name);

    const retryName = `${run.metadata.name}-retry-1`;
    const retry = await eventually(() => getOrUndefined(jobPath(retryName)), 'the retry Job on the API server', 60_000);
    expect(retry.metadata.annotations?.['jobwatch.dev/requested-by']).toBe(ONCALL);
    expect(retry.metadata.ownerReferences?.[0]?.name).toBe('settle-payouts');
    const retryTemplate = retry.spec?.['template'] as { metadata?: { annotations?: Record<string, string> } };
    expect(retryTemplate.metadata?.annotations?.[`${ANNOTATION}/exit-code`]).toBeUndefined();
    const record = await eventually(() => threadOf(alert).find((m) => m.text.includes(retryName) && m.text.includes(ONCALL_IDENTITY)), 'the thread record of the retry', 60_000);
    expect(record.text).toContain(`<@${ONCALL}>`);
    // The thread's root is the CronJob's incident, which names the run too; the note is a reply.
    const outcome = await eventually(() => threadOf(alert).find((m) => m.text.startsWith(':white_check_mark:') && m.text.includes(retryName)), 'the thread note of the retry succeeding', 90_000);
    expect(outcome.text).toMatch(/succeeded in \d+/);
  });

  it('shows the 403 of an identity without the Role', async () => {
    await createJob(kube, { namespace, name: 'refund-sweep', backoffLimit: 0, behaviour: { 'exit-code': '2', log: 'sweeping refunds\n' } });
    const failed = await waitForJobFailed(kube, namespace, 'refund-sweep');
    const alert = await alertWithButtons(failed.metadata.uid);

    await retryFromSlack(alert, DATA_ENGINEER, 'refund-sweep');

    const note = await eventually(() => threadOf(alert).find((m) => m.text.includes(DATA_IDENTITY) && m.text.includes('failed')), 'the thread record of the refused retry', 60_000);
    const forbidden = `User "${DATA_IDENTITY}" cannot create resource "jobs" in API group "batch" in the namespace "${namespace}"`;
    expect(JSON.stringify(note.blocks)).toContain(forbidden.replace(/"/g, '\\"'));
    const answer = await eventually(() => j().slack.responses().find((r) => JSON.stringify(r.body).includes('cannot create resource')), 'the answer to the user', 30_000);
    expect(JSON.stringify(answer.body)).toContain(':x:');
    expect(await getOrUndefined(jobPath('refund-sweep-retry-1'))).toBeUndefined();
  });

  it('uploads the log of every attempt from the API server', async () => {
    await createJob(kube, { namespace, name: 'fx-rates', backoffLimit: 1, behaviour: { 'exit-code': '3', log: 'fetching fx rates\nupstream answered 503 for EURUSD\n' } });
    const failed = await waitForJobFailed(kube, namespace, 'fx-rates');
    const alert = await alertWithButtons(failed.metadata.uid);

    await click(alert, 'jobwatch.logs', DATA_ENGINEER);

    const file = await eventually(() => j().slack.files().find((f) => f.filename.includes('fx-rates') && f.completed), 'the uploaded log file', 60_000);
    const content = file.bytes?.toString() ?? '';
    expect(content.match(/upstream answered 503 for EURUSD/g)).toHaveLength(2);
    expect(file.threadTs).toBe(alert.thread_ts ?? alert.ts);
  });

  it('patches only the edited memory limit of a CronJob', async () => {
    const { run } = await createCronJobRun('reconcile-ledger', { behaviour: { 'exit-code': '137', reason: 'OOMKilled' }, memoryLimit: '256Mi' });
    await waitForJobFailed(kube, namespace, run.metadata.name);
    const alert = await alertWithButtons(run.metadata.uid);
    const before = await kube.call<StoredObject>('GET', cronJobPath('reconcile-ledger'));

    await click(alert, 'jobwatch.raise_limits', ONCALL);
    const form = await eventually(() => j().slack.views().find((v) => JSON.stringify(v.view).includes('reconcile-ledger')), 'the raise-limits form', 30_000);
    // Slack submits every input's current value, so untouched fields keep their prefill.
    const values = { ...prefilledValues(form.view), 'container.main.requests.memory': '256Mi', 'container.main.limits.memory': '384Mi' };
    const submitted: Record<string, Record<string, string>> = {};
    for (const [blockId, value] of Object.entries(values)) submitted[blockId] = { [blockId]: value };
    const reviewed = await sendViewSubmission(appUrl(), j().slack.signingSecret, j().slack, { viewId: form.id, userId: ONCALL, values: submitted });
    expect(reviewed.ackProblems).toEqual([]);
    const ack = JSON.parse(reviewed.body) as { response_action: string; view: Record<string, unknown> };
    expect(ack.response_action).toBe('update');
    // Slack shows the acked view in place of the form; the fake does it through views.update.
    const client = new WebClient(j().slack.botToken, { slackApiUrl: j().slack.apiUrl, retryConfig: { retries: 0 } });
    await client.views.update({ view_id: form.id, view: ack.view as never });
    const confirmed = await sendViewSubmission(appUrl(), j().slack.signingSecret, j().slack, { viewId: form.id, userId: ONCALL, values: {} });
    expect(confirmed.ackProblems).toEqual([]);

    const after = await eventually(async () => {
      const current = await kube.call<StoredObject>('GET', cronJobPath('reconcile-ledger'));
      return current.metadata.resourceVersion !== before.metadata.resourceVersion ? current : undefined;
    }, 'the patched CronJob', 60_000);
    const container = (cronJob: StoredObject) => (cronJob.spec as { jobTemplate: { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } } }).jobTemplate.spec.template.spec.containers[0]!;
    expect(container(after)['resources']).toEqual({ limits: { memory: '384Mi' }, requests: { memory: '256Mi' } });
    expect(comparable(after)).toEqual(comparable(before));
    const note = await eventually(() => threadOf(alert).find((m) => m.text.includes('Patched CronJob')), 'the thread record of the patch', 60_000);
    expect(note.text).toContain(ONCALL_IDENTITY);
    expect(await getOrUndefined(jobPath(`${run.metadata.name}-retry-1`))).toBeUndefined();
  });
});

/** A CronJob without server bookkeeping and without the main container's memory limit, for comparing. */
function comparable(cronJob: StoredObject): unknown {
  const copy = structuredClone(cronJob);
  delete copy.metadata.resourceVersion;
  delete copy.metadata.generation;
  delete copy.metadata.managedFields;
  delete copy.status;
  const spec = copy.spec as { jobTemplate: { spec: { template: { spec: { containers: Array<{ resources?: { limits?: Record<string, string> } }> } } } } };
  delete spec.jobTemplate.spec.template.spec.containers[0]?.resources?.limits?.['memory'];
  return copy;
}

/** Reads the prefilled value of each text input of a modal, by block_id. */
function prefilledValues(view: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const block of view['blocks'] as Array<{ block_id?: string; element?: { initial_value?: string } }>) {
    if (block.block_id !== undefined && block.element?.initial_value !== undefined) values[block.block_id] = block.element.initial_value;
  }
  return values;
}
