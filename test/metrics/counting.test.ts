import type { V1Job } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { ActionStore } from '../../src/actions/action-store.ts';
import type { ActionRecord } from '../../src/actions/action-store.ts';
import { failureTimeMs } from '../../src/metrics/first-post.ts';
import type { ActionName, ActionOutcome } from '../../src/metrics/metrics.ts';
import { countedFetch } from '../../src/slack/counted-fetch.ts';
import { connectTestRedis, uniquePrefix } from '../support/redis.ts';

const API_URL = 'https://slack.test/api/';

/** Records the Slack calls a counted fetch reports. */
function recorder(): { calls: [string, string, number | undefined][]; slackCall(m: string, r: string, s?: number): void } {
  const calls: [string, string, number | undefined][] = [];
  return { calls, slackCall: (method, result, seconds) => void calls.push([method, result, seconds]) };
}

function respond(status: number, body: unknown, headers: Record<string, string> = {}): typeof fetch {
  return () =>
    Promise.resolve(
      new Response(typeof body === 'string' ? body : JSON.stringify(body), {
        status,
        headers: { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers },
      }),
    );
}

describe('countedFetch', () => {
  const cases: { name: string; inner: typeof fetch; url: string; expected: [string, string, number | undefined] }[] = [
    { name: 'ok', inner: respond(200, { ok: true }), url: `${API_URL}chat.postMessage`, expected: ['chat.postMessage', 'ok', undefined] },
    { name: 'platform error', inner: respond(200, { ok: false, error: 'channel_not_found' }), url: `${API_URL}chat.update`, expected: ['chat.update', 'channel_not_found', undefined] },
    { name: 'ratelimited body', inner: respond(200, { ok: false, error: 'ratelimited' }), url: `${API_URL}chat.update`, expected: ['chat.update', 'rate_limited', undefined] },
    { name: '429', inner: respond(429, { ok: false, error: 'ratelimited' }, { 'retry-after': '7' }), url: `${API_URL}chat.postMessage`, expected: ['chat.postMessage', 'rate_limited', 7] },
    { name: '503', inner: respond(503, 'unavailable'), url: `${API_URL}auth.test`, expected: ['auth.test', 'http_503', undefined] },
    { name: 'upload URL', inner: respond(200, 'OK - 12'), url: 'https://files.slack.test/upload/v1/abc', expected: ['upload', 'ok', undefined] },
    { name: 'non-JSON body', inner: respond(200, '<html>', { 'content-type': 'application/json' }), url: `${API_URL}chat.update`, expected: ['chat.update', 'invalid_response', undefined] },
  ];
  for (const c of cases) {
    it(`counts a response: ${c.name}`, async () => {
      const metrics = recorder();
      const response = await countedFetch(metrics, API_URL, c.inner)(c.url, { method: 'POST' });
      expect(metrics.calls).toEqual([c.expected]);
      // The client still reads the body it was given.
      expect(await response.text()).not.toBe('');
    });
  }

  it('counts a network failure and rethrows', async () => {
    const metrics = recorder();
    const unreachable: typeof fetch = () => Promise.reject(new TypeError('fetch failed'));
    await expect(countedFetch(metrics, API_URL, unreachable)(`${API_URL}chat.postMessage`)).rejects.toThrow('fetch failed');
    expect(metrics.calls).toEqual([['chat.postMessage', 'network', undefined]]);
  });
});

describe('failureTimeMs', () => {
  const job = (conditions: { type: string; status: string; lastTransitionTime?: string }[]): V1Job => ({
    status: { conditions: conditions.map((c) => ({ type: c.type, status: c.status, ...(c.lastTransitionTime ? { lastTransitionTime: new Date(c.lastTransitionTime) } : {}) })) },
  });

  it('prefers the earliest failure condition', () => {
    const conditions = [
      { type: 'Failed', status: 'True', lastTransitionTime: '2026-01-01T00:00:09Z' },
      { type: 'FailureTarget', status: 'True', lastTransitionTime: '2026-01-01T00:00:05Z' },
      { type: 'Suspended', status: 'True', lastTransitionTime: '2026-01-01T00:00:01Z' },
    ];
    expect(failureTimeMs(job(conditions), [{ finishedAt: '2026-01-01T00:00:02Z' }])).toBe(Date.parse('2026-01-01T00:00:05Z'));
  });

  it('falls back to the first attempt', () => {
    const conditions = [{ type: 'Failed', status: 'False', lastTransitionTime: '2026-01-01T00:00:09Z' }];
    const attempts = [{ finishedAt: '2026-01-01T00:00:04Z' }, { finishedAt: '2026-01-01T00:00:03Z' }, {}];
    expect(failureTimeMs(job(conditions), attempts)).toBe(Date.parse('2026-01-01T00:00:03Z'));
  });

  it('is undefined without any time', () => {
    expect(failureTimeMs(undefined, [{}])).toBeUndefined();
  });
});

describe('ActionStore counting', () => {
  const redis = connectTestRedis();
  afterAll(async () => {
    await redis.quit();
  });

  function storeWithCounts(): { store: ActionStore; counted: [ActionName, ActionOutcome][] } {
    const counted: [ActionName, ActionOutcome][] = [];
    const store = new ActionStore(redis, { prefix: uniquePrefix('actions'), metrics: { action: (a, o) => void counted.push([a, o]) } });
    return { store, counted };
  }

  const record = (id: string, kind: ActionRecord['kind'], stage: ActionRecord['stage']): ActionRecord => ({
    id,
    kind,
    stage,
    actor: { id: 'U1', groups: [] },
    namespace: 'ns',
    reply: { userId: 'U1', channel: 'C1' },
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
  });

  it('counts final stages only', async () => {
    const { store, counted } = storeWithCounts();
    await store.put(record('retry.a.1', 'retry', 'planned'));
    await store.put(record('retry.a.1', 'retry', 'done'));
    await store.put(record('limits.a.U1.x', 'raise-limits', 'failed'));
    await store.put(record('cmd.why.t1', 'why', 'refused'));
    expect(counted).toEqual([['retry', 'done'], ['limits', 'failed'], ['why', 'refused']]);
  });

  it('counts expired records by id', async () => {
    const { store, counted } = storeWithCounts();
    expect(await store.get('retry.gone.2')).toBeUndefined();
    expect(await store.get('cmd.logs.t9')).toBeUndefined();
    expect(await store.get('not-an-action')).toBeUndefined();
    expect(counted).toEqual([['retry', 'expired'], ['logs', 'expired']]);
  });

  it('counts a second acknowledgement as refused', async () => {
    const { store, counted } = storeWithCounts();
    await store.acknowledge('alert-1', 'U1', '2026-01-01T00:00:00Z');
    await store.acknowledge('alert-1', 'U2', '2026-01-01T00:01:00Z');
    expect(counted).toEqual([['ack', 'done'], ['ack', 'refused']]);
  });

  it('counts mutes and effective unmutes', async () => {
    const { store, counted } = storeWithCounts();
    await store.mute({ target: 'job:ns/a', userId: 'U1', until: new Date(Date.now() + 60_000).toISOString() });
    expect(await store.unmute('job:ns/a')).toBe(true);
    expect(await store.unmute('job:ns/a')).toBe(false);
    expect(counted).toEqual([['mute', 'done'], ['unmute', 'done']]);
  });
});
