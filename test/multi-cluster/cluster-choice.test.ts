import { describe, expect, it } from 'vitest';
import type { ClusterStatus } from '../../src/queue/cluster-registry.ts';
import { chooseCluster, listClusters, unreachableReason } from '../../src/slack/cluster-choice.ts';

const NOW = new Date('2026-03-02T10:00:00Z');

function cluster(name: string, overrides: Partial<ClusterStatus> = {}): ClusterStatus {
  return { name, version: '1.4.0', namespaces: 'all', roles: ['watcher', 'worker'], lastSeenAt: '2026-03-02T09:59:50Z', live: true, ...overrides };
}

const EXAMPLE = '/job status ledger -n reports';

describe('chooseCluster', () => {
  it('takes the only registered cluster when none is given', () => {
    expect(chooseCluster(undefined, [cluster('east')], EXAMPLE, NOW)).toEqual({ ok: true, cluster: 'east' });
  });

  it('takes a given registered cluster', () => {
    expect(chooseCluster('west', [cluster('east'), cluster('west')], EXAMPLE, NOW)).toEqual({ ok: true, cluster: 'west' });
  });

  it('lists several clusters with an example', () => {
    const choice = chooseCluster(undefined, [cluster('east'), cluster('west')], EXAMPLE, NOW);
    expect(choice.ok).toBe(false);
    if (choice.ok) return;
    expect(choice.message).toContain('jobwatch watches 2 clusters: `east`, `west`.');
    expect(choice.message).toContain('`/job status ledger -n reports --cluster east`');
  });

  it('names the known clusters for an unknown one', () => {
    const choice = chooseCluster('north', [cluster('east'), cluster('west', { live: false, lastSeenAt: '2026-03-02T09:57:00Z' })], EXAMPLE, NOW);
    expect(choice).toEqual({ ok: false, message: 'Unknown cluster `north`. Known clusters: `east`, `west` (not seen for 3 minutes).' });
  });

  it('says that no cluster registered yet', () => {
    const none = chooseCluster(undefined, [], EXAMPLE, NOW);
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.message).toContain('No cluster has registered with jobwatch yet');
    const unknown = chooseCluster('east', [], EXAMPLE, NOW);
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.message).toContain('Unknown cluster `east`. No cluster has registered');
  });
});

describe('unreachableReason', () => {
  it('returns nothing for a live cluster', () => {
    expect(unreachableReason('east', [cluster('east')], NOW)).toBeUndefined();
  });

  it('says how long a lapsed cluster has not been seen', () => {
    const reason = unreachableReason('east', [cluster('east', { live: false, lastSeenAt: '2026-03-02T09:57:00Z' })], NOW);
    expect(reason).toBe(
      'Cluster `east` has not been seen for 3 minutes (last seen 2026-03-02 09:57 UTC), so nothing was queued. ' +
        'Its jobwatch watcher and worker are stopped or cannot reach Redis.',
    );
  });

  it('reads a last-seen time ahead of the clock as 0 seconds', () => {
    const reason = unreachableReason('east', [cluster('east', { live: false, lastSeenAt: '2026-03-02T10:05:00Z' })], NOW);
    expect(reason).toContain('has not been seen for 0 seconds');
  });

  it('names the known clusters for an unregistered one', () => {
    expect(unreachableReason('north', [cluster('east')], NOW)).toBe(
      'Cluster `north` is not registered with jobwatch, so nothing was queued. Known clusters: `east`.',
    );
  });
});

describe('listClusters', () => {
  it('marks the clusters not seen lately', () => {
    const listed = listClusters([cluster('east'), cluster('west', { live: false, lastSeenAt: '2026-03-02T08:00:00Z' })], NOW);
    expect(listed).toBe('`east`, `west` (not seen for 2 hours)');
  });
});
