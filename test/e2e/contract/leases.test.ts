import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSame, normalise } from './compare.ts';
import { startTwin, type Twin, type TwinResponse } from './twin.ts';

/**
 * The Lease calls of leader election (create, get, update at a resourceVersion, delete)
 * give the same status codes and bodies on the real API server and the simulated one.
 */

let twin: Twin;

beforeAll(async () => {
  twin = await startTwin();
});
afterAll(async () => {
  await twin.close();
});

type Fields = Record<string, unknown>;
type LeaseBody = { metadata: Fields; spec: Fields };

/** Returns a normalised body without the managedFields that only the real server records. */
function comparable(body: unknown): unknown {
  const copy = structuredClone(body) as Fields;
  const metadata = copy['metadata'] as Fields | undefined;
  if (metadata !== undefined) delete metadata['managedFields'];
  return normalise(copy);
}

function expectSameResponse(request: string, response: TwinResponse): void {
  expectSame(request, { code: response.real.status, body: comparable(response.real.body) }, { code: response.sim.status, body: comparable(response.sim.body) });
}

function lease(ns: string, holder: string, transitions: number): LeaseBody {
  return {
    metadata: { name: 'jobwatch-watcher-default', namespace: ns, labels: { 'app.kubernetes.io/name': 'jobwatch' } },
    spec: {
      holderIdentity: holder,
      leaseDurationSeconds: 15,
      acquireTime: '2026-01-01T12:00:00.000000Z',
      renewTime: '2026-01-01T12:00:02.123456Z',
      leaseTransitions: transitions,
    },
  };
}

function withVersion(body: LeaseBody, resourceVersion: unknown): Fields {
  return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', ...body, metadata: { ...body.metadata, resourceVersion } };
}

describe('Lease calls of leader election', () => {
  it('create, get, renew and release', async () => {
    const ns = await twin.namespace('c-lease');
    const collection = `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`;
    const path = `${collection}/jobwatch-watcher-default`;
    expectSameResponse('GET a missing Lease', await twin.both('GET', path));

    const created = await twin.both<LeaseBody>('POST', collection, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', ...lease(ns, 'pod-a_1f2e', 0) });
    expectSameResponse('POST a Lease', created);
    expectSameResponse('GET the Lease', await twin.both('GET', path));

    const renew = (body: LeaseBody) => withVersion({ ...lease(ns, 'pod-a_1f2e', 0), spec: { ...lease(ns, 'pod-a_1f2e', 0).spec, renewTime: '2026-01-01T12:00:04.000001Z' } }, body.metadata['resourceVersion']);
    const real = await twin.real.request('PUT', path, renew(created.real.body));
    const sim = await twin.sim.request('PUT', path, renew(created.sim.body));
    expectSameResponse('PUT a renewal at the current resourceVersion', { real, sim });

    const release = (body: LeaseBody) => withVersion({ ...lease(ns, '', 0), spec: { ...lease(ns, '', 0).spec, leaseDurationSeconds: 1 } }, body.metadata['resourceVersion']);
    const released = { real: await twin.real.request('PUT', path, release(real.body as LeaseBody)), sim: await twin.sim.request('PUT', path, release(sim.body as LeaseBody)) };
    expectSameResponse('PUT a release with an empty holder', released);
    expect((released.sim.body as LeaseBody).spec['holderIdentity']).toBe('');

    expectSameResponse('DELETE the Lease', await twin.both('DELETE', path));
  });

  it('409 for a second create and for an update at a stale resourceVersion', async () => {
    const ns = await twin.namespace('c-lease-409');
    const collection = `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`;
    const path = `${collection}/jobwatch-watcher-default`;
    const body = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', ...lease(ns, 'pod-a_1f2e', 0) };
    const created = await twin.callBoth<LeaseBody>('POST', collection, body);
    expectSameResponse('POST an existing Lease', await twin.both('POST', collection, body));

    // Replica b takes the Lease first; replica a's renewal then carries a stale version.
    const takeover = (current: LeaseBody) => withVersion(lease(ns, 'pod-b_9c8d', 1), current.metadata['resourceVersion']);
    await twin.real.call('PUT', path, takeover(created.real));
    await twin.sim.call('PUT', path, takeover(created.sim));
    const stale = (current: LeaseBody) => withVersion(lease(ns, 'pod-a_1f2e', 0), current.metadata['resourceVersion']);
    const conflict = { real: await twin.real.request('PUT', path, stale(created.real)), sim: await twin.sim.request('PUT', path, stale(created.sim)) };
    expectSameResponse('PUT at a stale resourceVersion', conflict);
    expect(conflict.sim.status).toBe(409);
  });
});
