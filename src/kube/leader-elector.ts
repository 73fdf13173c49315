import type { Logger } from 'pino';
import { sleep } from './backoff.ts';
import { KubeApiError } from './errors.ts';
import {
  decideLease,
  observeLease,
  releaseRecord,
  renewDeadlinePassed,
  type ElectionTiming,
  type LeaseObservation,
} from './leader-election.ts';
import type { LeaseClient, StoredLease } from './lease-client.ts';

/** client-go's `JitterFactor`: a candidate waits between 1 and 2.2 retry periods. */
const JITTER_FACTOR = 1.2;

/** Options of {@link LeaderElector}. */
export interface LeaderElectorOptions extends ElectionTiming {
  leases: LeaseClient;
  /** This replica's `holderIdentity`: unique per process, see `electionIdentity`. */
  identity: string;
  logger: Logger;
  /** Called once each time this replica becomes the leader. */
  onStartedLeading: () => void;
  /** Called once each time this replica stops leading, with the reason. */
  onStoppedLeading: (reason: StopReason) => void;
  /** Local clock in ms since the epoch. Default `Date.now`. */
  clock?: () => number;
  /** Waits `ms` or until `signal` aborts. Default: a timer. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Source of jitter in [0, 1). Default `Math.random`. */
  random?: () => number;
}

/** Why a leader stopped: it released the Lease, another replica took it, or renewals failed. */
export type StopReason = 'released' | 'taken' | 'renew-deadline';

type Attempt = 'held' | 'not-held' | 'lost';

/**
 * Runs leader election on one Lease as client-go's `LeaderElector` does. Candidates try
 * every retry period (with jitter), and the leader renews every retry period. A leader
 * whose renewals fail for the renew deadline stops leading at once, before its term can
 * end for the others. `stop()` releases a held Lease so a follower takes over at its next
 * attempt.
 */
