import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSame, normalise } from './compare.ts';
import { strandedPod, suspendedJob } from './manifests.ts';
import { startTwin, type Twin, type TwinResponse } from './twin.ts';

let twin: Twin;

beforeAll(async () => {
  twin = await startTwin();
});
afterAll(async () => {
  await twin.close();
});

/** Compares the status code and the whole normalised Status body of both responses. */
function expectSameStatus(what: string, response: TwinResponse): void {
  expectSame(what, { code: response.real.status, body: normalise(response.real.body) }, {
    code: response.sim.status,
    body: normalise(response.sim.body),
  });
}

describe('error Status bodies', () => {
  it('404 for a missing Job and a missing Pod', async () => {
    const ns = await twin.namespace('c-err-404');
    expectSameStatus('GET missing job', await twin.both('GET', `/apis/batch/v1/namespaces/${ns}/jobs/nightly`));
    expectSameStatus('GET missing pod', await twin.both('GET', `/api/v1/namespaces/${ns}/pods/nightly-x7k2p`));
  });

  it('404 for the logs of a deleted pod', async () => {
    const ns = await twin.namespace('c-err-gone');
    await twin.callBoth('POST', `/api/v1/namespaces/${ns}/pods`, strandedPod(ns, 'gone'));
    await twin.callBoth('DELETE', `/api/v1/namespaces/${ns}/pods/gone?gracePeriodSeconds=0`);
    expectSameStatus('GET logs of a deleted pod', await twin.both('GET', `/api/v1/namespaces/${ns}/pods/gone/log`));
  });

  it('409 AlreadyExists when a Job name is taken', async () => {
    const ns = await twin.namespace('c-err-exists');
    await twin.callBoth('POST', `/apis/batch/v1/namespaces/${ns}/jobs`, suspendedJob(ns, 'nightly'));
    const again = await twin.both('POST', `/apis/batch/v1/namespaces/${ns}/jobs`, suspendedJob(ns, 'nightly'));
    expectSameStatus('POST an existing job', again);
  });

  it('409 Conflict on an update with a stale resourceVersion', async () => {
    const ns = await twin.namespace('c-err-conflict');
    const created = await twin.callBoth<{ metadata: Record<string, unknown> }>(
      'POST',
      `/apis/batch/v1/namespaces/${ns}/jobs`,
      suspendedJob(ns, 'nightly'),
    );
    const path = `/apis/batch/v1/namespaces/${ns}/jobs/nightly`;
    const stale = (job: { metadata: Record<string, unknown> }) => ({
      ...job,
      metadata: { ...job.metadata, resourceVersion: '1', labels: { changed: 'yes' } },
    });
    const real = await twin.real.request('PUT', path, stale(created.real));
    const sim = await twin.sim.request('PUT', path, stale(created.sim));
    expectSameStatus('PUT with a stale resourceVersion', { real, sim });
  });

  it('422 Invalid when the completions of a non-indexed Job change', async () => {
    const ns = await twin.namespace('c-err-immutable');
    await twin.callBoth('POST', `/apis/batch/v1/namespaces/${ns}/jobs`, suspendedJob(ns, 'nightly'));
    const patch = { spec: { completions: 3 } };
    const response = await twin.both(
      'PATCH',
      `/apis/batch/v1/namespaces/${ns}/jobs/nightly`,
      patch,
      'application/merge-patch+json',
    );
    expectSameStatus('PATCH spec.completions', response);
  });

  it('422 Invalid with a spec.selector cause when the selector of a Job changes', async () => {
    const ns = await twin.namespace('c-err-selector');
    await twin.callBoth('POST', `/apis/batch/v1/namespaces/${ns}/jobs`, suspendedJob(ns, 'nightly'));
    const patch = [{ op: 'add', path: '/spec/selector', value: { matchLabels: { tier: 'batch' } } }];
    const response = await twin.both(
      'PATCH',
      `/apis/batch/v1/namespaces/${ns}/jobs/nightly`,
      patch,
      'application/json-patch+json',
    );
    // Both servers default the selector to the Job's controller-uid on create, so both
    // report the changed selector and the template labels that no longer match it.
    const frame = (body: unknown) => ({ ...(normalise(body) as object), message: '<message>' });
    expect(response.real.status).toBe(422);
    expect(response.sim.status).toBe(422);
    const selectorOnly = (body: unknown) => JSON.stringify(frame(body)).replace(/Invalid value: \{.*?\}\}:/, 'Invalid value: <selector>:');
    expectSame('PATCH spec.selector', JSON.parse(selectorOnly(response.real.body)), JSON.parse(selectorOnly(response.sim.body)));
  });

  it('422 Invalid when the pod template of a started Job changes', async () => {
    const ns = await twin.namespace('c-err-template');
    const job = suspendedJob(ns, 'nightly');
    (job['spec'] as Record<string, unknown>)['suspend'] = false;
    (job['spec'] as Record<string, unknown>)['template'] = {
      spec: { restartPolicy: 'Never', nodeName: 'nowhere', containers: [{ name: 'main', image: 'registry.example/a:1' }] },
    };
    await twin.callBoth('POST', `/apis/batch/v1/namespaces/${ns}/jobs`, job);
    const patch = [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'registry.example/b:2' }];
    const response = await twin.both(
      'PATCH',
      `/apis/batch/v1/namespaces/${ns}/jobs/nightly`,
      patch,
      'application/json-patch+json',
    );
    // The real message prints the whole internal PodTemplateSpec as Go formats it; jobwatch
    // never reads it, so everything else in the Status is compared.
    const withoutValue = (body: unknown) => {
      const text = JSON.stringify(normalise(body));
      return JSON.parse(text.replace(/Invalid value: \{.*?\}: field is immutable/g, 'Invalid value: <template>: field is immutable')) as unknown;
    };
    expect(response.real.status).toBe(422);
    expectSame('PATCH spec.template', withoutValue(response.real.body), withoutValue(response.sim.body));
  });

  it('400 on a field selector the resource does not support', async () => {
    const ns = await twin.namespace('c-err-field');
    for (const path of [
      `/apis/batch/v1/namespaces/${ns}/jobs?fieldSelector=spec.foo%3Dbar`,
      `/api/v1/namespaces/${ns}/pods?fieldSelector=spec.foo%3Dbar`,
      `/api/v1/namespaces/${ns}/events?fieldSelector=spec.foo%3Dbar`,
      `/apis/batch/v1/namespaces/${ns}/cronjobs?fieldSelector=spec.foo%3Dbar`,
      `/api/v1/nodes?fieldSelector=metadata.namespace%3Dx`,
      `/api/v1/namespaces/${ns}/pods?fieldSelector=status.phase`,
    ]) {
      expectSameStatus(`GET ${path}`, await twin.both('GET', path));
    }
  });

  it('400 on a malformed label selector', async () => {
    const ns = await twin.namespace('c-err-label');
    for (const selector of ['a==b==c', 'a in b', 'a in (b', 'a notin (b,)x', '!', 'a,', '=b', 'a b', 'a=(b)']) {
      const path = `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selector)}`;
      expectSameStatus(`GET pods with labelSelector ${selector}`, await twin.both('GET', path));
    }
  });

  it('404 for a resource type the server does not serve', async () => {
    const ns = await twin.namespace('c-err-type');
    expectSameStatus('GET widgets', await twin.both('GET', `/api/v1/namespaces/${ns}/widgets`));
    expectSameStatus('GET batch/v2 jobs', await twin.both('GET', `/apis/batch/v2/namespaces/${ns}/jobs`));
  });

  it('400 on a continue token from another encoding', async () => {
    const ns = await twin.namespace('c-err-continue');
    const token = Buffer.from(JSON.stringify({ v: 'x', rv: 1, start: 'a' })).toString('base64url');
    const path = `/api/v1/namespaces/${ns}/pods?limit=1&continue=${token}`;
    expectSameStatus('GET pods with a foreign continue token', await twin.both('GET', path));
  });
});
