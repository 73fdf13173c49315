import { afterAll, beforeAll, describe, it } from 'vitest';
import { expectSame, normalise } from './compare.ts';
import { eventAbout, strandedPod, suspendedCronJob, suspendedJob } from './manifests.ts';
import { projectObject, startTwin, type Twin } from './twin.ts';

interface ListBody {
  kind?: string;
  apiVersion?: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: unknown[];
}

let twin: Twin;

beforeAll(async () => {
  twin = await startTwin();
});
afterAll(async () => {
  await twin.close();
});

/** Decodes a continue token, replacing the resourceVersion it carries as `normalise` does. */
function decodeToken(token: string): unknown {
  const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { ...decoded, rv: typeof decoded['rv'] === 'number' && decoded['rv'] > 0 ? '<rv>' : decoded['rv'] };
}

/** A list with its items projected to what both servers must agree on, and its token decoded. */
function listShape(body: ListBody, fields: readonly string[] = []): unknown {
  const token = body.metadata.continue;
  const decoded = token === undefined ? undefined : decodeToken(token);
  return normalise({
    kind: body.kind,
    apiVersion: body.apiVersion,
    metadata: { ...body.metadata, ...(decoded === undefined ? {} : { continue: decoded }) },
    items: body.items.map((item) => projectObject(item, fields)),
  });
}

async function expectSameList(path: string, fields: readonly string[] = []): Promise<void> {
  const { real, sim } = await twin.both<ListBody>('GET', path);
  expectSame(`GET ${path}`, { status: real.status, list: listShape(real.body, fields) }, {
    status: sim.status,
    list: listShape(sim.body, fields),
  });
}

async function seedPods(ns: string): Promise<void> {
  const pods = [
    strandedPod(ns, 'report-a', { app: 'report', tier: 'batch' }),
    strandedPod(ns, 'report-b', { app: 'report', tier: 'web', canary: 'true' }),
    strandedPod(ns, 'ingest-1', { app: 'ingest', tier: 'batch' }),
    strandedPod(ns, 'ingest-10', { app: 'ingest' }),
    strandedPod(ns, 'ingest-2', {}),
  ];
  for (const pod of pods) await twin.callBoth('POST', `/api/v1/namespaces/${ns}/pods`, pod);
}