export class LeaderElector {
  readonly #options: LeaderElectorOptions;
  readonly #clock: () => number;
  readonly #sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly #abort = new AbortController();
  #leading = false;
  #stored: StoredLease | undefined;
  #observation: LeaseObservation | undefined;
  #lastRenewMs = 0;
  #errors = 0;
  #reportedHolder: string | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: LeaderElectorOptions) {
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
    this.#sleep = options.sleep ?? sleep;
  }

  /** Whether this replica leads now. */
  get leading(): boolean {
    return this.#leading;
  }

  /** The holder last seen in the Lease; empty when released, `undefined` before the first read. */
  get observedHolder(): string | undefined {
    return this.#observation?.record.holderIdentity;
  }

  /** Whether the last request to read or write the Lease succeeded; false after an error. */
  get reachable(): boolean {
    return this.#errors === 0;
  }

  /** Starts trying to acquire the Lease in the background. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops electing and, when leading, releases the Lease and reports the stop. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    if (!this.#leading) return;
    await this.#release();
    this.#stepDown('released');
  }

  async #run(): Promise<void> {
    const { retryPeriodMs } = this.#options;
    while (!this.#abort.signal.aborted) {
      if (!this.#leading) {
        if ((await this.#attempt(this.#abort.signal)) === 'held') this.#becomeLeader();
        else await this.#sleep(retryPeriodMs * (1 + JITTER_FACTOR * (this.#options.random ?? Math.random)()), this.#abort.signal);
        continue;
      }
      await this.#sleep(Math.min(retryPeriodMs, this.#msToDeadline()), this.#abort.signal);
      if (this.#abort.signal.aborted) break;
      await this.#renew();
    }
  }

  async #renew(): Promise<void> {
    const remaining = this.#msToDeadline();
    const sentAtMs = this.#clock();
    // A request may hang; the timeout ends it at the renew deadline, so a leader that
    // cannot reach the API server still stops in time.
    const result =
      remaining > 0
        ? await this.#attempt(AbortSignal.any([this.#abort.signal, AbortSignal.timeout(remaining)]))
        : 'not-held';
    if (this.#abort.signal.aborted) return;
    // The term is counted from before the request was sent, which errs on the safe side.
    if (result === 'held') this.#lastRenewMs = sentAtMs;
    else if (result === 'lost') this.#stepDown('taken');
    else if (renewDeadlinePassed(this.#lastRenewMs, this.#clock(), this.#options.renewDeadlineMs)) {
      this.#stepDown('renew-deadline');
    }
  }

  #msToDeadline(): number {
    return this.#lastRenewMs + this.#options.renewDeadlineMs - this.#clock();
  }

  async #attempt(signal: AbortSignal): Promise<Attempt> {
    try {
      const result = await this.#tryAcquireOrRenew(signal);
      this.#errors = 0;
      return result;
    } catch (err) {
      if (!signal.aborted) this.#logFailure(err);
      return 'not-held';
    }
  }

  async #tryAcquireOrRenew(signal: AbortSignal): Promise<Attempt> {
    const { leases } = this.#options;
    this.#stored = await leases.get(signal);
    const nowMs = this.#clock();
    this.#observation = this.#stored === undefined ? undefined : observeLease(this.#observation, this.#stored.record, nowMs);
    this.#reportHolder();
    const decision = decideLease({
      observation: this.#observation,
      identity: this.#options.identity,
      leading: this.#leading,
      nowMs,
      leaseDurationSeconds: Math.ceil(this.#options.leaseDurationMs / 1000),
    });
    if (decision.action === 'wait') return 'not-held';
    if (decision.action === 'lost') return 'lost';
    const stored =
      decision.action === 'acquire' && decision.create
        ? await leases.create(decision.record, signal)
        : await leases.update(decision.record, this.#stored?.resourceVersion ?? '', signal);
    this.#stored = stored;
    this.#observation = { record: stored.record, observedAtMs: this.#clock() };
    return 'held';
  }

  async #release(): Promise<void> {
    const { leases, logger } = this.#options;
    const signal = AbortSignal.timeout(this.#options.renewDeadlineMs);
    // A 409 means the Lease changed since it was read; read it again and retry once.
    for (let tries = 0; tries < 2; tries += 1) {
      try {
        const stored = await leases.get(signal);
        if (stored === undefined || stored.record.holderIdentity !== this.#options.identity) return;
        await leases.update(releaseRecord(stored.record, this.#clock()), stored.resourceVersion, signal);
        return;
      } catch (err) {
        if (err instanceof KubeApiError && err.code === 409) continue;
        logger.warn({ err, lease: this.#leaseName() }, 'lease release failed; followers take over when the term ends');
        return;
      }
    }
  }

  #becomeLeader(): void {
    this.#leading = true;
    this.#lastRenewMs = this.#clock();
    const transitions = this.#observation?.record.leaseTransitions;
    this.#options.logger.info({ identity: this.#options.identity, lease: this.#leaseName(), transitions }, 'became the leader');
    this.#options.onStartedLeading();
  }

  #stepDown(reason: StopReason): void {
    if (!this.#leading) return;
    this.#leading = false;
    const fields = { identity: this.#options.identity, lease: this.#leaseName(), reason };
    if (reason === 'released') this.#options.logger.info(fields, 'stopped leading');
    else this.#options.logger.warn(fields, 'stopped leading');
    this.#options.onStoppedLeading(reason);
  }

  #reportHolder(): void {
    const holder = this.#observation?.record.holderIdentity ?? '';
    if (holder === this.#reportedHolder || holder === this.#options.identity) return;
    this.#reportedHolder = holder;
    this.#options.logger.info({ holder: holder || 'none', lease: this.#leaseName() }, 'lease holder observed');
  }

  #logFailure(err: unknown): void {
    this.#errors += 1;
    // Every retry period fails alike while the API server is down or RBAC forbids Leases,
    // so only the 1st, 2nd, 4th, 8th… failure is logged.
    if ((this.#errors & (this.#errors - 1)) !== 0) return;
    const forbidden = err instanceof KubeApiError && err.code === 403;
    const fields = { err, lease: this.#leaseName(), failures: this.#errors };
    if (forbidden) {
      this.#options.logger.error(fields, 'lease access forbidden; apply deploy/rbac/leader-election.yaml or set JOBWATCH_LEADER_ELECTION=false');
    } else if (err instanceof KubeApiError && err.code === 409) {
      this.#options.logger.debug(fields, 'lease changed by another replica');
    } else {
      this.#options.logger.warn(fields, 'lease request failed');
    }
  }

  #leaseName(): string {
    return `${this.#options.leases.ref.namespace}/${this.#options.leases.ref.name}`;
  }
}
