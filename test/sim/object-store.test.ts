import { describe, expect, it } from 'vitest';
import { listObjects } from '../../src/sim/list.ts';
import { ObjectStore } from '../../src/sim/object-store.ts';
import { resourceTypes } from '../../src/sim/resources.ts';
import { StatusError } from '../../src/sim/status.ts';
import { job } from './builders.ts';

const jobs = resourceTypes.find((t) => t.plural === 'jobs')!;
const ref = (name: string) => ({ apiVersion: 'batch/v1', kind: 'Job', namespace: 'default', name });

function statusOf(action: () => unknown): StatusError {
  try {
    action();
  } catch (error) {
    if (error instanceof StatusError) return error;
    throw error;
  }
  throw new Error('expected a StatusError');
}

describe('ObjectStore', () => {
  it('assigns uid, increasing resourceVersions and creationTimestamp on create', () => {
    const store = new ObjectStore({ now: () => new Date('2026-03-01T10:00:00.500Z') });
    const a = store.create(job('a'));
    const b = store.create(job('b'));
    expect(a.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(b.metadata.resourceVersion)).toBe(Number(a.metadata.resourceVersion) + 1);
    expect(a.metadata.creationTimestamp).toBe('2026-03-01T10:00:00Z');
  });

  it('names an object from generateName', () => {
    const store = new ObjectStore();
    const made = store.create({ ...job('x'), metadata: { generateName: 'run-' } });
    expect(made.metadata.name).toMatch(/^run-[a-z0-9]{5}$/);
  });

  it('rejects a duplicate name with 409 AlreadyExists', () => {
    const store = new ObjectStore();
    store.create(job('a'));
    const error = statusOf(() => store.create(job('a')));
    expect(error.status.code).toBe(409);
    expect(error.status.reason).toBe('AlreadyExists');
    expect(error.status.message).toBe('jobs.batch "a" already exists');
  });

  it('rejects an update with a stale resourceVersion with 409 Conflict', () => {
    const store = new ObjectStore();
    const a = store.create(job('a'));
    store.update(a);
    const error = statusOf(() => store.update(a));
    expect(error.status.reason).toBe('Conflict');
  });

  it('replays changes after a resourceVersion in order', () => {
    const store = new ObjectStore();
    const start = store.create(job('a')).metadata.resourceVersion;
    store.create(job('b'));
    store.delete(ref('a'));
    const changes = store.changesSince(Number(start));
    expect(changes.map((c) => `${c.type} ${c.object.metadata.name}`)).toEqual(['ADDED b', 'DELETED a']);
  });

  it('returns 410 Expired for versions older than the bounded history', () => {
    const store = new ObjectStore({ historyLimit: 2 });
    const first = Number(store.create(job('a')).metadata.resourceVersion);
    store.create(job('b'));
    store.create(job('c'));
    store.create(job('d'));
    const error = statusOf(() => store.changesSince(first));
    expect(error.status.code).toBe(410);
    expect(error.status.reason).toBe('Expired');
    expect(error.status.message).toBe(`too old resource version: ${first} (${first + 1})`);
    expect(store.changesSince(first + 1)).toHaveLength(2);
  });

  it('rebuilds a past list from the history', () => {
    const store = new ObjectStore();
    store.create(job('a'));
    const rv = store.resourceVersion;
    store.create(job('b'));
    store.delete(ref('a'));
    expect(store.listAt(jobs, undefined, rv).map((o) => o.metadata.name)).toEqual(['a']);
    expect(store.list(jobs).map((o) => o.metadata.name)).toEqual(['b']);
  });

  it('makes every old resourceVersion unknown after renumber', () => {
    const store = new ObjectStore();
    const before = Number(store.create(job('a')).metadata.resourceVersion);
    store.renumber();
    const after = Number(store.get(ref('a'))?.metadata.resourceVersion);
    expect(after).toBeGreaterThan(before);
    expect(statusOf(() => store.changesSince(before)).status.code).toBe(410);
  });
});

describe('listObjects pagination', () => {
  it('pages with limit and continue over a consistent snapshot', () => {
    const store = new ObjectStore();
    for (const name of ['a', 'b', 'c', 'd', 'e']) store.create(job(name));
    const query = { labels: [], fields: [] };
    const first = listObjects(store, jobs, { ...query, limit: 2 });
    expect(first.items.map((o) => o.metadata.name)).toEqual(['a', 'b']);
    expect(first.metadata.remainingItemCount).toBe(3);
    store.delete(ref('c'));
    store.create(job('bb'));
    const second = listObjects(store, jobs, { ...query, limit: 2, continueToken: first.metadata.continue });
    expect(second.items.map((o) => o.metadata.name)).toEqual(['c', 'd']);
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    const third = listObjects(store, jobs, { ...query, limit: 2, continueToken: second.metadata.continue });
    expect(third.items.map((o) => o.metadata.name)).toEqual(['e']);
    expect(third.metadata.continue).toBeUndefined();
  });

  it('rejects a continue token older than the history with 410 Expired', () => {
    const store = new ObjectStore();
    for (const name of ['a', 'b', 'c']) store.create(job(name));
    const first = listObjects(store, jobs, { labels: [], fields: [], limit: 1 });
    store.create(job('d'));
    store.compact();
    const error = statusOf(() =>
      listObjects(store, jobs, { labels: [], fields: [], limit: 1, continueToken: first.metadata.continue }),
    );
    expect(error.status.code).toBe(410);
    expect(error.status.reason).toBe('Expired');
  });

  it('rejects a continue token it did not issue with 400', () => {
    const store = new ObjectStore();
    const error = statusOf(() => listObjects(store, jobs, { labels: [], fields: [], continueToken: 'bogus' }));
    expect(error.status.code).toBe(400);
  });
});
