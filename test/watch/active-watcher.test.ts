import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaderElector } from '../../src/kube/leader-elector.ts';
import { loadKubeConfig } from '../../src/kube/kubeconfig.ts';
import { createLeaseClient } from '../../src/kube/lease-client.ts';
import { startSimCluster, type SimCluster } from '../../src/sim/index.ts';
import { electionIdentity, leaseName, leaseNamespace, startElectedWatcher, type LeadershipCallbacks } from '../../src/watch/active-watcher.ts';
import type { WatcherRole } from '../../src/watch/run-watcher.ts';
import { eventually } from '../support/harness.ts';

let sim: SimCluster;
beforeAll(async () => {
  sim = await startSimCluster({ runJobs: false });
});
afterAll(async () => {
  await sim.stop();
});

/** Returns a stand-in watcher role that records its start and stop in `events`. */
function fakeRole(events: string[]): WatcherRole {
  events.push('watch:start');
  return {
    synced: () => true,
    stop: () => {
      events.push('watch:stop');
      return Promise.resolve();
    },
  } as unknown as WatcherRole;
}

function electorFor(name: string, identity: string, events: string[]) {
  const leases = createLeaseClient(loadKubeConfig({ kubeconfig: sim.kubeconfigPath }), { namespace: 'default', name });
  return (callbacks: LeadershipCallbacks) =>
    new LeaderElector({
      leaseDurationMs: 1_000,
      renewDeadlineMs: 600,
      retryPeriodMs: 100,
      leases: {
        ...leases,
        update: (record, resourceVersion, signal) => {
          if (record.holderIdentity === '') events.push('lease:release');
          return leases.update(record, resourceVersion, signal);
        },
      },
      identity,
      logger: pino({ level: 'silent' }),
      ...callbacks,
    });
}

describe('startElectedWatcher', () => {
  it('watches only while leading and stops the watches before the release', async () => {
    const events: string[] = [];
    const active = startElectedWatcher(electorFor('jobwatch-watcher-order', 'replica-a', events), () => Promise.resolve(fakeRole(events)), pino({ level: 'silent' }));
    await eventually(() => active.current() !== undefined, 'the watcher to start');
    expect(active.leading()).toBe(true);
    expect(active.synced()).toBe(true);
    await active.stop();
    expect(events).toEqual(['watch:start', 'watch:stop', 'lease:release']);
    expect(active.current()).toBeUndefined();
  });

  it('keeps a follower idle until the leader releases', async () => {
    const events: string[] = [];
    const leader = startElectedWatcher(electorFor('jobwatch-watcher-pair', 'replica-a', []), () => Promise.resolve(fakeRole([])), pino({ level: 'silent' }));
    await eventually(() => leader.leading(), 'replica-a to lead');
    const follower = startElectedWatcher(electorFor('jobwatch-watcher-pair', 'replica-b', events), () => Promise.resolve(fakeRole(events)), pino({ level: 'silent' }));
    expect(follower.current()).toBeUndefined();
    expect(follower.leading()).toBe(false);
    await leader.stop();
    await eventually(() => follower.current() !== undefined, 'replica-b to watch');
    expect(events).toEqual(['watch:start']);
    await follower.stop();
  });
});

describe('standby readiness', () => {
  it('is ready as a standby only while another replica holds the Lease', async () => {
    const leader = startElectedWatcher(electorFor('jobwatch-watcher-ready', 'replica-a', []), () => Promise.resolve(fakeRole([])), pino({ level: 'silent' }));
    await eventually(() => leader.leading(), 'replica-a to lead');
    const follower = startElectedWatcher(electorFor('jobwatch-watcher-ready', 'replica-b', []), () => Promise.resolve(fakeRole([])), pino({ level: 'silent' }));
    await eventually(() => follower.standbyReady(), 'replica-b to see the holder');
    expect(follower.leading()).toBe(false);
    await follower.stop();
    await leader.stop();
  });

  it('is no ready standby before it has read the Lease', () => {
    const idle = startElectedWatcher(electorFor('jobwatch-watcher-unread', 'replica-c', []), () => new Promise<WatcherRole>(() => undefined), pino({ level: 'silent' }));
    // Nothing has been read yet on this tick: the replica is about to lead, not a standby.
    expect(idle.standbyReady()).toBe(false);
    expect(idle.synced()).toBe(false);
    return idle.stop();
  });
});

describe('Lease naming', () => {
  it('names the Lease after the cluster as a DNS subdomain', () => {
    expect(leaseName('prod-eu-1')).toBe('jobwatch-watcher-prod-eu-1');
    expect(leaseName('Prod_EU.1')).toBe('jobwatch-watcher-prod-eu.1');
    expect(leaseName('edge-')).toBe('jobwatch-watcher-edge');
  });

  it('joins the pod name and a random suffix', () => {
    expect(electionIdentity('jobwatch-7d9f-x2k4', 'a1b2c3d4')).toBe('jobwatch-7d9f-x2k4_a1b2c3d4');
    expect(electionIdentity(undefined, 'a1b2c3d4')).toBe('jobwatch_a1b2c3d4');
    expect(electionIdentity('pod')).not.toBe(electionIdentity('pod'));
  });

  it('takes the namespace from the setting, the service account or default', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jobwatch-sa-'));
    try {
      const file = join(dir, 'namespace');
      expect(leaseNamespace('ops', file)).toBe('ops');
      expect(leaseNamespace(undefined, file)).toBe('default');
      await writeFile(file, 'jobwatch\n');
      expect(leaseNamespace(undefined, file)).toBe('jobwatch');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
