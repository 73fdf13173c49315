import { describe, expect, it } from 'vitest';
import {
  decideLease,
  formatMicroTime,
  leaseExpiresAtMs,
  observeLease,
  releaseRecord,
  renewDeadlinePassed,
  timingProblems,
  type LeaseObservation,
  type LeaseRecord,
} from '../../src/kube/leader-election.ts';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function record(overrides: Partial<LeaseRecord> = {}): LeaseRecord {
  return {
    holderIdentity: 'jobwatch-a_1111',
    leaseDurationSeconds: 15,
    acquireTime: formatMicroTime(T0 - 60_000),
    renewTime: formatMicroTime(T0),
    leaseTransitions: 3,
    ...overrides,
  };
}

function seen(rec: LeaseRecord, observedAtMs = T0): LeaseObservation {
  return { record: rec, observedAtMs };
}

describe('decideLease', () => {
  const cases: {
    name: string;
    observation: LeaseObservation | undefined;
    identity: string;
    leading: boolean;
    nowMs: number;
    expected: string;
  }[] = [
    { name: 'absent Lease', observation: undefined, identity: 'b', leading: false, nowMs: T0, expected: 'acquire:create' },
    { name: 'held by another, term running', observation: seen(record()), identity: 'b', leading: false, nowMs: T0 + 14_999, expected: 'wait' },
    { name: 'held by another, term ended', observation: seen(record()), identity: 'b', leading: false, nowMs: T0 + 15_000, expected: 'acquire:update' },
    { name: 'released (no holder)', observation: seen(record({ holderIdentity: '', leaseDurationSeconds: 1 })), identity: 'b', leading: false, nowMs: T0, expected: 'acquire:update' },
    { name: 'held by self', observation: seen(record({ holderIdentity: 'b' })), identity: 'b', leading: true, nowMs: T0 + 5_000, expected: 'renew' },
    { name: 'held by self after own term ended', observation: seen(record({ holderIdentity: 'b' })), identity: 'b', leading: true, nowMs: T0 + 60_000, expected: 'renew' },
    { name: 'leading but another holds a running term', observation: seen(record()), identity: 'b', leading: true, nowMs: T0 + 1_000, expected: 'lost' },
    { name: 'leading and the other term ended', observation: seen(record()), identity: 'b', leading: true, nowMs: T0 + 16_000, expected: 'acquire:update' },
  ];
  for (const c of cases) {
    it(`returns ${c.expected} for ${c.name}`, () => {
      const decision = decideLease({ observation: c.observation, identity: c.identity, leading: c.leading, nowMs: c.nowMs, leaseDurationSeconds: 15 });
      const label = decision.action === 'acquire' ? `acquire:${decision.create ? 'create' : 'update'}` : decision.action;
      expect(label).toBe(c.expected);
    });
  }

  it('creates a Lease with the identity, times and no transitions', () => {
    const decision = decideLease({ observation: undefined, identity: 'b', leading: false, nowMs: T0, leaseDurationSeconds: 15 });
    expect(decision).toEqual({
      action: 'acquire',
      create: true,
      record: { holderIdentity: 'b', leaseDurationSeconds: 15, acquireTime: '2026-01-01T12:00:00.000000Z', renewTime: '2026-01-01T12:00:00.000000Z', leaseTransitions: 0 },
    });
  });

  it('counts one more transition on takeover', () => {
    const decision = decideLease({ observation: seen(record()), identity: 'b', leading: false, nowMs: T0 + 20_000, leaseDurationSeconds: 15 });
    expect(decision.action).toBe('acquire');
    if (decision.action !== 'acquire') return;
    expect(decision.record.leaseTransitions).toBe(4);
    expect(decision.record.acquireTime).toBe(formatMicroTime(T0 + 20_000));
  });

  it('keeps acquireTime and transitions on renewal', () => {
    const mine = record({ holderIdentity: 'b' });
    const decision = decideLease({ observation: seen(mine), identity: 'b', leading: true, nowMs: T0 + 2_000, leaseDurationSeconds: 15 });
    expect(decision).toEqual({
      action: 'renew',
      record: { ...mine, renewTime: formatMicroTime(T0 + 2_000) },
    });
  });

  it('reports the holder and when its term ends while waiting', () => {
    const decision = decideLease({ observation: seen(record(), T0 + 1_000), identity: 'b', leading: false, nowMs: T0 + 2_000, leaseDurationSeconds: 15 });
    expect(decision).toEqual({ action: 'wait', holder: 'jobwatch-a_1111', expiresAtMs: T0 + 16_000 });
  });
});

describe('observeLease', () => {
  it('keeps the first observation of an unchanged record', () => {
    const first = observeLease(undefined, record(), T0);
    const again = observeLease(first, record(), T0 + 10_000);
    expect(again.observedAtMs).toBe(T0);
    expect(leaseExpiresAtMs(again)).toBe(T0 + 15_000);
  });

  it('restarts the term when the holder renews', () => {
    const first = observeLease(undefined, record(), T0);
    const renewed = observeLease(first, record({ renewTime: formatMicroTime(T0 + 2_000) }), T0 + 10_000);
    expect(renewed.observedAtMs).toBe(T0 + 10_000);
  });
});

describe('releaseRecord', () => {
  it('clears the holder and keeps the transitions', () => {
    const released = releaseRecord(record(), T0);
    expect(released.holderIdentity).toBe('');
    expect(released.leaseDurationSeconds).toBe(1);
    expect(released.leaseTransitions).toBe(3);
  });
});

describe('renewDeadlinePassed', () => {
  it('is false before the deadline and true at it', () => {
    expect(renewDeadlinePassed(T0, T0 + 9_999, 10_000)).toBe(false);
    expect(renewDeadlinePassed(T0, T0 + 10_000, 10_000)).toBe(true);
  });
});

describe('timingProblems', () => {
  it('accepts the client-go defaults', () => {
    expect(timingProblems({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 })).toEqual([]);
  });

  it('rejects a renew deadline as long as the term', () => {
    const problems = timingProblems({ leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 });
    expect(problems).toEqual([
      { rule: 'lease-duration', message: 'the lease duration (10 s) must be longer than the renew deadline (10 s)' },
    ]);
  });

  it('rejects a renew deadline within 1.2 retry periods', () => {
    const problems = timingProblems({ leaseDurationMs: 15_000, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.rule).toBe('renew-deadline');
    expect(problems[0]?.message).toContain('1.2 times');
  });
});

describe('formatMicroTime', () => {
  it('writes six fractional digits in UTC', () => {
    expect(formatMicroTime(T0 + 123)).toBe('2026-01-01T12:00:00.123000Z');
  });
});
