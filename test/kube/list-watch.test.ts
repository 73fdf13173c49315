import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sleep as timerSleep } from '../../src/kube/backoff.ts';
import { KubeApiError } from '../../src/kube/errors.ts';
import { ListWatch } from '../../src/kube/list-watch.ts';
import type { ListWatchOptions } from '../../src/kube/list-watch.ts';
import type { RawObject } from '../../src/kube/list-watch-source.ts';
import {
  ScriptedSource,
  added,
  bookmark,
  deleted,
  expired,
  failWith,
  hangUntilAborted,
  modified,
  page,
  rawJob,
  sendThenHang,
} from './fake-source.ts';

interface SlimJob {
  name: string;
  uid: string;
  failed: number;
  resourceVersion: string;
}

function slimJob(raw: RawObject): SlimJob {
  const metadata = raw['metadata'] as Record<string, string>;
  const status = raw['status'] as { failed: number };
  return {
    name: metadata['name'] ?? '',
    uid: metadata['uid'] ?? '',
    failed: status.failed,
    resourceVersion: metadata['resourceVersion'] ?? '',
  };
}

const running: ListWatch<SlimJob>[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((watch) => watch.stop()));
});

/** Starts a ListWatch over the source and records every callback as a short string. */
function harness(source: ScriptedSource, overrides: Partial<ListWatchOptions<SlimJob>> = {}) {
  const events: string[] = [];
  const errors: Error[] = [];
  const delays: number[] = [];
  const watch = new ListWatch<SlimJob>({
    source,
    path: '/apis/batch/v1/jobs',
    slim: slimJob,
    keyOf: (job) => job.uid,
    logger: pino({ level: 'silent' }),
    random: () => 0.5,
    sleep: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
    onAdd: (job) => events.push(`add ${job.name}@${job.resourceVersion}`),
    onUpdate: (old, job) =>
      events.push(`update ${job.name}@${old.resourceVersion}->${job.resourceVersion}`),
    onDelete: (job) => events.push(`delete ${job.name}@${job.resourceVersion}`),
    onSynced: () => events.push('synced'),
    onError: (err) => errors.push(err),
    ...overrides,
  });
  running.push(watch);
  return { watch, events, errors, delays };
}

describe('ListWatch list phase', () => {
  it('pages the list, then watches from its version', async () => {
    const source = new ScriptedSource().onList(
      page('100', [rawJob('a', '90')], 'token-1'),
      page('100', [rawJob('b', '95')]),
    );
    const { watch, events } = harness(source, { pageSize: 1, labelSelector: 'team=data' });
    await watch.start();

    expect(events).toEqual(['add a@90', 'add b@95', 'synced']);
    expect(source.listRequests.map((request) => request.continueToken)).toEqual([
      undefined,
      'token-1',
    ]);
    expect(source.listRequests[0]?.limit).toBe(1);
    await vi.waitFor(() => expect(source.watchRequests).toHaveLength(1));
    const request = source.watchRequests[0];
    expect(request?.resourceVersion).toBe('100');
    expect(request?.allowWatchBookmarks).toBe(true);
    expect(request?.labelSelector).toBe('team=data');
    expect(request?.timeoutSeconds).toBeGreaterThanOrEqual(300);
    expect(request?.timeoutSeconds).toBeLessThanOrEqual(600);
    expect(watch.stats()).toMatchObject({ objects: 2, relists: 0, synced: true });
  });

  it('restarts the list on an expired continue token', async () => {
    const source = new ScriptedSource().onList(
      page('100', [rawJob('a', '90')], 'token-1'),
      failWith(410, 'Expired'),
      page('200', [rawJob('a', '150')], 'token-2'),
      page('200', [rawJob('b', '160')]),
    );
    const { watch, events, delays } = harness(source, { pageSize: 1 });
    await watch.start();

    expect(source.listRequests.map((request) => request.continueToken)).toEqual([
      undefined,
      'token-1',
      undefined,
      'token-2',
    ]);
    expect(events).toEqual(['add a@150', 'add b@160', 'synced']);
    expect(delays).toEqual([]);
    await vi.waitFor(() => expect(source.watchRequests[0]?.resourceVersion).toBe('200'));
  });
});

