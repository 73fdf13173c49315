import { describe, expect, it } from 'vitest';
import type { RecordedCall } from '../../test/fake-slack/types.ts';
import { alertArrivals, showsFailedState } from '../slack-arrivals.ts';

const failing = '🟡 bench-1/etl-00001 is failing: Error (attempt 1 of 1)';
const failed = '🔴 bench-1/etl-00001 failed: backoff limit reached (1 of 1 attempts)';

function post(uid: string, text: string, atMs: number, ts: string, eventType = 'jobwatch_alert'): RecordedCall {
  return {
    method: 'chat.postMessage',
    args: { channel: 'C0BENCH001', text, metadata: { event_type: eventType, event_payload: { key: uid } } },
    httpStatus: 200,
    response: { ok: true, channel: 'C0BENCH001', ts },
    atMs,
  };
}

function update(ts: string, text: string, atMs: number, ok = true): RecordedCall {
  return {
    method: 'chat.update',
    args: { channel: 'C0BENCH001', ts, text },
    httpStatus: 200,
    response: ok ? { ok: true, channel: 'C0BENCH001', ts } : { ok: false, error: 'message_not_found' },
    atMs,
  };
}

describe('alertArrivals', () => {
  it('takes the final state from a first post that shows it', () => {
    const arrival = alertArrivals([post('uid-1', failed, 100, '1.000001')]).get('uid-1');
    expect(arrival?.postedAtMs).toBe(100);
    expect(arrival?.finalAtMs).toBe(100);
    expect(arrival?.finalMethod).toBe('chat.postMessage');
  });

  it('takes the final state from the update of a failing post', () => {
    const calls = [post('uid-1', failing, 100, '1.000001'), update('1.000001', failed, 1200), update('1.000001', failed, 2300)];
    const arrival = alertArrivals(calls).get('uid-1');
    expect(arrival?.finalAtMs).toBe(1200);
    expect(arrival?.finalMethod).toBe('chat.update');
    expect(arrival?.calls).toBe(3);
  });

  it('leaves the final time unset while only failing text arrived', () => {
    const arrival = alertArrivals([post('uid-1', failing, 100, '1.000001')]).get('uid-1');
    expect(arrival?.finalAtMs).toBeUndefined();
  });

  it('skips thread replies, rejected calls and updates of unknown messages', () => {
    const rejected = { ...post('uid-2', failed, 50, '1.000000'), httpStatus: 429, response: { ok: false, error: 'ratelimited' } };
    const calls = [
      rejected,
      post('uid-1', failing, 100, '1.000001'),
      post('uid-1.attempt', failed, 110, '1.000002', 'jobwatch_reply'),
      update('9.999999', failed, 150),
      update('1.000001', failed, 160, false),
    ];
    const arrivals = alertArrivals(calls);
    expect([...arrivals.keys()]).toEqual(['uid-1']);
    expect(arrivals.get('uid-1')?.finalAtMs).toBeUndefined();
  });
});

describe('showsFailedState', () => {
  it('recognises the failed headline only', () => {
    expect(showsFailedState(failed)).toBe(true);
    expect(showsFailedState(failing)).toBe(false);
    expect(showsFailedState(undefined)).toBe(false);
  });
});
