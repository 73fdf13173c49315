import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/sim/index.ts';
import { eventually, keysUnder, startHarness, type Harness } from '../support/harness.ts';
import { JobStory } from '../support/job-story.ts';
import { testRedisUrl } from '../support/redis.ts';
import { alertOf, contentOf, requestsText, waitReady, waitSlackQuiet } from './slack-view.ts';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Returns `length` random characters from `alphabet`, so no secret can match by chance. */
function randomText(alphabet: string, length: number): string {
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

function base64url(value: string): string {
  return Buffer.from(value).toString('base64url');
}

/** The env var that the pod fills from a Secret. Its name matches no generic secret pattern. */
const SECRET_ENV = 'ORDERS_DB_PHRASE';

/** Secrets written to the failing pod's log, by label. None may leave the pod. */
const SECRETS: Record<string, string> = {
  'AWS access key id': `AKIA${randomText(UPPER, 16)}`,
  'AWS secret access key': randomText(ALNUM, 40),
  'GitHub token': `ghp_${randomText(ALNUM, 36)}`,
  'Slack bot token': `xoxb-${randomText('0123456789', 12)}-${randomText(ALNUM, 24)}`,
  JWT: `${base64url('{"alg":"HS256","typ":"JWT"}')}.${base64url(`{"sub":"${randomText(ALNUM, 12)}"}`)}.${randomText(ALNUM, 43)}`,
  'PEM key line 1': randomText(ALNUM, 64),
  'PEM key line 2': randomText(ALNUM, 64),
  'URL password': randomText(ALNUM, 18),
  'secretKeyRef value': randomText(ALNUM, 22),
};

/** Part of the quoted decisive line without a secret. Finding it shows that the log reached the place checked. */
const DECISIVE_LINE = 'fatal: Authentication failed for';

const LOG = [
  '+ env',
  `AWS_ACCESS_KEY_ID=${SECRETS['AWS access key id']}`,
  `AWS_SECRET_ACCESS_KEY=${SECRETS['AWS secret access key']}`,
  `${SECRET_ENV}=${SECRETS['secretKeyRef value']}`,
  `config: {"${SECRET_ENV}": "${SECRETS['secretKeyRef value']}"}`,
  `cloning with token ${SECRETS['GitHub token']}`,
  `notifying #deploys with ${SECRETS['Slack bot token']}`,
  `session ${SECRETS['JWT']} expired`,
  `aws: key ${SECRETS['AWS access key id']} is not authorized to perform s3:GetObject`,
  'writing deploy key',
  '-----BEGIN RSA PRIVATE KEY-----',
  SECRETS['PEM key line 1'],
  SECRETS['PEM key line 2'],
  '-----END RSA PRIVATE KEY-----',
  "Cloning into '/work/repo'...",
  'remote: Invalid username or password.',
  `${DECISIVE_LINE} 'https://deploy:${SECRETS['URL password']}@git.example.com/platform/repo.git/'`,
  '',
].join('\n');

/** Reads every key under `prefix` with the read its type needs and returns it all as text. */
async function dumpRedis(prefix: string): Promise<string> {
  const redis = new Redis(testRedisUrl());
  try {
    const parts: string[] = [];
    for (const key of await keysUnder(prefix)) parts.push(key, await readKey(redis, key));
    return parts.join('\n');
  } finally {
    redis.disconnect();
  }
}

async function readKey(redis: Redis, key: string): Promise<string> {
  const type = await redis.type(key);
  switch (type) {
    case 'string':
      return (await redis.get(key)) ?? '';
    case 'hash':
      return JSON.stringify(await redis.hgetall(key));
    case 'list':
      return JSON.stringify(await redis.lrange(key, 0, -1));
    case 'set':
      return JSON.stringify(await redis.smembers(key));
    case 'zset':
      return JSON.stringify(await redis.zrange(key, 0, -1, 'WITHSCORES'));
    case 'stream':
      return JSON.stringify(await redis.xrange(key, '-', '+'));
    case 'none':
      return '';
    default:
      throw new Error(`key ${key} has type ${type}, which this dump cannot read; add a read for it`);
  }
}

/** Lists the labels of the secrets found in `text`. */
function leaked(text: string): string[] {
  return Object.entries(SECRETS)
    .filter(([, secret]) => text.includes(secret))
    .map(([label]) => label);
}

let harness: Harness;
let story: JobStory;

beforeAll(async () => {
  harness = await startHarness({ env: { JOBWATCH_STUCK_AFTER_SECONDS: '1' } });
  await waitReady(harness);
  // A failed first post leaves an error and its stack on the BullMQ job, which are read too.
  harness.slack.failNext('chat.postMessage', 'internal_error');
  story = new JobStory(harness.sim, { namespace: 'deploys', name: 'release-clone', backoffLimit: 0 });
  const name = story.startPod();
  const ref = { apiVersion: 'v1', kind: 'Pod', namespace: story.namespace, name };
  const pod = harness.sim.store.get(ref) as KubeObject & { spec: { containers: Record<string, unknown>[] } };
  const env = [{ name: SECRET_ENV, valueFrom: { secretKeyRef: { name: 'orders-db', key: 'phrase' } } }];
  harness.sim.store.update({ ...pod, spec: { ...pod.spec, containers: pod.spec.containers.map((c) => ({ ...c, env })) } });
  story.failPod(name, { exitCode: 128, reason: 'Error', log: LOG });
  story.failJob();
  const h = harness;
  await eventually(() => {
    const alert = alertOf(h.slack, story.uid);
    return alert && /failed:/.test(alert.text) && contentOf(alert).includes(DECISIVE_LINE);
  }, 'the final alert quoting the log');
  await waitSlackQuiet(harness.slack);
});

afterAll(async () => {
  await harness?.stop();
});

describe('secrets in pod logs', () => {
  it('stores no secret in any Redis key', async () => {
    const dump = await dumpRedis(harness.prefix);
    expect(dump).toContain(DECISIVE_LINE);
    expect(dump).toContain(`${SECRET_ENV}=****`);
    expect(dump).toMatch(/"stacktrace":"\[.*internal_error/);
    expect(leaked(dump)).toEqual([]);
  });

  it('sends no secret to Slack', () => {
    const sent = requestsText(harness.slack);
    expect(sent).toContain(DECISIVE_LINE);
    expect(leaked(sent)).toEqual([]);
  });

  it('logs no secret', () => {
    const logged = harness.logLines().join('\n');
    expect(logged).toContain(story.uid);
    expect(leaked(logged)).toEqual([]);
  });
});
