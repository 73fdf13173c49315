/**
 * The decisions of Lease-based leader election, apart from any I/O. The rules follow
 * client-go's `tools/leaderelection` (v0.37.2, `tryAcquireOrRenew`): a Lease is held while
 * its holder is set and less than `leaseDurationSeconds` have passed since this process
 * last saw the record change. Expiry is measured on the local clock from that moment, not
 * from `renewTime`, so clock skew between replicas does not shorten or stretch a term.
 */

/** The leader election fields of a `coordination.k8s.io/v1` Lease's spec. */
export interface LeaseRecord {
  /** The identity of the leader; empty after a clean release. */
  holderIdentity: string;
  /** How long the holder's term lasts after each renewal, in seconds. */
  leaseDurationSeconds: number;
  /** When the current holder took the Lease, as a MicroTime (RFC 3339 with microseconds). */
  acquireTime?: string | undefined;
  /** When the holder last renewed, as a MicroTime. */
  renewTime?: string | undefined;
  /** How many times the holder changed. */
  leaseTransitions: number;
}

/** A Lease record with the local time at which this process first saw it as it is. */
export interface LeaseObservation {
  record: LeaseRecord;
  /** Local clock reading when the record was first seen unchanged, in ms since the epoch. */
  observedAtMs: number;
}

/** The action to take on the Lease in one attempt. */
export type LeaseDecision =
  /** Take the Lease: create it when absent, else update it with `record`. */
  | { action: 'acquire'; record: LeaseRecord; create: boolean }
  /** Keep the Lease: update it with `record`, which keeps `acquireTime` and the transitions. */
  | { action: 'renew'; record: LeaseRecord }
  /** Another holder's term runs until `expiresAtMs`; try again later. */
  | { action: 'wait'; holder: string; expiresAtMs: number }
  /** This process believed it led, but another holder now has a valid term: stop leading. */
  | { action: 'lost'; holder: string };

/** The input of {@link decideLease}. */
export interface LeaseState {
  /** The stored Lease, or `undefined` when it does not exist. */
  observation: LeaseObservation | undefined;
  identity: string;
  /** Whether this process currently acts as the leader. */
  leading: boolean;
  /** Local clock, in ms since the epoch. */
  nowMs: number;
  /** The term written into the Lease, in seconds. */
  leaseDurationSeconds: number;
}

/** Formats a time as a Kubernetes MicroTime: RFC 3339 in UTC with six fractional digits. */
export function formatMicroTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * Returns the observation of `record` at `nowMs`: the previous one when the record has not
 * changed, so the term keeps counting from when the change was first seen.
 */
export function observeLease(
  previous: LeaseObservation | undefined,
  record: LeaseRecord,
  nowMs: number,
): LeaseObservation {
  if (previous !== undefined && sameRecord(previous.record, record)) return previous;
  return { record, observedAtMs: nowMs };
}

/** Returns when the observed holder's term ends on the local clock, in ms since the epoch. */
export function leaseExpiresAtMs(observation: LeaseObservation): number {
  return observation.observedAtMs + observation.record.leaseDurationSeconds * 1000;
}

/** Decides whether to acquire, renew, wait for or give up the Lease. */
export function decideLease(state: LeaseState): LeaseDecision {
  const { observation, identity, nowMs } = state;
  const now = formatMicroTime(nowMs);
  const fresh: LeaseRecord = {
    holderIdentity: identity,
    leaseDurationSeconds: state.leaseDurationSeconds,
    acquireTime: now,
    renewTime: now,
    leaseTransitions: 0,
  };
  if (observation === undefined) return { action: 'acquire', record: fresh, create: true };
  const current = observation.record;
  if (current.holderIdentity === identity) {
    return { action: 'renew', record: { ...fresh, acquireTime: current.acquireTime, leaseTransitions: current.leaseTransitions } };
  }
  const expiresAtMs = leaseExpiresAtMs(observation);
  if (current.holderIdentity !== '' && expiresAtMs > nowMs) {
    return state.leading
      ? { action: 'lost', holder: current.holderIdentity }
      : { action: 'wait', holder: current.holderIdentity, expiresAtMs };
  }
  return { action: 'acquire', record: { ...fresh, leaseTransitions: current.leaseTransitions + 1 }, create: false };
}

/**
 * Returns the record that releases a Lease held by this process: no holder and a term of
 * one second, so the next candidate takes over on its next attempt instead of waiting for
 * the whole term. The transitions are kept; the next holder counts one more.
 */
export function releaseRecord(current: LeaseRecord, nowMs: number): LeaseRecord {
  const now = formatMicroTime(nowMs);
  return {
    holderIdentity: '',
    leaseDurationSeconds: 1,
    acquireTime: now,
    renewTime: now,
    leaseTransitions: current.leaseTransitions,
  };
}

/**
 * Tells whether a leader has gone without a successful renewal for `renewDeadlineMs`. A
 * leader past its renew deadline stops leading even though its term may not have ended
 * for the others, so it has stopped before anyone else may start.
 */
export function renewDeadlinePassed(lastRenewMs: number, nowMs: number, renewDeadlineMs: number): boolean {
  return nowMs - lastRenewMs >= renewDeadlineMs;
}

/** Timing of leader election, in milliseconds. */
export interface ElectionTiming {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

/** A broken timing rule: which one, and a sentence with the values in seconds. */
export interface TimingProblem {
  /**
   * `lease-duration`: the lease duration is not longer than the renew deadline.
   * `renew-deadline`: the renew deadline is not longer than 1.2 retry periods.
   */
  rule: 'lease-duration' | 'renew-deadline';
  message: string;
}

/**
 * Lists what is wrong with a timing, with the rules client-go checks in `NewLeaderElector`:
 * the term must outlast the renew deadline, and the deadline must leave room for more than
 * one retry (client-go requires deadline > 1.2 × retry period).
 */
export function timingProblems(timing: ElectionTiming): TimingProblem[] {
  const problems: TimingProblem[] = [];
  if (timing.leaseDurationMs <= timing.renewDeadlineMs) {
    problems.push({
      rule: 'lease-duration',
      message:
        `the lease duration (${timing.leaseDurationMs / 1000} s) must be longer than the renew ` +
        `deadline (${timing.renewDeadlineMs / 1000} s)`,
    });
  }
  if (timing.renewDeadlineMs <= 1.2 * timing.retryPeriodMs) {
    problems.push({
      rule: 'renew-deadline',
      message:
        `the renew deadline (${timing.renewDeadlineMs / 1000} s) must be longer than 1.2 times ` +
        `the retry period (${timing.retryPeriodMs / 1000} s)`,
    });
  }
  return problems;
}

function sameRecord(a: LeaseRecord, b: LeaseRecord): boolean {
  return (
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.acquireTime === b.acquireTime &&
    a.renewTime === b.renewTime &&
    a.leaseTransitions === b.leaseTransitions
  );
}
