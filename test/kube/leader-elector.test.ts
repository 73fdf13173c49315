import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KubeApiError } from '../../src/kube/errors.ts';
import { LeaderElector, type StopReason } from '../../src/kube/leader-elector.ts';
import { formatMicroTime } from '../../src/kube/leader-election.ts';
import { loadKubeConfig } from '../../src/kube/kubeconfig.ts';
import { createLeaseClient, type LeaseClient } from '../../src/kube/lease-client.ts';
import { readinessChecks } from '../../src/app/start-jobwatch.ts';
import { startSimCluster, type SimCluster } from '../../src/sim/index.ts';
import { eventually } from '../support/harness.ts';

/** Short settings: a 1 s term, a 0.6 s renew deadline and a 0.1 s retry period. */
const TIMING = { leaseDurationMs: 1_000, renewDeadlineMs: 600, retryPeriodMs: 100 };

let sim: SimCluster;
let leaseCount = 0;
const electors: LeaderElector[] = [];

beforeAll(async () => {
  sim = await startSimCluster({ runJobs: false });
});
afterEach(async () => {
  for (const elector of electors.splice(0)) await elector.stop();
});
afterAll(async () => {
  await sim.stop();
});

function newLeaseName(): string {
  leaseCount += 1;
  return `jobwatch-watcher-test-${leaseCount}`;
}

function leaseClient(name: string): LeaseClient {
  return createLeaseClient(loadKubeConfig({ kubeconfig: sim.kubeconfigPath }), { namespace: 'default', name });
}

function storedLease(name: string) {
  return sim.store.get({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: 'default', name });
}

/** Starts an elector that records its gains and losses in `events` as `identity:event`. */
function startElector(identity: string, leases: LeaseClient, events: string[]): LeaderElector {
  const elector = new LeaderElector({
    ...TIMING,
    leases,
    identity,
    logger: pino({ level: 'silent' }),
    onStartedLeading: () => events.push(`${identity}:started`),
    onStoppedLeading: (reason: StopReason) => events.push(`${identity}:stopped:${reason}`),
  });
  electors.push(elector);
  elector.start();
  return elector;
}

/** Wraps a client so that every request fails once `crashed.value` is true, like a killed process. */
function crashable(leases: LeaseClient, crashed: { value: boolean }): LeaseClient {
  const gate = <T>(call: () => Promise<T>): Promise<T> =>
    crashed.value ? Promise.reject(new KubeApiError({ reason: 'ECONNREFUSED' })) : call();
  return {
    ref: leases.ref,
    get: (signal) => gate(() => leases.get(signal)),
    create: (record, signal) => gate(() => leases.create(record, signal)),
    update: (record, rv, signal) => gate(() => leases.update(record, rv, signal)),
    delete: (signal) => gate(() => leases.delete(signal)),
  };
}

