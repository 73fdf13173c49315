import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceTypes, startSimCluster, type KubeObject, type SimCluster } from '../../src/sim/index.ts';
import { buildBlockActionPayload, sendBlockAction, signRequest } from '../fake-slack/index.ts';
import type { StoredMessage } from '../fake-slack/types.ts';
import { ALERT_CHANNEL, eventually, keysUnder, startHarness, type Harness } from '../support/harness.ts';
import { JobStory } from '../support/job-story.ts';
import { testRedisUrl } from '../support/redis.ts';
import { contentOf, requestsText, rootMessages, waitSlackQuiet } from './slack-view.ts';

const JOBS = resourceTypes.find((t) => t.plural === 'jobs' && t.group === 'batch')!;
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Returns `length` random characters, so that no planted secret can match by chance. */
function randomText(length: number): string {
  return [...randomBytes(length)].map((byte) => ALNUM[byte % ALNUM.length]).join('');
}

/** The Secret-filled env var. Its name matches no generic secret pattern, on purpose. */
const SECRET_ENV = 'LEDGER_DB_PHRASE';
const PEM_LINES = [randomText(64), randomText(64)];

/** Planted secrets by label. None may leave the cluster in any form. */
const SECRETS: Record<string, string> = {
  'GitHub token': `ghp_${randomText(36)}`,
  'URL password': randomText(20),
  'PEM key line 1': PEM_LINES[0]!,
  'PEM key line 2': PEM_LINES[1]!,
  'base64 credential password': randomText(18),
  'JSON log secret': randomText(24),
  'termination message password': randomText(22),
  'Secret-filled env value': randomText(26),
  'wrapped token': `ghp_${randomText(36)}`,
  'retry log token': randomText(30),
  'spec env literal': randomText(28),
  'spec args password': randomText(21),
  'waiting message password': randomText(19),
};

const b64 = (text: string): string => Buffer.from(text).toString('base64');

/** Lists the forms a leaked secret can take: clear, percent-encoded and base64. */
function leakForms(secret: string): string[] {
  const bytes = Buffer.from(secret);
  return [secret, encodeURIComponent(secret), bytes.toString('base64').replace(/=+$/, ''), bytes.toString('base64url')];
}

/** Lists the labels of the planted secrets found in `text` in any of their forms. */
function leaked(text: string): string[] {
  const credential = b64(`svc-ledger:${SECRETS['base64 credential password']!}`);
  const found = Object.entries(SECRETS)
    .filter(([, secret]) => leakForms(secret).some((form) => text.includes(form)))
    .map(([label]) => label);
  return text.includes(credential) ? [...found, 'base64 credential'] : found;
}

/** Part of the decisive log line without a secret; finding it shows the log reached the place. */
const DECISIVE_LINE = 'fatal: could not read from remote repository';
const WRAPPED = SECRETS['wrapped token']!;

const LOG = [
  'starting ledger export',
  `${SECRET_ENV}=${SECRETS['Secret-filled env value']!}`,
  `{"level":"warn","msg":"retrying","db":{"password":"${SECRETS['JSON log secret']!}"}}`,
  `upstream auth ${b64(`svc-ledger:${SECRETS['base64 credential password']!}`)}`,
  `using ${SECRETS['GitHub token']!} for the mirror`,
  `fallback ${WRAPPED.slice(0, 16)}`,
  WRAPPED.slice(16),
  '-----BEGIN OPENSSH PRIVATE KEY-----',
  ...PEM_LINES,
  '-----END OPENSSH PRIVATE KEY-----',
  'Traceback (most recent call last):',
  `git.exc.GitCommandError: Cmd('git') failed: https://ci:${SECRETS['URL password']!}@git.example.com/ledger.git`,
  `${DECISIVE_LINE}`,
  '',
].join('\n');
const TERMINATION_MESSAGE = `export failed: dial postgres://ledger:${SECRETS['termination message password']!}@db:5432/ledger`;
const RETRY_LOG = `retry starting\nAPI_TOKEN=${SECRETS['retry log token']!}\nfatal: input bucket is empty\n`;

const POLICY = `
command: /job
everyone: [read]
rules:
  - name: on-call
    users: [U0ALICE]
    namespaces: ["*"]
    verbs: [read, retry, mute]
    kubernetes:
      user: slack:alice
      groups: [jobwatch:oncall]
`;

/** Reads every key under `prefix` with the read its type needs, as key and text. */
async function dumpRedis(prefix: string): Promise<Array<[string, string]>> {
  const redis = new Redis(testRedisUrl());
  try {
    const entries: Array<[string, string]> = [];
    for (const key of await keysUnder(prefix)) entries.push([key, await readKey(redis, key)]);
    return entries;
  } finally {
    redis.disconnect();
  }
}

async function readKey(redis: Redis, key: string): Promise<string> {
  const type = await redis.type(key);
  if (type === 'string') return (await redis.get(key)) ?? '';
  if (type === 'hash') return JSON.stringify(await redis.hgetall(key));
  if (type === 'list') return JSON.stringify(await redis.lrange(key, 0, -1));
  if (type === 'set') return JSON.stringify(await redis.smembers(key));
  if (type === 'zset') return JSON.stringify(await redis.zrange(key, 0, -1, 'WITHSCORES'));
  if (type === 'stream') return JSON.stringify(await redis.xrange(key, '-', '+'));
  if (type === 'none') return '';
  throw new Error(`key ${key} has type ${type}, which this dump cannot read; add a read for it`);
}

