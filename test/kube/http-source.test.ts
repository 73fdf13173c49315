import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KubeApiError } from '../../src/kube/errors.ts';
import { createHttpListWatchSource } from '../../src/kube/http-source.ts';
import { loadKubeConfig } from '../../src/kube/kubeconfig.ts';
import { ListWatch } from '../../src/kube/list-watch.ts';
import type { ListWatchOptions } from '../../src/kube/list-watch.ts';
import type { RawObject } from '../../src/kube/list-watch-source.ts';
import { startSimCluster } from '../../src/sim/index.ts';
import type { SimCluster } from '../../src/sim/index.ts';
import { simJob } from './sim-objects.ts';

interface SlimJob {
  name: string;
  resourceVersion: string;
  failed: number;
}

function slimJob(raw: RawObject): SlimJob {
  const metadata = raw['metadata'] as { name: string; resourceVersion: string };
  const status = (raw['status'] ?? {}) as { failed?: number };
  const failed = status.failed ?? 0;
  return { name: metadata.name, resourceVersion: metadata.resourceVersion, failed };
}

let sim: SimCluster;
let watches: ListWatch<SlimJob>[];

beforeEach(async () => {
  sim = await startSimCluster({ bookmarkIntervalMs: 200 });
  watches = [];
});

afterEach(async () => {
  await Promise.all(watches.map((watch) => watch.stop()));
  await sim.stop();
});

/** Starts a ListWatch on the simulated cluster's Jobs, recording callbacks as strings. */
function watchJobs(overrides: Partial<ListWatchOptions<SlimJob>> = {}) {
  const events: string[] = [];
  const errors: Error[] = [];
  const kc = loadKubeConfig({ kubeconfig: sim.kubeconfigPath });
  const watch = new ListWatch<SlimJob>({
    source: createHttpListWatchSource(kc),
    path: '/apis/batch/v1/namespaces/etl/jobs',
    slim: slimJob,
    keyOf: (job) => job.name,
    logger: pino({ level: 'silent' }),
    baseDelayMs: 10,
    maxDelayMs: 50,
    onAdd: (job) => events.push(`add ${job.name}`),
    onUpdate: (_old, job) => events.push(`update ${job.name} failed=${job.failed}`),
    onDelete: (job) => events.push(`delete ${job.name}`),
    onSynced: () => events.push('synced'),
    onError: (err) => errors.push(err),
    ...overrides,
  });
  watches.push(watch);
  return { watch, events, errors };
}

function updateJob(name: string, failed: number): void {
  const job = sim.store.get({ apiVersion: 'batch/v1', kind: 'Job', namespace: 'etl', name });
  if (!job) throw new Error(`no Job ${name} in the simulated cluster`);
  sim.store.update({ ...job, status: { failed } });
}

function deleteJob(name: string): void {
  sim.store.delete({ apiVersion: 'batch/v1', kind: 'Job', namespace: 'etl', name });
}

describe('ListWatch over HTTP', () => {
  it('lists in pages and watches with a label selector', async () => {
    for (const name of ['a', 'b', 'c']) sim.store.create(simJob(name, { team: 'data' }));
    sim.store.create(simJob('other', { team: 'web' }));
    const { watch, events } = watchJobs({ labelSelector: 'team=data', pageSize: 2 });
    await watch.start();
    expect(events).toEqual(['add a', 'add b', 'add c', 'synced']);

    sim.store.create(simJob('d', { team: 'data' }));
    sim.store.create(simJob('ignored', { team: 'web' }));
    updateJob('a', 1);
    deleteJob('b');

    await vi.waitFor(() => expect(events).toContain('delete b'));
    expect(events.slice(4)).toEqual(['add d', 'update a failed=1', 'delete b']);
    expect(watch.list().map((job) => job.name).sort()).toEqual(['a', 'c', 'd']);
    const listQueries = sim.faults.requests.filter((request) => !request.query.includes('watch'));
    expect(listQueries.map((request) => new URLSearchParams(request.query).get('limit'))).toEqual([
      '2',
      '2',
    ]);
  });

  it('sends bookmarks and a timeout on the watch request', async () => {
    const { watch } = watchJobs();
    await watch.start();

    await vi.waitFor(() => expect(watch.stats().lastEventAt).toBeDefined());
    const watchRequest = sim.faults.requests.find((request) => request.query.includes('watch'));
    const query = new URLSearchParams(watchRequest?.query);
    expect(query.get('allowWatchBookmarks')).toBe('true');
    expect(Number(query.get('timeoutSeconds'))).toBeGreaterThanOrEqual(300);
    expect(Number(query.get('timeoutSeconds'))).toBeLessThanOrEqual(600);
  });

  it('re-lists after compaction and reports what it missed', async () => {
    for (const name of ['a', 'b', 'c']) sim.store.create(simJob(name));
    const { watch, events, errors } = watchJobs();
    await watch.start();
    await vi.waitFor(() => expect(sim.faults.requestCount(/watch=true/)).toBe(1));

    sim.faults.hangWatches();
    sim.faults.closeWatches();
    await vi.waitFor(() => expect(sim.faults.requestCount(/watch=true/)).toBe(2));
    deleteJob('a');
    updateJob('b', 2);
    sim.store.create(simJob('d'));
    sim.faults.compactHistory();
    sim.faults.releaseWatches();

    await vi.waitFor(() => expect(watch.stats().relists).toBe(1));
    expect(events.slice(4)).toEqual(['update b failed=2', 'add d', 'delete a', 'synced']);
    expect(errors.some((err) => err instanceof KubeApiError && err.code === 410)).toBe(true);
  });

  it('aborts a hung watch through the stall watchdog', async () => {
    const { watch, events } = watchJobs({ stallTimeoutMs: 300 });
    await watch.start();
    sim.faults.hangWatches();
    sim.faults.closeWatches();

    await vi.waitFor(() => expect(watch.stats().stalls).toBeGreaterThanOrEqual(1));
    sim.faults.releaseWatches();
    sim.store.create(simJob('after-stall'));

    await vi.waitFor(() => expect(events).toContain('add after-stall'));
    expect(watch.stats().relists).toBe(0);
  });

  it('backs off through 500s and then syncs', async () => {
    sim.store.create(simJob('a'));
    sim.faults.failNext('/apis/batch/v1/namespaces/etl/jobs', { code: 500, count: 3 });
    const delays: number[] = [];
    const { watch, events, errors } = watchJobs({
      sleep: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      },
    });
    await watch.start();

    expect(events).toEqual(['add a', 'synced']);
    expect(errors.map((err) => (err as KubeApiError).code)).toEqual([500, 500, 500]);
    expect(delays).toHaveLength(3);
    expect(watch.stats().restarts).toBe(3);
  });

  it('recovers from a server restart with new resourceVersions', async () => {
    for (const name of ['a', 'b']) sim.store.create(simJob(name));
    const { watch, events } = watchJobs();
    await watch.start();
    await vi.waitFor(() => expect(sim.faults.requestCount(/watch=true/)).toBe(1));

    sim.faults.restart({ renumber: true });

    await vi.waitFor(() => expect(watch.stats().relists).toBe(1));
    expect(events.slice(3)).toEqual(['update a failed=0', 'update b failed=0', 'synced']);
    sim.store.create(simJob('c'));
    await vi.waitFor(() => expect(events).toContain('add c'));
  });
});
