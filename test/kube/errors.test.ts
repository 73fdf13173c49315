import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  KubeApiError,
  kubeApiErrorFromResponse,
  kubeApiErrorFromStatus,
  toKubeApiError,
} from '../../src/kube/errors.ts';

const notFoundBody = JSON.stringify({
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  message: 'jobs.batch "nightly" not found',
  reason: 'NotFound',
  code: 404,
});

describe('toKubeApiError', () => {
  it('parses an ApiException whose body is a JSON string', () => {
    const cause = new ApiException(404, 'Unknown API Status Code!', notFoundBody, {});
    const error = toKubeApiError(cause, { kind: 'Job', namespace: 'etl', name: 'nightly' });

    expect(error.code).toBe(404);
    expect(error.reason).toBe('NotFound');
    expect(error.statusMessage).toBe('jobs.batch "nightly" not found');
    expect(error.object).toEqual({ kind: 'Job', namespace: 'etl', name: 'nightly' });
    expect(error.message).toBe(
      'Kubernetes API request for Job etl/nightly failed with 404 NotFound: ' +
        'jobs.batch "nightly" not found',
    );
    expect(error.cause).toBe(cause);
  });

  it('parses an ApiException whose body is an object', () => {
    const body = { reason: 'Forbidden', message: 'jobs.batch is forbidden', code: 403 };
    const error = toKubeApiError(new ApiException(403, 'Forbidden', body, {}));

    expect(error.reason).toBe('Forbidden');
    expect(error.statusMessage).toBe('jobs.batch is forbidden');
  });

  it('keeps a plain-text ApiException body as the message', () => {
    const body = 'container "main" in pod "p" is waiting to start: ContainerCreating';
    const error = toKubeApiError(new ApiException(400, 'Unknown API Status Code!', body, {}));

    expect(error.code).toBe(400);
    expect(error.reason).toBeUndefined();
    expect(error.statusMessage).toBe(body);
  });

  it('reads statusCode from a watch error', () => {
    const watchError = Object.assign(new Error('Gone'), { statusCode: 410 });
    const error = toKubeApiError(watchError);

    expect(error.code).toBe(410);
    expect(error.isGone).toBe(true);
  });

  it('names the socket code of a transport error', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
    });
    const error = toKubeApiError(new TypeError('fetch failed', { cause }));

    expect(error.code).toBeUndefined();
    expect(error.reason).toBe('ECONNREFUSED');
    expect(error.isPermanent).toBe(false);
    expect(error.message).toContain('failed without a response (ECONNREFUSED)');
  });

  it('names a timeout', () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(toKubeApiError(timeout).reason).toBe('TimeoutError');
  });

  it('adds the object to an error that had none', () => {
    const original = new KubeApiError({ code: 500 });
    const error = toKubeApiError(original, { kind: 'Node', name: 'n1' });

    expect(error.object).toEqual({ kind: 'Node', name: 'n1' });
    expect(error.code).toBe(500);
  });

  it('returns an error that already names its object unchanged', () => {
    const original = new KubeApiError({ code: 500, object: { kind: 'Job', name: 'a' } });
    expect(toKubeApiError(original, { kind: 'Node', name: 'n1' })).toBe(original);
  });
});

describe('KubeApiError.isPermanent', () => {
  const cases: [number | undefined, boolean][] = [
    [400, true],
    [401, true],
    [403, true],
    [404, true],
    [422, true],
    [408, false],
    [409, false],
    [429, false],
    [500, false],
    [503, false],
    [undefined, false],
  ];
  for (const [code, permanent] of cases) {
    it(`is ${permanent} for ${code ?? 'a transport error'}`, () => {
      expect(new KubeApiError({ code }).isPermanent).toBe(permanent);
    });
  }
});

describe('KubeApiError builders', () => {
  it('builds from a watch ERROR Status', () => {
    const message = 'too old resource version: 5 (9)';
    const status = { kind: 'Status', code: 410, reason: 'Expired', message };
    const error = kubeApiErrorFromStatus(status);

    expect(error.code).toBe(410);
    expect(error.reason).toBe('Expired');
    expect(error.statusMessage).toBe('too old resource version: 5 (9)');
  });

  it('builds from a response whose body is not a Status', () => {
    const error = kubeApiErrorFromResponse(502, '<html>Bad Gateway</html>');

    expect(error.code).toBe(502);
    expect(error.statusMessage).toBe('<html>Bad Gateway</html>');
  });

  it('describes a list by kind and namespace', () => {
    const error = new KubeApiError({ code: 403, object: { kind: 'Pod', namespace: 'etl' } });
    expect(error.message).toMatch(/^Kubernetes API request for Pod list in namespace etl failed with 403\./);
    expect(error.message).toContain('check the RBAC Role or ClusterRole');
  });

  it('reads the message of an unauthorized request and says what to check', () => {
    const cause = new ApiException(401, 'Unauthorized', undefined, {});
    const error = toKubeApiError(cause, { kind: 'Job', namespace: 'default', name: 'x' });
    expect(error.statusMessage).toBe('Unauthorized');
    expect(error.message).not.toContain('Headers');
    expect(error.message).toContain('check the token or client certificate');
  });

  it('says to check the address when no response arrived', () => {
    const error = new KubeApiError({ reason: 'ECONNREFUSED', object: { kind: 'Job' } });
    expect(error.message).toContain('API server address of the kubeconfig context is reachable');
  });
});