/**
 * Adds to a Job's pod template or a pod's spec the Secret-filled env var, an env var
 * whose literal value is a password, and an argument with a URL password.
 */
function withSecretEnv(spec: { containers: Record<string, unknown>[] }): { containers: Record<string, unknown>[] } {
  const env = [
    { name: SECRET_ENV, valueFrom: { secretKeyRef: { name: 'ledger-db', key: 'phrase' } } },
    { name: 'LEDGER_DB_PASSWORD', value: SECRETS['spec env literal'] },
  ];
  const args = ['--source', `postgres://ledger:${SECRETS['spec args password']!}@db:5432/ledger`];
  return { ...spec, containers: spec.containers.map((container) => ({ ...container, env, args })) };
}

function confirmValue(body: unknown): string {
  const blocks = (body as { blocks?: Array<{ elements?: Array<{ action_id?: string; value?: string }> }> }).blocks ?? [];
  for (const block of blocks) {
    for (const element of block.elements ?? []) if (element.action_id === 'jobwatch.confirm') return element.value ?? '';
  }
  return '';
}

async function confirm(h: Harness, alert: StoredMessage, value: string): Promise<void> {
  const payload = buildBlockActionPayload(h.slack, { channel: ALERT_CHANNEL, messageTs: alert.ts, actionId: 'jobwatch.retry', userId: 'U0ALICE' });
  const actions = payload['actions'] as Array<Record<string, unknown>>;
  payload['actions'] = [{ ...actions[0], action_id: 'jobwatch.confirm', value }];
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const headers = { 'content-type': 'application/x-www-form-urlencoded', ...signRequest(h.slack.signingSecret, body) };
  const res = await fetch(`http://127.0.0.1:${h.jobwatch.httpPort}/slack/events`, { method: 'POST', headers, body });
  await res.body?.cancel();
}

function click(h: Harness, alert: StoredMessage, actionId: string, userId: string) {
  const url = `http://127.0.0.1:${h.jobwatch.httpPort}/slack/events`;
  return sendBlockAction(url, h.slack.signingSecret, h.slack, { channel: ALERT_CHANNEL, messageTs: alert.ts, actionId, userId });
}

/** Fails the Job with every planted secret in its log, termination message and spec. */
async function failLedgerJob(h: Harness, jobName = 'ledger-export'): Promise<{ story: JobStory; alert: StoredMessage }> {
  const story = new JobStory(h.sim, { namespace: 'finance', name: jobName, backoffLimit: 0 });
  const jobRef = { apiVersion: 'batch/v1', kind: 'Job', namespace: story.namespace, name: story.name };
  const job = h.sim.store.get(jobRef) as KubeObject & { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };
  h.sim.store.update({ ...job, spec: { ...job.spec, template: { ...job.spec.template, spec: withSecretEnv(job.spec.template.spec) } } });
  const name = story.startPod();
  const podRef = { apiVersion: 'v1', kind: 'Pod', namespace: story.namespace, name };
  const pod = h.sim.store.get(podRef) as KubeObject & { spec: { containers: Record<string, unknown>[] } };
  h.sim.store.update({ ...pod, spec: withSecretEnv(pod.spec) });
  story.failPod(name, { exitCode: 1, reason: 'Error', log: LOG });
  const failed = h.sim.store.get(podRef) as KubeObject & { status: { containerStatuses: Array<{ state: { terminated: Record<string, unknown> } }> } };
  const status = failed.status.containerStatuses[0]!;
  status.state.terminated['message'] = TERMINATION_MESSAGE;
  h.sim.store.update(failed);
  story.failJob();
  const alert = await eventually(() => {
    const root = rootMessages(h.slack, ALERT_CHANNEL).find((m) => m.text.includes(jobName));
    return root && contentOf(root).includes('jobwatch.retry') && contentOf(root).includes(DECISIVE_LINE) ? root : undefined;
  }, 'the final alert quoting the log', 30_000);
  return { story, alert };
}

/** Leaves a pod of a second Job stuck in CreateContainerError with a message that quotes its command line. */
async function stickWaitingJob(h: Harness): Promise<void> {
  const story = new JobStory(h.sim, { namespace: 'finance', name: 'ledger-import', backoffLimit: 0 });
  const podRef = { apiVersion: 'v1', kind: 'Pod', namespace: story.namespace, name: story.startPod() };
  const pod = h.sim.store.get(podRef) as KubeObject;
  const message =
    'failed to create containerd task: exec: "ledger-import --dsn=postgres://ledger:' +
    `${SECRETS['waiting message password']!}@db/ledger": stat ledger-import: no such file or directory`;
  const waiting = { reason: 'CreateContainerError', message };
  const status = { phase: 'Pending', containerStatuses: [{ name: 'main', restartCount: 0, ready: false, state: { waiting } }] };
  h.sim.store.update({ ...pod, status });
  await eventually(() => {
    const root = rootMessages(h.slack, ALERT_CHANNEL).find((m) => m.text.includes('ledger-import'));
    return root && contentOf(root).includes('CreateContainerError') ? root : undefined;
  }, 'the stuck alert of the second Job', 30_000);
}