describe('lists', () => {
  it('lists jobs, pods, cronjobs and events in one namespace and in all', async () => {
    const ns = await twin.namespace('c-list');
    await seedPods(ns);
    for (const name of ['nightly', 'hourly']) {
      await twin.callBoth('POST', `/apis/batch/v1/namespaces/${ns}/jobs`, suspendedJob(ns, name, { team: 'data' }));
    }
    await twin.callBoth('POST', `/apis/batch/v1/namespaces/${ns}/cronjobs`, suspendedCronJob(ns, 'backup'));
    await expectSameList(`/api/v1/namespaces/${ns}/pods`);
    await expectSameList(`/apis/batch/v1/namespaces/${ns}/jobs?labelSelector=team%3Ddata`);
    await expectSameList(`/apis/batch/v1/namespaces/${ns}/cronjobs`);
    await expectSameList(`/apis/batch/v1/jobs?fieldSelector=metadata.namespace%3D${ns}`);
    await expectSameList(`/api/v1/pods?labelSelector=app%3Dreport,tier%3Dbatch&fieldSelector=metadata.namespace%3D${ns}`);
  });

  it('pages with limit and continue in etcd key order', async () => {
    const ns = await twin.namespace('c-page');
    await seedPods(ns);
    for (const path of [
      `/api/v1/namespaces/${ns}/pods?limit=2`,
      `/api/v1/namespaces/${ns}/pods?limit=5`,
      `/api/v1/namespaces/${ns}/pods?limit=2&labelSelector=app`,
      `/api/v1/namespaces/${ns}/pods?limit=1&labelSelector=tier%3Dweb`,
    ]) {
      await expectSameList(path);
    }
    // Follow each server's own tokens to the end and compare every page.
    const pages: { real: unknown[]; sim: unknown[] } = { real: [], sim: [] };
    for (const side of ['real', 'sim'] as const) {
      const client = twin[side];
      let token: string | undefined;
      do {
        const query = token === undefined ? '' : `&continue=${token}`;
        const body = await client.call<ListBody>('GET', `/api/v1/namespaces/${ns}/pods?limit=2${query}`);
        pages[side].push(listShape(body));
        token = body.metadata.continue;
      } while (token !== undefined);
    }
    expectSame('paged pod list', pages.real, pages.sim);
  });

  it('selects pods by equality, set-based and negated label requirements', async () => {
    const ns = await twin.namespace('c-labels');
    await seedPods(ns);
    for (const selector of [
      'app=report',
      'app==ingest',
      'app!=report',
      'tier in (batch,web)',
      'tier notin (batch)',
      'canary',
      '!canary',
      '!tier,app',
      'app in (report),!canary',
    ]) {
      await expectSameList(`/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selector)}`);
    }
  });

  it('selects pods by spec.nodeName, status.phase and metadata.name', async () => {
    const ns = await twin.namespace('c-podfields');
    await seedPods(ns);
    for (const selector of [
      'spec.nodeName=nowhere',
      'spec.nodeName!=nowhere',
      'status.phase=Pending',
      'metadata.name=report-b',
      'metadata.name!=report-b,spec.nodeName=nowhere',
    ]) {
      await expectSameList(`/api/v1/namespaces/${ns}/pods?fieldSelector=${encodeURIComponent(selector)}`);
    }
  });

  it('selects events by involvedObject uid, name and kind', async () => {
    const ns = await twin.namespace('c-events');
    const jobs = await twin.callBoth<{ metadata: { uid: string } }>(
      'POST',
      `/apis/batch/v1/namespaces/${ns}/jobs`,
      suspendedJob(ns, 'nightly'),
    );
    for (const side of ['real', 'sim'] as const) {
      const involved = { kind: 'Job', name: 'nightly', uid: jobs[side].metadata.uid, apiVersion: 'batch/v1' };
      const other = { kind: 'Pod', name: 'nightly', uid: '00000000-0000-4000-8000-000000000001', apiVersion: 'v1' };
      await twin[side].call('POST', `/api/v1/namespaces/${ns}/events`, eventAbout(ns, 'nightly.a', involved, 'ContractCheck'));
      await twin[side].call('POST', `/api/v1/namespaces/${ns}/events`, eventAbout(ns, 'nightly.b', other, 'ContractCheck'));
    }
    const uids = { real: jobs.real.metadata.uid, sim: jobs.sim.metadata.uid };
    const fields = ['involvedObject', 'reason'];
    // The real job controller writes events about the Job too, so each selector also names
    // the reason only these test events carry.
    const events = `/api/v1/namespaces/${ns}/events?fieldSelector=reason%3DContractCheck`;
    await expectSameList(`${events},involvedObject.kind%3DPod`, fields);
    await expectSameList(`${events},involvedObject.name%3Dnightly`, fields);
    for (const side of ['real', 'sim'] as const) {
      // jobwatch's own selector, with its escaping, for the Job's uid on each server.
      const selector = `involvedObject.kind=Job,involvedObject.name=nightly,involvedObject.uid=${uids[side]},reason=ContractCheck`;
      const body = await twin[side].call<ListBody>('GET', `/api/v1/namespaces/${ns}/events?fieldSelector=${encodeURIComponent(selector)}`);
      expectSame(`${side} events of the Job`, ['nightly.a'], body.items.map((item) => (item as { metadata: { name: string } }).metadata.name));
    }
  });

  it('lists nodes by name', async () => {
    const ns = await twin.namespace('c-nodes');
    const name = `${ns}-node`.slice(0, 63);
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { pool: 'contract' } } };
    await twin.callBoth('POST', '/api/v1/nodes', node);
    try {
      await expectSameList(`/api/v1/nodes?fieldSelector=metadata.name%3D${name}`);
      await expectSameList(`/api/v1/nodes?labelSelector=pool%3Dcontract&fieldSelector=spec.unschedulable%3Dfalse`);
    } finally {
      await twin.both('DELETE', `/api/v1/nodes/${name}`);
    }
  });
});