describe('ListWatch watch phase', () => {
  it('applies watch events to the cache', async () => {
    const source = new ScriptedSource()
      .onList(page('10', [rawJob('a', '5')]))
      .onWatch(
        sendThenHang([
          added(rawJob('b', '11')),
          modified(rawJob('a', '12', 1)),
          deleted(rawJob('b', '13')),
        ]),
      );
    const { watch, events } = harness(source);
    await watch.start();

    await vi.waitFor(() => expect(events).toHaveLength(5));
    expect(events).toEqual(['add a@5', 'synced', 'add b@11', 'update a@5->12', 'delete b@13']);
    expect(watch.get('uid-a')?.failed).toBe(1);
    expect(watch.get('uid-b')).toBeUndefined();
    expect(watch.list().map((job) => job.name)).toEqual(['a']);
  });

  it('resumes from the last version after a clean end', async () => {
    const source = new ScriptedSource()
      .onList(page('10', [rawJob('a', '5')]))
      .onWatch([modified(rawJob('a', '12', 1))]);
    const { watch, delays } = harness(source);
    await watch.start();

    await vi.waitFor(() => expect(source.watchRequests).toHaveLength(2));
    expect(source.watchRequests[1]?.resourceVersion).toBe('12');
    expect(source.listRequests).toHaveLength(1);
    expect(delays).toEqual([]);
    expect(watch.stats()).toMatchObject({ resumes: 1, restarts: 0, relists: 0 });
  });

  it('advances the version on bookmarks', async () => {
    const source = new ScriptedSource()
      .onList(page('10', [rawJob('a', '5')]))
      .onWatch([bookmark('40'), bookmark('55')]);
    const { watch, events } = harness(source, { now: () => 1_700_000_000_000 });
    await watch.start();

    await vi.waitFor(() => expect(source.watchRequests).toHaveLength(2));
    expect(source.watchRequests[1]?.resourceVersion).toBe('55');
    expect(events).toEqual(['add a@5', 'synced']);
    expect(watch.stats().lastEventAt).toBe(1_700_000_000_000);
  });
});

describe('ListWatch after 410 Gone', () => {
  it('reconciles adds, updates and deletes', async () => {
    const source = new ScriptedSource()
      .onList(
        page('10', [rawJob('a', '5'), rawJob('b', '6'), rawJob('c', '7')]),
        page('30', [rawJob('a', '5'), rawJob('b', '25', 1), rawJob('d', '26')]),
      )
      .onWatch([bookmark('20'), expired('20')]);
    const { watch, events, errors, delays } = harness(source);
    await watch.start();

    await vi.waitFor(() => expect(source.listRequests).toHaveLength(2));
    await vi.waitFor(() => expect(events.filter((event) => event === 'synced')).toHaveLength(2));
    expect(events.slice(4)).toEqual(['update b@6->25', 'add d@26', 'delete c@7', 'synced']);
    expect(watch.list().map((job) => job.name).sort()).toEqual(['a', 'b', 'd']);
    expect(errors[0]).toBeInstanceOf(KubeApiError);
    expect((errors[0] as KubeApiError).code).toBe(410);
    expect(delays).toEqual([]);
    await vi.waitFor(() => expect(source.watchRequests[1]?.resourceVersion).toBe('30'));
    expect(watch.stats()).toMatchObject({ relists: 1, restarts: 1, objects: 3 });
  });

  it('reports unchanged objects when configured', async () => {
    const source = new ScriptedSource()
      .onList(page('10', [rawJob('a', '5')]), page('30', [rawJob('a', '5')]))
      .onWatch([bookmark('20'), expired('20')]);
    const { watch, events } = harness(source, { emitUnchangedOnRelist: true });
    await watch.start();

    await vi.waitFor(() => expect(events.filter((event) => event === 'synced')).toHaveLength(2));
    expect(events).toEqual(['add a@5', 'synced', 'update a@5->5', 'synced']);
  });

  it('re-lists on a 410 watch response', async () => {
    const source = new ScriptedSource()
      .onList(page('10', [rawJob('a', '5')]), page('30', []))
      .onWatch([bookmark('20')], failWith(410, 'Expired'));
    const { watch, events } = harness(source);
    await watch.start();

    await vi.waitFor(() => expect(events).toContain('delete a@5'));
    expect(source.listRequests).toHaveLength(2);
  });

  it('re-lists at once on a 410 that follows a dropped connection', async () => {
    const source = new ScriptedSource()
      .onList(page('10', [rawJob('a', '5')]), page('30', []))
      .onWatch(failWith(503), [expired('10')]);
    const { watch, events, delays } = harness(source);
    await watch.start();

    await vi.waitFor(() => expect(events).toContain('delete a@5'));
    expect(source.listRequests).toHaveLength(2);
    expect(delays).toEqual([750]);
  });

  it('backs off on a repeated 410', async () => {
    const source = new ScriptedSource()
      .onList(page('10', []), page('11', []), page('12', []))
      .onWatch([expired('10')], [expired('11')]);
    const { watch, delays } = harness(source);
    await watch.start();

    await vi.waitFor(() => expect(source.listRequests).toHaveLength(3));
    expect(delays).toEqual([1_500]);
  });
});

