import { describe, expect, it } from 'vitest';
import { requestKind, requestsByKind } from '../api-requests.ts';

describe('requestKind', () => {
  const cases: [string, string, string, string][] = [
    ['GET', '/api/v1/namespaces/bench-1/pods/etl-00001-abcde/log', 'container=main&tailLines=200', 'GET pods/log'],
    ['GET', '/api/v1/namespaces/bench-1/pods/etl-00001-abcde', '', 'GET pods'],
    ['GET', '/api/v1/namespaces/bench-1/pods', 'labelSelector=x', 'LIST pods'],
    ['GET', '/api/v1/namespaces/bench-1/events', 'fieldSelector=y', 'LIST events'],
    ['GET', '/apis/batch/v1/namespaces/bench-1/jobs/etl-00001', '', 'GET jobs'],
    ['GET', '/apis/batch/v1/jobs', 'limit=500', 'LIST jobs'],
    ['GET', '/api/v1/pods', 'watch=true&resourceVersion=5', 'WATCH pods'],
  ];

  it.each(cases)('names %s %s', (method, path, query, kind) => {
    expect(requestKind({ method, path, query })).toBe(kind);
  });
});

describe('requestsByKind', () => {
  it('divides counts and orders kinds by frequency', () => {
    const get = { method: 'GET', path: '/apis/batch/v1/namespaces/a/jobs/j', query: '' };
    const list = { method: 'GET', path: '/api/v1/namespaces/a/pods', query: '' };
    const counts = requestsByKind([get, list, list, list], 2);
    expect(Object.keys(counts)).toEqual(['LIST pods', 'GET jobs']);
    expect(counts['LIST pods']).toBe(1.5);
    expect(counts['GET jobs']).toBe(0.5);
  });
});