describe('LeaderElector on the simulated cluster', () => {
  it('creates the Lease and leads when none exists', async () => {
    const name = newLeaseName();
    const events: string[] = [];
    const elector = startElector('replica-a', leaseClient(name), events);
    await eventually(() => elector.leading, 'replica-a to lead');
    const spec = storedLease(name)?.['spec'] as Record<string, unknown>;
    expect(spec['holderIdentity']).toBe('replica-a');
    expect(spec['leaseDurationSeconds']).toBe(1);
    expect(spec['leaseTransitions']).toBe(0);
    expect(spec['acquireTime']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(events).toEqual(['replica-a:started']);
  });

  it('renews renewTime and keeps acquireTime', async () => {
    const name = newLeaseName();
    const elector = startElector('replica-a', leaseClient(name), []);
    await eventually(() => elector.leading, 'replica-a to lead');
    const first = storedLease(name)?.['spec'] as Record<string, unknown>;
    const renewed = await eventually(() => {
      const spec = storedLease(name)?.['spec'] as Record<string, unknown>;
      return spec['renewTime'] !== first['renewTime'] ? spec : undefined;
    }, 'a renewal');
    expect(renewed['acquireTime']).toBe(first['acquireTime']);
    expect(renewed['holderIdentity']).toBe('replica-a');
  });

  it('answers an update at a stale resourceVersion with 409 Conflict', async () => {
    const name = newLeaseName();
    const leases = leaseClient(name);
    const now = formatMicroTime(Date.now());
    const created = await leases.create({ holderIdentity: 'x', leaseDurationSeconds: 15, acquireTime: now, renewTime: now, leaseTransitions: 0 });
    await leases.update({ ...created.record, renewTime: formatMicroTime(Date.now() + 1) }, created.resourceVersion);
    const stale = leases.update({ ...created.record, holderIdentity: 'y' }, created.resourceVersion);
    await expect(stale).rejects.toMatchObject({ code: 409, reason: 'Conflict' });
    const again = leases.create(created.record);
    await expect(again).rejects.toMatchObject({ code: 409, reason: 'AlreadyExists' });
  });

  it('lets one of two candidates lead while the other waits', async () => {
    const name = newLeaseName();
    const events: string[] = [];
    const a = startElector('replica-a', leaseClient(name), events);
    await eventually(() => a.leading, 'replica-a to lead');
    const b = startElector('replica-b', leaseClient(name), events);
    await eventually(() => b.observedHolder === 'replica-a', 'replica-b to see the holder');
    expect(b.leading).toBe(false);
    expect(events).toEqual(['replica-a:started']);
  });

  it('hands over at once when the leader releases the Lease', async () => {
    const name = newLeaseName();
    const events: string[] = [];
    const a = startElector('replica-a', leaseClient(name), events);
    await eventually(() => a.leading, 'replica-a to lead');
    // A long term shows that the takeover does not wait for it to end.
    const b = new LeaderElector({
      leaseDurationMs: 60_000,
      renewDeadlineMs: 600,
      retryPeriodMs: 100,
      leases: leaseClient(name),
      identity: 'replica-b',
      logger: pino({ level: 'silent' }),
      onStartedLeading: () => events.push('replica-b:started'),
      onStoppedLeading: (reason) => events.push(`replica-b:stopped:${reason}`),
    });
    electors.push(b);
    b.start();
    await eventually(() => b.observedHolder === 'replica-a', 'replica-b to see the holder');
    await a.stop();
    expect((storedLease(name)?.['spec'] as Record<string, unknown>)['holderIdentity']).toBe('');
    await eventually(() => b.leading, 'replica-b to lead');
    expect(events).toEqual(['replica-a:started', 'replica-a:stopped:released', 'replica-b:started']);
    expect((storedLease(name)?.['spec'] as Record<string, unknown>)['leaseTransitions']).toBe(1);
  });

  it('stops a leader that cannot renew before another takes over', async () => {
    const name = newLeaseName();
    const events: string[] = [];
    const crashed = { value: false };
    const a = startElector('replica-a', crashable(leaseClient(name), crashed), events);
    await eventually(() => a.leading, 'replica-a to lead');
    const b = startElector('replica-b', leaseClient(name), events);
    await eventually(() => b.observedHolder === 'replica-a', 'replica-b to see the holder');
    crashed.value = true;
    await eventually(() => b.leading, 'replica-b to take over');
    expect(events).toEqual(['replica-a:started', 'replica-a:stopped:renew-deadline', 'replica-b:started']);
  });

  it('stops leading when another holder takes the Lease', async () => {
    const name = newLeaseName();
    const events: string[] = [];
    const a = startElector('replica-a', leaseClient(name), events);
    await eventually(() => a.leading, 'replica-a to lead');
    const stored = storedLease(name);
    if (stored === undefined) throw new Error('Lease missing');
    const now = formatMicroTime(Date.now());
    const spec = { ...(stored['spec'] as Record<string, unknown>), holderIdentity: 'intruder', renewTime: now, leaseDurationSeconds: 60 };
    sim.store.update({ ...stored, metadata: { ...stored.metadata, resourceVersion: undefined }, spec });
    await eventually(() => !a.leading, 'replica-a to step down');
    expect(events).toEqual(['replica-a:started', 'replica-a:stopped:taken']);
  });

  it('is no ready standby while RBAC forbids the Lease', async () => {
    const forbidding = await startSimCluster({ runJobs: false, authorize: (request) => request.resource !== 'leases' });
    try {
      const leases = createLeaseClient(loadKubeConfig({ kubeconfig: forbidding.kubeconfigPath }), { namespace: 'default', name: newLeaseName() });
      await expect(leases.get()).rejects.toMatchObject({ code: 403 });
      const elector = startElector('replica-a', leases, []);
      await eventually(() => !elector.reachable, 'a failed Lease request');
      expect(elector.leading).toBe(false);
      const watcher = { synced: () => false, leading: () => elector.leading, standbyReady: () => elector.reachable };
      expect(readinessChecks(new Set(['watcher']), true, watcher)).toEqual({ redis: true, standby: false });
      await elector.stop();
    } finally {
      await forbidding.stop();
    }
  });
});

describe('readinessChecks under leader election', () => {
  it('reports a reachable follower as a ready standby and the leader as leader', () => {
    const follower = { synced: () => false, leading: () => false, standbyReady: () => true };
    expect(readinessChecks(new Set(['watcher']), true, follower)).toEqual({ redis: true, standby: true });
    const leader = { synced: () => true, leading: () => true, standbyReady: () => true };
    expect(readinessChecks(new Set(['watcher']), true, leader)).toEqual({ redis: true, watch: true, leader: true });
  });
});
