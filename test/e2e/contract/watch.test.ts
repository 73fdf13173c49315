import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../support/harness.ts';
import type { KubeClient } from '../support/kube-client.ts';
import { expectSame, normalise } from './compare.ts';
import { projectObject, startTwin, type Twin } from './twin.ts';

interface WatchEvent {
  type: string;
  object: Record<string, unknown>;
}

let twin: Twin;

beforeAll(async () => {
  twin = await startTwin();
});
afterAll(async () => {
  await twin.close();
});

function configMap(ns: string, name: string, value: string): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { value } };
}

async function listVersion(client: KubeClient, path: string): Promise<string> {
  const list = await client.call<{ metadata: { resourceVersion: string } }>('GET', path);
  return list.metadata.resourceVersion;
}

/** Collects every event of a watch until the server ends it. */
async function collect(client: KubeClient, path: string): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  await client.watch(path, (event) => events.push(event), AbortSignal.timeout(60_000));
  return events;
}

/** Creates, patches and deletes one ConfigMap on one server. */
async function writeThreeTimes(client: KubeClient, ns: string): Promise<void> {
  await client.call('POST', `/api/v1/namespaces/${ns}/configmaps`, configMap(ns, 'settings', 'a'));
  await client.call('PATCH', `/api/v1/namespaces/${ns}/configmaps/settings`, { data: { value: 'b' } }, 'application/merge-patch+json');
  await client.call('DELETE', `/api/v1/namespaces/${ns}/configmaps/settings`);
}

/** Event types and objects, without bookmarks, which only one of the servers sends here. */
function shape(events: WatchEvent[]): unknown {
  return normalise(
    events.filter((e) => e.type !== 'BOOKMARK').map((e) => ({ type: e.type, object: projectObject(e.object, ['data']) })),
  );
}

describe('watch', () => {
  it('streams ADDED, MODIFIED and DELETED from a resourceVersion until timeoutSeconds', async () => {
    const ns = await twin.namespace('c-watch');
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const seen: Record<'real' | 'sim', WatchEvent[]> = { real: [], sim: [] };
    for (const side of ['real', 'sim'] as const) {
      const client = twin[side];
      const rv = await listVersion(client, path);
      const watching = collect(client, `${path}?watch=true&resourceVersion=${rv}&timeoutSeconds=3&allowWatchBookmarks=true`);
      await writeThreeTimes(client, ns);
      seen[side] = await watching;
    }
    expectSame('watch events', shape(seen.real), shape(seen.sim));
    for (const side of ['real', 'sim'] as const) {
      const versions = seen[side].filter((e) => e.type !== 'BOOKMARK').map((e) => Number(e.object['metadata'] && (e.object['metadata'] as { resourceVersion: string }).resourceVersion));
      expect(versions, `${side} resourceVersions rise`).toEqual([...versions].sort((a, b) => a - b));
      // Bookmarks, when a server sends them, carry only kind, apiVersion and a resourceVersion.
      for (const bookmark of seen[side].filter((e) => e.type === 'BOOKMARK')) {
        expect(Object.keys(bookmark.object).sort()).toEqual(['apiVersion', 'kind', 'metadata']);
      }
    }
  });

  it('resumes from a resourceVersion and replays the later changes', async () => {
    const ns = await twin.namespace('c-resume');
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const seen: Record<'real' | 'sim', WatchEvent[]> = { real: [], sim: [] };
    for (const side of ['real', 'sim'] as const) {
      const client = twin[side];
      const rv = await listVersion(client, path);
      await writeThreeTimes(client, ns);
      seen[side] = await collect(client, `${path}?watch=true&resourceVersion=${rv}&timeoutSeconds=1`);
    }
    expectSame('replayed events', shape(seen.real), shape(seen.sim));
  });

  it('sends one 410 Expired ERROR event for a compacted resourceVersion', async () => {
    const ns = await twin.namespace('c-expired');
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const realRv = await listVersion(twin.real, path);
    const simRv = await listVersion(twin.sim, path);
    // The real server compacts etcd every 5 s; writes move the head past the old version.
    await eventually(async () => {
      await writeThreeTimes(twin.real, ns);
      const probe = await twin.real.request('GET', `${path}?resourceVersion=${realRv}&resourceVersionMatch=Exact`);
      return probe.status === 410 ? true : undefined;
    }, 'the real server compacts the old resourceVersion', 60_000);
    await writeThreeTimes(twin.sim, ns);
    twin.simCluster.faults.compactHistory();
    const real = await collect(twin.real, `${path}?watch=true&resourceVersion=${realRv}&timeoutSeconds=5`);
    const sim = await collect(twin.sim, `${path}?watch=true&resourceVersion=${simRv}&timeoutSeconds=5`);
    // Without its watch cache (--watch-cache=false) the real server words the message as
    // etcd does; with it, as the simulated cluster does. Everything else must match.
    const framed = (events: WatchEvent[]) =>
      normalise(events.map((e) => ({ ...e, object: { ...e.object, message: '<too old>' } })));
    expectSame('watch from a compacted resourceVersion', framed(real), framed(sim));
    expect(real[0]?.object['message']).toBe('The resourceVersion for the provided watch is too old.');
    expect(sim[0]?.object['message']).toMatch(/^too old resource version: \d+ \(\d+\)$/);
  });
});
