import { afterEach, describe, expect, it } from 'vitest';
import type { AuthorizationAttributes } from '../../src/sim/index.ts';
import { jobManifest, startSimApi, type SimApi } from './sim-api.ts';

let api: SimApi | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

const jobs = '/apis/batch/v1/namespaces/default/jobs';

describe('authorize option', () => {
  it('asks about every request as the kubeconfig user', async () => {
    const asked: AuthorizationAttributes[] = [];
    api = await startSimApi({ runJobs: false, authorize: (attributes) => (asked.push(attributes), true) });
    await api.request('POST', jobs, jobManifest('nightly'));
    await api.request('GET', `${jobs}/nightly/status`);
    await api.request('GET', '/apis/batch/v1/jobs?watch=1&timeoutSeconds=1');
    expect(asked.map((a) => `${a.user} ${a.verb} ${a.resource}${a.subresource ? `/${a.subresource}` : ''} ${a.namespace ?? '-'} ${a.name ?? '-'}`)).toEqual([
      'system:admin create jobs default -',
      'system:admin get jobs/status default nightly',
      'system:admin watch jobs - -',
    ]);
    expect(asked[0]?.groups).toEqual(['system:masters', 'system:authenticated']);
    expect(asked[0]?.group).toBe('batch');
  });

  it('acts as the impersonated user and groups', async () => {
    const asked: AuthorizationAttributes[] = [];
    api = await startSimApi({ runJobs: false, authorize: (attributes) => (asked.push(attributes), true) });
    await api.request('GET', jobs, undefined, { headers: { 'impersonate-user': 'alice', 'impersonate-group': 'devs' } });
    expect(asked.map((a) => `${a.user} ${a.verb} ${a.resource} ${a.name ?? '-'}`)).toEqual([
      'system:admin impersonate users alice',
      'system:admin impersonate groups devs',
      'alice list jobs -',
    ]);
    expect(asked[2]?.groups).toEqual(['devs', 'system:authenticated']);
  });

  it('denies with the real 403 Status body', async () => {
    api = await startSimApi({ runJobs: false, authorize: (a) => a.user !== 'alice' });
    const { status, body } = await api.request('POST', jobs, jobManifest('nightly'), { headers: { 'impersonate-user': 'alice' } });
    expect(status).toBe(403);
    expect(body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'jobs.batch is forbidden: User "alice" cannot create resource "jobs" in API group "batch" in the namespace "default"',
      reason: 'Forbidden',
      details: { group: 'batch', kind: 'jobs' },
      code: 403,
    });
  });

  it('names the object and subresource of a denied request', async () => {
    api = await startSimApi({ runJobs: false, authorize: (a) => a.user !== 'alice' });
    const { body } = await api.request('GET', '/api/v1/namespaces/default/pods/nightly-x/log', undefined, { headers: { 'impersonate-user': 'alice' } });
    expect(body.message).toBe('pods "nightly-x" is forbidden: User "alice" cannot get resource "pods/log" in API group "" in the namespace "default"');
    expect(body.details).toEqual({ name: 'nightly-x', kind: 'pods' });
  });

  it('words an impersonation denial by whether the caller impersonated before', async () => {
    api = await startSimApi({ runJobs: false, authorize: (a) => a.verb !== 'impersonate' || a.name === 'alice' });
    const as = (user: string) => ({ headers: { 'impersonate-user': user } });
    const first = await api.request('GET', jobs, undefined, as('bob'));
    expect(first.status).toBe(403);
    expect(first.body.message).toBe(
      'jobs.batch is forbidden: User "system:admin" cannot impersonate-on:user-info:list resource "jobs" in API group "batch" in the namespace "default"',
    );
    expect((await api.request('GET', jobs, undefined, as('alice'))).status).toBe(200);
    const later = await api.request('GET', jobs, undefined, as('bob'));
    expect(later.body.message).toBe(
      'users "bob" is forbidden: User "system:admin" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
    expect(later.body.details).toEqual({ name: 'bob', kind: 'users' });
  });

  it('rejects a group impersonated without a user with 400', async () => {
    api = await startSimApi({ runJobs: false, authorize: () => true });
    const { status, body } = await api.request('GET', jobs, undefined, { headers: { 'impersonate-group': 'devs' } });
    expect(status).toBe(400);
    expect(body.message).toMatch(/Groups:\[\]string\{"devs"\}.* without impersonating a user name$/);
  });
});