let sim: SimCluster;
let harness: Harness;

beforeAll(async () => {
  sim = await startSimCluster({ outcomes: () => ({ exitCode: 3, reason: 'Error', log: RETRY_LOG, durationMs: 200 }) });
  const dir = mkdtempSync(join(tmpdir(), 'jobwatch-policy-'));
  writeFileSync(join(dir, 'policy.yaml'), POLICY);
  harness = await startHarness({ sim, env: { JOBWATCH_POLICY_FILE: join(dir, 'policy.yaml') } });
  const h = harness;
  await eventually(() => h.jobwatch.ready(), 'jobwatch ready');
  // A failed first post leaves an error and its stack on the BullMQ job, which are scanned too.
  h.slack.failNext('chat.postMessage', 'internal_error');
  const { alert } = await failLedgerJob(h);
  await stickWaitingJob(h);

  // A Job deleted after its alert can only be retried from the stored copy, which lacks the secret values.
  const archive = await failLedgerJob(h, 'ledger-archive');
  archive.story.deleteJob();
  await click(h, archive.alert, 'jobwatch.retry', 'U0ALICE');
  await eventually(() => JSON.stringify(h.slack.responses()).includes('keeps no copy of the secret values'), 'the rejected retry of the deleted Job');

  await click(h, alert, 'jobwatch.logs', 'U0BOB');
  await eventually(() => h.slack.files().find((f) => f.filename.includes('ledger-export') && f.completed), 'the uploaded log file');

  await click(h, alert, 'jobwatch.retry', 'U0ALICE');
  const confirmation = await eventually(() => h.slack.responses().find((r) => confirmValue(r.body) !== ''), 'the retry confirmation');
  await confirm(h, alert, confirmValue(confirmation.body));
  await eventually(
    () => h.slack.thread(ALERT_CHANNEL, alert.ts).find((m) => m.metadata?.event_type === 'jobwatch_alert' && contentOf(m).includes('input bucket is empty')),
    'the failed retry\'s alert quoting its log',
    40_000,
  );
  await waitSlackQuiet(h.slack);
}, 120_000);

afterAll(async () => {
  await harness?.stop();
  await sim?.stop();
});

describe('planted secrets after failure, logs upload and retry', () => {
  it('creates the retry with the secret values of the spec', () => {
    const jobs = sim.store.list(JOBS, 'finance').filter((job) => job.metadata.name === 'ledger-export-retry-1');
    const spec = JSON.stringify(jobs[0]?.['spec'] ?? null);
    expect(jobs).toHaveLength(1);
    expect(spec).toContain(`"value":"${SECRETS['spec env literal']!}"`);
    expect(spec).toContain(`postgres://ledger:${SECRETS['spec args password']!}@db:5432/ledger`);
  });

  it('stores no secret in any Redis key', async () => {
    const entries = await dumpRedis(harness.prefix);
    const dump = entries.map(([key, text]) => `${key}\n${text}`).join('\n');
    expect(dump).toContain(DECISIVE_LINE);
    expect(dump).toMatch(/"stacktrace":"\[.*internal_error/);
    expect(dump).toContain('ledger-export-retry-1');
    expect(dump).toContain('"reason":"CreateContainerError"');
    const leaks = entries.flatMap(([key, text]) => leaked(text).map((label) => `${label} in ${key}`));
    expect(leaks).toEqual([]);
  });

  it('sends no secret in any Slack request', () => {
    const sent = requestsText(harness.slack);
    expect(sent).toContain(DECISIVE_LINE);
    expect(sent).toContain('postgres://ledger:****@db:5432/ledger');
    expect(leaked(sent)).toEqual([]);
  });

  it('uploads no secret in the full logs', () => {
    const files = harness.slack.files().filter((f) => f.completed);
    const text = files.map((f) => f.bytes?.toString() ?? '').join('\n');
    expect(text).toContain(DECISIVE_LINE);
    expect(text).toContain(`${SECRET_ENV}=****`);
    expect(leaked(text)).toEqual([]);
  });

  it('rejects a retry whose secret values are gone with the Job', () => {
    const jobs = sim.store.list(JOBS, 'finance').filter((job) => job.metadata.name?.startsWith('ledger-archive'));
    expect(jobs).toHaveLength(0);
    expect(JSON.stringify(harness.slack.responses())).toContain('Create the retry from the Job');
  });

  it('sends no secret to a response URL', () => {
    const responses = JSON.stringify(harness.slack.responses());
    expect(responses).toContain('ledger-export-retry-1');
    expect(leaked(responses)).toEqual([]);
  });

  it('logs no secret', () => {
    const logged = harness.logLines().join('\n');
    expect(logged).toContain('ledger-export');
    expect(leaked(logged)).toEqual([]);
  });
});