describe('ListWatch failure handling', () => {
  it('caps exponential backoff on repeated 500s', async () => {
    const source = new ScriptedSource().onList(
      ...Array.from({ length: 7 }, () => failWith(500)),
      page('10', []),
    );
    const { watch, errors, delays } = harness(source, { baseDelayMs: 1_000, maxDelayMs: 30_000 });
    await watch.start();

    expect(delays).toEqual([750, 1_500, 3_000, 6_000, 12_000, 22_500, 22_500]);
    expect(errors).toHaveLength(7);
    expect(errors.every((err) => (err as KubeApiError).code === 500)).toBe(true);
    expect(watch.stats().restarts).toBe(7);
  });

  it('jitters delays in the upper half', async () => {
    const draws = [0, 0.99, 0.25];
    const failures = [failWith(503), failWith(503), failWith(503)];
    const source = new ScriptedSource().onList(...failures, page('1', []));
    const { watch, delays } = harness(source, { random: () => draws.shift() ?? 0 });
    await watch.start();

    expect(delays).toEqual([500, 1_990, 2_500]);
  });

  it('resolves start on 403 and syncs once access is granted', async () => {
    const source = new ScriptedSource().onList(failWith(403, 'Forbidden'), page('10', [rawJob('a', '5')]));
    let grant: () => void = () => {};
    const granted = new Promise<void>((resolve) => (grant = resolve));
    const { watch, events } = harness(source, { sleep: () => granted });
    await watch.start();

    expect(watch.stats().synced).toBe(false);
    expect(events).toEqual([]);
    grant();
    await vi.waitFor(() => expect(events).toEqual(['add a@5', 'synced']));
    expect(watch.stats().synced).toBe(true);
  });

  it('resets backoff after a watch event', async () => {
    const source = new ScriptedSource()
      .onList(failWith(500), failWith(500), page('10', []))
      .onWatch(failWith(500), [added(rawJob('a', '11'))], failWith(500));
    const { watch, delays } = harness(source);
    await watch.start();

    await vi.waitFor(() => expect(delays).toHaveLength(4));
    expect(delays).toEqual([750, 1_500, 3_000, 750]);
    expect(source.watchRequests[2]?.resourceVersion).toBe('11');
  });

  it('resumes a stalled watch from its version', async () => {
    const source = new ScriptedSource()
      .onList(page('10', []))
      .onWatch(sendThenHang([added(rawJob('a', '11'))]), sendThenHang([]));
    const { watch, errors } = harness(source, { stallTimeoutMs: 20 });
    await watch.start();

    await vi.waitFor(() => expect(source.watchRequests).toHaveLength(3));
    expect(source.watchRequests[0]?.signal.aborted).toBe(true);
    expect(source.watchRequests[1]?.resourceVersion).toBe('11');
    expect(source.listRequests).toHaveLength(1);
    expect((errors[0] as KubeApiError).reason).toBe('WatchStalled');
    expect(watch.stats().stalls).toBeGreaterThanOrEqual(2);
  });

  it('retries a list page that hangs', async () => {
    const source = new ScriptedSource().onList(
      (request) => hangUntilAborted(request.signal),
      page('10', [rawJob('a', '5')]),
    );
    const { watch, events, errors } = harness(source, { stallTimeoutMs: 20 });
    await watch.start();

    expect(events).toEqual(['add a@5', 'synced']);
    expect(source.listRequests[0]?.signal.aborted).toBe(true);
    expect((errors[0] as KubeApiError).code).toBeUndefined();
  });

  it('backs off on instantly closed watches', async () => {
    const source = new ScriptedSource().onList(page('10', [])).onWatch([], []);
    const { watch, errors, delays } = harness(source, { now: () => 5_000 });
    await watch.start();

    await vi.waitFor(() => expect(delays).toHaveLength(2));
    expect((errors[0] as KubeApiError).reason).toBe('WatchClosedEarly');
    expect(delays).toEqual([750, 1_500]);
  });

  it('stops during a long backoff', async () => {
    const source = new ScriptedSource().onList(failWith(500));
    const { watch, errors } = harness(source, {
      baseDelayMs: 3_600_000,
      sleep: timerSleep,
    });
    const started = watch.start();
    await vi.waitFor(() => expect(errors).toHaveLength(1));

    await watch.stop();
    await started;
    expect(source.listRequests).toHaveLength(1);
    expect(watch.stats().synced).toBe(false);
  });

  it('aborts the open watch request on stop', async () => {
    const source = new ScriptedSource().onList(page('10', []));
    const { watch } = harness(source);
    await watch.start();
    await vi.waitFor(() => expect(source.watchRequests).toHaveLength(1));

    await watch.stop();
    expect(source.watchRequests[0]?.signal.aborted).toBe(true);
  });

  it('counts a throwing handler and keeps watching', async () => {
    const source = new ScriptedSource()
      .onList(page('10', []))
      .onWatch(sendThenHang([added(rawJob('a', '11')), added(rawJob('b', '12'))]));
    const seen: string[] = [];
    const { watch, errors } = harness(source, {
      onAdd: (job) => {
        seen.push(job.name);
        if (job.name === 'a') throw new Error('handler bug');
      },
    });
    await watch.start();

    await vi.waitFor(() => expect(seen).toEqual(['a', 'b']));
    expect(errors.map((err) => err.message)).toEqual(['handler bug']);
    expect(watch.stats()).toMatchObject({ handlerErrors: 1, objects: 2, restarts: 0 });
  });

  it('drops objects that slim rejects and counts them', async () => {
    const withoutStatus = { metadata: { uid: 'x' } };
    const source = new ScriptedSource().onList(page('10', [withoutStatus, rawJob('a', '5')]));
    const { watch, events, errors } = harness(source);
    await watch.start();

    expect(events).toEqual(['add a@5', 'synced']);
    expect(errors).toHaveLength(1);
    expect(watch.stats().droppedEvents).toBe(1);
  });
});

describe('ListWatch namespaces', () => {
  it('runs one loop per namespace and merges their caches', async () => {
    const source = new ScriptedSource().onList(
      page('10', [rawJob('a', '5')]),
      page('20', [rawJob('b', '6')]),
    );
    const { watch } = harness(source, {
      path: '/apis/batch/v1/namespaces/{namespace}/jobs',
      namespaces: ['team-a', 'team-b'],
    });
    await watch.start();

    const paths = source.listRequests.map((request) => request.path).sort();
    expect(paths).toEqual([
      '/apis/batch/v1/namespaces/team-a/jobs',
      '/apis/batch/v1/namespaces/team-b/jobs',
    ]);
    expect(watch.list().map((job) => job.name).sort()).toEqual(['a', 'b']);
    expect(watch.stats()).toMatchObject({ objects: 2, synced: true });
  });

  it('rejects a path without the namespace placeholder', () => {
    const source = new ScriptedSource();
    expect(() => harness(source, { namespaces: ['team-a'] })).toThrow(/\{namespace\} placeholder/);
  });
});
